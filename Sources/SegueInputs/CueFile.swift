/// The cue blocks shared by WebVTT and SRT: a timing line `start --> end`, then payload lines, then a blank line.
struct Cue {
    var start: Double
    var end: Double
    var payload: [String]
    /// 1-based line of the timing line and of the last payload line.
    var line: Int
    var lastLine: Int
}

enum CueFile {
    static func read(lines: [String], log: inout DiagnosticLog) -> [Cue] {
        var cues: [Cue] = []
        var index = 0
        let isVTT = lines.first?.trimmingBlanks().hasPrefix("WEBVTT") == true
        if isVTT {
            while index < lines.count, !lines[index].isBlankLine { index += 1 }  // header and its metadata lines
        }
        while index < lines.count {
            while index < lines.count, lines[index].isBlankLine { index += 1 }
            guard index < lines.count else { break }
            let blockStart = index
            var block: [String] = []
            while index < lines.count, !lines[index].isBlankLine {
                block.append(lines[index])
                index += 1
            }
            let head = block[0].trimmingBlanks()
            if isVTT, head.hasPrefix("NOTE") || head == "STYLE" || head == "REGION" { continue }
            guard let timing = block.prefix(2).firstIndex(where: { $0.contains("-->") }) else {
                // Point at the line that should have been the timing line (after an SRT number or a VTT cue id).
                let line = block.count > 1 ? blockStart + 2 : blockStart + 1
                log.error(line, "expected a cue timing line like '00:00:01.000 --> 00:00:04.000'")
                continue
            }
            let parts = block[timing].components(separatedBy: "-->")
            guard parts.count == 2,
                  let start = ClockTime.parse(parts[0]),
                  let end = ClockTime.parse(parts[1].trimmingBlanks().split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
            else {
                log.error(blockStart + timing + 1, "malformed cue timing '\(block[timing].trimmingBlanks())': expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm'")
                continue
            }
            if end < start {
                log.warning(blockStart + timing + 1, "cue ends (\(formatClock(end))) before it starts (\(formatClock(start)))")
            }
            let payload = Array(block[(timing + 1)...])
            cues.append(Cue(start: start, end: end, payload: payload, line: blockStart + timing + 1,
                            lastLine: blockStart + block.count))
        }
        return cues
    }

    /// A chapters track: no voices, one short line per cue, cues long enough to be chapters.
    static func looksLikeChapters(_ lines: [String]) -> Bool {
        var log = DiagnosticLog(file: "")
        let cues = read(lines: lines, log: &log)
        guard !cues.isEmpty else { return false }
        // "WEBVTT Chapters" (as Segue writes it) says so; otherwise judge by the cues.
        if let header = lines.first, header.hasPrefix("WEBVTT"), header.lowercased().contains("chapters") { return true }
        if lines.contains(where: { $0.contains("<v ") || $0.contains("<v.") }) { return false }
        guard cues.allSatisfy({ $0.payload.count == 1 && $0.payload[0].count <= 120 }) else { return false }
        let total = cues.reduce(0.0) { $0 + max(0, $1.end - $1.start) }
        return total / Double(cues.count) >= 20
    }

    /// Removes markup tags (`<b>`, `<c.x>`, timestamps `<00:01.000>`) and decodes character references.
    /// A `<` with no `>` after it is text (SRT has no escapes: "I <3 it"), not the start of a tag.
    static func plainText(_ text: String) -> String {
        var out = ""
        var inTag = false
        let lastClose = text.lastIndex(of: ">")
        for index in text.indices {
            let c = text[index]
            if c == "<", !inTag, let close = lastClose, close > index { inTag = true; continue }
            if c == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(c) }
        }
        return XMLText.decodeEntities(out)
    }

    /// `<v Name>` or `<v.class Name>` at the start of a payload.
    static func voice(_ text: String) -> String? {
        let trimmed = text.trimmingBlanks()
        guard trimmed.hasPrefix("<v"), let close = trimmed.firstIndex(of: ">") else { return nil }
        let inside = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<close]
        guard inside.first == " " || inside.first == "." || inside.first == "\t" else { return nil }
        let afterClasses = inside.drop { $0 != " " && $0 != "\t" }
        let name = XMLText.decodeEntities(String(afterClasses)).trimmingBlanks()
        return name.isEmpty ? nil : name
    }
}
