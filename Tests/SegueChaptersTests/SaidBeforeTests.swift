import SegueChapters
import SegueEngine
import Testing

/// A turn that says a heading's words across two sentences, the second after a long pause inside the turn
/// (seen on t_adverts with an unedited-cut timeline: "Absolutely hosting counts", 5.5 s late).
@Suite struct SaidBeforeTests {
    static func evidence() -> ChapterEvidence {
        let script: [(String, Double, Double, [(String, Double)])] = [
            ("Tom", 2, 12, [("Me too, especially when I'm editing out the silence.", 2),
                            ("One of them told us our laughter was too loud.", 7)]),
            ("Lena", 13, 24, [("I'm not a huge fan of ads, but they pay for the hosting.", 13),
                              ("That absolutely counts.", 19), ("People need a moment to think.", 21)]),
            ("Priya", 25, 30, [("That's a very annoying answer.", 25), ("We had an audience.", 27.5)]),
            ("Tom", 31, 37, [("Chess openings are what I study.", 31), ("The chess openings of old masters.", 34)]),
            ("Lena", 38, 44, [("Repairing old radios is my hobby.", 38), ("My radios came from my uncle.", 41)]),
            ("Priya", 45, 51, [("Listener mail about bread is our favourite.", 45), ("Bread needs patience.", 48)]),
        ]
        let turns = script.map { TimedTurn(speaker: $0.0, start: $0.1, end: $0.2, sentences: $0.3.map { ($0.0, $0.1) }) }
        // 2 s of silence inside Lena's turn, before "That absolutely counts."; 0.5 s between turns.
        let pauses = [(start: 12.5, end: 13.0), (start: 17.0, end: 19.0), (start: 24.5, end: 25.0), (start: 30.5, end: 31.0),
                      (start: 37.5, end: 38.0), (start: 44.5, end: 45.0)]
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 53)
    }

    @Test func aSentenceLosesTheWordsItsTurnSaidBeforeIt() {
        let evidence = Self.evidence()
        let stems = ChapterText.stems("Absolutely hosting counts")
        let turn = evidence.boundaries.first { abs($0.time - 13) < 0.01 }!
        let sentence = evidence.boundaries.first { abs($0.time - 19) < 0.01 }!
        #expect(sentence.kind == .sentence)
        let atTurn = evidence.lexical(stems, at: turn).score, atSentence = evidence.lexical(stems, at: sentence).score
        // "hosting" was said before the sentence: a third of the words, so about a third of the score goes.
        #expect(atSentence < 0.75 * atTurn, "turn \(atTurn), sentence \(atSentence)")
    }

    @Test func aStatedTimeNearTheRepeatingSentenceDoesNotPullTheHeadingIntoTheTurn() {
        // Stated 1.5 s after the repeating sentence (as from a longer cut); the other times exact, so the fitted
        // prior is as sharp as it gets.
        let headings = [("Opening", 0.0), ("Absolutely hosting counts", 20.5), ("Chess openings", 31),
                        ("Repairing old radios", 38), ("Listener mail about bread", 45)].enumerated().map {
            TimelineHeading(title: $1.0, time: $1.1, line: $0 + 1)
        }
        let placement = HeadingPlacer().place(headings, evidence: Self.evidence())
        #expect(abs(placement.headings[1].placed - 13) < 0.01, "\(placement.headings.map(\.placed))")
    }
}
