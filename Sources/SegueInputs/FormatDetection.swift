extension InputReader {
    /// Detects the format from the first meaningful lines. Anything unrecognised is `.text`
    /// (show-notes pages, descriptions, plain transcripts), which is the most forgiving parser.
    public static func detectFormat(_ lines: [String]) -> InputFormat {
        // Only the start of each line matters for detection; capping keeps one huge line cheap.
        var head: [String] = []
        for line in lines where head.count < 12 {
            let start = String(line.unicodeScalars.prefix(200)).trimmingBlanks()
            if !start.isEmpty { head.append(start) }
        }
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
        let upperHead = head.map { $0.uppercased() }
        if upperHead.allSatisfy({ line in cueWords.contains { line.hasPrefix($0) } || line.hasPrefix("INDEX ") }),
           upperHead.contains(where: { $0.hasPrefix("TRACK ") }) {
            return .cueSheet
        }
        let entries = head.filter { !$0.hasPrefix("#") }
        if !entries.isEmpty, entries.allSatisfy(Mp4chaps.isEntry) { return .mp4chaps }
        return .text
    }
}
