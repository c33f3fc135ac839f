import Foundation
import SegueAudio

/// Decodes (and mixes down) on a second thread while the caller analyses, so
/// that analysis costs little more wall time than decoding alone. At most
/// `capacity` blocks wait in between: memory stays bounded whatever the
/// file's length.
///
/// The thread ends at the end of the audio, on a decoding error, or as soon
/// as the reader stops early: `cancel()` (or dropping the pipeline, which
/// cancels) wakes it if it waits for room and stops it after the block it
/// is decoding. The thread holds only the shared `Channel`, never the
/// pipeline, so dropping the pipeline always reaches `deinit`.
final class DecodePipeline: @unchecked Sendable {
    static let blockSize = 16_384
    /// Blocks that may wait (2 MB): room for the decoder to run ahead while the
    /// reader does its bursts of work (a pause survey, a write to disk), so
    /// that decoding never waits for them. With 8, the bursts cost 0.3 s on an hour.
    static let capacity = 32

    /// What the decoding thread and the reader share, guarded by `condition`.
    final class Channel: @unchecked Sendable {
        let condition = NSCondition()
        let decoder: AudioDecoder
        var blocks: [[Float]] = []
        /// The thread has stopped decoding (end of audio, error or cancel).
        var finished = false
        /// The reader wants no more blocks.
        var cancelled = false
        var failure: AudioError?
        var framesDecoded: Int64 = 0

        init(decoder: AudioDecoder) { self.decoder = decoder }

        /// True once the decoding thread has ended; waits up to `timeout` seconds for it.
        func waitUntilFinished(timeout: TimeInterval) -> Bool {
            let deadline = Date(timeIntervalSinceNow: timeout)
            condition.lock()
            defer { condition.unlock() }
            while !finished {
                if !condition.wait(until: deadline) { return finished }
            }
            return true
        }
    }

    let channel: Channel

    /// Starts decoding `decoder` at once.
    init(decoder: AudioDecoder) {
        let channel = Channel(decoder: decoder)
        self.channel = channel
        let thread = Thread { Self.run(channel) }
        thread.name = "segue.decode"
        thread.start()
    }

    deinit { cancel() }

    private static func run(_ channel: Channel) {
        let decoder = channel.decoder
        let condition = channel.condition
        var failure: AudioError?
        do {
            reading: while true {
                var block = [Float](repeating: 0, count: Self.blockSize)
                let n = try block.withUnsafeMutableBufferPointer { try decoder.readMono(into: $0) }
                if n == 0 { break }
                if n < block.count { block.removeLast(block.count - n) }
                condition.lock()
                while channel.blocks.count >= Self.capacity && !channel.cancelled { condition.wait() }
                if channel.cancelled {
                    condition.unlock()
                    break reading
                }
                channel.blocks.append(block)
                condition.signal()
                condition.unlock()
            }
        } catch let error as AudioError {
            failure = error
        } catch {
            failure = AudioError(path: decoder.path, kind: .readFailed, reason: "\(error)")
        }
        condition.lock()
        channel.finished = true
        channel.framesDecoded = decoder.framesDecoded
        channel.failure = failure
        condition.broadcast()
        condition.unlock()
    }

    /// Stops decoding: drops the waiting blocks and lets the thread end after
    /// the block it is decoding. Does not wait; see `stop()`.
    func cancel() {
        channel.condition.lock()
        channel.cancelled = true
        channel.blocks.removeAll()
        channel.condition.broadcast()
        channel.condition.unlock()
    }

    /// Cancels and waits for the thread to end (one block's decoding at most),
    /// so that no thread still reads the file once the analysis has stopped.
    func stop() {
        cancel()
        _ = channel.waitUntilFinished(timeout: 60)
    }

    /// The decoding thread has ended.
    var isFinished: Bool {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        return channel.finished
    }

    /// Input frames decoded; final once `next()` has returned nil.
    var decodedFrameCount: Int64 {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        return channel.framesDecoded
    }

    /// The next decoded block, or nil at the end of the audio (or once cancelled).
    func next() throws(AudioError) -> [Float]? {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        while channel.blocks.isEmpty && !channel.finished && !channel.cancelled { channel.condition.wait() }
        if !channel.blocks.isEmpty {
            let block = channel.blocks.removeFirst()
            channel.condition.signal()
            return block
        }
        if channel.cancelled { return nil }
        if let failure = channel.failure { throw failure }
        return nil
    }
}
