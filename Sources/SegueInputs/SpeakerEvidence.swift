/// Decides which `Label:` prefixes are speakers, from evidence across the whole page rather than line by line.
///
/// A show-notes page is full of lines shaped like turns (`Music:`, `About:`, `Note:`). A label is a speaker when
/// the user named it, or when it starts a turn at least twice and is not a known prose label. A label seen once
/// counts only inside the stretch of page that is already a transcript (a caller who speaks once), and only when
/// it reads like a name: a once-only label that reads like a phrase ("Rule one: write it down") is a sentence
/// of the current turn, kept in its text, with a note.
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

    /// Words that do not occur in a speaker's name but open a sentence: articles, pronouns and determiners,
    /// common verbs and connectives, and the nouns of "Rule one:", "Tip:", "Step two:" asides.
    static let phraseWords: Set<String> = [
        "a", "an", "the", "this", "that", "these", "those", "my", "your", "our", "his", "her", "their", "its", "it",
        "i", "we", "you", "they", "he", "she", "is", "are", "was", "were", "be", "am", "has", "have", "had", "do",
        "does", "did", "not", "no", "yes", "so", "but", "and", "or", "if", "then", "here", "there",
        "what", "why", "how", "when", "where", "which", "who", "of", "to", "in", "on", "for", "with", "at", "by",
        "rule", "rules", "step", "steps", "tip", "tips", "lesson", "point", "part", "fact", "hint", "reminder",
        "remember", "takeaway", "spoiler", "example", "quote", "translation", "definition", "caveat", "bonus",
        "homework", "question", "answer", "problem", "solution", "truth", "secret", "goal", "idea", "number",
        "first", "second", "third", "next", "finally", "lastly", "okay", "ok", "well", "look", "listen",
    ]
    /// Number words: "Rule one", "Step two", "Chapter three".
    static let numberWords: Set<String> = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
        "forty", "fifty", "hundred", "thousand", "million", "first", "second", "third", "fourth", "fifth", "sixth",
        "seventh", "eighth", "ninth", "tenth", "once", "twice",
    ]
    /// Lower-case words that do occur inside names ("Ludwig van Beethoven", "Ana de Armas").
    static let nameParticles: Set<String> = [
        "van", "von", "de", "da", "di", "del", "della", "der", "den", "du", "la", "le", "bin", "ibn", "al", "el",
        "dos", "das", "ter", "y", "zu",
    ]
    /// First words of generic speaker labels that take a number: "Speaker Three", "Caller Two".
    static let numberedRoles: Set<String> = ["speaker", "caller", "guest", "host", "participant", "voice"]

    /// "Rule one", "The bottom line", "Step two", "Tip", "What we learned today": a label that reads like the
    /// start of a sentence rather than a name — more than three words, a lower-case word after the first
    /// (name particles aside), a number word (not after "Speaker", "Caller"…), or an article, pronoun, verb or
    /// aside noun.
    static func readsAsPhrase(_ label: String) -> Bool {
        let words = label.split(separator: " ").map(String.init)
        guard let first = words.first else { return false }
        if words.count > 3 { return true }
        let numbered = numberedRoles.contains(first.lowercased())
        for (position, word) in words.enumerated() {
            let lower = word.lowercased()
            var bare = Substring(lower)
            while let c = bare.first, ".'’-&/".contains(c) { bare.removeFirst() }
            while let c = bare.last, ".'’-&/".contains(c) { bare.removeLast() }
            if phraseWords.contains(String(bare)) { return true }
            if numberWords.contains(String(bare)) && !(numbered && position > 0) { return true }
            if position > 0, let initial = word.unicodeScalars.first, initial.properties.isLowercase,
               !nameParticles.contains(String(bare)) {
                return true
            }
        }
        return false
    }

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
                if readsAsPhrase(start.label) {
                    // "Rule one: write it down." inside a turn: a sentence, left in the current turn's text.
                    log.note(index + 1, "'\(start.label):' appears once and reads as a phrase, not a name; read as text of the turn before it (name it with --speakers \"\(start.label)\" if it is a speaker)")
                    continue
                }
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
