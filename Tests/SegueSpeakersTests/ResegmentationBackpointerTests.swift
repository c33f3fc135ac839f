import Foundation
import Testing
@testable import SegueSpeakers
import SegueFeatures

/// The Viterbi decode of `Resegmentation` keeps one backpointer per frame and
/// speaker; with more than 255 speakers a byte-wide backpointer would trap.
@Suite struct ResegmentationBackpointerTests {
    /// Speaker `s`'s voice: the bits of `s` spread over the 12 cepstral
    /// dimensions, so every speaker differs from every other by ≥ 10 units.
    private static func voice(_ s: Int, dimension: Int) -> [Float] {
        (0..<dimension).map { j in Float((s >> j) & 1) * 10 + Float(j) * 0.01 }
    }

    @Test func decodesSpeakersBeyond255() throws {
        let speakers = 300
        let layout = FeatureLayout(melBandCount: 1, cepstralCount: 13)
        let d = layout.cepstralCount - 1
        let floor = [Float](repeating: 0.01, count: d)
        // One single-Gaussian model per speaker, trained on its voice with a little jitter.
        let models = (0..<speakers).map { s in
            var training: [Float] = []
            for t in 0..<40 {
                training += Self.voice(s, dimension: d).enumerated().map { $0.element + Float((t * 7 + $0.offset) % 5) * 0.02 }
            }
            return DiagonalMixture(training: training, dimension: d, components: 1, iterations: 1, varianceFloor: floor)
        }

        // 100 frames each of speakers 299, 3 and 280, on one track with no pauses.
        let script = [(299, 100), (3, 100), (280, 100)]
        let track = try FeatureTrack(clock: FrameClock(sampleRate: 16_000, parameters: FeatureParameters()), layout: layout)
        var values: [Float] = []
        for (speaker, frames) in script {
            for _ in 0..<frames {
                values += [Float](repeating: 0, count: layout.cepstralOffset) + [0] + Self.voice(speaker, dimension: d)
            }
        }
        try track.append(FeatureBlock(layout: layout, firstFrame: 0, values: values))
        try track.flush()
        let stream = SpeechStream(spans: [0..<300], cepstralCount: layout.cepstralCount)
        let window = try StreamWindow(range: 0..<300, stream: stream, track: track)

        let runs = Resegmentation().decode(window: window, stream: stream, models: models, hop: 0.01)
        #expect(runs.map(\.speaker) == [299, 3, 280])
        #expect(runs.map(\.range) == [0..<100, 100..<200, 200..<300])
        #expect(Resegmentation.maximumSpeakers > speakers)
    }
}
