import Foundation
import SegueChapters
import SegueEngine
import Testing

/// A synthetic conversation: eight topics, five turns each, two speakers; each topic opens with a host
/// question that names it, the rest talk about it with the topic's own words and shared filler.
enum Conversation {
    static let topics: [(title: String, words: [String])] = [
        ("Garden tomatoes in winter", ["tomatoes", "garden", "winter", "greenhouse", "seedlings"]),
        ("Building a cheap microphone", ["microphone", "capsule", "solder", "cheap", "building"]),
        ("Bread baking for beginners", ["bread", "dough", "baking", "oven", "yeast"]),
        ("Cycling across Portugal", ["cycling", "portugal", "bicycle", "hills", "lisbon"]),
        ("Learning the violin late", ["violin", "bow", "strings", "lessons", "learning"]),
        ("Repairing old radios", ["radios", "valves", "repairing", "antenna", "static"]),
        ("Listener mail about chess", ["chess", "listener", "mail", "openings", "board"]),
        ("Wrap-up and next week", ["wrap", "thanks", "listening", "next", "week"]),
    ]
    static let filler = ["honestly", "remember", "somebody", "probably", "surprised", "afternoon", "people", "story"]

    /// Turns 10 s apart (8 s of speech, 2 s pause); topic `k` starts at `topicStart(k)`.
    static func turns(rate: Double = 1) -> [TimedTurn] {
        var out: [TimedTurn] = []
        var time = 3.0
        for (k, topic) in topics.enumerated() {
            for n in 0..<5 {
                let speaker = n % 2 == 0 ? "Ana" : "Ben"
                let text: String
                if n == 0 {
                    text = "So tell me about \(topic.title.lowercased())? It is our topic."
                } else {
                    let w = topic.words
                    text = "The \(w[n % w.count]) and the \(w[(n + 2) % w.count]) were \(filler[(k + n) % filler.count]). "
                        + "Then the \(w[(n + 1) % w.count]) \(filler[(k * 3 + n) % filler.count]) again."
                }
                let sentences = text.split(separator: ".", omittingEmptySubsequences: true)
                    .map { $0.trimmingCharacters(in: .whitespaces) + "." }
                out.append(TimedTurn(speaker: speaker, start: time * rate, end: (time + 8) * rate,
                                     sentences: sentences.enumerated().map { ($1, (time + Double($0) * 3) * rate) }))
                time += 10
            }
            time += 5   // a longer pause between topics
        }
        return out
    }

    static func topicStart(_ k: Int) -> Double { 3 + Double(k) * 55 }

    static var duration: Double { topicStart(topics.count) + 5 }

    static func evidence(text: Bool = true) -> ChapterEvidence {
        var turns = turns()
        if !text { for n in turns.indices { turns[n].sentences = turns[n].sentences.map { ("", $0.start) } } }
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end!, end: turns[$0].start!) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: duration)
    }

    static func headings(_ stated: (Int) -> Double?) -> [TimelineHeading] {
        topics.enumerated().map { k, topic in TimelineHeading(title: topic.title, time: stated(k), line: k + 1) }
    }

    /// Truth: the first heading at 0 (first chapter), the others at their topic's first turn.
    static func truth(_ k: Int) -> Double { k == 0 ? 0 : topicStart(k) }
}

@Suite struct HeadingPlacerTests {
    func errors(_ placement: HeadingPlacement) -> [Double] {
        placement.headings.map { abs($0.placed - Conversation.truth($0.index)) }
    }

    @Test func exactTimesPlaceEveryHeadingOnItsTopic() {
        let placement = HeadingPlacer().place(Conversation.headings { Conversation.truth($0) },
                                              evidence: Conversation.evidence())
        #expect(errors(placement).allSatisfy { $0 < 0.01 }, "\(placement.headings.map(\.placed))")
        #expect(placement.headings[0].placed == 0)
    }

    @Test func orderIsPreservedEvenWhenStatedTimesAreShuffledAcrossTopics() {
        // Stated times that swap neighbours: placement must stay in heading order and distinct.
        let stated: [Double] = [0, 120, 60, 230, 170, 340, 290, 390]
        let placement = HeadingPlacer().place(Conversation.headings { stated[$0] }, evidence: Conversation.evidence())
        let times = placement.headings.map(\.placed)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(times)")
        #expect(errors(placement).allSatisfy { $0 < 0.01 }, "\(times)")
    }

    @Test func missingTimesUseTheWordsAndTheOrder() {
        let placement = HeadingPlacer().place(Conversation.headings { _ in nil }, evidence: Conversation.evidence())
        #expect(errors(placement).allSatisfy { $0 < 0.01 }, "\(placement.headings.map(\.placed))")
    }

    @Test func roundingToTheMinuteStillPlacesExactly() {
        let placement = HeadingPlacer().place(
            Conversation.headings { (Conversation.truth($0) / 60).rounded() * 60 }, evidence: Conversation.evidence())
        #expect(errors(placement).allSatisfy { $0 < 0.01 }, "\(placement.headings.map(\.placed))")
    }

    @Test func aCommonOffsetIsRecovered() {
        let placement = HeadingPlacer().place(
            Conversation.headings { $0 == 0 ? 0 : Conversation.truth($0) + 15 }, evidence: Conversation.evidence())
        #expect(errors(placement).allSatisfy { $0 < 0.01 })
        let mapping = try! #require(placement.mapping)
        #expect(abs(mapping.offset + 15) < 0.5, "\(mapping)")
        #expect(mapping.rate == 1)
    }

    @Test func aRateDifferenceIsRecovered() {
        let placement = HeadingPlacer().place(
            Conversation.headings { Conversation.truth($0) * 1.08 }, evidence: Conversation.evidence())
        #expect(errors(placement).allSatisfy { $0 < 0.01 })
        let mapping = try! #require(placement.mapping)
        #expect(abs(mapping.rate - 1 / 1.08) < 0.01, "\(mapping)")
    }

    @Test func withoutTextHeadingsSnapToTheStrongestBoundaryNearTheirTime() {
        // Stated 4 s late; the long pause before each topic is the strongest boundary within ± 10 s.
        let placement = HeadingPlacer().place(
            Conversation.headings { $0 == 0 ? 0 : Conversation.truth($0) + 4 }, evidence: Conversation.evidence(text: false))
        #expect(errors(placement).allSatisfy { $0 < 0.01 }, "\(placement.headings.map(\.placed))")
    }

    @Test func verificationReportsOneSharedOffset() {
        let placement = HeadingPlacer().place(
            Conversation.headings { $0 == 0 ? 0 : Conversation.truth($0) - 15 }, evidence: Conversation.evidence())
        let report = TimelineVerifier(tolerance: 2).verify(placement)
        #expect(report.findings.count == 1)
        let finding = try! #require(report.findings.first)
        #expect(finding.kind == .offset)
        #expect(abs(finding.offset - 15) < 0.2, "\(finding)")
        #expect(finding.message.contains("15.0 s late"), "\(finding.message)")
        #expect(report.headings.dropFirst().allSatisfy { $0.status == .drift })
        #expect(!report.allWithinTolerance)
    }

    @Test func oneBadlyTimedTurnDoesNotPullTheSharedOffset() throws {
        // Audio inserted before the episode: every heading is 15 s late. The alignment placed topic 3's
        // opening turn 1.2 s early and says it is unsure of it; topic 5's it is sure of. The offset is the
        // sure one's, and topic 3 is explained by it (drift), not reported as a heading of its own.
        var turns = Conversation.turns()
        let unsure = 3 * 5
        turns[unsure].start! -= 1.2
        turns[unsure].sentences[0].start! -= 1.2
        turns[unsure].confidence = 0.3
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end!, end: turns[$0].start!) }
        let evidence = ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: Conversation.duration)
        let headings = [0, 3, 5].enumerated().map { n, k in
            TimelineHeading(title: Conversation.topics[k].title, time: k == 0 ? 0 : Conversation.truth(k) - 15, line: n + 1)
        }
        let placement = HeadingPlacer().place(headings, evidence: evidence)
        #expect(abs(placement.headings[1].placed - (Conversation.truth(3) - 1.2)) < 0.01)
        let report = TimelineVerifier(tolerance: 2).verify(placement)
        #expect(report.findings.count == 1)
        let finding = try #require(report.findings.first)
        #expect(abs(finding.offset - 15) < 0.2, "\(finding)")
        #expect(report.headings.map(\.status) == [.ok, .drift, .drift], "\(report.headings.map { ($0.placed, $0.status) })")
    }

    @Test func verificationFlagsOnlyTheMovedHeading() {
        let placement = HeadingPlacer().place(
            Conversation.headings { $0 == 3 ? Conversation.truth(3) + 12 : Conversation.truth($0) },
            evidence: Conversation.evidence())
        let report = TimelineVerifier(tolerance: 2).verify(placement)
        #expect(report.findings.isEmpty)
        #expect(report.headings.map(\.status) == [.ok, .ok, .ok, .misplaced, .ok, .ok, .ok, .ok],
                "\(report.headings.map { ($0.placed, $0.status) })")
    }

    @Test func aFewMovedHeadingsAreNotASharedOffset() {
        // Four of seven headings moved 9–18 s by edits, three of them by about the same 10 s: as many
        // as were not moved, so not a shift the timeline shares. Each moved one is reported, and no
        // offset is invented that would drag the others with them.
        let moved: [Int: Double] = [1: 10, 3: 9, 5: 11, 6: 18]
        let placement = HeadingPlacer().place(
            Conversation.headings { Conversation.truth($0) + (moved[$0] ?? 0) }, evidence: Conversation.evidence())
        #expect(abs(placement.mapping?.offset ?? 0) < 0.5, "\(String(describing: placement.mapping))")
        let report = TimelineVerifier(tolerance: 2).verify(placement)
        #expect(report.findings.isEmpty)
        for heading in report.headings {
            #expect((heading.status == .ok) == (moved[heading.index] == nil), "\(heading.index): \(heading.status)")
        }
    }

    @Test func theRoundingOfStatedTimesIsRecognised() {
        func headings(_ times: [Double?]) -> [TimelineHeading] {
            times.enumerated().map { TimelineHeading(title: "h\($0)", time: $1, line: $0 + 1) }
        }
        #expect(HeadingPlacer.statedRounding(headings([0, 60, 180, 240])) == 60)
        #expect(HeadingPlacer.statedRounding(headings([0, 30, 90])) == 30)
        #expect(HeadingPlacer.statedRounding(headings([0, 65, 130])) == 5)
        #expect(HeadingPlacer.statedRounding(headings([0, 61, 127])) == 0)
        #expect(HeadingPlacer.statedRounding(headings([0, 120, nil])) == 0)   // one time is not enough
    }

    @Test func audioAloneFindsTheTopicsAndTitlesThem() {
        var proposer = AudioChapterProposer()
        proposer.minimumLength = 30
        proposer.targetCount = 8
        let chapters = proposer.propose(evidence: Conversation.evidence())
        #expect(chapters.count == 8)
        let found = (1..<8).filter { k in chapters.contains { abs($0.start - Conversation.topicStart(k)) <= 3 } }
        #expect(found.count >= 7, "\(chapters.map(\.start))")
        #expect(!chapters[1].title.isEmpty && !chapters[1].title.hasPrefix("Chapter"))
    }
}

@Suite struct OpeningSentenceTests {
    /// A topic opened by a line that says the heading's words together ("let's talk about…"), and later,
    /// after a long pause, a question, and a turn that scatter the same words through what follows.
    static func evidence() -> ChapterEvidence {
        let script: [(String, Double, [String])] = [
            ("Ana", 2, ["Welcome back to the show.", "We have a lot of mail this week."]),
            ("Ben", 9, ["Somebody wrote about bread and yeast.", "Bread is always popular here."]),
            ("Ana", 16, ["Everybody asked us to talk about repairing old radios.", "Ben has a shelf full of them."]),
            ("Ben", 24, ["My uncle had a shop near the harbour, with valves everywhere, dust, cables, tools, "
                         + "manuals, soldering irons, customers, invoices and a cat called Pepper."]),
            ("Ana", 32, ["It sounds like a museum, a workshop, a library, a warehouse and a zoo at once.",
                         "Did he sell much?"]),
            ("Ben", 42, ["Honestly?", "Radios, old radios, repairing radios: that was his love."]),
            ("Ana", 52, ["That is a lovely story.", "Thanks for telling it."]),
        ]
        let turns = script.map { speaker, start, sentences in
            TimedTurn(speaker: speaker, start: start, end: start + 6,
                      sentences: sentences.enumerated().map { ($1, start + Double($0) * 3) })
        }
        // A long pause before the scattering turn: structurally the stronger boundary.
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end! + ($0 == 5 ? -2.0 : 0), end: turns[$0].start!) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 60)
    }

    static let headings = [TimelineHeading(title: "Mailbag", time: nil, line: 1),
                           TimelineHeading(title: "Repairing old radios", time: nil, line: 2)]

    @Test func theOpeningLineThatSaysTheHeadingsWordsTogetherCounts() {
        let evidence = Self.evidence()
        let stems = ChapterText.stems("Repairing old radios")
        let opened = evidence.boundaries.first { abs($0.time - 16) < 0.01 }!
        let scattered = evidence.boundaries.first { abs($0.time - 42) < 0.01 }!
        #expect(evidence.opening(stems, at: opened) > 0.99)
        #expect(evidence.opening(stems, at: scattered) == 0)
        // Inside a turn, a later sentence counts no more than the turn's own opening line.
        let inside = evidence.boundaries.first { abs($0.time - 45) < 0.01 }!
        #expect(inside.kind == .sentence)
        #expect(evidence.opening(stems, at: inside) == 0)
    }

    @Test func theTopicIsPlacedWhereItsOpeningLineSaysItsWords() {
        let placement = HeadingPlacer().place(Self.headings, evidence: Self.evidence())
        #expect(abs(placement.headings[1].placed - 16) < 0.01, "\(placement.headings.map(\.placed))")
    }
}

/// Headings none of whose words is said ("Wrap-up", "Outro").
@Suite struct UnsaidHeadingTests {
    /// Chess, then listener mail about bread (last mentioned at 40 s), then the closing exchange: a question
    /// at 49 s, and a longer pause before an answer at 58 s that is structurally the stronger boundary.
    static func evidence() -> ChapterEvidence {
        let script: [(String, Double, Double, String)] = [
            ("Ana", 3, 10, "Welcome to the show, today we talk about chess openings."),
            ("Ben", 11, 20, "The chess openings I love are the old ones."),
            ("Ana", 22, 30, "Let's read some listener mail about bread."),
            ("Ben", 31, 39, "A listener asks about bread flour and ovens."),
            ("Ana", 40, 48, "Bread needs patience, so our listener should wait."),
            ("Ben", 49, 53, "Where can people find your recipes?"),
            ("Ana", 58, 65, "On my website, with photos of every loaf."),
            ("Ben", 66, 72, "Thanks for coming on, see you soon."),
        ]
        let turns = script.map { TimedTurn(speaker: $0.0, start: $0.1, end: $0.2, sentences: [($0.3, $0.1)]) }
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end!, end: turns[$0].start!) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 80)
    }

    @Test func anUnsaidHeadingStartsWhereThePreviousTopicWasLastTalkedAbout() {
        let headings = ["Chess openings", "Listener mail about bread", "Wrap-up"].enumerated().map {
            TimelineHeading(title: $1, time: nil, line: $0 + 1)
        }
        let placement = HeadingPlacer().place(headings, evidence: Self.evidence())
        #expect(placement.headings.map(\.placed) == [0, 22, 49])
    }

    @Test func aStatedTimePastTheEndDoesNotPullAnUnsaidHeadingIntoTheLastTurns() {
        // Every stated time exact but the last, which is past the episode's end: no evidence at all.
        var headings = Conversation.headings { Conversation.truth($0) }
        headings[7].title = "Outro"
        headings[7].time = Conversation.duration + 5
        let placement = HeadingPlacer().place(headings, evidence: Conversation.evidence())
        #expect(abs(placement.headings[7].placed - Conversation.topicStart(7)) < 0.01,
                "\(placement.headings.map(\.placed))")
    }
}

/// Verification does not let a heading's own stated time keep it where the evidence rules out.
@Suite struct VerificationEvidenceTests {
    /// Chess, then radios: a long turn that says the heading's words in its third sentence, then
    /// listener mail about bread (last mentioned at 62 s), then a closing question at 71 s.
    static func evidence() -> ChapterEvidence {
        let script: [(String, Double, [String])] = [
            ("Ana", 2, ["Welcome back to the show.", "We have a busy week behind us."]),
            ("Ben", 9, ["Chess openings are what I study.", "The chess openings of old masters."]),
            ("Ana", 16, ["Black always struggles in chess openings.", "White has the first move."]),
            ("Ben", 24, ["Now for something else entirely.", "I have a confession to make.",
                         "Repairing old radios is my hobby.", "My radios came from my uncle."]),
            ("Ana", 43, ["Valves glow in the dark.", "My uncle had a shop."]),
            ("Ben", 51, ["A listener wrote about bread and ovens.", "Listener mail about bread is our favourite."]),
            ("Ana", 62, ["Bread needs patience, so our listener should wait."]),
            ("Ben", 71, ["Where can people find your recipes?"]),
            ("Ana", 80, ["On my website, with photos of every loaf."]),
        ]
        let turns = script.map { speaker, start, sentences in
            TimedTurn(speaker: speaker, start: start, end: start + 4 * Double(sentences.count) - 1,
                      sentences: sentences.enumerated().map { ($1, start + Double($0) * 4) })
        }
        let pauses = turns.indices.dropFirst().map { (start: turns[$0 - 1].end!, end: turns[$0].start!) }
        return ChapterEvidence(turns: turns, pauses: pauses, music: [], duration: 90)
    }

    static let titles = ["Welcome", "Chess openings", "Repairing old radios", "Listener mail about bread", "Wrap-up"]
    static let truth: [Double] = [0, 9, 24, 51, 71]

    func verify(_ stated: [Double]) -> TimelineVerification {
        let headings = zip(Self.titles, stated).enumerated().map { TimelineHeading(title: $1.0, time: $1.1, line: $0 + 1) }
        let placement = HeadingPlacer().place(headings, evidence: Self.evidence(), keepWithin: 2)
        return TimelineVerifier(tolerance: 2).verify(placement)
    }

    @Test func anExactTimelineIsAllOk() {
        let report = verify(Self.truth)
        #expect(report.headings.allSatisfy { $0.status == .ok }, "\(report.headings.map { ($0.placed, $0.status) })")
    }

    @Test func aHeadingMovedOntoALaterSentenceOfItsOwnTurnIsReported() {
        // 8 s late, on "Repairing old radios is my hobby.": the words that make the turn the topic's start.
        var stated = Self.truth
        stated[2] = 32
        let report = verify(stated)
        #expect(report.headings[2].status == .misplaced, "\(report.headings.map { ($0.placed, $0.status) })")
        #expect(abs(report.headings[2].placed - 24) < 0.01)
        #expect(report.headings.enumerated().allSatisfy { $0 == 2 || $1.status == .ok })
    }

    @Test func anUnsaidHeadingStatedWhileThePreviousTopicIsStillTalkedAboutIsReported() {
        // "Wrap-up" 9 s early, on the turn that still talks about the listener's bread.
        var stated = Self.truth
        stated[4] = 62
        let report = verify(stated)
        #expect(report.headings[4].status == .misplaced, "\(report.headings.map { ($0.placed, $0.status) })")
        #expect(abs(report.headings[4].placed - 71) < 0.01)
        #expect(report.headings.dropLast().allSatisfy { $0.status == .ok })
    }
}

/// A timeline from a longer, unedited cut: every stated time late by a growing, uneven amount.
@Suite struct GrowingDriftTests {
    /// Extra seconds per topic (edits before topics 3 and 6 removed more).
    static let extra: [Double] = [0, 3, 5, 14, 16, 18, 29, 31]

    @Test func thePriorFollowsTheDriftPiecewise() throws {
        var headings = Conversation.headings { Conversation.truth($0) + Self.extra[$0] }
        headings[7].title = "Outro"   // no words to find it by: only the stated time and the previous topic's end
        let placement = HeadingPlacer().place(headings, evidence: Conversation.evidence())
        let errors = placement.headings.map { abs($0.placed - Conversation.truth($0.index)) }
        #expect(errors.allSatisfy { $0 < 0.01 }, "\(placement.headings.map(\.placed))")
        let mapping = try #require(placement.mapping)
        #expect(mapping.knots.count >= 3, "\(mapping)")
    }

    @Test func aConstantOffsetStaysALine() {
        let pairs = [(10.0, 25.0), (60, 75.2), (120, 134.9), (200, 215)].map { (stated: $0.0, placed: $0.1) }
        let line = HeadingPlacer.fitLine(pairs)
        #expect(HeadingPlacer.followDrift(pairs, line: line) == nil)
    }

    @Test func anUnevenDriftIsFollowedAndContinuedAtItsRate() throws {
        let pairs = [(30.0, 25.0), (80, 71), (116, 104.5), (163, 147.5)].map { (stated: $0.0, placed: $0.1) }
        let mapping = try #require(HeadingPlacer.followDrift(pairs, line: HeadingPlacer.fitLine(pairs)))
        #expect(abs(mapping.map(98) - (71 + 33.5 * 18 / 36)) < 1e-9)        // between knots: straight
        let rate = (147.5 - 25) / (163 - 30)
        #expect(abs(mapping.map(197) - (147.5 + rate * 34)) < 1e-9)         // past the last: the overall rate
    }

    /// The sample's anchors with eval-chapters seed 124's unedited timeline: the timeline's lead grows from
    /// 4.9 s to 13.8 s, but three of the four agree within 4 s on one offset, and the piecewise mapping
    /// predicts the anchors only somewhat better than that line (2.3 s against 3.1 s). The line put the
    /// wordless last heading, stated at 196.4 s (true 177.6 s), at 190.3 s; the growth continued puts it near.
    @Test func aLeadThatGrowsAtEveryAnchorIsFollowed() throws {
        let pairs = [(29.757, 24.819), (77.320, 71.224), (112.381, 104.458), (161.396, 147.633)]
            .map { (stated: $0.0, placed: $0.1) }
        let line = HeadingPlacer.fitLine(pairs)
        #expect(abs(line.map(196.424) - 190.3) < 0.1)
        let mapping = try #require(HeadingPlacer.followDrift(pairs, line: line))
        #expect(abs(mapping.map(196.424) - 177.583) < 3, "\(mapping.map(196.424))")
    }

    @Test func aLeadThatShrinksSomewhereIsNotGrowth() {
        // The same anchors with the third one's lead 3 s under the second's: no cut explains that.
        let pairs = [(29.757, 24.819), (77.320, 71.224), (112.381, 109.458), (161.396, 147.633)]
            .map { (stated: $0.0, placed: $0.1) }
        #expect(HeadingPlacer.followDrift(pairs, line: HeadingPlacer.fitLine(pairs)) == nil)
    }
}

@Suite struct IntroMusicTests {
    /// Music that opens the episode belongs to the first chapter; music between segments ends one.
    @Test func theWordsAfterTheIntroDoNotStartAChapter() {
        let script: [(String, Double)] = [("Ana", 8), ("Ben", 20), ("Ana", 40), ("Ben", 52)]
        let turns = script.map { speaker, start in
            TimedTurn(speaker: speaker, start: start, end: start + 10, sentences: [("Some words here.", start)])
        }
        let pauses = [(start: 18.0, end: 20.0), (start: 50.0, end: 52.0)]
        let evidence = ChapterEvidence(turns: turns, pauses: pauses, music: [(0, 7.5), (31, 39.5)], duration: 62)
        var proposer = AudioChapterProposer()
        proposer.minimumLength = 5
        proposer.targetCount = 2
        let chapters = proposer.propose(evidence: evidence)
        #expect(chapters.map(\.start) == [0, 40], "\(chapters.map(\.start))")
    }
}
