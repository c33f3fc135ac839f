import Foundation

/// What kind of file an input is. Detected from content, never from the file name.
public enum InputFormat: String, Sendable, Codable, Equatable, CaseIterable {
    /// A show-notes page, timeline, YouTube-style description or plain transcript.
    case text
    case webVTT = "webvtt"
    case srt
    case podcastJSONTranscript = "podcast-json-transcript"
    case podcastJSONChapters = "podcast-json-chapters"
    case podloveSimpleChapters = "podlove-simple-chapters"
    case ffmetadata
    case webVTTChapters = "webvtt-chapters"
    case mp4chaps
    case cueSheet = "cue"
    case matroskaXML = "matroska-xml"
    /// `CHAPTER01=00:00:00.000` / `CHAPTER01NAME=…` (Vorbis comments, mkvmerge simple chapters).
    case simpleChapters = "simple-chapters"

    /// True for the formats Segue writes as chapter files.
    public var isChapterFile: Bool {
        switch self {
        case .podcastJSONChapters, .podloveSimpleChapters, .ffmetadata, .webVTTChapters, .mp4chaps, .cueSheet,
             .matroskaXML, .simpleChapters: true
        case .text, .webVTT, .srt, .podcastJSONTranscript: false
        }
    }
}

/// How to read an input.
public struct ParseOptions: Sendable, Equatable {
    /// Speaker names given by the user; when set, only these labels start turns.
    public var speakers: [String]?
    /// Episode length in seconds, to flag headings or hints past the end.
    public var episodeDuration: Double?
    /// Promote warnings to errors (`--strict`).
    public var strict: Bool

    public init(speakers: [String]? = nil, episodeDuration: Double? = nil, strict: Bool = false) {
        self.speakers = speakers
        self.episodeDuration = episodeDuration
        self.strict = strict
    }
}

/// Everything Segue understood from one input file: what `segue parse` prints and later stages consume.
public struct InputDocument: Sendable, Codable, Equatable {
    public var file: String
    public var format: InputFormat
    public var encoding: TextEncoding
    public var lineEnding: LineEnding
    public var timeline: Timeline
    public var transcript: Transcript
    /// Speakers in order of appearance with turn and word counts (derived from ``transcript``).
    public var speakers: [SpeakerSummary]
    public var diagnostics: [InputDiagnostic]

    public init(file: String, format: InputFormat, encoding: TextEncoding, lineEnding: LineEnding,
                timeline: Timeline, transcript: Transcript, diagnostics: [InputDiagnostic]) {
        self.file = file
        self.format = format
        self.encoding = encoding
        self.lineEnding = lineEnding
        self.timeline = timeline
        self.transcript = transcript
        self.speakers = transcript.speakers
        self.diagnostics = diagnostics
    }

    public var errors: [InputDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [InputDiagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Stable JSON (sorted keys, pretty-printed, unescaped slashes, trailing newline): the `--json` output and golden format.
    public func jsonData() throws -> Data {
        do {
            return Data(try DocumentJSON.encode(self))
        } catch {
            // Infinite or NaN times: let JSONEncoder report them, with the key path, as it always has.
            return try jsonDataFromJSONEncoder()
        }
    }

    private func jsonDataFromJSONEncoder() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
