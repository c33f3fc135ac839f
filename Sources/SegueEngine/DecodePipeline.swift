import Foundation
import SegueAudio

/// Decodes (and mixes down) on a second thread while the caller analyses, so
/// that analysis costs little more wall time than decoding alone. At most
/// `capacity` blocks wait in between: memory stays bounded whatever the
/// file's length.
final class DecodePipeline: @unchecked Sendable {
    static let blockSize = 16_384

    private let condition = NSCondition()
    private var blocks: [[Float]] = []
    private var finished = false
    private var failure: AudioError?
    private var framesDecoded: Int64 = 0
    private let capacity = 8
    private let decoder: AudioDecoder

    /// Starts decoding `decoder` at once.
    init(decoder: AudioDecoder) {
        self.decoder = decoder
        let thread = Thread { [self] in self.run() }
        thread.name = "segue.decode"
        thread.start()
    }

    private func run() {
        var failure: AudioError?
        do {
            while true {
                var block = [Float](repeating: 0, count: Self.blockSize)
                let n = try block.withUnsafeMutableBufferPointer { try decoder.readMono(into: $0) }
                if n == 0 { break }
                if n < block.count { block.removeLast(block.count - n) }
                condition.lock()
                while blocks.count >= capacity { condition.wait() }
                blocks.append(block)
                condition.signal()
                condition.unlock()
            }
        } catch let error as AudioError {
            failure = error
        } catch {
            failure = AudioError(path: decoder.path, kind: .readFailed, reason: "\(error)")
        }
        condition.lock()
        finished = true
        framesDecoded = decoder.framesDecoded
        self.failure = failure
        condition.broadcast()
        condition.unlock()
    }

    /// Input frames decoded; final once `next()` has returned nil.
    var decodedFrameCount: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return framesDecoded
    }

    /// The next decoded block, or nil at the end of the audio.
    func next() throws(AudioError) -> [Float]? {
        condition.lock()
        defer { condition.unlock() }
        while blocks.isEmpty && !finished { condition.wait() }
        if !blocks.isEmpty {
            let block = blocks.removeFirst()
            condition.signal()
            return block
        }
        if let failure { throw failure }
        return nil
    }
}
