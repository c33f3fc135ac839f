/// Checks that hold for every timeline, whatever file it came from: order, episode end, duplicates.
enum TimelineChecks {
    static func check(_ timeline: Timeline, duration: Double?, log: inout DiagnosticLog) {
        var previous: TimelineHeading?
        var seen: [String: Int] = [:]
        for heading in timeline.headings {
            if let time = heading.time {
                if let previous, let before = previous.time, time < before {
                    log.warning(heading.line, "time \(formatClock(time)) comes before \(formatClock(before)) on line \(previous.line): headings are out of order")
                }
                if let duration, time >= duration {
                    log.warning(heading.line, "time \(formatClock(time)) is past the episode's end (\(formatClock(duration)))")
                }
                if let end = heading.endTime, end < time {
                    log.warning(heading.line, "end time \(formatClock(end)) is before the start \(formatClock(time))")
                }
                previous = heading
            }
            let key = heading.title.lowercased().trimmingBlanks()
            if let first = seen[key] {
                log.warning(heading.line, "duplicate heading '\(heading.title)' (also on line \(first))")
            } else {
                seen[key] = heading.line
            }
        }
    }

    /// Transcript timestamps are hints: say when they cannot be right, but keep them.
    static func checkHints(_ transcript: Transcript, duration: Double?, log: inout DiagnosticLog) {
        var previous: SpeakerTurn?
        var backwards: [Int] = []
        for turn in transcript.turns {
            guard let hint = turn.timeHint else { continue }
            if let before = previous?.timeHint, hint < before { backwards.append(turn.firstLine) }
            if let duration, hint >= duration {
                log.warning(turn.firstLine, "transcript time \(formatClock(hint)) is past the episode's end (\(formatClock(duration)))")
            }
            previous = turn
        }
        if let first = backwards.first {
            log.warning(first, "transcript times go backwards on \(describeLines(backwards)); they will be treated as rough hints only")
        }
    }
}
