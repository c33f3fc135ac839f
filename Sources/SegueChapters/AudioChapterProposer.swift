import Foundation
import SegueEngine

/// A chapter proposed from the audio (and transcript) alone.
public struct ProposedChapter: Sendable, Equatable {
    public var start: Double
    public var title: String
    public var confidence: Double
    public var evidence: String
}

/// Chapters from the structure of the audio: music (intros, jingles, stingers) ending, long pauses, speaker
/// changes and, with a transcript, dips in lexical cohesion between the text before and after a boundary
/// (TextTiling). The strongest boundaries are kept, at least `minimumLength` apart, up to a target count
/// that scales with the episode's length; boundaries right after music are always kept.
public struct AudioChapterProposer: Sendable {
    public var minimumLength = 60.0
    /// Chapters wanted (the first included); nil: one per `secondsPerChapter`.
    public var targetCount: Int?
    public var secondsPerChapter = 390.0
    /// Content words on each side of a boundary for the cohesion measure.
    public var cohesionWindow = 80

    public init() {}

    public func target(duration: Double) -> Int {
        targetCount ?? max(1, Int((duration / secondsPerChapter).rounded()))
    }

    /// Each candidate's score and a description of why.
    public func scores(evidence: ChapterEvidence)
        -> [(boundary: ChapterBoundary, score: Double, why: String, afterMusic: Bool)] {
        var out: [(ChapterBoundary, Double, String, Bool)] = []
        for boundary in evidence.boundaries where boundary.kind != .start && boundary.kind != .sentence {
            var score = 0.0
            var why: [String] = []
            let afterMusic = boundary.musicBefore && !afterIntro(boundary, evidence)
            if afterMusic { score += 3; why.append("after music") }
            if boundary.pauseBefore >= 0.5 {
                score += min(boundary.pauseBefore, 4) * 0.5
                why.append(String(format: "pause %.1f s", boundary.pauseBefore))
            }
            if boundary.speakerChange { score += 0.2; why.append("speaker change") }
            if evidence.hasTranscript, let k = boundary.wordIndex {
                let depth = 1 - cohesion(evidence.words, at: k)
                score += 2 * depth
                if depth > 0.7 { why.append(String(format: "topic shift %.2f", depth)) }
            }
            if boundary.question { score += 0.2 }
            out.append((boundary, score, why.isEmpty ? boundary.kind.rawValue : why.joined(separator: "; "), afterMusic))
        }
        return out
    }

    /// Music that opens the episode is its intro, and the first chapter, at 0, already holds it: the
    /// words after it do not start a chapter of their own for that reason.
    func afterIntro(_ boundary: ChapterBoundary, _ evidence: ChapterEvidence) -> Bool {
        evidence.music.contains { $0.start <= 1 && $0.end <= boundary.time + 0.5 && $0.end >= boundary.time - 4 }
    }

    public func propose(evidence: ChapterEvidence) -> [ProposedChapter] {
        let duration = evidence.duration
        let wanted = target(duration: duration)
        let scored = scores(evidence: evidence).filter {
            $0.boundary.time >= minimumLength && $0.boundary.time <= duration - minimumLength
        }
        var chosen: [(boundary: ChapterBoundary, score: Double, why: String, afterMusic: Bool)] = []
        func fits(_ time: Double) -> Bool {
            time >= minimumLength && chosen.allSatisfy { abs($0.boundary.time - time) >= minimumLength }
        }
        for candidate in scored.sorted(by: { $0.score > $1.score }) {
            guard chosen.count + 1 < wanted || candidate.afterMusic else { continue }
            if fits(candidate.boundary.time) { chosen.append(candidate) }
        }
        chosen.sort { $0.boundary.time < $1.boundary.time }
        let starts = [0.0] + chosen.map(\.boundary.time)
        var chapters: [ProposedChapter] = []
        for (n, start) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : duration
            let title = evidence.hasTranscript ? salientTitle(evidence, from: start, to: end) : nil
            if n == 0 {
                chapters.append(ProposedChapter(start: 0, title: title ?? "Chapter 1", confidence: 1, evidence: "episode start"))
            } else {
                let c = chosen[n - 1]
                chapters.append(ProposedChapter(start: start, title: title ?? "Chapter \(n + 1)",
                                                confidence: min(1, c.score / 4), evidence: c.why))
            }
        }
        return chapters
    }

    /// Cosine similarity of the word counts in the `cohesionWindow` words before and after `index`.
    func cohesion(_ words: [String], at index: Int) -> Double {
        let before = words[max(0, index - cohesionWindow)..<min(index, words.count)]
        let after = words[min(index, words.count)..<min(words.count, index + cohesionWindow)]
        guard !before.isEmpty, !after.isEmpty else { return 1 }
        var a: [String: Double] = [:], b: [String: Double] = [:]
        for w in before { a[w, default: 0] += 1 }
        for w in after { b[w, default: 0] += 1 }
        var dot = 0.0
        for (w, x) in a { dot += x * (b[w] ?? 0) }
        let norm = sqrt(a.values.reduce(0) { $0 + $1 * $1 }) * sqrt(b.values.reduce(0) { $0 + $1 * $1 })
        return norm > 0 ? dot / norm : 0
    }

    /// The chapter's three most salient words (frequency in the chapter × idf), as spoken.
    func salientTitle(_ evidence: ChapterEvidence, from start: Double, to end: Double) -> String? {
        var counts: [String: Double] = [:]
        var surface: [String: [String: Int]] = [:]
        var order: [String: Int] = [:]
        for turn in evidence.turnText where turn.start >= start - 0.01 && turn.start < end {
            for word in ChapterText.words(turn.text) where !ChapterText.stopWords.contains(word) && word.count >= 3 {
                let stem = ChapterText.stem(word)
                counts[stem, default: 0] += 1
                surface[stem, default: [:]][word, default: 0] += 1
                if order[stem] == nil { order[stem] = order.count }
            }
        }
        let ranked = counts.map { ($0.key, $0.value * (evidence.idf[$0.key] ?? 0)) }
            .filter { $0.1 > 0 }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : order[$0.0]! < order[$1.0]! }
            .prefix(3)
        guard !ranked.isEmpty else { return nil }
        let words = ranked.map { stem in
            surface[stem.0]!.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        }
        let title = words.joined(separator: ", ")
        return title.prefix(1).uppercased() + title.dropFirst()
    }
}
