import Foundation
import SegueEngine

/// One heading placed in the episode, with the evidence that decided it.
public struct PlacedHeading: Sendable, Equatable {
    public var index: Int
    public var title: String
    public var line: Int
    public var stated: Double?
    public var placed: Double
    /// 0…1.
    public var confidence: Double
    /// Share (0…1) of the heading's idf-weighted words found right after the boundary.
    public var lexical: Double
    public var matchedWords: [String]
    public var boundary: ChapterBoundary
    /// The stated time after the fitted offset and rate.
    public var expected: Double?
    /// For a heading none of whose words is said: placed on the first turn after the previous heading's words
    /// were last said.
    public var afterPreviousTopic = false

    /// For people: what decided the placement.
    public var evidence: String {
        var parts: [String] = []
        if boundary.kind == .start { parts.append("episode start") }
        if !matchedWords.isEmpty { parts.append("words: " + matchedWords.joined(separator: ", ")) }
        if boundary.pauseBefore >= 0.2 { parts.append(String(format: "pause %.1f s", boundary.pauseBefore)) }
        if boundary.speakerChange { parts.append("speaker change") }
        if boundary.paragraph { parts.append("same speaker, new paragraph") }
        if boundary.musicBefore { parts.append("after music") }
        if boundary.question { parts.append("question") }
        if afterPreviousTopic { parts.append("first turn after the previous topic") }
        if boundary.kind == .stated { parts.append("no boundary near: stated time kept") }
        if parts.isEmpty { parts.append(boundary.kind.rawValue) }
        return parts.joined(separator: "; ")
    }
}

public struct HeadingPlacement: Sendable {
    public var headings: [PlacedHeading]
    /// The offset and rate fitted between stated times and the confident text matches (nil: no stated times).
    public var mapping: TimeMapping?
}

/// Places every timeline heading at the boundary where its topic begins, by one order-preserving dynamic
/// programme over headings × candidate boundaries. A boundary's score for a heading adds the lexical match
/// between the heading and the words that follow (idf-weighted), the boundary's strength (pause, speaker
/// change, music, a question) and a prior around the heading's stated time, corrected for a common offset
/// and rate fitted on the confident text matches first. Headings stay in order and distinct; the first
/// starts at 0 (unless `firstAtZero` is off and it states a later time).
public struct HeadingPlacer: Sendable {
    /// A heading's words at one boundary: the share said from there on (``ChapterEvidence/lexical(_:at:)-(_,ChapterBoundary)``),
    /// the words matched, and the share said in the opening sentence (``ChapterEvidence/opening(_:at:)``).
    typealias TextMatch = (score: Double, matched: [String], opening: Double)

    /// Weight of the lexical share (0…1) against boundary strength (≈ 0…2) and the prior (≈ 0…−4).
    public var lexicalWeight = 8.0
    /// Weight of the heading's share said in a boundary's opening sentence (0…1).
    public var openingWeight = 2.0
    /// For a heading none of whose words is said: the worth of the first turn after the previous heading's
    /// words were last said (about a clear turn boundary's: a speaker change after a pause).
    public var topicEndWeight = 0.75
    /// The prior's scale (s) before an offset is fitted, and its bounds after.
    public var defaultScale = 60.0
    public var minimumScale = 10.0
    public var maximumScale = 90.0
    /// Most the prior can cost: a stated time that is simply wrong does not outweigh the text.
    public var priorCap = 4.0
    /// Shortest chapter (s) between two placed headings.
    public var minimumGap = 3.0
    /// Without a transcript: snap within this radius (s), or `wideRadius` when nothing is near.
    public var snapRadius = 10.0
    public var wideRadius = 60.0
    /// A heading placed where the text says at least as much as this share of its words would makes it an
    /// anchor for the offset/rate fit (``isAnchor(_:)``).
    public var anchorShare = 0.45
    public var firstAtZero = true

    public init() {}

    /// `keepWithin`: for verification (``settleForVerification(_:choice:within:)``), a heading whose stated
    /// time (after the fitted mapping) has a boundary within this many seconds supported at most `doubtMargin`
    /// less than the chosen one stays there: only clear evidence moves a heading away from where the timeline
    /// says, and none keeps it where the evidence rules out.
    public func place(_ headings: [TimelineHeading], evidence: ChapterEvidence,
                      keepWithin: Double? = nil) -> HeadingPlacement {
        guard !headings.isEmpty else { return HeadingPlacement(headings: [], mapping: nil) }
        let stems = headings.map { ChapterText.stems($0.title) }
        let timed = headings.contains { $0.time != nil }
        let lexical: [[TextMatch]] = stems.map { s in
            evidence.boundaries.map { boundary in
                let match = evidence.lexical(s, at: boundary)
                return (match.score, match.matched, evidence.opening(s, at: boundary))
            }
        }
        if !evidence.hasTranscript {
            return snap(headings, evidence: evidence, lexical: lexical)
        }
        var mapping: TimeMapping?
        // First pass: the stated times as they are, with a wide prior; then the offset and rate fitted on the
        // confident text matches (anchors), and a second pass with the corrected prior.
        var result = solve(headings, evidence: evidence, lexical: lexical,
                           mapping: timed ? TimeMapping(scale: defaultScale) : nil)
        if timed {
            var fitted = fit(headings, evidence: evidence, placed: result, lexical: lexical)
            // The stated times can mislead the first pass itself: a timeline from a long unedited cut runs minutes
            // late by the end, and where the text repeats itself its headings follow the times onto later turns
            // that say the same words, and those wrong anchors agree with one another (long_3h, a timeline from
            // the unedited cut: 31 of 147 headings up to 414 s late). The text alone, in order, finds anchors
            // too; the first pass whose anchors the fitted mapping explains more tightly is kept.
            let textOnly = solve(headings, evidence: evidence, lexical: lexical, mapping: nil)
            let textFitted = fit(headings, evidence: evidence, placed: textOnly, lexical: lexical)
            if textFitted.scale < fitted.scale { (result, fitted) = (textOnly, textFitted) }
            // A heading the text placed confidently, farther than the prior's scale from where the mapping puts
            // its stated time, has a stated time the text shows to be wrong: it no longer pulls its heading, and
            // the other stated times may be as wrong (the scale becomes that of all the anchors' misses).
            var residuals: [Double] = []
            var priors = headings, contradicted = false
            for n in headings.indices where !forcedZero(n, headings) && isAnchor(lexical[n][result[n]]) {
                guard let stated = headings[n].time else { continue }
                let residual = abs(evidence.boundaries[result[n]].time - fitted.map(stated))
                residuals.append(residual)
                if residual > fitted.scale, !textAgrees(n, near: fitted.map(stated), within: fitted.scale, than: result[n],
                                                        evidence: evidence, lexical: lexical) {
                    priors[n].time = nil; contradicted = true
                }
            }
            if contradicted {
                let mean = residuals.reduce(0, +) / Double(residuals.count)
                fitted.scale = min(maximumScale, max(fitted.scale, 2.5 * mean))
            }
            mapping = fitted
            result = solve(priors, evidence: evidence, lexical: lexical, mapping: mapping)
        }
        let inputs = Inputs(headings: headings, stems: stems, evidence: evidence, lexical: lexical, mapping: mapping,
                            quantum: Self.statedRounding(headings))
        result = placeUnsaid(inputs, choice: result)
        if let keepWithin, timed {
            result = settleForVerification(inputs, choice: result, within: keepWithin)
        }
        let topicEnds = Set(headings.indices.filter { n in
            n > 0 && !inputs.said(n) && topicEnd(n, inputs, choice: result) == result[n]
        })
        return HeadingPlacement(headings: describe(headings, evidence: evidence, lexical: lexical, choice: result,
                                                   mapping: mapping, topicEnds: topicEnds), mapping: mapping)
    }

    /// True when a boundary within `within` seconds of `time` says every word of the heading that boundary
    /// `placed` says, or says the heading nearly as well (within `doubtMargin`): then a far placement does not
    /// show the stated time wrong, the text is merely ambiguous (a phrase the episode says more than once).
    /// Only the words count: a strong boundary near the stated time (a question after a pause) that says fewer
    /// of them does not make the text ambiguous (the sample with jittered times, seed 44: "Recording in
    /// ordinary rooms" went 30 s late onto "What about recording in the car?").
    func textAgrees(_ n: Int, near time: Double, within: Double, than placed: Int, evidence: ChapterEvidence,
                    lexical: [[TextMatch]]) -> Bool {
        let boundaries = evidence.boundaries
        let placedWords = Set(lexical[n][placed].matched)
        return boundaries.indices.contains { k in
            guard abs(boundaries[k].time - time) <= within else { return false }
            return (!placedWords.isEmpty && placedWords.isSubset(of: lexical[n][k].matched))
                || text(lexical[n][placed]) - text(lexical[n][k]) < doubtMargin
        }
    }

    // MARK: Dynamic programme

    /// What the transcript says for a heading at a boundary, on the scale of boundary strength and prior.
    func text(_ match: TextMatch) -> Double { lexicalWeight * match.score + openingWeight * match.opening }

    /// A heading the text placed confidently: its words said after the boundary and in the sentence that opens
    /// there, weighed as the placement weighs them, count at least `anchorShare` of its words said right
    /// after it. A topic's opening line that names it ("how did you end up making microphones?") ties the
    /// heading to its turn as firmly as more of its words said later would.
    func isAnchor(_ match: TextMatch) -> Bool { text(match) >= lexicalWeight * anchorShare }

    /// A chapter does not start in the episode's last seconds (an outro sting, a closing line).
    func closing(_ boundary: ChapterBoundary, _ evidence: ChapterEvidence) -> Double {
        boundary.time > evidence.duration - min(10, 0.04 * evidence.duration) ? -3 : 0
    }

    /// `quantum`: the rounding of the stated times (see `statedRounding`); a time anywhere within half
    /// of it from where the timeline says costs nothing. A time past the episode's end (`duration`), even
    /// after the fitted offset and rate, cannot be right and says nothing: it does not pull its heading
    /// into the episode's last seconds.
    func prior(_ heading: TimelineHeading, at time: Double, mapping: TimeMapping?, quantum: Double = 0,
               duration: Double = .infinity) -> Double {
        guard let mapping, let stated = heading.time, mapping.map(stated) <= duration else { return 0 }
        let distance = max(0, abs(time - mapping.map(stated)) - quantum / 2)
        return -min(distance / mapping.scale, priorCap)
    }

    /// The step the timeline's times were rounded to (60 s when every time after 0:00 is a whole
    /// minute, then 30, 15, 10, 5 s), or 0 when they are not rounded that coarsely.
    public static func statedRounding(_ headings: [TimelineHeading]) -> Double {
        let times = headings.compactMap(\.time).filter { $0 > 0 }
        guard times.count >= 2 else { return 0 }
        for step in [60.0, 30, 15, 10, 5] {
            if times.allSatisfy({ abs($0 / step - ($0 / step).rounded()) * step < 0.001 }) { return step }
        }
        return 0
    }

    func forcedZero(_ n: Int, _ headings: [TimelineHeading]) -> Bool {
        n == 0 && (firstAtZero || (headings[0].time ?? 0) < 1)
    }

    /// The best order-preserving choice of one boundary per heading (indices into `evidence.boundaries`).
    func solve(_ headings: [TimelineHeading], evidence: ChapterEvidence,
               lexical: [[TextMatch]], mapping: TimeMapping?,
               local: ((Int, Int) -> Double)? = nil) -> [Int] {
        let boundaries = evidence.boundaries
        let h = headings.count, c = boundaries.count
        let quantum = Self.statedRounding(headings)
        func score(_ n: Int, _ k: Int) -> Double {
            if let local { return local(n, k) }
            let tail = n > 0 ? closing(boundaries[k], evidence) : 0
            return text(lexical[n][k]) + boundaries[k].strength + tail
                + prior(headings[n], at: boundaries[k].time, mapping: mapping, quantum: quantum, duration: evidence.duration)
        }
        for gap in [minimumGap, 0.0] {
            var value = [[Double]](repeating: [Double](repeating: -.infinity, count: c), count: h)
            var back = [[Int]](repeating: [Int](repeating: -1, count: c), count: h)
            for k in 0..<c {
                if forcedZero(0, headings) { if k == 0 { value[0][0] = 0 } } else { value[0][k] = score(0, k) }
            }
            for n in 1..<max(h, 1) where n < h {
                var pointer = 0, best = -Double.infinity, arg = -1
                for k in 0..<c {
                    while pointer < k, boundaries[pointer].time <= boundaries[k].time - max(gap, 0.01) {
                        if value[n - 1][pointer] > best { best = value[n - 1][pointer]; arg = pointer }
                        pointer += 1
                    }
                    if arg >= 0, best > -.infinity { value[n][k] = best + score(n, k); back[n][k] = arg }
                }
            }
            guard let last = (0..<c).max(by: { value[h - 1][$0] < value[h - 1][$1] }), value[h - 1][last] > -.infinity
            else { continue }
            var choice = [Int](repeating: 0, count: h)
            choice[h - 1] = last
            for n in stride(from: h - 1, to: 0, by: -1) { choice[n - 1] = back[n][choice[n]] }
            return choice
        }
        // More headings than boundaries: keep them in order on whatever there is.
        return (0..<h).map { min($0, max(c - 1, 0)) }
    }

    /// Offset and rate between stated times and the confident text placements (anchors, ``isAnchor(_:)``;
    /// Theil–Sen), and the spread of the anchors about that line as the prior's scale.
    func fit(_ headings: [TimelineHeading], evidence: ChapterEvidence, placed: [Int],
             lexical: [[TextMatch]]) -> TimeMapping {
        var pairs: [(stated: Double, placed: Double)] = []
        for (n, heading) in headings.enumerated() {
            guard let stated = heading.time, !forcedZero(n, headings) else { continue }
            if isAnchor(lexical[n][placed[n]]) { pairs.append((stated, evidence.boundaries[placed[n]].time)) }
        }
        let line = Self.fitLine(pairs, defaultScale: defaultScale, minimumScale: minimumScale, maximumScale: maximumScale)
        return Self.followDrift(pairs, line: line, minimumScale: minimumScale, maximumScale: maximumScale) ?? line
    }

    /// `topicEnds`: headings none of whose words is said, placed on the first turn after the previous topic;
    /// that counts for their confidence about as much as a few of their words would.
    func describe(_ headings: [TimelineHeading], evidence: ChapterEvidence,
                  lexical: [[TextMatch]], choice: [Int], mapping: TimeMapping?,
                  topicEnds: Set<Int> = []) -> [PlacedHeading] {
        headings.enumerated().map { n, heading in
            let k = choice[n]
            let boundary = evidence.boundaries.isEmpty ? ChapterBoundary(time: 0, kind: .start) : evidence.boundaries[k]
            let match = evidence.boundaries.isEmpty ? (score: 0.0, matched: [String](), opening: 0.0) : lexical[n][k]
            let expected = heading.time.map { mapping?.map($0) ?? $0 }
            var confidence = 0.15 + 0.55 * min(1, match.score * 1.5) + 0.15 * min(1, max(0, boundary.strength))
            if let expected, let scale = mapping?.scale {
                confidence += 0.15 * exp(-abs(boundary.time - expected) / scale)
            } else if expected == nil {
                confidence += 0.05
            }
            if topicEnds.contains(n) { confidence += 0.2 }
            if forcedZero(n, headings) { confidence = 1 }
            return PlacedHeading(index: n, title: heading.title, line: heading.line, stated: heading.time,
                                 placed: forcedZero(n, headings) ? 0 : boundary.time, confidence: min(1, confidence),
                                 lexical: match.score, matchedWords: match.matched, boundary: boundary, expected: expected,
                                 afterPreviousTopic: topicEnds.contains(n))
        }
    }

    /// What one placement reads, for the steps that revisit one heading at a time.
    struct Inputs {
        var headings: [TimelineHeading]
        var stems: [[String]]
        var evidence: ChapterEvidence
        var lexical: [[TextMatch]]
        var mapping: TimeMapping?
        /// The rounding of the stated times (``statedRounding(_:)``).
        var quantum: Double

        var boundaries: [ChapterBoundary] { evidence.boundaries }
        /// True when some of the heading's words are said somewhere in the transcript.
        func said(_ n: Int) -> Bool { evidence.mentions(stems[n]) }
    }

    /// Where heading `n` may go, given where its neighbours are: the boundaries at least `minimumGap` after
    /// the previous heading and before the next.
    func window(_ n: Int, _ inputs: Inputs, choice: [Int]) -> [Int] {
        let boundaries = inputs.boundaries
        let low = n > 0 ? boundaries[choice[n - 1]].time + minimumGap : -1
        let high = n + 1 < choice.count ? boundaries[choice[n + 1]].time - minimumGap : .infinity
        return boundaries.indices.filter { boundaries[$0].time > low && boundaries[$0].time < high }
    }

    /// For a heading none of whose words is said: the index (into ``ChapterEvidence/words``) where the previous
    /// heading's words were last said before the next heading, given where both were placed; nil when they are
    /// not said there.
    func previousTopicLastSaid(_ n: Int, _ inputs: Inputs, choice: [Int]) -> Int? {
        guard n > 0 else { return nil }
        let boundaries = inputs.boundaries
        let previous = boundaries[choice[n - 1]]
        let next = n + 1 < choice.count ? boundaries[choice[n + 1]] : nil
        guard let from = previous.wordIndex ?? (previous.kind == .start ? 0 : nil) else { return nil }
        let to = next?.wordIndex ?? inputs.evidence.words.count
        guard from < to else { return nil }
        return inputs.evidence.lastMention(inputs.stems[n - 1], in: from..<to)
    }

    /// What the evidence, not the stated time, says for heading `n` at boundary `k`: its words said from
    /// there on, or, for a heading none of whose words is said, `topicEndWeight` at the first turn after the
    /// previous topic was last talked about (`lastSaid`); with the boundary's strength.
    func support(_ n: Int, _ k: Int, _ inputs: Inputs, lastSaid: Int?, window: [Int]) -> Double {
        let boundary = inputs.boundaries[k]
        let tail = n > 0 ? closing(boundary, inputs.evidence) : 0
        guard !inputs.said(n) else { return text(inputs.lexical[n][k]) + boundary.strength + tail }
        let topicEnd = lastSaid.flatMap { firstTurn(after: $0, in: window, inputs) }
        return boundary.strength + tail + (k == topicEnd ? topicEndWeight : 0)
    }

    /// The first turn (or music end) in `window` whose text starts after word `index`.
    func firstTurn(after index: Int, in window: [Int], _ inputs: Inputs) -> Int? {
        window.first { inputs.boundaries[$0].kind != .sentence && (inputs.boundaries[$0].wordIndex ?? -1) > index }
    }

    /// For a heading none of whose words is said: the first turn after the previous topic was last talked about.
    func topicEnd(_ n: Int, _ inputs: Inputs, choice: [Int]) -> Int? {
        previousTopicLastSaid(n, inputs, choice: choice).flatMap { firstTurn(after: $0, in: window(n, inputs, choice: choice), inputs) }
    }

    func prior(_ n: Int, _ k: Int, _ inputs: Inputs) -> Double {
        prior(inputs.headings[n], at: inputs.boundaries[k].time, mapping: inputs.mapping, quantum: inputs.quantum,
              duration: inputs.evidence.duration)
    }

    /// A heading none of whose words is said ("Wrap-up", "Outro") has no text of its own to find it by, but the
    /// text still says where its chapter cannot have begun yet: while the previous heading's topic is still
    /// being talked about. It is placed again between its neighbours, after the previous heading's words were
    /// last said (a stated time earlier than that, jittered or wrong, does not pull it back into the previous
    /// topic), with the first turn after them counting `topicEndWeight` more, besides the boundary's strength
    /// and the stated time.
    func placeUnsaid(_ inputs: Inputs, choice: [Int]) -> [Int] {
        var choice = choice
        for n in inputs.headings.indices where n > 0 && !forcedZero(n, inputs.headings) && !inputs.said(n) {
            guard let lastSaid = previousTopicLastSaid(n, inputs, choice: choice) else { continue }
            let window = self.window(n, inputs, choice: choice)
            let after = window.filter { (inputs.boundaries[$0].wordIndex ?? -1) > lastSaid }
            let candidates = after.isEmpty ? window : after
            func score(_ k: Int) -> Double {
                support(n, k, inputs, lastSaid: lastSaid, window: window) + prior(n, k, inputs)
            }
            if let best = candidates.max(by: { score($0) < score($1) }) { choice[n] = best }
        }
        return choice
    }

    // MARK: Verification

    /// Support below which a boundary near the stated time is as good as the chosen one.
    public var doubtMargin = 1.5

    /// Boundaries the evidence rules out for heading `n`, whatever its stated time says: a later sentence of a
    /// turn whose start (in the window) says as much (chapters open with the turn, and a sentence's words
    /// count no more than its turn's), and, for a heading none of whose words is said, a boundary before the
    /// previous topic was last talked about (the previous chapter is still running).
    func ruledOut(_ n: Int, _ k: Int, _ inputs: Inputs, lastSaid: Int?, window: [Int]) -> Bool {
        let boundary = inputs.boundaries[k]
        if !inputs.said(n), let lastSaid, (boundary.wordIndex ?? -1) <= lastSaid { return true }
        guard boundary.kind == .sentence, let turnStart = boundary.turnWordIndex,
              let turn = window.last(where: { $0 < k && inputs.boundaries[$0].wordIndex == turnStart
                                              && inputs.boundaries[$0].kind != .sentence }) else { return false }
        return support(n, turn, inputs, lastSaid: lastSaid, window: window)
            >= support(n, k, inputs, lastSaid: lastSaid, window: window)
    }

    /// Verification checks the stated times, so a heading's own stated time may decide between boundaries the
    /// evidence leaves in doubt, never for one the evidence rules out (``ruledOut(_:_:_:lastSaid:window:)``).
    /// A heading placed on such a boundary is placed again on the best one allowed (support and prior); then a
    /// heading whose mapped stated time (`within` seconds) has a boundary about as well supported as the chosen
    /// one (less than `doubtMargin` below) stays there: only clear evidence moves a heading away from where the
    /// timeline says.
    func settleForVerification(_ inputs: Inputs, choice: [Int], within: Double) -> [Int] {
        var choice = choice
        let boundaries = inputs.boundaries
        for n in inputs.headings.indices where !forcedZero(n, inputs.headings) {
            let candidates = window(n, inputs, choice: choice)
            let lastSaid = inputs.said(n) ? nil : previousTopicLastSaid(n, inputs, choice: choice)
            func allowed(_ k: Int) -> Bool { !ruledOut(n, k, inputs, lastSaid: lastSaid, window: candidates) }
            func support(_ k: Int) -> Double { self.support(n, k, inputs, lastSaid: lastSaid, window: candidates) }
            if !allowed(choice[n]),
               let best = candidates.filter(allowed).max(by: { support($0) + prior(n, $0, inputs) < support($1) + prior(n, $1, inputs) }) {
                choice[n] = best
            }
            guard let stated = inputs.headings[n].time else { continue }
            let expected = inputs.mapping?.map(stated) ?? stated
            let placed = boundaries[choice[n]].time
            if abs(placed - expected) <= within || abs(placed - stated) <= within { continue }
            let near = candidates.filter { abs(boundaries[$0].time - expected) <= within && allowed($0) }
            guard let best = near.max(by: { support($0) < support($1) }) else { continue }
            if support(choice[n]) - support(best) < doubtMargin { choice[n] = best }
        }
        return choice
    }

    // MARK: Without a transcript

    /// Headings with times snap to the strongest boundary near their stated time (± `snapRadius`, or
    /// ± `wideRadius` when nothing is near), in order; headings with no boundary keep their stated time.
    func snap(_ headings: [TimelineHeading], evidence: ChapterEvidence,
              lexical: [[TextMatch]]) -> HeadingPlacement {
        var evidence = evidence
        // The stated times themselves are (weak) candidates, so that every heading has somewhere to go.
        for heading in headings {
            guard let time = heading.time, time > 0, time < evidence.duration else { continue }
            evidence.boundaries.append(ChapterBoundary(time: time, kind: .stated))
        }
        evidence.boundaries.sort { $0.time < $1.time }
        let boundaries = evidence.boundaries
        let local: (Int, Int) -> Double = { n, k in
            guard let stated = headings[n].time else { return boundaries[k].strength - 1 }
            let distance = abs(boundaries[k].time - stated)
            if boundaries[k].kind == .stated { return distance < 0.01 ? boundaries[k].strength : -1e6 }
            if distance <= snapRadius { return boundaries[k].strength - 0.1 * distance }
            if distance <= wideRadius { return boundaries[k].strength - 2 - 0.05 * distance }
            return -1e6
        }
        let lexicalEmpty = lexical.map { _ in boundaries.map { _ in (score: 0.0, matched: [String](), opening: 0.0) } }
        let choice = solve(headings, evidence: evidence, lexical: lexicalEmpty, mapping: nil, local: local)
        let mapping = TimeMapping(scale: snapRadius)
        return HeadingPlacement(headings: describe(headings, evidence: evidence, lexical: lexicalEmpty, choice: choice,
                                                   mapping: mapping), mapping: mapping)
    }
}
