import SegueChapters
import SegueEngine
import SegueTestSupport
import Testing

/// A turn by the speaker of the turn before is a new paragraph, which a transcriber starts where the subject
/// changes. Seen on the sample with an unedited-cut timeline (eval-chapters seed 104): "Wrap-up", which says
/// no words of its own and is stated 18 s late, went 8.7 s late onto "We'll link it in the show notes." (a
/// change of speaker after 1.2 s of silence) instead of the host's new paragraph "Ines, where can people find
/// your work?".
@Suite struct ParagraphBreakTests {
    @Test func aTurnBySameSpeakerIsAParagraphNotASpeakerChange() {
        let turns = [
            TimedTurn(speaker: "Dana", start: 0, end: 3, sentences: [("Our listener can blame her neighbours.", 0)]),
            TimedTurn(speaker: "Dana", start: 3.4, end: 5, sentences: [("Where can people find your work?", 3.4)]),
            TimedTurn(speaker: "Ines", start: 6, end: 9, sentences: [("My workshop has a website.", 6)]),
        ]
        let evidence = ChapterEvidence(turns: turns, pauses: [(start: 5, end: 6)], music: [], duration: 10)
        let second = evidence.boundaries.first { abs($0.time - 3.4) < 0.01 }!
        let third = evidence.boundaries.first { abs($0.time - 6) < 0.01 }!
        #expect(second.paragraph && !second.speakerChange)
        #expect(third.speakerChange && !third.paragraph)
    }

    @Test func aWordlessHeadingStatedFromALongerCutGoesToTheNewParagraph() throws {
        let times = ["00:00", "00:29.388", "01:20.827", "01:55.144", "02:40.153", "03:15.580"]
        let stated = zip(times, SampleChapters.titles).map { "\($0) — \($1)" }
        let starts = try SampleChapters.starts(timeline: "Timeline\n\n" + stated.joined(separator: "\n\n") + "\n")
        #expect(starts.count == 6 && abs(starts[5] - SampleChapters.truth[5]) < 1, "\(starts)")
    }
}
