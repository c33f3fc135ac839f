/// A stretch of time with a confidence: a pause between speech, or music
/// without speech (intro music, a jingle, a break).
public struct ScoredSpan: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    /// 0…1. For a pause: how far below the speech threshold it stayed, and
    /// for how long; for music: the share of tonal frames.
    public var confidence: Double

    public init(start: Double, end: Double, confidence: Double) {
        self.start = start
        self.end = end
        self.confidence = confidence
    }

    public var duration: Double { end - start }
}

public typealias Pause = ScoredSpan
public typealias MusicSpan = ScoredSpan

/// Frame ranges of one kind of activity, half-open, in frame indices.
public typealias FrameSpan = Range<Int>

/// What is happening when, for a whole episode: speech, pauses between speech,
/// and music. Speech spans are what the speaker and alignment stages read.
public struct SpeechActivity: Sendable {
    /// Frames classified as speech, in order, not overlapping.
    public var speechFrames: [FrameSpan]
    /// Pauses at least `PauseDetector.Parameters.minimumPause` long.
    public var pauses: [Pause]
    public var music: [MusicSpan]
    /// Speech-band level (dBFS) below which a frame counted as background,
    /// at the file's median noise floor; reported for diagnostics.
    public var noiseFloor: Double
    /// Typical active speech level (dBFS).
    public var speechLevel: Double

    public init(speechFrames: [FrameSpan], pauses: [Pause], music: [MusicSpan],
                noiseFloor: Double, speechLevel: Double) {
        self.speechFrames = speechFrames
        self.pauses = pauses
        self.music = music
        self.noiseFloor = noiseFloor
        self.speechLevel = speechLevel
    }
}
