import Foundation
import SegueFeatures
import Testing
@testable import SegueAlignment

@Suite struct ReferenceVoiceTests {
    init() { EspeakFixtures.ready }

    @Test func rendersSentencesWithOrderedSpansAndWords() throws {
        let voice = try ReferenceVoice()
        let rendering = try voice.render(["Hello world.", "This is a test."])
        #expect(rendering.sampleRate == 22_050)
        #expect(rendering.samples.count > 22_050 / 2)
        #expect(rendering.samples.contains { abs($0) > 0.01 })
        #expect(rendering.sentences.count == 2)
        var previousEnd = 0
        for sentence in rendering.sentences {
            #expect(sentence.start >= previousEnd)
            #expect(sentence.end > sentence.start)
            #expect(sentence.end <= rendering.samples.count)
            previousEnd = sentence.end
        }
        // The pause between sentences is silent.
        let gap = rendering.sentences[0].end..<rendering.sentences[1].start
        #expect(gap.count >= Int(0.25 * 22_050))
        #expect(rendering.samples[gap].allSatisfy { abs($0) < 0.002 })
        #expect(rendering.sentences.map { $0.words.map(\.text) } == [["Hello", "world"], ["This", "is", "a", "test"]])
        for sentence in rendering.sentences {
            var start = sentence.start
            for word in sentence.words {
                #expect(word.start >= start && word.end >= word.start && word.end <= sentence.end)
                start = word.start
            }
        }
    }

    @Test func oneStringWithTwoSentencesIsOneSpan() throws {
        let rendering = try ReferenceVoice().render(["Hello world. This is a test."])
        #expect(rendering.sentences.count == 1)
        #expect(rendering.sentences[0].words.count == 6)
        #expect(rendering.sentences[0].end > rendering.sentences[0].start + 22_050)
    }

    @Test func slowerVoiceTakesLonger() throws {
        let text = ["the quick brown fox jumps over the lazy dog"]
        let fast = try ReferenceVoice(wordsPerMinute: 220).render(text).sentences[0]
        let slow = try ReferenceVoice(language: "en-us", variant: "f3", wordsPerMinute: 130, pitch: 70)
            .render(text).sentences[0]
        #expect(slow.end - slow.start > (fast.end - fast.start) * 3 / 2)
    }

    @Test func emptySentenceHasAnEmptySpan() throws {
        let rendering = try ReferenceVoice().render(["", "hello"])
        #expect(rendering.sentences[0].start == rendering.sentences[0].end)
        #expect(rendering.sentences[1].end > rendering.sentences[1].start)
    }

    @Test func unknownLanguageThrows() {
        #expect(throws: ReferenceVoiceError.unknownLanguage("xx-nonsense")) {
            try ReferenceVoice(language: "xx-nonsense")
        }
        #expect(throws: ReferenceVoiceError.unknownLanguage("")) { try ReferenceVoice(language: "") }
    }

    @Test func referenceFeaturesUseTheEpisodeGrid() throws {
        let reference = try ReferenceFeatures(sentences: ["hello world", "this is a test"])
        // eSpeak's 22 050 Hz is analysed as is: the 10 ms hop of a 44.1 kHz episode after one half-band stage.
        #expect(reference.track.clock == FeatureExtractor(sampleRate: 44_100).clock)
        #expect(reference.track.clock.sampleRate == 22_050)
        #expect(reference.sentenceFrames.count == 2)
        #expect(reference.sentenceFrames[0].upperBound <= reference.sentenceFrames[1].lowerBound)
        #expect(reference.sentenceFrames[1].upperBound <= reference.track.frameCount)
        let seconds = Double(reference.sentenceFrames[0].count) * reference.track.clock.hopDuration
        let span = reference.sentences[0]
        #expect(abs(seconds - Double(span.end - span.start) / 22_050) < 0.03)
    }
}
