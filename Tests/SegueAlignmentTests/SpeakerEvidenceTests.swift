import Foundation
import SegueFeatures
import SegueTestSupport
import Testing
@testable import SegueAlignment

/// The case content alone cannot decide: the same two sentences are heard twice, first in a
/// trailer that quotes the episode (read in the host's voice, but diarized as a voice of its own:
/// another microphone), then from the two speakers in turn. Only who speaks where tells the
/// trailer from the conversation.
@Suite struct SpeakerEvidenceTests {
    init() { EspeakFixtures.ready }

    static let sentences = [
        "we start with the question everybody asks first which is about stings",
        "after the break we look at how the hives survive a cold winter",
    ]

    struct Episode {
        var track: FeatureTrack
        var frameClusters: [Int8]
        /// Where each sentence starts in the conversation (not the trailer), in seconds.
        var starts: [Double]
    }

    static func episode() throws -> Episode {
        let rate = ReferenceVoice.sampleRate
        let host = try ReferenceVoice(language: "en-us", variant: "f3", wordsPerMinute: 150, pitch: 70,
                                      sentencePause: 0)
        let guest = try ReferenceVoice(language: "en-gb", variant: "m1", wordsPerMinute: 140, pitch: 30,
                                       sentencePause: 0)
        var samples: [Float] = []
        var spans: [(Range<Double>, Int8)] = []
        func seconds(_ n: Int) -> Double { Double(n) / Double(rate) }
        func add(_ voice: ReferenceVoice, _ text: String, cluster: Int8) throws -> Double {
            samples += TestAudio.silence(seconds: 1, rate: rate)
            let rendering = try voice.render([text])
            let span = rendering.sentences[0]
            let start = seconds(samples.count + span.start)
            spans.append((start..<seconds(samples.count + span.end), cluster))
            samples += rendering.samples
            return start
        }
        _ = try add(host, sentences[0], cluster: 0)
        _ = try add(host, sentences[1], cluster: 0)
        samples += TestAudio.silence(seconds: 2, rate: rate)
        let starts = [try add(host, sentences[0], cluster: 1), try add(guest, sentences[1], cluster: 2)]
        samples += TestAudio.silence(seconds: 1, rate: rate)
        let floor = TestAudio.noise(seconds: seconds(samples.count) + 1, rate: rate, rms: 0.001, seed: 5)
        for i in samples.indices { samples[i] += floor[i] }

        let extractor = FeatureExtractor(sampleRate: rate)
        let track = try FeatureTrack(clock: extractor.clock, layout: extractor.layout)
        try samples.withUnsafeBufferPointer { try extractor.process($0, into: track) }
        try extractor.finish(into: track)
        // The diarization a perfect diarizer would give: one cluster per voice.
        var clusters = [Int8](repeating: SpeakerLabels.unknown, count: track.frameCount)
        for (span, cluster) in spans {
            let lo = track.clock.frame(at: span.lowerBound), hi = min(clusters.count, track.clock.frame(at: span.upperBound))
            for f in lo..<hi { clusters[f] = cluster }
        }
        return Episode(track: track, frameClusters: clusters, starts: starts)
    }

    @Test func whoSpeaksTellsTheConversationFromItsTrailer() throws {
        let episode = try Self.episode()
        let reference = try ReferenceFeatures(sentences: Self.sentences)
        let evidence = SpeakerEvidence(sentenceSpeakers: [0, 1], frameClusters: episode.frameClusters,
                                       clusterCount: 3, speakerCount: 2)
        let result = try ContentAligner().align(reference: reference, episode: episode.track, speakers: evidence)
        // The trailer's voice speaks no turn; the host is cluster 1, the guest cluster 2.
        #expect(result.clusterSpeakers == [SpeakerLabels.foreign, 0, 1])
        for (k, sentence) in result.sentences.enumerated() {
            let start = try #require(sentence.start, "sentence \(k)")
            #expect(abs(start - episode.starts[k]) <= 0.3, "sentence \(k): found \(start), truth \(episode.starts[k])")
        }
    }

    @Test func labelsBecomeSpeakersThroughTheMapping() {
        let clusters: [Int8] = [-1, 0, 1, 2, 2, -1]
        #expect(SpeakerEvidence.labels(clusters, mapping: [SpeakerLabels.foreign, 0, 1])
            == [-1, SpeakerLabels.foreign, 0, 1, 1, -1])
        #expect(SpeakerBlocks.labels([0, 0, 1, -1, -1, -1, 2, 2, 2], columns: 0..<3, factor: 3) == [0, -1, 2])
    }
}
