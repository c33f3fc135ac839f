import Dispatch
import Foundation

extension Array where Element: Sendable {
    /// `map` spread over the available cores in contiguous chunks; order is preserved.
    /// Used for per-line and per-turn work that is independent (scanning lines, normalising turns),
    /// which keeps a 10 MB page within the parse-time budget.
    func parallelMap<T: Sendable>(minimumChunk: Int = 2048, _ transform: @Sendable (Element) -> T) -> [T] {
        let chunks = Swift.min(ProcessInfoCores.count * 4, (count + minimumChunk - 1) / minimumChunk)
        guard chunks > 1 else { return map(transform) }
        var results = [T?](repeating: nil, count: count)
        let chunkSize = (count + chunks - 1) / chunks
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            self.withUnsafeBufferPointer { input in
                nonisolated(unsafe) let source = input
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let lo = chunk * chunkSize, hi = Swift.min(lo + chunkSize, source.count)
                    guard lo < hi else { return }
                    for i in lo..<hi { out[i] = transform(source[i]) }
                }
            }
        }
        return results.compactMap { $0 }
    }
}

private enum ProcessInfoCores {
    static let count = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
}
