/// A pause between speech: start and end in seconds, and how sure we are.
public struct Pause: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    /// 0…1: how far below the speech threshold the pause stayed, and for how long.
    public var confidence: Double

    public init(start: Double, end: Double, confidence: Double) {
        self.start = start
        self.end = end
        self.confidence = confidence
    }

    public var duration: Double { end - start }
}

/// A stretch of music without speech (intro music, a jingle, a music break).
public struct MusicSpan: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    public var confidence: Double

    public init(start: Double, end: Double, confidence: Double) {
        self.start = start
        self.end = end
        self.confidence = confidence
    }

    public var duration: Double { end - start }
}

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
