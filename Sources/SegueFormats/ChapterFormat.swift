import Foundation

/// The chapter files Segue writes, by the names `--format` and `--to` take.
public enum ChapterFormat: String, CaseIterable, Sendable, Codable {
    /// Podcasting 2.0 JSON chapters, version 1.2.0.
    case podcastJSON = "podcast-json"
    /// Podlove Simple Chapters (XML, Normal Play Time).
    case psc
    /// FFmpeg's `;FFMETADATA1` file, for `ffmpeg -i ep -i meta -map_chapters 1`.
    case ffmetadata
    /// A WebVTT chapters track (`<track kind="chapters">`).
    case chaptersVTT = "chapters-vtt"
    /// mp4v2's `mp4chaps` text, `HH:MM:SS.mmm Title`.
    case mp4chaps
    /// Vorbis-comment chapters, `CHAPTER001=HH:MM:SS.mmm` and `CHAPTER001NAME=`.
    case vorbis
    /// A CUE sheet, one track per chapter.
    case cue
    /// Matroska chapters XML, as `mkvmerge --chapters` reads it.
    case matroska
    /// A YouTube, Spotify or Apple Podcasts description block, `0:00 Title`.
    case youtube

    /// What follows the episode's name in the output file's name.
    public var fileSuffix: String {
        switch self {
        case .podcastJSON: ".chapters.json"
        case .psc: ".psc.xml"
        case .ffmetadata: ".ffmetadata.txt"
        case .chaptersVTT: ".chapters.vtt"
        case .mp4chaps: ".chapters.txt"
        case .vorbis: ".vorbis.txt"
        case .cue: ".cue"
        case .matroska: ".matroska.xml"
        case .youtube: ".youtube.txt"
        }
    }

    /// A comma-separated list of names, or `all`. Throws a message naming the unknown name and the known ones.
    public static func list(_ text: String) throws(FormatListError) -> [ChapterFormat] {
        try FormatList.parse(text, all: allCases)
    }
}

/// The transcript files Segue writes, by the names `--format` and `--to` take.
public enum TranscriptFormat: String, CaseIterable, Sendable, Codable {
    /// WebVTT captions, each cue with a `<v Speaker>` voice.
    case vtt
    /// SubRip captions, each cue prefixed with `Speaker: `.
    case srt
    /// Podcasting 2.0 JSON transcript, version 1.0.0.
    case transcriptJSON = "transcript-json"
    /// Plain text, `[HH:MM:SS] Speaker: text` per line.
    case text

    public var fileSuffix: String {
        switch self {
        case .vtt: ".vtt"
        case .srt: ".srt"
        case .transcriptJSON: ".transcript.json"
        case .text: ".transcript.txt"
        }
    }

    public static func list(_ text: String) throws(FormatListError) -> [TranscriptFormat] {
        try FormatList.parse(text, all: allCases)
    }
}

public struct FormatListError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

enum FormatList {
    static func parse<F: RawRepresentable & CaseIterable & Equatable>(_ text: String, all: [F]) throws(FormatListError)
        -> [F] where F.RawValue == String {
        var formats: [F] = []
        for raw in text.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "all" {
                for format in all where !formats.contains(format) { formats.append(format) }
                continue
            }
            guard let format = F(rawValue: name) else {
                throw FormatListError(description: "unknown format '\(name)': expected one of "
                    + all.map(\.rawValue).joined(separator: ", ") + " or all")
            }
            if !formats.contains(format) { formats.append(format) }
        }
        guard !formats.isEmpty else {
            throw FormatListError(description: "no format given: expected one of "
                + all.map(\.rawValue).joined(separator: ", ") + " or all")
        }
        return formats
    }
}
