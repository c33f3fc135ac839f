import Foundation

/// What a chapter file needs beyond the chapters themselves.
public struct ChapterWriterOptions: Sendable, Equatable {
    /// The episode's length in seconds: the last chapter's end where a format needs one.
    public var duration: Double?
    /// The audio file a CUE sheet's `FILE` line names.
    public var audioFileName: String?
    /// The episode's title (JSON `title`, CUE `TITLE`, ffmetadata `title`), when known.
    public var title: String?
    /// YouTube rules (first at 0:00, each at least 10 s): merge short chapters and move the first to 0:00
    /// instead of only warning.
    public var fitPlatformRules: Bool

    public init(duration: Double? = nil, audioFileName: String? = nil, title: String? = nil,
                fitPlatformRules: Bool = false) {
        self.duration = duration
        self.audioFileName = audioFileName
        self.title = title
        self.fitPlatformRules = fitPlatformRules
    }
}

/// A chapter file's text, with what the user should know about it.
public struct RenderedFile: Sendable, Equatable {
    public var text: String
    public var warnings: [String]
}

public struct ChapterWriterError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
}

/// Writes chapters in every format of ``ChapterFormat``. Each format rounds times to its own unit
/// (ms, 1/75 s for CUE, whole seconds for descriptions), and text that a format cannot hold
/// (a line break in a line-based format) is flattened the same way every time, so that a file
/// written, read back and written again is byte-identical.
public enum ChapterWriter {
    public static func render(_ chapters: [Chapter], as format: ChapterFormat,
                              options: ChapterWriterOptions = ChapterWriterOptions()) throws(ChapterWriterError)
        -> RenderedFile {
        guard !chapters.isEmpty else { throw ChapterWriterError(description: "no chapters to write") }
        var warnings: [String] = []
        let ends = effectiveEnds(chapters, duration: options.duration)
        var entries = Array(zip(chapters, ends))
        if !format.canHideChapters {
            let hidden = entries.filter { !$0.0.listed }.count
            if hidden > 0 {
                warnings.append("\(hidden) unlisted chapter\(hidden == 1 ? "" : "s") (toc: false) left out: "
                    + "\(format.rawValue) cannot hide a chapter")
                entries = entries.filter { $0.0.listed }
            }
        }
        let text: String
        switch format {
        case .podcastJSON: text = podcastJSON(chapters, options: options)
        case .psc: text = psc(entries.map(\.0))
        case .ffmetadata: text = try ffmetadata(entries, options: options)
        case .chaptersVTT: text = try chaptersVTT(entries)
        case .mp4chaps: text = mp4chaps(entries.map(\.0))
        case .vorbis:
            text = try vorbis(entries.map(\.0))
            let links = entries.filter { $0.0.url != nil }.count
            if links > 0 {
                warnings.append("\(links) chapter link\(links == 1 ? "" : "s") left out: mkvmerge and FFmpeg read no "
                    + "CHAPTERxxxURL line in this file (embedded comments keep them)")
            }
        case .cue: text = cue(entries.map(\.0), options: options, warnings: &warnings)
        case .matroska: text = matroska(Array(zip(chapters, ends)))
        case .youtube: text = youtube(entries, options: options, warnings: &warnings)
        }
        return RenderedFile(text: text, warnings: warnings)
    }

    /// Each chapter's end: its own, else the next chapter's start, else the episode's end.
    public static func effectiveEnds(_ chapters: [Chapter], duration: Double?) -> [Double?] {
        chapters.indices.map { i in
            chapters[i].end ?? (i + 1 < chapters.count ? chapters[i + 1].start : duration)
        }
    }

    private static func requireEnd(_ end: Double?, of chapter: Chapter, format: String) throws(ChapterWriterError)
        -> Double {
        guard let end else {
            throw ChapterWriterError(description: "\(format) needs an end for the last chapter '\(chapter.title)': "
                + "give the episode (--episode FILE) or its length (--duration SECONDS)")
        }
        return end
    }

    // MARK: Formats

    private static func podcastJSON(_ chapters: [Chapter], options: ChapterWriterOptions) -> String {
        var out = "{\n  \"version\": \"1.2.0\",\n"
        if let title = options.title { out += "  \"title\": \"\(Escape.json(title))\",\n" }
        out += "  \"chapters\": ["
        for (n, chapter) in chapters.enumerated() {
            out += n == 0 ? "\n" : ",\n"
            var fields = ["\"startTime\": \(TimeText.decimalSeconds(chapter.start))"]
            if let end = chapter.end { fields.append("\"endTime\": \(TimeText.decimalSeconds(end))") }
            fields.append("\"title\": \"\(Escape.json(chapter.title))\"")
            if let url = chapter.url { fields.append("\"url\": \"\(Escape.json(url))\"") }
            if let image = chapter.image { fields.append("\"img\": \"\(Escape.json(image))\"") }
            if !chapter.listed { fields.append("\"toc\": false") }
            out += "    {\n" + fields.map { "      " + $0 }.joined(separator: ",\n") + "\n    }"
        }
        return out + "\n  ]\n}\n"
    }

    private static func psc(_ chapters: [Chapter]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<psc:chapters version=\"1.2\" xmlns:psc=\"http://podlove.org/simple-chapters\">\n"
        for chapter in chapters {
            out += "  <psc:chapter start=\"\(TimeText.clock(chapter.start))\" title=\"\(Escape.xml(chapter.title))\""
            if let url = chapter.url { out += " href=\"\(Escape.xml(url))\"" }
            if let image = chapter.image { out += " image=\"\(Escape.xml(image))\"" }
            out += "/>\n"
        }
        return out + "</psc:chapters>\n"
    }

    private static func ffmetadata(_ entries: [(Chapter, Double?)], options: ChapterWriterOptions)
        throws(ChapterWriterError) -> String {
        var out = ";FFMETADATA1\n"
        if let title = options.title { out += "title=\(Escape.ffmetadata(title))\n" }
        for (chapter, end) in entries {
            let stop = try requireEnd(end, of: chapter, format: "ffmetadata")
            out += "[CHAPTER]\nTIMEBASE=1/1000\nSTART=\(TimeText.milliseconds(chapter.start))\n"
            out += "END=\(TimeText.milliseconds(stop))\ntitle=\(Escape.ffmetadata(chapter.title))\n"
        }
        return out
    }

    private static func chaptersVTT(_ entries: [(Chapter, Double?)]) throws(ChapterWriterError) -> String {
        // The header text tells readers (Segue's among them) that these cues are chapters, not captions.
        var out = "WEBVTT Chapters\n"
        for (n, (chapter, end)) in entries.enumerated() {
            let stop = try requireEnd(end, of: chapter, format: "chapters-vtt")
            out += "\n\(n + 1)\n\(TimeText.clock(chapter.start)) --> \(TimeText.clock(stop))\n"
            out += Escape.vtt(Escape.oneLine(chapter.title)) + "\n"
        }
        return out
    }

    private static func mp4chaps(_ chapters: [Chapter]) -> String {
        chapters.map { chapter in
            var line = TimeText.clock(chapter.start) + " " + Escape.oneLine(chapter.title)
            if let url = chapter.url { line += " <\(Escape.oneLine(url))>" }
            return line + "\n"
        }.joined()
    }

    private static func vorbis(_ chapters: [Chapter]) throws(ChapterWriterError) -> String {
        guard chapters.count <= 999 else {
            throw ChapterWriterError(description: "Vorbis comments number chapters 001–999; there are \(chapters.count)")
        }
        return chapters.enumerated().map { n, chapter in
            let key = "CHAPTER" + TimeText.pad(Int64(n + 1), 3)
            return "\(key)=\(TimeText.clock(chapter.start))\n\(key)NAME=\(Escape.oneLine(chapter.title))\n"
        }.joined()
    }

    private static func cue(_ chapters: [Chapter], options: ChapterWriterOptions,
                            warnings: inout [String]) -> String {
        let file = options.audioFileName ?? "episode.wav"
        let type: String
        switch file.split(separator: ".").last?.lowercased() {
        case "mp3": type = "MP3"
        case "aif", "aiff": type = "AIFF"
        default: type = "WAVE"
        }
        if chapters.count > 99 { warnings.append("a CD holds at most 99 tracks; this CUE sheet has \(chapters.count)") }
        var out = ""
        if let title = options.title { out += "TITLE \"\(cueText(title))\"\n" }
        out += "FILE \"\(cueText(file))\" \(type)\n"
        for (n, chapter) in chapters.enumerated() {
            out += "  TRACK \(TimeText.pad(Int64(n + 1), 2)) AUDIO\n"
            out += "    TITLE \"\(cueText(chapter.title))\"\n"
            out += "    INDEX 01 \(TimeText.cueFrames(chapter.start))\n"
        }
        return out
    }

    /// CUE strings have no escapes: a line break becomes a space, and the quotes stay (readers take
    /// the text between the first and the last quote).
    private static func cueText(_ text: String) -> String { Escape.oneLine(text) }

    private static func matroska(_ entries: [(Chapter, Double?)]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE Chapters SYSTEM \"matroskachapters.dtd\">\n"
        out += "<Chapters>\n  <EditionEntry>\n"
        for (chapter, end) in entries {
            out += "    <ChapterAtom>\n"
            out += "      <ChapterTimeStart>\(TimeText.nanosecondClock(chapter.start))</ChapterTimeStart>\n"
            if let end { out += "      <ChapterTimeEnd>\(TimeText.nanosecondClock(end))</ChapterTimeEnd>\n" }
            if !chapter.listed { out += "      <ChapterFlagHidden>1</ChapterFlagHidden>\n" }
            out += "      <ChapterDisplay>\n"
            out += "        <ChapterString>\(Escape.xml(chapter.title))</ChapterString>\n"
            out += "        <ChapterLanguage>und</ChapterLanguage>\n"
            out += "      </ChapterDisplay>\n    </ChapterAtom>\n"
        }
        return out + "  </EditionEntry>\n</Chapters>\n"
    }

    /// Description chapters in whole seconds (`M:SS`, `H:MM:SS` from the first hour on), rounded down so
    /// a listener never lands after a topic's first word; checked against YouTube's rules after rounding (first at 0:00, at least three,
    /// each at least 10 s), which Spotify and Apple Podcasts share in part.
    private static func youtube(_ entries: [(Chapter, Double?)], options: ChapterWriterOptions,
                                warnings: inout [String]) -> String {
        var items = entries.map { (start: Int64(max(0, $0.0.start).rounded(.down)), title: Escape.oneLine($0.0.title)) }
        let end = options.duration.map { Int64($0.rounded(.down)) }
        if options.fitPlatformRules {
            if let first = items.first, first.start != 0 {
                items[0].start = 0
                warnings.append("moved the first chapter '\(first.title)' to 0:00")
            }
            var n = 1
            while n < items.count {
                let length = items[n].start - items[n - 1].start
                if length < 10 {
                    // Chapter n - 1 is too short: it absorbs chapter n and keeps its own heading.
                    warnings.append("merged '\(items[n].title)' into '\(items[n - 1].title)' (chapters under 10 s)")
                    items.remove(at: n)
                } else {
                    n += 1
                }
            }
            if let end, items.count > 1, let last = items.last, end - last.start < 10 {
                warnings.append("merged '\(last.title)' into '\(items[items.count - 2].title)' (chapters under 10 s)")
                items.removeLast()
            }
        }
        if let first = items.first, first.start != 0 {
            warnings.append("YouTube needs the first chapter at 0:00; it is at "
                + TimeText.description(wholeSeconds: first.start, withHours: false) + " (--fit-platform-rules moves it)")
        }
        if items.count < 3 {
            warnings.append("YouTube, Spotify and Apple need at least 3 chapters; there are \(items.count)")
        }
        for n in items.indices {
            let next = n + 1 < items.count ? items[n + 1].start : end
            if let next, next - items[n].start < 10 {
                warnings.append("chapter '\(items[n].title)' is \(next - items[n].start) s long; YouTube needs at "
                    + "least 10 s (--fit-platform-rules merges it)")
            }
        }
        return items.map { TimeText.description(wholeSeconds: $0.start, withHours: $0.start >= 3600) + " " + $0.title + "\n" }
            .joined()
    }
}

extension ChapterFormat {
    /// Formats that can mark a chapter as not listed (JSON `toc: false`, Matroska `ChapterFlagHidden`).
    var canHideChapters: Bool { self == .podcastJSON || self == .matroska }
}
