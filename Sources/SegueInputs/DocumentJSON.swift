/// Writes an ``InputDocument`` as the `--json` output and golden format: byte for byte what `JSONEncoder`
/// produces with `[.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]`, about ten times faster.
/// `JSONEncoder` builds a tree of boxed values first, which cost more than the whole parse on a 10 MB page.
///
/// Keys are written in `JSONEncoder`'s sorted order (byte order of the UTF-8) and `nil` optionals are left out,
/// as synthesised `Codable` does. A property added to a model type must be added here too;
/// `DocumentJSONTests` compares this writer with `JSONEncoder` and will say so.
enum DocumentJSON {
    static func encode(_ document: InputDocument) throws(JSONOutput.NonFiniteNumber) -> [UInt8] {
        var json = JSONOutput()
        // Turns dominate the output: each turn's text about four times over (text, sentences, spoken form) plus keys.
        json.reserveCapacity(document.transcript.turns.reduce(4096) { $0 + 4 * $1.text.utf8.count + 256 })
        json.beginObject()
        json.key("diagnostics")
        json.array(document.diagnostics) { json, diagnostic in write(diagnostic, to: &json) }
        json.key("encoding")
        json.string(document.encoding.rawValue)
        json.key("file")
        json.string(document.file)
        json.key("format")
        json.string(document.format.rawValue)
        json.key("lineEnding")
        json.string(document.lineEnding.rawValue)
        json.key("speakers")
        json.array(document.speakers) { json, speaker in write(speaker, to: &json) }
        json.key("timeline")
        json.beginObject()
        json.key("headings")
        try json.array(document.timeline.headings) { json, heading throws(JSONOutput.NonFiniteNumber) in
            try write(heading, to: &json)
        }
        json.endObject()
        json.key("transcript")
        json.beginObject()
        json.key("turns")
        try json.array(document.transcript.turns) { json, turn throws(JSONOutput.NonFiniteNumber) in
            try write(turn, to: &json)
        }
        json.endObject()
        json.endObject()
        json.newline()
        return json.bytes
    }

    private static func write(_ diagnostic: InputDiagnostic, to json: inout JSONOutput) {
        json.beginObject()
        json.key("file")
        json.string(diagnostic.file)
        if let line = diagnostic.line {
            json.key("line")
            json.number(line)
        }
        json.key("message")
        json.string(diagnostic.message)
        json.key("severity")
        json.string(diagnostic.severity.rawValue)
        json.endObject()
    }

    private static func write(_ speaker: SpeakerSummary, to json: inout JSONOutput) {
        json.beginObject()
        json.key("name")
        json.string(speaker.name)
        json.key("turns")
        json.number(speaker.turns)
        json.key("words")
        json.number(speaker.words)
        json.endObject()
    }

    private static func write(_ heading: TimelineHeading, to json: inout JSONOutput) throws(JSONOutput.NonFiniteNumber) {
        json.beginObject()
        if let endTime = heading.endTime {
            json.key("endTime")
            try json.number(endTime)
        }
        if let image = heading.image {
            json.key("image")
            json.string(image)
        }
        json.key("line")
        json.number(heading.line)
        if let time = heading.time {
            json.key("time")
            try json.number(time)
        }
        json.key("title")
        json.string(heading.title)
        if let toc = heading.toc {
            json.key("toc")
            json.bool(toc)
        }
        if let url = heading.url {
            json.key("url")
            json.string(url)
        }
        json.endObject()
    }

    private static func write(_ turn: SpeakerTurn, to json: inout JSONOutput) throws(JSONOutput.NonFiniteNumber) {
        json.beginObject()
        if let endTimeHint = turn.endTimeHint {
            json.key("endTimeHint")
            try json.number(endTimeHint)
        }
        json.key("firstLine")
        json.number(turn.firstLine)
        json.key("lastLine")
        json.number(turn.lastLine)
        json.key("normalizedText")
        json.string(turn.normalizedText)
        json.key("sentences")
        json.array(turn.sentences) { json, sentence in json.string(sentence) }
        if let speaker = turn.speaker {
            json.key("speaker")
            json.string(speaker)
        }
        json.key("text")
        json.string(turn.text)
        if let timeHint = turn.timeHint {
            json.key("timeHint")
            try json.number(timeHint)
        }
        json.endObject()
    }
}

/// Pretty-printed JSON in `JSONEncoder`'s layout: two-space indent, `"key" : value`, and empty containers
/// written as an open bracket, two newlines and the close bracket.
struct JSONOutput {
    /// `JSONEncoder` refuses infinities and NaN by default; so does this writer.
    struct NonFiniteNumber: Error {
        var value: Double
    }

    private(set) var bytes: [UInt8] = []
    private var depth = 0
    /// No member or element has been written in the innermost open container yet.
    private var atContainerStart = false

    mutating func reserveCapacity(_ byteCount: Int) { bytes.reserveCapacity(byteCount) }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }

    mutating func key(_ name: StaticString) {
        startItem()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        append("\" : ")
    }

    mutating func array<C: Collection, E: Error>(_ items: C, _ element: (inout JSONOutput, C.Element) throws(E) -> Void) throws(E) {
        open(UInt8(ascii: "["))
        for item in items {
            startItem()
            try element(&self, item)
        }
        close(UInt8(ascii: "]"))
    }

    mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ value: Bool) {
        if value { append("true") } else { append("false") }
    }

    /// `JSONEncoder`'s spelling: Swift's shortest round-trip `description`, without a trailing `.0`.
    mutating func number(_ value: Double) throws(NonFiniteNumber) {
        guard value.isFinite else { throw NonFiniteNumber(value: value) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// A quoted string with `JSONEncoder`'s escapes: `\"`, `\\`, `\b \f \n \r \t`, `\u00XX` for the other
    /// control characters; `/` and non-ASCII are written as they are.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var copied = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[copied..<index]))
                appendEscape(for: byte)
                copied = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[copied...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func newline() { bytes.append(0x0A) }

    private mutating func appendEscape(for byte: UInt8) {
        switch byte {
        case 0x22: append(#"\""#)
        case 0x5C: append(#"\\"#)
        case 0x08: append(#"\b"#)
        case 0x0C: append(#"\f"#)
        case 0x0A: append(#"\n"#)
        case 0x0D: append(#"\r"#)
        case 0x09: append(#"\t"#)
        default:
            let hex = Array("0123456789abcdef".utf8)
            append(#"\u00"#)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }

    /// Appending a literal's bytes; `String.UTF8View` would take a slower generic path.
    private mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        bytes.append(0x0A)
        depth += 1
        atContainerStart = true
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        bytes.append(0x0A)
        indent()
        bytes.append(bracket)
        atContainerStart = false
    }

    /// The separator and indentation before a member or element.
    private mutating func startItem() {
        if !atContainerStart { append(",\n") }
        atContainerStart = false
        indent()
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }
}
