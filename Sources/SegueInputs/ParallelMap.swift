import Dispatch
import Foundation

extension Array where Element: Sendable {
    /// `map` spread over the available cores in contiguous chunks; order is preserved.
    /// Used for per-line and per-turn work that is independent (scanning lines, normalising turns),
    /// which keeps a 10 MB page within the parse-time budget.
    func parallelMap<T: Sendable>(minimumChunk: Int = 2048, _ transform: @Sendable (Element) -> T) -> [T] {
        parallelMap(minimumChunk: minimumChunk, state: {}) { _, element in transform(element) }
    }

    /// `parallelMap` with one `State` per chunk, made by `makeState` on the worker: caches and scratch space
    /// that speed up the transform but are never shared between threads.
    func parallelMap<T: Sendable, State>(minimumChunk: Int = 2048, state makeState: @Sendable () -> State,
                                         _ transform: @Sendable (inout State, Element) -> T) -> [T] {
        let chunks = Swift.min(ProcessInfoCores.count * 4, (count + minimumChunk - 1) / minimumChunk)
        guard chunks > 1 else {
            var state = makeState()
            return map { transform(&state, $0) }
        }
        let chunkSize = (count + chunks - 1) / chunks
        // Every index is initialised exactly once, by the chunk that owns it.
        return [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            nonisolated(unsafe) let out = buffer
            self.withUnsafeBufferPointer { input in
                nonisolated(unsafe) let source = input
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let lo = chunk * chunkSize, hi = Swift.min(lo + chunkSize, source.count)
                    guard lo < hi else { return }
                    var state = makeState()
                    for i in lo..<hi { (out.baseAddress! + i).initialize(to: transform(&state, source[i])) }
                }
            }
            initializedCount = count
        }
    }
}

private enum ProcessInfoCores {
    static let count = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
}
