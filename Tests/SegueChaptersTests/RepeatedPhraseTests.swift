import SegueChapters
import SegueEngine
import Testing

/// A phrase the episode says twice (seen on the generated hour, Audio/long/long_1h, whose turns reuse a
/// pool of sentences: "Needed sleep tangent" went 22.5 s early with an exact timeline).
@Suite struct RepeatedPhraseTests {
    static func evidence() -> ChapterEvidence {
        let script: [(String, Double, [String])] = [
            ("Ana", 2, ["Welcome back to the show.", "We have a busy week behind us."]),
            ("Ben", 8, ["Chess openings are what I study.", "The chess openings of old masters."]),
            ("Ana", 14, ["A tangent, sure.", "I just needed sleep."]),
            ("Ben", 20, ["Black always struggles in chess openings.", "White has the first move."]),
            ("Ana", 32, ["You notice when a tangent goes on too long.", "I just needed sleep."]),
            ("Ben", 40, ["Repairing old radios is my hobby.", "My radios came from my uncle."]),
            ("Ana", 48, ["Listener mail about bread is our favourite.", "Bread needs patience."]),
        ]
        let turns = script.map { speaker, start, sentences in
            TimedTurn(speaker: speaker, start: start, end: start + 3 * Double(sentences.count) - 0.5,
                      sentences: sentences.enumerated().map { ($1, start + Double($0) * 3) })
        }
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end!, end: turns[$0].start!) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 56)
    }

    @Test func anExactTimeIsNotOverruledByTheSamePhraseSaidEarlier() {
        let headings = [("Opening", 0.0), ("Chess openings", 8), ("Needed sleep tangent", 32),
                        ("Repairing old radios", 40), ("Listener mail about bread", 48)].enumerated().map {
            TimelineHeading(title: $1.0, time: $1.1, line: $0 + 1)
        }
        let placement = HeadingPlacer().place(headings, evidence: Self.evidence())
        #expect(placement.headings.map(\.placed) == [0, 8, 32, 40, 48], "\(placement.headings.map(\.placed))")
    }
}
