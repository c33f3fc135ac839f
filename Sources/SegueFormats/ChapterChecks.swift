/// What is wrong with a chapter list before it is written or embedded: errors stop the work
/// (no file is written), warnings are reported and the work goes on.
public struct ChapterProblems: Sendable, Equatable {
    public var errors: [String] = []
    public var warnings: [String] = []
}

public enum ChapterChecks {
    /// Chapters must start at finite, non-negative times, in time order, before the episode ends.
    /// Chapters are not re-ordered silently: a list out of order usually has a typo in it.
    public static func check(_ chapters: [Chapter], duration: Double?) -> ChapterProblems {
        var problems = ChapterProblems()
        if chapters.isEmpty { problems.errors.append("no chapters") }
        for (n, chapter) in chapters.enumerated() {
            let name = "chapter \(n + 1) '\(chapter.title)'"
            guard chapter.start.isFinite, chapter.start >= 0 else {
                problems.errors.append("\(name) has no valid start time")
                continue
            }
            if n > 0, chapter.start < chapters[n - 1].start {
                problems.errors.append("\(name) starts at \(clock(chapter.start)), before chapter \(n) at "
                    + "\(clock(chapters[n - 1].start)): chapters must be in time order")
            } else if n > 0, chapter.start == chapters[n - 1].start {
                problems.warnings.append("\(name) starts at the same time as chapter \(n)")
            }
            if let duration, chapter.start >= duration {
                problems.errors.append("\(name) starts at \(clock(chapter.start)), past the end of the "
                    + "episode (\(clock(duration)))")
            }
            if let end = chapter.end {
                if !end.isFinite || end < chapter.start {
                    problems.errors.append("\(name) ends at \(clock(end)), before it starts at \(clock(chapter.start))")
                } else if let duration, end > duration + 0.001 {
                    problems.warnings.append("\(name) ends at \(clock(end)), after the episode ends at \(clock(duration))")
                }
            }
        }
        if let first = chapters.first, first.start.isFinite, first.start > 0 {
            problems.warnings.append("the first chapter starts at \(clock(first.start)), not at 0:00; "
                + "most players show nothing before it")
        }
        return problems
    }

    /// `1:02:03.400` or `2:03.400`, for messages.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "\(seconds)" }
        let ms = TimeText.milliseconds(seconds)
        let h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, f = ms % 1000
        let tail = "\(TimeText.pad(s, 2)).\(TimeText.pad(f, 3))"
        return h > 0 ? "\(h):\(TimeText.pad(m, 2)):\(tail)" : "\(m):\(tail)"
    }
}
