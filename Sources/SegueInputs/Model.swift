/// One chapter heading as written by the podcaster: in a show-notes timeline or an existing chapter file.
public struct TimelineHeading: Sendable, Codable, Equatable {
    public var title: String
    /// Start in seconds from the beginning of the episode, when the source gave one.
    public var time: Double?
    /// End in seconds, when the source gave one (chapter files only).
    public var endTime: Double?
    /// A link attached to the heading (`<url>` in mp4chaps, `href` in Podlove, `url` in JSON chapters).
    public var url: String?
    /// Chapter artwork (`img` in JSON chapters, `image` in Podlove).
    public var image: String?
    /// JSON chapters' `toc`: `false` marks a chapter players do not list; nil when the source does not say.
    public var toc: Bool?
    /// 1-based line in the source file.
    public var line: Int

    public init(title: String, time: Double?, endTime: Double? = nil, url: String? = nil,
                image: String? = nil, toc: Bool? = nil, line: Int) {
        self.title = title
        self.time = time
        self.endTime = endTime
        self.url = url
        self.image = image
        self.toc = toc
        self.line = line
    }
}

/// The headings Segue found in a page or chapter file, in source order.
public struct Timeline: Sendable, Codable, Equatable {
    public var headings: [TimelineHeading]

    public init(headings: [TimelineHeading] = []) { self.headings = headings }

    /// True when every heading carries a time.
    public var isTimed: Bool { !headings.isEmpty && headings.allSatisfy { $0.time != nil } }
}

/// One speaker's uninterrupted stretch of speech.
public struct SpeakerTurn: Sendable, Codable, Equatable {
    /// The speaker label, or `nil` for captions that name nobody.
    public var speaker: String?
    /// The text as written (paragraphs joined by a blank line), for output.
    public var text: String
    /// Lower-case spoken-form words for alignment (see ``AlignmentText``).
    public var normalizedText: String
    /// The original text split into sentences.
    public var sentences: [String]
    /// 1-based first and last source lines of the turn.
    public var firstLine: Int
    public var lastLine: Int
    /// A start time the transcript claims (seconds). A hint only: exports drift, and it is never trusted over audio.
    public var timeHint: Double?
    /// An end time the transcript claims (captions only).
    public var endTimeHint: Double?

    public init(speaker: String?, text: String, normalizedText: String, sentences: [String],
                firstLine: Int, lastLine: Int, timeHint: Double? = nil, endTimeHint: Double? = nil) {
        self.speaker = speaker
        self.text = text
        self.normalizedText = normalizedText
        self.sentences = sentences
        self.firstLine = firstLine
        self.lastLine = lastLine
        self.timeHint = timeHint
        self.endTimeHint = endTimeHint
    }

    /// Number of words in ``normalizedText``.
    public var wordCount: Int { AlignmentText.wordCount(normalizedText) }
}

/// How much one speaker says in a transcript.
public struct SpeakerSummary: Sendable, Codable, Equatable {
    public var name: String
    public var turns: Int
    public var words: Int

    public init(name: String, turns: Int, words: Int) {
        self.name = name
        self.turns = turns
        self.words = words
    }
}

/// The speaker turns Segue found, in source order.
public struct Transcript: Sendable, Codable, Equatable {
    public var turns: [SpeakerTurn]

    public init(turns: [SpeakerTurn] = []) { self.turns = turns }

    /// Speakers in order of first appearance, with turn and word counts.
    public var speakers: [SpeakerSummary] {
        var order: [String] = []
        var totals: [String: SpeakerSummary] = [:]
        for turn in turns {
            guard let name = turn.speaker else { continue }
            if totals[name] == nil {
                order.append(name)
                totals[name] = SpeakerSummary(name: name, turns: 0, words: 0)
            }
            totals[name]?.turns += 1
            totals[name]?.words += turn.wordCount
        }
        return order.compactMap { totals[$0] }
    }
}
