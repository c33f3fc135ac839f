import Foundation
import Testing
@testable import SegueEngine
import SegueTestSupport

/// The decoding thread of `EpisodeAnalyzer` must end when the analysis stops
/// reading early (an error, a cancel), not wait forever for room in the queue.
/// (Here because this test target already links SegueEngine.)
@Suite struct DecodePipelineTests {
    /// Twice as many blocks as the queue holds, and some, so the thread is
    /// waiting for room when the reader stops.
    private static let frames = (2 * DecodePipeline.capacity + 2) * DecodePipeline.blockSize

    private func longFile() throws -> URL {
        let folder = try TestAudio.temporaryFolder()
        let url = folder.appendingPathComponent("long.wav")
        try TestAudio.writeWAV(TestAudio.sine(frequency: 440, seconds: Double(Self.frames) / 16_000, rate: 16_000),
                               rate: 16_000, to: url)
        return url
    }

    @Test func cancelEndsTheThreadAfterOneBlock() throws {
        let pipeline = DecodePipeline(decoder: try AudioDecoder(path: try longFile().path))
        #expect(try pipeline.next()?.count == DecodePipeline.blockSize)
        // Let the thread fill the queue and block on it.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!pipeline.isFinished)
        pipeline.cancel()
        #expect(pipeline.channel.waitUntilFinished(timeout: 10))
        #expect(pipeline.isFinished)
        #expect(try pipeline.next() == nil)
        #expect(pipeline.decodedFrameCount < Self.frames)
    }

    @Test func droppingThePipelineEndsTheThread() throws {
        let url = try longFile()
        let channel: DecodePipeline.Channel
        do {
            let pipeline = DecodePipeline(decoder: try AudioDecoder(path: url.path))
            _ = try pipeline.next()
            Thread.sleep(forTimeInterval: 0.2)
            channel = pipeline.channel
        }
        #expect(channel.waitUntilFinished(timeout: 10))
    }

    @Test func readingToTheEndStillGetsEveryFrame() throws {
        let pipeline = DecodePipeline(decoder: try AudioDecoder(path: try longFile().path))
        var frames = 0
        while let block = try pipeline.next() { frames += block.count }
        #expect(frames == Self.frames)
        #expect(pipeline.decodedFrameCount == Self.frames)
        #expect(pipeline.isFinished)
        pipeline.stop()
    }
}
