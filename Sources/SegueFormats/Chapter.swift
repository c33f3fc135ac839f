import SegueInputs

/// One chapter as Segue writes it: a start, an optional end, a title and the
/// optional extras of Podcasting 2.0 JSON chapters. Times are seconds from
/// the start of the audio; each writer rounds them to its format's unit.
public struct Chapter: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double?
    public var title: String
    /// A web page about the chapter (`url`, PSC `href`, ID3 `WXXX`, `CHAPTERxxxURL`).
    public var url: String?
    /// Chapter artwork (`img`, PSC `image`).
    public var image: String?
    /// `false` for a "silent" chapter that players do not list (JSON `toc: false`).
    public var listed: Bool

    public init(start: Double, end: Double? = nil, title: String, url: String? = nil,
                image: String? = nil, listed: Bool = true) {
        self.start = start
        self.end = end
        self.title = title
        self.url = url
        self.image = image
        self.listed = listed
    }

    /// A heading read from a timeline or chapter file; nil when it has no time.
    public init?(_ heading: TimelineHeading) {
        guard let time = heading.time else { return nil }
        self.init(start: time, end: heading.endTime, title: heading.title, url: heading.url, image: heading.image,
                  listed: heading.toc ?? true)
    }
}

/// One timed stretch of a transcript: a turn or a sentence, with its speaker.
public struct TranscriptSegment: Sendable, Equatable, Codable {
    public var speaker: String?
    public var start: Double
    public var end: Double
    public var body: String

    public init(speaker: String?, start: Double, end: Double, body: String) {
        self.speaker = speaker
        self.start = start
        self.end = end
        self.body = body
    }
}
