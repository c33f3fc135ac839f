import Testing
@testable import SegueEngine
import SegueSpeakers

@Suite struct UnnamedVoicesTests {
    @Test func takesFramesOutOfSpeech() {
        let spans = [0..<100, 150..<300]
        #expect(UnnamedVoices.subtracting([50..<160, 200..<210], from: spans) == [0..<50, 160..<200, 210..<300])
        #expect(UnnamedVoices.subtracting([], from: spans) == spans)
        #expect(UnnamedVoices.subtracting([0..<400], from: spans).isEmpty)
    }

    @Test func labelsByFirstAppearanceWithTheirChanges() {
        let segments = [
            SpeakerSegment(start: 5, end: 8, speaker: "S7", confidence: 1),
            SpeakerSegment(start: 0, end: 4, speaker: "S2", confidence: 1),
            SpeakerSegment(start: 6, end: 6.5, speaker: "S2", confidence: 1, overlap: true),
            SpeakerSegment(start: 9, end: 12, speaker: "S7", confidence: 1),
            SpeakerSegment(start: 13, end: 15, speaker: "S2", confidence: 1),
        ]
        let combined = UnnamedVoices.combined(segments, countGiven: true)
        #expect(combined.segments.map(\.speaker) == ["S1", "S2", "S1", "S2", "S1"])
        #expect(combined.changes == [5, 13])
        #expect(combined.speakerCount == 2)
        #expect(combined.countGiven)
    }
}
