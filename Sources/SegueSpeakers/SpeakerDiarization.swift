/// One stretch of speech by one speaker.
public struct SpeakerSegment: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    /// "S1", "S2", … in order of first appearance.
    public var speaker: String
    /// 0…1: how clearly this speaker's model beat the others here.
    public var confidence: Double
    /// A short interjection over another speaker's turn (a backchannel).
    public var overlap: Bool

    public init(start: Double, end: Double, speaker: String, confidence: Double, overlap: Bool = false) {
        self.start = start
        self.end = end
        self.speaker = speaker
        self.confidence = confidence
        self.overlap = overlap
    }

    public var duration: Double { end - start }
}

/// Who speaks when in one episode.
public struct SpeakerDiarization: Sendable, Equatable {
    /// Speech segments in time order (overlap segments lie inside another's).
    public var segments: [SpeakerSegment]
    /// Times (s) where a different speaker starts, in order.
    public var changes: [Double]
    /// Number of distinct speakers in `segments`.
    public var speakerCount: Int
    /// True when the count was given rather than estimated.
    public var countGiven: Bool

    public init(segments: [SpeakerSegment], changes: [Double], speakerCount: Int, countGiven: Bool) {
        self.segments = segments
        self.changes = changes
        self.speakerCount = speakerCount
        self.countGiven = countGiven
    }

    public static let empty = SpeakerDiarization(segments: [], changes: [], speakerCount: 0, countGiven: false)
}
