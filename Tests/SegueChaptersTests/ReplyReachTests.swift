import SegueChapters
import SegueEngine
import Testing

/// A heading's words said two turns after a boundary belong to the later boundary, not to it (seen on the
/// generated hour, long_1h, with no times: "Mailbag scripts feedback" went 16 s early, onto a turn that only
/// says "mailbag", because "feedback" and "scripts" came after the next speaker's turn).
@Suite struct ReplyReachTests {
    static func evidence() -> ChapterEvidence {
        let script: [(String, Double, Double, [(String, Double)])] = [
            ("Blair", 0.5, 5, [("I just use a preset and move on.", 0.5), ("That's all we have time for.", 3)]),
            ("Casey", 6, 11, [("The mailbag, one more question.", 6), ("One more from the mailbag.", 8.5)]),
            ("Blair", 12, 22, [("I'm guilty of that one.", 12)]),
            ("Casey", 23, 32, [("People share their setups and ask for feedback.", 23),
                               ("Some people are great at reading scripts.", 26),
                               ("Let's do one more question from the mailbag.", 29)]),
            ("Blair", 33, 40, [("Chess openings are what I study.", 33), ("The chess openings of old masters.", 36)]),
            ("Casey", 41, 48, [("Repairing old radios is my hobby.", 41), ("My uncle wanted feedback on my radios.", 44)]),
        ]
        let turns = script.map { TimedTurn(speaker: $0.0, start: $0.1, end: $0.2, sentences: $0.3.map { ($0.0, $0.1) }) }
        // Silence fills every gap between turns.
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end!, end: turns[$0].start!) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 50)
    }

    @Test func wordsTwoTurnsOnDoNotCountForABoundary() {
        let evidence = Self.evidence()
        let stems = ChapterText.stems("Mailbag scripts feedback")
        let early = evidence.boundaries.first { abs($0.time - 6) < 0.01 }!
        let topic = evidence.boundaries.first { abs($0.time - 23) < 0.01 }!
        #expect(evidence.lexical(stems, at: early).matched == ChapterText.stems("mailbag"))
        #expect(evidence.lexical(stems, at: topic).score > evidence.lexical(stems, at: early).score)
    }

    @Test func withNoTimesTheHeadingGoesToTheTurnThatSaysItAll() {
        let headings = ["Opening", "Mailbag scripts feedback", "Chess openings", "Repairing old radios"].enumerated().map {
            TimelineHeading(title: $1, time: nil, line: $0 + 1)
        }
        let placement = HeadingPlacer().place(headings, evidence: Self.evidence())
        #expect(placement.headings.map(\.placed) == [0, 23, 33, 41])
    }
}
