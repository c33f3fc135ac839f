import Foundation

/// Turns what the input readers found into what the writers write: timed headings into chapters,
/// timed turns into transcript segments. Nothing is placed here; times must be in the input.
public enum ChapterConversion {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The chapters of a timeline or chapter file. Every heading needs a time.
    public static func chapters(from document: InputDocument) throws(Failure) -> [Chapter] {
        let headings = document.timeline.headings
        guard !headings.isEmpty else {
            throw Failure(description: "\(document.file): no chapters or timeline headings found")
        }
        if let untimed = headings.first(where: { $0.time == nil }) {
            throw Failure(description: "\(document.file):\(untimed.line): heading '\(untimed.title)' has no time")
        }
        return headings.compactMap(Chapter.init)
    }

    /// The turns of a timed transcript (captions, JSON, or a time-stamped export) as segments. A turn
    /// without an end ends where the next begins; the last one at `duration`.
    public static func segments(from document: InputDocument, duration: Double?) throws(Failure)
        -> [TranscriptSegment] {
        let turns = document.transcript.turns
        guard !turns.isEmpty else { throw Failure(description: "\(document.file): no transcript turns found") }
        var segments: [TranscriptSegment] = []
        for (n, turn) in turns.enumerated() {
            guard let start = turn.timeHint else {
                throw Failure(description: "\(document.file):\(turn.firstLine): this turn has no time; "
                    + "only a timed transcript can be converted")
            }
            let next = n + 1 < turns.count ? turns[n + 1].timeHint : nil
            guard let end = turn.endTimeHint ?? next ?? duration else {
                throw Failure(description: "\(document.file):\(turn.firstLine): the last turn has no end time: "
                    + "give the episode (--episode FILE) or its length (--duration SECONDS)")
            }
            segments.append(TranscriptSegment(speaker: turn.speaker, start: start, end: max(end, start), body: turn.text))
        }
        return segments
    }

    /// The episode's name for output files: the input's file name without its extension, and without
    /// a suffix Segue itself writes (`ep.chapters.json` → `ep`).
    public static func baseName(of path: String) -> String {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let suffixes = ChapterFormat.allCases.map(\.fileSuffix) + TranscriptFormat.allCases.map(\.fileSuffix)
        for suffix in suffixes.sorted(by: { $0.count > $1.count })
        where name.lowercased().hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        return URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
    }
}
