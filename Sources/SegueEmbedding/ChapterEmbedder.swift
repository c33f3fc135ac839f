import Foundation
import SegueFormats

/// Audio containers that carry chapters inside the file.
public enum ChapterContainer: String, Sendable, Codable, CaseIterable {
    /// ID3v2 `CTOC` and `CHAP` frames (ID3v2 Chapter Frame Addendum 1.0).
    case mp3 = "MP3"
    /// Nero `chpl` plus a QuickTime chapter text track (MP4, M4A, M4B).
    case mp4 = "MP4"
    /// `CHAPTERxxx` Vorbis comments in the VORBIS_COMMENT block (Xiph Chapter Extension).
    case flac = "FLAC"
    /// `CHAPTERxxx` Vorbis comments in the comment header packet.
    case oggVorbis = "Ogg Vorbis"
    /// `CHAPTERxxx` Vorbis comments in the OpusTags packet (RFC 7845 §5.2).
    case opus = "Ogg Opus"
}

/// How `embed` treats the file it writes into.
public struct EmbedOptions: Sendable, Equatable {
    /// Replace chapters the file already has; without it, such a file is refused.
    public var replace: Bool
    /// ID3v2 major version (3 or 4) for a new tag in an MP3. An existing tag keeps its version.
    public var id3Version: Int
    /// The audio's duration in seconds, for the last chapter's end where the container needs one
    /// (ID3 `CHAP`, the MP4 chapter track) and the chapter list gives none.
    public var duration: Double?

    public init(replace: Bool = false, id3Version: Int = 3, duration: Double? = nil) {
        self.replace = replace
        self.id3Version = id3Version
        self.duration = duration
    }
}

/// Chapters found inside an audio file.
public struct EmbeddedChapters: Sendable, Equatable {
    public var container: ChapterContainer
    public var chapters: [Chapter]
    /// The audio's duration when the container states it cheaply (MP4 `mvhd`, FLAC STREAMINFO, Ogg granule position).
    public var duration: Double?

    public init(container: ChapterContainer, chapters: [Chapter], duration: Double? = nil) {
        self.container = container
        self.chapters = chapters
        self.duration = duration
    }
}

/// Why a file could not be read or written. `description` is the one line the user sees.
public struct EmbedError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The audio file is missing, unreadable, truncated, corrupt or of a kind Segue cannot tag (exit 2).
        case unreadable
        /// The file is fine but the request cannot be done as asked, e.g. it already has chapters (exit 1).
        case refused
    }

    public let path: String
    public let kind: Kind
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Reads and writes chapters inside audio files. The audio itself is copied
/// byte for byte in bounded blocks and never decoded or held in memory; the
/// output is written to a temporary file beside it and renamed into place.
public enum ChapterEmbedder {
    /// The container of `url`, from its first bytes (not its name).
    public static func container(of url: URL) throws(EmbedError) -> ChapterContainer {
        let source = try SourceFile(url)
        return try detect(source)
    }

    /// The chapters already in `url`.
    public static func read(_ url: URL) throws(EmbedError) -> EmbeddedChapters {
        let source = try SourceFile(url)
        switch try detect(source) {
        case .mp3: return try ID3Chapters.read(source)
        case .mp4: return try MP4Chapters.read(source)
        case .flac: return try FLACChapters.read(source)
        case .oggVorbis, .opus: return try OggChapters.read(source)
        }
    }

    /// Writes a copy of `source` with `chapters` to `destination` (which may be `source` itself).
    /// Returns warnings for the user (e.g. a title shortened to fit the container).
    @discardableResult
    public static func embed(_ chapters: [Chapter], into source: URL, writingTo destination: URL,
                             options: EmbedOptions = EmbedOptions()) throws(EmbedError) -> [String] {
        let input = try SourceFile(source)
        let container = try detect(input)
        return try AtomicOutput.write(to: destination, path: destination.path) { (output) throws(EmbedError) -> [String] in
            switch container {
            case .mp3: return try ID3Chapters.embed(chapters, from: input, to: output, options: options)
            case .mp4: return try MP4Chapters.embed(chapters, from: input, to: output, options: options)
            case .flac: return try FLACChapters.embed(chapters, from: input, to: output, options: options)
            case .oggVorbis, .opus: return try OggChapters.embed(chapters, from: input, to: output, options: options)
            }
        }
    }

    static func detect(_ source: SourceFile) throws(EmbedError) -> ChapterContainer {
        let head = try source.bytes(at: 0, count: min(64, source.size))
        func starts(_ text: String, at offset: Int = 0) -> Bool {
            let magic = Array(text.utf8)
            return head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if source.size == 0 { throw source.unreadable("file is empty (0 bytes)") }
        if starts("fLaC") { return .flac }
        if starts("OggS") {
            if head.count >= 36, starts("OpusHead", at: 28) { return .opus }
            if head.count >= 35, starts("vorbis", at: 29) { return .oggVorbis }
            throw source.unreadable("Ogg stream is neither Vorbis nor Opus; only those carry chapters here")
        }
        if starts("ftyp", at: 4) { return .mp4 }
        if starts("ID3") { return .mp3 }
        // An MP3 without a tag starts with a frame sync: 11 set bits, MPEG layer III.
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0, head[1] & 0x06 == 0x02 { return .mp3 }
        throw source.unreadable("not an MP3, MP4/M4A, FLAC, Ogg Vorbis or Opus file; chapters can be embedded only in those")
    }
}
