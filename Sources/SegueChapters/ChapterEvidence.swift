import Foundation
import SegueEngine

/// A place in the episode where a chapter may start, with what the audio and the text say about it.
public struct ChapterBoundary: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case start, turn, sentence, musicEnd = "music end", pauseEnd = "pause end",
             speakerChange = "speaker change", stated = "stated time"
    }

    public var time: Double
    public var kind: Kind
    /// Index into ``ChapterEvidence/words`` of the first content word spoken from here on (nil: no text).
    public var wordIndex: Int?
    /// Silence (s) right before the boundary.
    public var pauseBefore: Double
    public var speakerChange: Bool
    /// A turn by the speaker of the turn before: the transcript breaks one speaker's talk into a new
    /// paragraph here, as a transcriber does where the subject changes ("…blame her neighbours
    /// instead." / "Ines, where can people find your work?").
    public var paragraph: Bool
    /// Music (an intro, a jingle, a sting) ends within a few seconds before.
    public var musicBefore: Bool
    /// The sentence starting here is a question.
    public var question: Bool
    /// For a sentence inside a turn: the ``wordIndex`` of the turn's start.
    public var turnWordIndex: Int?
    /// For a turn or a sentence: the index into ``ChapterEvidence/words`` just past the last word of the turn
    /// after the boundary's own (the reply); nil for the last turn.
    public var replyEnd: Int?
    /// The content words of the sentence spoken first from here on (indices into ``ChapterEvidence/words``;
    /// a speaker's name is not part of it).
    public var opening: Range<Int>?
    /// For a sentence inside a turn: the ``opening`` of the turn.
    public var turnOpening: Range<Int>?
    /// 0…1: how sure the alignment is of this time (its turn's confidence; 1 for what the audio shows itself).
    public var timing: Double

    public init(time: Double, kind: Kind, wordIndex: Int? = nil, pauseBefore: Double = 0, speakerChange: Bool = false,
                paragraph: Bool = false, musicBefore: Bool = false, question: Bool = false, turnWordIndex: Int? = nil, opening: Range<Int>? = nil,
                turnOpening: Range<Int>? = nil, timing: Double = 1) {
        self.time = time
        self.kind = kind
        self.wordIndex = wordIndex
        self.turnWordIndex = turnWordIndex
        self.opening = opening
        self.turnOpening = turnOpening
        self.timing = timing
        self.pauseBefore = pauseBefore
        self.speakerChange = speakerChange
        self.paragraph = paragraph
        self.musicBefore = musicBefore
        self.question = question
    }

    /// How strongly the audio (and the shape of the conversation) says "something new starts here".
    public var strength: Double {
        var s = 0.0
        switch kind {
        case .turn: s += 0.2
        case .sentence: s -= 0.2
        case .musicEnd: s += 0.2
        case .stated: s -= 1.5
        default: break
        }
        if speakerChange || paragraph { s += 0.25 }
        s += 0.3 * min(pauseBefore, 1.5) + 0.1 * min(max(pauseBefore - 1.5, 0), 5)
        if musicBefore { s += 1.0 }
        if question { s += 0.25 }
        return s
    }
}

/// A turn as placed in the audio, the input to ``ChapterEvidence``.
public struct TimedTurn: Sendable, Equatable {
    public var speaker: String?
    public var start: Double?
    public var end: Double?
    /// Sentences with their starts (nil: not placed).
    public var sentences: [(text: String, start: Double?)]
    /// 0…1: how sure the alignment is of where the turn and its sentences start.
    public var confidence: Double

    public init(speaker: String?, start: Double?, end: Double?, sentences: [(text: String, start: Double?)],
                confidence: Double = 1) {
        self.speaker = speaker
        self.start = start
        self.end = end
        self.sentences = sentences
        self.confidence = confidence
    }

    public static func == (a: TimedTurn, b: TimedTurn) -> Bool {
        a.speaker == b.speaker && a.start == b.start && a.end == b.end && a.confidence == b.confidence
            && a.sentences.map(\.text) == b.sentences.map(\.text) && a.sentences.map(\.start) == b.sentences.map(\.start)
    }
}

/// Everything chapter placement reads: candidate boundaries (sorted by time) and, with a transcript,
/// the transcript's content words in order with their idf weights.
public struct ChapterEvidence: Sendable {
    public var duration: Double
    public var boundaries: [ChapterBoundary]
    /// Content-word stems of the whole transcript in order (empty without a transcript).
    public var words: [String]
    /// Inverse document frequency of each stem over the transcript's turns.
    public var idf: [String: Double]
    /// Per turn: its text and its start (for titles and audio-only chapters).
    public var turnText: [(start: Double, text: String, firstWord: Int)]
    /// Music spans (s).
    public var music: [(start: Double, end: Double)]
    var positions: [String: [Int]]
    /// Indices into ``words`` of the speakers' names put before each turn (not said in the audio).
    var namePositions: Set<Int> = []

    public var hasTranscript: Bool { !words.isEmpty }

    /// From a transcript placed in the audio, with the analysis's pauses, music and speaker changes.
    public init(alignment: EpisodeAlignment) {
        let turns = alignment.turns.map { turn in
            TimedTurn(speaker: turn.speaker, start: turn.status == .aligned ? turn.start : nil, end: turn.end,
                      sentences: turn.sentences.map { ($0.text, $0.start) }, confidence: turn.confidence)
        }
        var music = alignment.analysis.activity.music.map { ($0.start, $0.end) }
        // Audio with no transcript text separates segments like a jingle does when it is music or a
        // voice that speaks no turn (an advert); a host's off-script aside does not.
        music += alignment.unaligned.filter { span in
            span.kind == .music || !Self.spokenByTranscriptSpeaker(span.start..<span.end, alignment)
        }.map { ($0.start, $0.end) }
        self.init(turns: turns, pauses: alignment.analysis.activity.pauses.map { ($0.start, $0.end) }, music: music,
                  duration: alignment.analysis.duration)
    }

    /// True when most of the speech in `span` comes from clusters the alignment named.
    static func spokenByTranscriptSpeaker(_ span: Range<Double>, _ alignment: EpisodeAlignment) -> Bool {
        var named = 0.0, other = 0.0
        for segment in alignment.analysis.speakers.segments where !segment.overlap {
            let shared = min(span.upperBound, segment.end) - max(span.lowerBound, segment.start)
            guard shared > 0 else { continue }
            if alignment.speakerNames[segment.speaker] != nil { named += shared } else { other += shared }
        }
        return named > other
    }

    /// From timed turns (tests, or any other source of placed text).
    public init(turns: [TimedTurn], pauses: [(start: Double, end: Double)], music: [(start: Double, end: Double)],
                duration: Double) {
        self.duration = duration
        self.music = music.sorted { $0.start < $1.start }
        var words: [String] = []
        var documents: [Set<String>] = []
        var boundaries: [ChapterBoundary] = [ChapterBoundary(time: 0, kind: .start, wordIndex: 0)]
        var turnText: [(Double, String, Int)] = []
        var namePositions = Set<Int>()
        // Boundaries of the last turn that said words: their reply ends when the next such turn does.
        var awaitingReply: [Int] = []
        var previousSpeaker: String?
        var previousEnd: Double?
        func pause(before time: Double, previousEnd: Double?) -> Double {
            var best = 0.0
            if let previousEnd { best = max(0, time - previousEnd) }
            for p in pauses where p.end <= time + 0.3 && p.end >= time - 0.5 { best = max(best, p.end - p.start) }
            return min(best, 10)
        }
        func musicEnds(before time: Double) -> Bool {
            music.contains { $0.end <= time + 0.5 && $0.end >= time - 4 && $0.end - $0.start >= 1 }
        }
        for turn in turns {
            var document = Set<String>()
            let turnFirst = words.count
            // The speaker's name is part of what a turn is about ("How Ines started…" where Ines speaks).
            if let speaker = turn.speaker {
                let names = ChapterText.stems(speaker)
                namePositions.formUnion(words.count..<words.count + names.count)
                words += names
                document.formUnion(names)
            }
            var turnStarted = false
            var turnOpening: Range<Int>?
            let turnBoundaries = boundaries.count
            let speakerChange = previousSpeaker != nil && turn.speaker != previousSpeaker
            let paragraph = previousSpeaker != nil && turn.speaker == previousSpeaker
            for (k, sentence) in turn.sentences.enumerated() {
                let first = words.count
                let stems = ChapterText.stems(sentence.text)
                words += stems
                document.formUnion(stems)
                guard let start = sentence.start ?? (k == 0 ? turn.start : nil) else { continue }
                let question = sentence.text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("?")
                if !turnStarted, let turnStart = turn.start {
                    turnStarted = true
                    turnOpening = first..<words.count
                    let time = min(turnStart, start)
                    boundaries.append(ChapterBoundary(
                        time: time, kind: .turn, wordIndex: turnFirst,
                        pauseBefore: pause(before: time, previousEnd: previousEnd),
                        speakerChange: speakerChange, paragraph: paragraph,
                        musicBefore: musicEnds(before: time), question: question, opening: first..<words.count,
                        timing: turn.confidence))
                } else if turnStarted {
                    boundaries.append(ChapterBoundary(
                        time: start, kind: .sentence, wordIndex: first, pauseBefore: pause(before: start, previousEnd: nil),
                        musicBefore: musicEnds(before: start), question: question, turnWordIndex: turnFirst,
                        opening: first..<words.count, turnOpening: turnOpening, timing: turn.confidence))
                }
            }
            if turn.sentences.isEmpty, let start = turn.start {
                boundaries.append(ChapterBoundary(time: start, kind: .turn, wordIndex: turnFirst,
                                                  pauseBefore: pause(before: start, previousEnd: previousEnd),
                                                  speakerChange: speakerChange, paragraph: paragraph,
                                                  musicBefore: musicEnds(before: start), timing: turn.confidence))
            }
            if words.count > turnFirst {
                for n in awaitingReply { boundaries[n].replyEnd = words.count }
                awaitingReply = Array(turnBoundaries..<boundaries.count)
            } else {
                awaitingReply += turnBoundaries..<boundaries.count
            }
            if let start = turn.start {
                turnText.append((start, turn.sentences.map(\.text).joined(separator: " "), turnFirst))
                previousSpeaker = turn.speaker
                previousEnd = turn.end ?? previousEnd
            }
            documents.append(document)
        }
        // Music that ends with no turn starting right after it is a boundary of its own.
        for span in self.music where span.end - span.start >= 1 && span.end < duration - 1 {
            if boundaries.contains(where: { $0.time >= span.end - 0.5 && $0.time <= span.end + 2.5 && $0.musicBefore }) {
                continue
            }
            let next = boundaries.first { $0.time >= span.end && $0.wordIndex != nil && $0.kind != .start }
            boundaries.append(ChapterBoundary(time: span.end, kind: .musicEnd, wordIndex: next?.wordIndex ?? (words.isEmpty ? nil : words.count),
                                              pauseBefore: 0, musicBefore: true))
        }
        boundaries.sort { $0.time != $1.time ? $0.time < $1.time : $0.strength > $1.strength }
        // One boundary per instant: the strongest.
        var unique: [ChapterBoundary] = []
        for boundary in boundaries {
            if let last = unique.last, boundary.time - last.time < 0.05 {
                if boundary.strength > last.strength, last.kind != .start { unique[unique.count - 1] = boundary }
                continue
            }
            unique.append(boundary)
        }
        self.boundaries = Self.musicOnFirst(unique, music: self.music)
        self.words = words
        self.turnText = turnText
        let count = Double(max(documents.count, 1))
        var df: [String: Int] = [:]
        for document in documents { for word in document { df[word, default: 0] += 1 } }
        self.idf = df.mapValues { log((count + 1) / (Double($0) + 0.5)) }
        var positions: [String: [Int]] = [:]
        for (n, word) in words.enumerated() { positions[word, default: []].append(n) }
        self.positions = positions
        self.namePositions = namePositions
    }

    /// Without a transcript: pause ends, speaker changes and music ends found in the audio.
    public init(analysis: EpisodeAnalysis) {
        let activity = analysis.activity
        var boundaries: [ChapterBoundary] = [ChapterBoundary(time: 0, kind: .start)]
        let music = activity.music.map { (start: $0.start, end: $0.end) }
        func musicEnds(before time: Double) -> Bool {
            music.contains { $0.end <= time + 0.5 && $0.end >= time - 4 && $0.end - $0.start >= 1 }
        }
        let clock = analysis.features.clock
        let onsets = activity.speechFrames.map { clock.boundary(beforeFrame: $0.lowerBound) }
        let changes = analysis.speakers.changes
        for pause in activity.pauses where pause.end < analysis.duration - 0.5 {
            // The speech onset after the pause, when one is close.
            let onset = onsets.first { $0 >= pause.end - 0.05 && $0 <= pause.end + 0.3 } ?? pause.end
            let change = changes.contains { abs($0 - onset) <= 0.6 }
            boundaries.append(ChapterBoundary(time: onset, kind: .pauseEnd, pauseBefore: pause.end - pause.start,
                                              speakerChange: change, musicBefore: musicEnds(before: onset)))
        }
        for change in changes where !boundaries.contains(where: { abs($0.time - change) <= 0.6 }) {
            let onset = onsets.first { abs($0 - change) <= 0.25 } ?? change
            boundaries.append(ChapterBoundary(time: onset, kind: .speakerChange, speakerChange: true,
                                              musicBefore: musicEnds(before: onset)))
        }
        for span in music where span.end - span.start >= 1 && span.end < analysis.duration - 1 {
            if boundaries.contains(where: { $0.time >= span.end - 0.5 && $0.time <= span.end + 2 }) { continue }
            let onset = onsets.first { $0 >= span.end - 0.2 && $0 <= span.end + 2 } ?? span.end
            boundaries.append(ChapterBoundary(time: onset, kind: .musicEnd, musicBefore: true))
        }
        boundaries.sort { $0.time < $1.time }
        var unique: [ChapterBoundary] = []
        for boundary in boundaries {
            if let last = unique.last, boundary.time - last.time < 0.05 { continue }
            unique.append(boundary)
        }
        self.duration = analysis.duration
        self.boundaries = Self.musicOnFirst(unique, music: music)
        self.words = []
        self.idf = [:]
        self.turnText = []
        self.music = music
        self.positions = [:]
    }

    /// Only the first boundary after a stretch of music follows the music.
    static func musicOnFirst(_ boundaries: [ChapterBoundary], music: [(start: Double, end: Double)]) -> [ChapterBoundary] {
        var out = boundaries
        for n in out.indices { out[n].musicBefore = false }
        for span in music where span.end - span.start >= 1 {
            if let n = out.firstIndex(where: { $0.time >= span.end - 0.5 && $0.kind != .start }), out[n].time <= span.end + 4 {
                out[n].musicBefore = true
            }
        }
        return out
    }

    // MARK: Lexical match

    /// How much of a heading's (idf-weighted) content is said in the `window` content words after
    /// `wordIndex` (and before `until`), earlier words counting more; words already said just before count
    /// three quarters. Returns the score in 0…1 and the words matched.
    public func lexical(_ headingStems: [String], at wordIndex: Int?, until: Int? = nil,
                        window: Int = 30) -> (score: Double, matched: [String]) {
        guard let wordIndex else { return (0, []) }
        var total = 0.0, found = 0.0
        var matched: [String] = []
        for stem in Set(headingStems).sorted() {
            guard let weight = idf[stem], let list = positions[stem] else { continue }
            total += weight
            let i = Self.firstIndex(in: list, atLeast: wordIndex)
            guard i < list.count, list[i] - wordIndex < window, list[i] < until ?? .max else { continue }
            var contribution = weight / (1 + Double(list[i] - wordIndex) / 6)
            if i > 0, list[i - 1] >= wordIndex - window / 2 { contribution *= 0.75 }
            found += contribution
            matched.append(stem)
        }
        return total > 0 ? (found / total, matched) : (0, [])
    }

    /// The lexical match at a boundary: the words its turn and the reply to it say (a question's topic is
    /// named by the question and its answer; words said two turns on belong to a later boundary). Inside a
    /// turn, a sentence's match counts no more than its turn's: what a turn goes on to say is what the turn is
    /// about, and chapters open with the turn (the speaker change, the pause before it), not with the sentence
    /// that repeats the heading's words.
    /// It also loses the share of the turn's matched words that the turn says only before the sentence:
    /// the topic was already being talked about when the sentence began.
    public func lexical(_ headingStems: [String], at boundary: ChapterBoundary) -> (score: Double, matched: [String]) {
        let own = lexical(headingStems, at: boundary.wordIndex, until: boundary.replyEnd)
        guard boundary.kind == .sentence, let turn = boundary.turnWordIndex else { return own }
        let turnMatch = lexical(headingStems, at: turn, until: boundary.replyEnd)
        let turnWeight = turnMatch.matched.reduce(0.0) { $0 + (idf[$1] ?? 0) }
        let saidBefore = turnMatch.matched.filter { !own.matched.contains($0) }.reduce(0.0) { $0 + (idf[$1] ?? 0) }
        let kept = turnWeight > 0 ? 1 - saidBefore / turnWeight : 1
        return (min(turnMatch.score, own.score) * kept, own.matched)
    }

    /// The (idf-weighted) share of a heading's words said together in the sentence that opens at a boundary:
    /// a segment's opening line (the host's question, "let's talk about…") is where a heading's words meet,
    /// while the same words scattered over the talk that follows are weaker evidence. Inside a turn it counts
    /// no more than the turn's own opening: as in ``lexical(_:at:)-(_,ChapterBoundary)``, chapters open with
    /// the turn, not with a later sentence that repeats the heading's words.
    public func opening(_ headingStems: [String], at boundary: ChapterBoundary) -> Double {
        let share = openingShare(headingStems, boundary.opening)
        guard boundary.kind == .sentence else { return share }
        return min(share, openingShare(headingStems, boundary.turnOpening))
    }

    func openingShare(_ headingStems: [String], _ range: Range<Int>?) -> Double {
        guard let range, !range.isEmpty else { return 0 }
        let said = Set(words[range])
        var total = 0.0, found = 0.0
        for stem in Set(headingStems) {
            guard let weight = idf[stem] else { continue }
            total += weight
            if said.contains(stem) { found += weight }
        }
        return total > 0 ? found / total : 0
    }

    /// The last index in `range` at which one of the heading's words is said (a speaker's name put before a
    /// turn does not count), or nil.
    public func lastMention(_ headingStems: [String], in range: Range<Int>) -> Int? {
        var last: Int?
        for stem in Set(headingStems) {
            guard let list = positions[stem] else { continue }
            var i = Self.firstIndex(in: list, atLeast: range.upperBound) - 1
            while i >= 0, list[i] >= range.lowerBound, namePositions.contains(list[i]) { i -= 1 }
            if i >= 0, list[i] >= range.lowerBound { last = max(last ?? list[i], list[i]) }
        }
        return last
    }

    /// True when some of the heading's words occur in the transcript at all.
    public func mentions(_ headingStems: [String]) -> Bool { headingStems.contains { positions[$0] != nil } }

    static func firstIndex(in sorted: [Int], atLeast value: Int) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
