import Foundation

/// Chapters read back from a chapter file, in file order.
public struct ChapterList: Sendable, Codable, Equatable {
    public var format: InputFormat
    public var chapters: [TimelineHeading]

    public init(format: InputFormat, chapters: [TimelineHeading]) {
        self.format = format
        self.chapters = chapters
    }
}

/// Reads existing chapter files in every format Segue writes, so `segue verify` can check them like a timeline.
public enum ChapterReader {
    /// Reads a decoded chapter file. The format is detected unless given.
    public static func read(_ decoded: DecodedText, file: String, format: InputFormat? = nil)
        -> (list: ChapterList, diagnostics: [InputDiagnostic]) {
        var log = DiagnosticLog(file: file)
        let list = read(lines: decoded.lines, format: format ?? InputReader.detectFormat(decoded.lines), log: &log)
        return (list, log.items)
    }

    static func read(lines: [String], format: InputFormat, log: inout DiagnosticLog) -> ChapterList {
        let chapters: [TimelineHeading]
        switch format {
        case .podcastJSONChapters: chapters = JSONChapters.read(lines: lines, log: &log)
        case .podloveSimpleChapters: chapters = Podlove.read(lines: lines, log: &log)
        case .ffmetadata: chapters = FFMetadata.read(lines: lines, log: &log)
        case .webVTTChapters, .webVTT:
            chapters = CueFile.read(lines: lines, log: &log).map { cue in
                TimelineHeading(title: CueFile.plainText(cue.payload.joined(separator: " ")).trimmingBlanks(),
                                time: cue.start, endTime: cue.end, line: cue.line)
            }
        case .mp4chaps: chapters = Mp4chaps.read(lines: lines, log: &log)
        case .cueSheet: chapters = CueSheet.read(lines: lines, log: &log)
        case .matroskaXML: chapters = MatroskaXML.read(lines: lines, log: &log)
        case .simpleChapters: chapters = SimpleChapters.read(lines: lines, log: &log)
        case .text, .srt, .podcastJSONTranscript:
            log.error(nil, "not a chapter file (detected \(format.rawValue))")
            chapters = []
        }
        if chapters.isEmpty, format.isChapterFile {
            log.warning(nil, "no chapters found in this \(format.rawValue) file")
        }
        return ChapterList(format: format, chapters: chapters)
    }
}

/// 1-based line where each JSON object at `depth` opens (the top-level object is depth 1), in order.
/// Lets findings about the n-th chapter or segment name its line even when keys are missing.
func jsonObjectLines(_ lines: [String], depth target: Int) -> [Int] {
    var result: [Int] = []
    var depth = 0, inString = false, escaped = false
    for (index, line) in lines.enumerated() {
        for c in line.utf8 {
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                continue
            }
            switch c {
            case 0x22: inString = true
            case 0x7B:
                depth += 1
                if depth == target { result.append(index + 1) }
            case 0x7D: depth -= 1
            default: break
            }
        }
    }
    return result
}

/// A JSON value that keeps booleans apart from numbers (Foundation's `Any` bridging does not on Linux).
enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var number: Double? { if case .number(let n) = self, n.isFinite { n } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
}

func parseJSONObject(_ lines: [String], log: inout DiagnosticLog) -> [String: JSONValue]? {
    let data = Data(lines.joined(separator: "\n").utf8)
    do {
        guard let object = try JSONDecoder().decode(JSONValue.self, from: data).object else {
            log.error(1, "expected a JSON object at the top level")
            return nil
        }
        return object
    } catch {
        log.error(nil, "not valid JSON: expected a Podcasting 2.0 chapters or transcript object")
        return nil
    }
}

enum JSONChapters {
    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        guard let object = parseJSONObject(lines, log: &log) else { return [] }
        guard let items = object["chapters"]?.array else {
            log.error(nil, "expected a \"chapters\" array")
            return []
        }
        let keyLines = jsonObjectLines(lines, depth: 2)
        var headings: [TimelineHeading] = []
        for (n, item) in items.enumerated() {
            let line = n < keyLines.count ? keyLines[n] : 1
            guard let chapter = item.object else {
                log.error(line, "chapter \(n + 1) is not a JSON object")
                continue
            }
            guard let start = chapter["startTime"]?.number, start >= 0 else {
                log.error(line, "chapter \(n + 1): expected \"startTime\" as a number of seconds")
                continue
            }
            let title = chapter["title"]?.string ?? ""
            var toc: Bool?
            if case .bool(let listed)? = chapter["toc"] { toc = listed }
            headings.append(TimelineHeading(title: title, time: start, endTime: chapter["endTime"]?.number,
                                            url: chapter["url"]?.string, image: chapter["img"]?.string,
                                            toc: toc, line: line))
        }
        return headings
    }
}

enum Podlove {
    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        var headings: [TimelineHeading] = []
        for token in XMLText.tokens(lines.joined(separator: "\n"), log: &log) {
            guard case .start(let name, let attributes, _, let line) = token,
                  name == "chapter" || name.hasSuffix(":chapter") else { continue }
            guard let startText = attributes["start"] else {
                log.error(line, "chapter has no start attribute: expected start=\"HH:MM:SS.mmm\"")
                continue
            }
            guard let start = ClockTime.parseNormalPlayTime(startText) else {
                log.error(line, "malformed start '\(startText)': expected Normal Play Time such as 00:01:02.500")
                continue
            }
            let title = attributes["title"] ?? ""
            if title.isEmpty { log.error(line, "chapter has no title attribute (Podlove requires one)") }
            headings.append(TimelineHeading(title: title, time: start, url: attributes["href"],
                                            image: attributes["image"], line: line))
        }
        return headings
    }
}

enum MatroskaXML {
    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        var headings: [TimelineHeading] = []
        var open: [Int] = []  // indices into headings for nested ChapterAtoms
        var element = ""
        for token in XMLText.tokens(lines.joined(separator: "\n"), log: &log) {
            switch token {
            case .start(let name, _, let selfClosing, let line):
                element = name
                if name == "ChapterAtom", !selfClosing {
                    open.append(headings.count)
                    headings.append(TimelineHeading(title: "", time: nil, line: line))
                }
            case .end(let name, let line):
                element = ""
                if name == "ChapterAtom", let index = open.popLast(), headings[index].time == nil {
                    log.error(line, "ChapterAtom starting on line \(headings[index].line) has no ChapterTimeStart")
                }
            case .text(let text, let line):
                guard let index = open.last else { continue }
                let value = text.trimmingBlanks()
                switch element {
                case "ChapterTimeStart", "ChapterTimeEnd":
                    guard let seconds = ClockTime.parse(value) else {
                        log.error(line, "malformed \(element) '\(value)': expected HH:MM:SS.nnnnnnnnn")
                        continue
                    }
                    if element == "ChapterTimeStart" { headings[index].time = seconds } else { headings[index].endTime = seconds }
                case "ChapterString":
                    if headings[index].title.isEmpty { headings[index].title = value }
                case "ChapterFlagHidden":
                    if value == "1" { headings[index].toc = false }
                default:
                    break
                }
            }
        }
        return headings.filter { $0.time != nil }
    }
}

enum FFMetadata {
    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        var headings: [TimelineHeading] = []
        var inChapter = false
        var timebase = (num: 1.0, den: 1e9)
        var start: Int64?, end: Int64?, title = "", sectionLine = 0
        func finish() {
            guard inChapter else { return }
            if let start {
                let seconds = { (ticks: Int64) in Double(ticks) * timebase.num / timebase.den }
                headings.append(TimelineHeading(title: title, time: seconds(start), endTime: end.map(seconds),
                                                line: sectionLine))
            } else {
                log.error(sectionLine, "[CHAPTER] has no START=: expected TIMEBASE=, START= and END= lines")
            }
        }
        var index = 0
        while index < lines.count {
            var line = lines[index]
            let lineNumber = index + 1
            index += 1
            // A value ending in an unescaped backslash continues on the next line.
            while line.hasSuffix("\\"), !line.hasSuffix("\\\\"), index < lines.count {
                line = String(line.dropLast()) + "\n" + lines[index]
                index += 1
            }
            if line.hasPrefix(";") || line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("[") {
                finish()
                inChapter = line.hasPrefix("[CHAPTER]")
                timebase = (1, 1e9); start = nil; end = nil; title = ""; sectionLine = lineNumber
                continue
            }
            guard inChapter else { continue }
            guard let eq = firstUnescapedEquals(line) else {
                log.error(lineNumber, "expected key=value in [CHAPTER] section")
                continue
            }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            switch key {
            case "TIMEBASE":
                let parts = value.split(separator: "/")
                guard parts.count == 2, let num = Double(parts[0]), let den = Double(parts[1]), num > 0, den > 0 else {
                    log.error(lineNumber, "malformed TIMEBASE '\(value)': expected num/den such as 1/1000")
                    continue
                }
                timebase = (num, den)
            case "START", "END":
                guard let ticks = Int64(value.trimmingBlanks()) else {
                    log.error(lineNumber, "malformed \(key) '\(value)': expected an integer number of TIMEBASE ticks")
                    continue
                }
                if key == "START" { start = ticks } else { end = ticks }
            case "title":
                title = unescape(value)
            default:
                break
            }
        }
        finish()
        return headings
    }

    private static func firstUnescapedEquals(_ line: String) -> String.Index? {
        var escaped = false
        for index in line.indices {
            let c = line[index]
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "=" { return index }
        }
        return nil
    }

    private static func unescape(_ value: String) -> String {
        var out = "", escaped = false
        for c in value {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}

enum Mp4chaps {
    /// `00:00:13.000 Interview with Ada` (also `00:01:59.000 Podlove <http://podlove.org/>`).
    static func isEntry(_ line: String) -> Bool {
        if case .heading = reading(line) { return true }
        return false
    }

    private static func reading(_ line: String) -> TimelineLine.Reading {
        let s = Array(line.unicodeScalars)
        let i = TimelineLine.skipBlanks(s, 0)
        // mp4chaps always writes HH:MM:SS.mmm; a bare "01:15 Title" list is a show-notes timeline.
        guard case .time(_, let end) = ClockTime.read(s, at: i), end < s.count, isBlank(s[end]),
              s[i..<end].filter({ $0 == ":" }).count == 2, s[i..<end].contains(".") else {
            return .none
        }
        return TimelineLine.read(line)
    }

    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        var headings: [TimelineHeading] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingBlanks()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            switch TimelineLine.read(line) {
            case .heading(let title, let time, _, let url):
                headings.append(TimelineHeading(title: title, time: time, url: url, line: index + 1))
            case .malformed(let text, let reason):
                log.error(index + 1, "malformed time '\(text)': \(reason)")
            case .none:
                log.error(index + 1, "expected a chapter line like '00:01:02.500 Title'")
            }
        }
        return headings
    }
}

enum CueSheet {
    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        var headings: [TimelineHeading] = []
        var track: (number: String, line: Int, title: String?, start: Double?)?
        func finish() {
            guard let t = track else { return }
            if let start = t.start {
                headings.append(TimelineHeading(title: t.title ?? "Track \(t.number)", time: start, line: t.line))
            } else {
                log.error(t.line, "TRACK \(t.number) has no INDEX 01: expected 'INDEX 01 mm:ss:ff'")
            }
        }
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingBlanks()
            let words = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard let command = words.first?.uppercased() else { continue }
            switch command {
            case "TRACK":
                finish()
                track = (words.count > 1 ? words[1] : "?", index + 1, nil, nil)
            case "TITLE" where track != nil:
                track?.title = unquote(String(line.dropFirst(5)))
            case "INDEX" where track != nil:
                guard words.count == 3 else {
                    log.error(index + 1, "expected 'INDEX 01 mm:ss:ff'")
                    continue
                }
                let parts = words[2].split(separator: ":").map { Int($0) }
                guard parts.count == 3, let m = parts[0], let s = parts[1], let f = parts[2], s < 60, f < 75 else {
                    log.error(index + 1, "malformed INDEX time '\(words[2])': expected mm:ss:ff with 75 frames per second")
                    continue
                }
                if words[1] == "01" || (words[1] == "00" && track?.start == nil) {
                    track?.start = Double(m * 60 + s) + Double(f) / 75
                }
            default:
                break
            }
        }
        finish()
        return headings
    }

    private static func unquote(_ text: String) -> String {
        var t = text.trimmingBlanks()
        if t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 { t = String(t.dropFirst().dropLast()) }
        return t
    }
}

enum SimpleChapters {
    /// `CHAPTER01=00:00:00.000`, `CHAPTER01NAME=Intro`, optional `CHAPTER01URL=…`.
    static func read(lines: [String], log: inout DiagnosticLog) -> [TimelineHeading] {
        var order: [String] = []
        var byNumber: [String: TimelineHeading] = [:]
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingBlanks()
            guard !trimmed.isEmpty else { continue }
            guard let eq = trimmed.firstIndex(of: "="), trimmed.uppercased().hasPrefix("CHAPTER") else {
                log.error(index + 1, "expected 'CHAPTERnn=HH:MM:SS.mmm' or 'CHAPTERnnNAME=Title'")
                continue
            }
            let key = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 7)..<eq].uppercased()
            let value = String(trimmed[trimmed.index(after: eq)...])
            let number = String(key.prefix { $0.isNumber })
            let suffix = key.dropFirst(number.count)
            guard !number.isEmpty else {
                log.error(index + 1, "expected a chapter number after CHAPTER")
                continue
            }
            if byNumber[number] == nil {
                order.append(number)
                byNumber[number] = TimelineHeading(title: "", time: nil, line: index + 1)
            }
            switch suffix {
            case "":
                guard let time = ClockTime.parse(value) else {
                    log.error(index + 1, "malformed time '\(value)': expected HH:MM:SS.mmm")
                    continue
                }
                byNumber[number]?.time = time
                byNumber[number]?.line = index + 1
            case "NAME": byNumber[number]?.title = value
            case "URL": byNumber[number]?.url = value
            default: break
            }
        }
        return order.compactMap { byNumber[$0] }.filter { $0.time != nil }
    }
}
