import Testing
@testable import SegueSpeakers

/// Frames under the background mask (a bed between words, the pause stage took for speech) carry
/// no voice: they train no speaker model and never decide the decode, so they cannot gather into
/// a "speaker" of their own (issue 17).
@Suite struct MaskedFrameTests {
    private static let dimension = 12
    private static let floor = [Float](repeating: 0.01, count: dimension)

    /// A voice: a constant vector per speaker with a little jitter.
    private static func frames(_ level: Float, count: Int) -> [Float] {
        (0..<count).flatMap { t in (0..<dimension).map { level + Float(($0 + t * 3) % 5) * 0.05 } }
    }

    private static func model(_ level: Float) -> DiagonalMixture {
        DiagonalMixture(training: frames(level, count: 80), dimension: dimension, components: 1, iterations: 1,
                        varianceFloor: floor)
    }

    /// 100 frames of the voice at `before`, 60 unheard frames that sound like a third "voice" (20),
    /// 140 of the voice at `after`, decoded with models of all three.
    private static func decode(before: Float, after: Float) -> [Resegmentation.Run] {
        let vectors = frames(before, count: 100) + frames(20, count: 60) + frames(after, count: 140)
        let heard = [Bool](repeating: true, count: 100) + [Bool](repeating: false, count: 60)
            + [Bool](repeating: true, count: 140)
        let window = StreamWindow(range: 0..<300, dimension: dimension, vectors: vectors, heard: heard)
        let stream = SpeechStream(spans: [0..<300], cepstralCount: dimension + 1)
        return Resegmentation().decode(window: window, stream: stream, models: [model(0), model(10), model(20)], hop: 0.01)
    }

    /// Voice A (0), unheard frames, then voice B (1): the background's model never wins, and the
    /// change falls where B is first heard.
    @Test func unheardFramesFollowTheVoicesAround() {
        let runs = Self.decode(before: 0, after: 10)
        #expect(runs.map(\.speaker) == [0, 1])
        #expect(runs.map(\.range) == [0..<160, 160..<300])
    }

    /// Unheard frames inside one voice's turn stay that voice's.
    @Test func unheardFramesInsideATurnStayWithIt() {
        #expect(Self.decode(before: 0, after: 0).map(\.speaker) == [0])
    }

    /// Speaker statistics and the segments' statistics leave unheard frames out.
    @Test func statisticsLeaveUnheardFramesOut() {
        let vectors = Self.frames(0, count: 100) + Self.frames(20, count: 60)
        let heard = [Bool](repeating: true, count: 100) + [Bool](repeating: false, count: 60)
        let window = StreamWindow(range: 0..<160, dimension: Self.dimension, vectors: vectors, heard: heard)
        let runs = [Resegmentation.Run(range: 0..<160, speaker: 0, margin: 0)]
        #expect(window.speakerStatistics(runs, speakers: 1)[0].count == 100)
        let stream = SpeechStream(spans: [0..<160], cepstralCount: Self.dimension + 1)
        let (ranges, stats) = window.segments(cutAt: [100], stream: stream)
        #expect(ranges == [0..<100, 100..<160])
        #expect(stats.map(\.count) == [100, 0])
    }
}
