import Foundation
import SegueAudio
import SeguePauses

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

    public var version: String
    public var file: String
    public var audio: Audio
    public var settings: Settings
    public var pauses: [Span]
    public var music: [Span]
    public var speech: [Span]
    public var warnings: [String]

    public init(file: String, audio: AudioInfo, hop: Double, window: Double, minimumPause: Double,
                activity: SpeechActivity, speech: [(start: Double, end: Double)], warnings: [String]) {
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
