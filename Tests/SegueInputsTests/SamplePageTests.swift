import Foundation
import SegueInputs
import Testing

/// The shared sample page: 7 headings, 3 speakers with 7 turns, and `Music:`/`About:` are not speakers.
@Suite struct SamplePageTests {
    let document: InputDocument

    init() throws {
        let url = CorpusGoldenTests.corpus.appendingPathComponent("show-notes-page.txt")
        document = try InputReader.read(contentsOf: url)
    }

    @Test func findsTheSevenHeadings() {
        let headings = document.timeline.headings
        #expect(headings.count == 7)
        #expect(headings.first?.title == "Cold open")
        #expect(headings.first?.time == 0)
        #expect(headings.last?.title == "Wrap")
        #expect(headings.last?.time == 3731)
        #expect(headings.map(\.line) == [14, 16, 18, 20, 22, 24, 26])
    }

    @Test func findsThreeSpeakersWithSevenTurns() {
        let turns = Dictionary(uniqueKeysWithValues: document.speakers.map { ($0.name, $0.turns) })
        #expect(turns == ["Maya Okafor": 2, "Jonas Lindqvist": 2, "Priya Raman": 3])
        #expect(document.transcript.turns.count == 7)
    }

    @Test func proseLabelsAreNotSpeakers() {
        let names = Set(document.transcript.turns.compactMap(\.speaker))
        #expect(!names.contains("Music"))
        #expect(!names.contains("About"))
        #expect(document.diagnostics.filter { $0.severity != .note }.isEmpty)
    }

    @Test func keepsOriginalTextAndNormalisesForAlignment() throws {
        let turn = try #require(document.transcript.turns.first { $0.text.contains("⁓") })
        #expect(turn.speaker == "Jonas Lindqvist")
        #expect(!turn.normalizedText.contains("⁓"))
        #expect(turn.normalizedText.hasPrefix("glad you're here so let's start"))
    }
}
