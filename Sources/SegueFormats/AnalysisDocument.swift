import Foundation
import SegueAudio
import SeguePauses
import SegueSpeakers

/// The `EPISODE.analysis.json` file: what Segue found in one episode.
/// Times are seconds rounded to the millisecond; keys are stable and sorted
/// so that files can be compared byte for byte.
public struct AnalysisDocument: Codable, Sendable, Equatable {
    public struct Audio: Codable, Sendable, Equatable {
        public var container: String
        public var encoding: String
        public var sampleRate: Int
        public var channels: Int
        public var frames: Int64
        public var duration: Double
    }

    public struct Settings: Codable, Sendable, Equatable {
        /// Frame hop and window in seconds.
        public var hop: Double
        public var window: Double
        public var minimumPause: Double
        /// Median adaptive noise floor and speech level, dBFS in the speech band.
        public var noiseFloorDB: Double
        public var speechLevelDB: Double
    }

    public struct Span: Codable, Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var duration: Double
        public var confidence: Double?

        public init(start: Double, end: Double, confidence: Double? = nil) {
            self.start = Seconds.rounded(start)
            self.end = Seconds.rounded(end)
            self.duration = Seconds.rounded(end - start)
            self.confidence = confidence.map { Seconds.rounded($0) }
        }
    }

    /// One speaker segment; `overlap` marks a short interjection over
    /// another speaker's turn (which continues underneath).
    public struct SpeakerSpan: Codable, Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var duration: Double
        public var speaker: String
        public var confidence: Double
        public var overlap: Bool

        public init(_ segment: SpeakerSegment) {
            start = Seconds.rounded(segment.start)
            end = Seconds.rounded(segment.end)
            duration = Seconds.rounded(segment.end - segment.start)
            speaker = segment.speaker
            confidence = Seconds.rounded(segment.confidence)
            overlap = segment.overlap
        }
    }

    public struct Speakers: Codable, Sendable, Equatable {
        /// Number of speakers found.
        public var count: Int
        /// True when the count was given (`--speakers N`), false when estimated.
        public var countGiven: Bool
        /// Times where a different speaker starts.
        public var changes: [Double]
        public var segments: [SpeakerSpan]

        public init(_ diarization: SpeakerDiarization) {
            count = diarization.speakerCount
            countGiven = diarization.countGiven
            changes = diarization.changes.map { Seconds.rounded($0) }
            segments = diarization.segments.map(SpeakerSpan.init)
        }
    }

    public var version: String
    public var file: String
    public var audio: Audio
    public var settings: Settings
    public var pauses: [Span]
    public var music: [Span]
    public var speech: [Span]
    /// Absent when the speaker stage did not run.
    public var speakers: Speakers?
    /// Present when a transcript was aligned (`segue align`).
    public var alignment: AlignmentSection?
    public var warnings: [String]

    public init(file: String, audio: AudioInfo, hop: Double, window: Double, minimumPause: Double,
                activity: SpeechActivity, speech: [(start: Double, end: Double)],
                speakers: SpeakerDiarization? = nil, warnings: [String]) {
        version = SegueVersion.string
        self.file = file
        self.audio = Audio(container: audio.container, encoding: audio.encoding, sampleRate: audio.sampleRate,
                           channels: audio.channels, frames: audio.frameCount, duration: Seconds.rounded(audio.duration))
        settings = Settings(hop: Seconds.rounded(hop, places: 6), window: Seconds.rounded(window, places: 6),
                            minimumPause: minimumPause,
                            noiseFloorDB: Seconds.rounded(activity.noiseFloor, places: 1),
                            speechLevelDB: Seconds.rounded(activity.speechLevel, places: 1))
        pauses = activity.pauses.map { Span(start: $0.start, end: $0.end, confidence: $0.confidence) }
        music = activity.music.map { Span(start: $0.start, end: $0.end, confidence: $0.confidence) }
        self.speech = speech.map { Span(start: $0.start, end: $0.end) }
        self.speakers = speakers.map(Speakers.init)
        self.warnings = warnings
    }

    public func encoded() throws -> Data {
        try JSONOutput.encode(self)
    }
}

/// JSON as Segue writes it everywhere: pretty, sorted keys, no escaped slashes.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}

public enum Seconds {
    /// Rounds to `places` decimals (milliseconds by default).
    public static func rounded(_ value: Double, places: Int = 3) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}

public enum SegueVersion {
    public static let string = "0.1.0"
}
