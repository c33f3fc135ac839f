import Testing
@testable import SegueSpeakers

/// An estimated speaker with less than `minimumSpeakerSpeech` of speech goes
/// to the speaker whose voice it is nearest to, not to the one with most
/// speech (issue 17): a one-second turn of the guest stays the guest's.
@Suite struct RelabellingTests {
    private static let d = 12

    /// Frames around `centre` in every dimension, with a deterministic spread.
    private static func voice(centre: Float, frames: Int) -> GaussianStatistics {
        var stats = GaussianStatistics(dimension: d)
        for t in 0..<frames {
            let x = (0..<d).map { j in centre + Float(((t * 7 + j * 3) % 11) - 5) * 0.2 }
            x.withUnsafeBufferPointer { stats.add($0) }
        }
        return stats
    }

    @Test func aShortSpeakerJoinsTheNearestVoiceNotTheBiggest() {
        let diarizer = SpeakerDiarizer()
        let hop = 0.01
        // Host (speaker 0): 15 s; guest (1): 8 s; speaker 2: 1 s of the guest's voice.
        let statistics = [Self.voice(centre: 0, frames: 1_500), Self.voice(centre: 3, frames: 800),
                          Self.voice(centre: 3, frames: 100)]
        let runs = [Resegmentation.Run(range: 0..<1_500, speaker: 0, margin: 1),
                    Resegmentation.Run(range: 1_500..<2_300, speaker: 1, margin: 1),
                    Resegmentation.Run(range: 2_300..<2_400, speaker: 2, margin: 1)]
        let clustering = SpeakerClustering(parameters: diarizer.parameters.clustering)
        var prior = [Double](repeating: 0, count: Self.d * Self.d)
        for j in 0..<Self.d { prior[j * Self.d + j] = 1 }
        let test = SpeakerMergeTest(parameters: diarizer.parameters, clustering: clustering, prior: prior)

        let nearest = diarizer.relabelled(runs, map: [0, 1, 2], speakers: 3, given: nil, hop: hop,
                                          statistics: statistics, test: test)
        #expect(nearest.count == 2)
        #expect(nearest.runs.map(\.speaker) == [0, 1], "the short speaker's run joins the guest's")
        #expect(nearest.statistics?.map(\.count) == [1_500, 900])

        // Without statistics the old rule remains: the biggest speaker takes it.
        let biggest = diarizer.relabelled(runs, map: [0, 1, 2], speakers: 3, given: nil, hop: hop)
        #expect(biggest.runs.map(\.speaker) == [0, 1, 0])
    }
}
