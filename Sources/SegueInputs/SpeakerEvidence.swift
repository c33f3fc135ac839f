/// Decides which `Label:` prefixes are speakers, from evidence across the whole page rather than line by line.
///
/// A show-notes page is full of lines shaped like turns (`Music:`, `About:`, `Note:`). A label is a speaker when
/// the user named it, or when it starts a turn at least twice and is not a known prose label. A label seen once
/// counts only inside the stretch of page that is already a transcript (a caller who speaks once).
struct SpeakerEvidence {
    /// Labels that head prose sections on show-notes pages. They are speakers only when named explicitly.
    static let proseLabels: Set<String> = [
        "about", "music", "note", "notes", "nb", "links", "link", "credits", "credit", "sponsor", "sponsors",
        "sponsored by", "timeline", "chapters", "timestamps", "show notes", "shownotes", "transcript", "tags",
        "keywords", "summary", "description", "resources", "mentioned", "episode", "season", "published", "date",
        "duration", "guests", "hosts", "produced by", "producer", "editor", "edited by", "artwork", "theme",
        "changes", "license", "licence", "source", "sources", "website", "web", "email", "e-mail", "twitter",
        "mastodon", "contact", "support", "patreon", "subscribe", "follow", "recorded", "location", "topics",
        "contents", "in this episode", "update", "correction", "corrections", "disclaimer", "warning", "ps", "p.s",
        "see also", "references", "further reading", "transcript by", "audio", "video", "also", "read more",
        "find us", "follow us", "listen", "rss", "feed", "cover art", "photo", "image", "books", "book", "tools",
        "software", "gear", "equipment",
    ]

    struct Decision {
        /// For each line (0-based), its reading when it starts a speaker turn.
        var starts: [TurnLine.Start?]
        var speakers: Set<String> = []

        var hasTurns: Bool { starts.contains { $0 != nil } }
    }

    /// "Music", "Episode 31", "Links & resources": a known prose label, or one that starts with one.
    static func isProseLabel(_ label: String) -> Bool {
        let lower = label.lowercased()
        if proseLabels.contains(lower) { return true }
        guard let firstWord = lower.split(separator: " ").first, firstWord.count < lower.count else { return false }
        return proseLabels.contains(String(firstWord))
    }

    /// `candidates` holds one reading per line. `isQuiet` says whether a line is explained otherwise (a timeline
    /// heading) and needs no "label appears once" warning; it is asked only when that warning is considered.
    static func decide(lines: [String], candidates allCandidates: [TurnLine.Start?], explicit: [String]?,
                       isQuiet: (Int) -> Bool = { _ in false }, log: inout DiagnosticLog) -> Decision {
        // A header line ("Maya Okafor  0:03") only starts a turn when text follows it.
        var candidates = allCandidates
        for (index, start) in allCandidates.enumerated() where start?.isHeaderLine == true {
            if !textFollows(index, lines: lines) { candidates[index] = nil }
        }
        let order = candidates.indices.filter { candidates[$0] != nil }
        var decision = Decision(starts: [TurnLine.Start?](repeating: nil, count: candidates.count))
        if let explicit {
            // Match explicit names case-insensitively, report them as the user spelled them.
            var byKey: [String: String] = [:]
            for name in explicit { byKey[name.lowercased()] = name }
            for index in order {
                guard let start = candidates[index], let name = byKey[start.label.lowercased()] else { continue }
                var named = start
                named.label = name
                decision.starts[index] = named
                decision.speakers.insert(name)
            }
            return decision
        }

        var count: [String: Int] = [:]
        for index in order {
            if let start = candidates[index] { count[start.label, default: 0] += 1 }
        }
        let recurring = Set(count.filter { $0.value >= 2 && !isProseLabel($0.key) }.keys)
        let firstTurn = order.first { recurring.contains(candidates[$0]?.label ?? "") }

        for index in order {
            guard let start = candidates[index] else { continue }
            if recurring.contains(start.label) {
                decision.starts[index] = start
                decision.speakers.insert(start.label)
            } else if let firstTurn, index > firstTurn, !isProseLabel(start.label), !start.isHeaderLine || start.timeHint != nil {
                // Once-only label inside the transcript: a caller or a second host who speaks once.
                decision.starts[index] = start
                decision.speakers.insert(start.label)
            }
        }

        if recurring.isEmpty {
            let once = order.filter { index in
                guard let start = candidates[index] else { return false }
                return !start.isHeaderLine && !isProseLabel(start.label) && !isQuiet(index)
            }
            if once.count == 1, let index = once.first, let label = candidates[index]?.label {
                log.warning(index + 1, "'\(label):' is the only speaker-like label and appears once; read as prose, not a speaker turn (name it with --speakers \"\(label)\" if it is one)")
            } else if once.count > 1 {
                log.note(nil, "labels on \(describeLines(once.map { $0 + 1 })) each appear once; read as prose (name speakers with --speakers if they are turns)")
            }
        }
        return decision
    }

    private static func textFollows(_ index: Int, lines: [String]) -> Bool {
        var next = index + 1
        while next < lines.count, lines[next].isBlankLine { next += 1 }
        return next < lines.count && TurnLine.read(lines[next]) == nil
    }
}
