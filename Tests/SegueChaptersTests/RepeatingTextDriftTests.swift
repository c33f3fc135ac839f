import SegueChapters
import SegueEngine
import Testing

/// A timeline written against a much longer unedited cut, on an episode whose turns keep coming back to the
/// same words (seen on the generated three hours, long_3h, whose turns loop 120 sentences: with the unedited
/// timeline of seed 80, 31 of 147 headings followed their late stated times onto later turns saying most of
/// the same words, up to 414 s late, and those wrong placements agreed with one another as anchors).
@Suite struct RepeatingTextDriftTests {
    static let topics = ["apples", "bridges", "candles", "dolphins", "engines", "forests", "glaciers", "harbours"]
    static let places = ["Lisbon", "Oslo", "Quito", "Perth", "Tunis"]
    static let moods = ["cheerful", "gloomy", "curious"]

    /// Turn k (10 s long) talks about topic k mod 8, place k mod 5 and mood k mod 3: only turn k says all three
    /// (within 120 turns), the turns 15, 24 and 40 away say two of them.
    static func evidence(turnCount: Int) -> ChapterEvidence {
        let turns = (0..<turnCount).map { k -> TimedTurn in
            let start = 1 + 10 * Double(k)
            let sentences = ["We talked about \(topics[k % 8]) for a while.", "Someone wrote in from \(places[k % 5]).",
                             "It made everyone \(moods[k % 3]) somehow."]
            return TimedTurn(speaker: k % 2 == 0 ? "Ana" : "Ben", start: start, end: start + 9,
                             sentences: sentences.enumerated().map { ($1, start + 2 * Double($0)) })
        }
        let pauses = (1..<turnCount).map { (start: 10 * Double($0), end: 1 + 10 * Double($0)) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 10 * Double(turnCount) + 2)
    }

    @Test func headingsDoNotFollowLateTimesOntoTurnsSayingMostOfTheirWords() {
        let turnCount = 120, every = 6
        let evidence = Self.evidence(turnCount: turnCount)
        var headings = [TimelineHeading(title: "Opening", time: 0, line: 1)]
        var truth = [0.0]
        var late = 0.0
        for k in stride(from: every, to: turnCount - 4, by: every) {
            late += 20 + Double(k % 5) * 4   // 20–36 s cut before each heading
            let title = "\(Self.topics[k % 8]) \(Self.places[k % 5]) \(Self.moods[k % 3])"
            let true_ = 1 + 10 * Double(k)
            headings.append(TimelineHeading(title: title, time: true_ + late, line: headings.count + 1))
            truth.append(true_)
        }
        let placed = HeadingPlacer().place(headings, evidence: evidence).headings.map(\.placed)
        let off = zip(placed, truth).filter { abs($0 - $1) > 1 }
        #expect(off.isEmpty, "\(off.count) of \(truth.count) off: \(off)")
    }
}
