extension InputReader {
    /// Detects the format from the first meaningful lines. Anything unrecognised is `.text`
    /// (show-notes pages, descriptions, plain transcripts), which is the most forgiving parser.
    public static func detectFormat(_ lines: [String]) -> InputFormat {
        let head = lines.lazy.map { $0.trimmingBlanks() }.filter { !$0.isEmpty }.prefix(12).map { $0 }
        guard let first = head.first else { return .text }
        if first.hasPrefix("WEBVTT") {
            return CueFile.looksLikeChapters(lines) ? .webVTTChapters : .webVTT
        }
        if first.hasPrefix(";FFMETADATA") { return .ffmetadata }
        if first.hasPrefix("{") {
            let prefix = lines.prefix(200).joined(separator: "\n")
            if prefix.contains("\"segments\"") { return .podcastJSONTranscript }
            if prefix.contains("\"chapters\"") { return .podcastJSONChapters }
            return .text
        }
        if first.hasPrefix("<") {
            let prefix = lines.prefix(400).joined(separator: "\n")
            if prefix.contains("ChapterAtom") || prefix.contains("<Chapters") { return .matroskaXML }
            if prefix.contains("simple-chapters") || prefix.contains(":chapter ") || prefix.contains("<chapter ") {
                return .podloveSimpleChapters
            }
            return .text
        }
        if head.count >= 2, Int(first) != nil, head[1].contains("-->") { return .srt }
        if first.uppercased().hasPrefix("CHAPTER"), first.contains("=") { return .simpleChapters }
        let cueWords = ["REM ", "PERFORMER ", "TITLE ", "FILE ", "TRACK ", "CATALOG ", "SONGWRITER "]
        if head.allSatisfy({ line in cueWords.contains { line.uppercased().hasPrefix($0) } || line.uppercased().hasPrefix("INDEX ") }),
           lines.contains(where: { $0.trimmingBlanks().uppercased().hasPrefix("TRACK ") }) {
            return .cueSheet
        }
        let entries = head.filter { !$0.hasPrefix("#") }
        if !entries.isEmpty, entries.allSatisfy(Mp4chaps.isEntry) { return .mp4chaps }
        return .text
    }
}
