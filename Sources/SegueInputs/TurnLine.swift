/// Reads one transcript line as the start of a speaker turn, in the notations exports use:
/// `Name: text`, `Name (00:01:02): text`, `[00:01:02] Name: text`, `**Name:** text`,
/// and a header alone on its line, `Name  00:01:02` or `Name (00:01:02)` (Otter, Descript), with the text below.
///
/// This only says a line *looks like* a turn; whether `Name` is a speaker is decided on evidence
/// across the whole document (see ``SpeakerEvidence``).
enum TurnLine {
    struct Start: Equatable {
        var label: String
        var timeHint: Double?
        /// Text after the label on the same line (empty for a header line).
        var text: String
        /// The label stood alone with a time; the turn's text follows on the next lines.
        var isHeaderLine: Bool
    }

    static func read(_ line: String) -> Start? {
        let s = scalars(of: line)
        var i = TimelineLine.skipBlanks(s, 0)
        var timeHint: Double?
        // Time first: "[00:01:02] Name: text" or "(00:01:02) Name: text".
        if i < s.count, s[i] == "[" || s[i] == "(" {
            let close: Unicode.Scalar = s[i] == "[" ? "]" : ")"
            if case .time(let seconds, let end) = ClockTime.read(s, at: i + 1), end < s.count, s[end] == close {
                timeHint = seconds
                i = TimelineLine.skipBlanks(s, end + 1)
            }
        }
        if timeHint == nil, let header = readHeaderLine(s, from: i) { return header }
        let labelStart = i
        var j = i
        while j < s.count, j - labelStart <= 60, s[j] != ":", s[j] != "(", s[j] != "[" {
            j += 1
        }
        guard j < s.count, j > labelStart, j - labelStart <= 60 else {
            return nil
        }
        guard let label = cleanLabel(s[labelStart..<j]) else { return nil }
        var k = j
        // "Name (00:01:02): text" or "Name [00:01:02]: text" or header "Name (00:01:02)".
        if s[k] == "(" || s[k] == "[" {
            let close: Unicode.Scalar = s[k] == "(" ? ")" : "]"
            guard timeHint == nil, case .time(let seconds, let end) = ClockTime.read(s, at: k + 1),
                  end < s.count, s[end] == close else { return nil }
            timeHint = seconds
            k = end + 1
            while k < s.count, s[k] == "*" || s[k] == "_" { k += 1 }
            k = TimelineLine.skipBlanks(s, k)
            if k == s.count {
                return Start(label: label, timeHint: timeHint, text: "", isHeaderLine: true)
            }
            guard s[k] == ":" else { return nil }
        }
        // After the colon: end of line, or a blank, never "//" (URLs) or digits ("10:30").
        k += 1
        while k < s.count, s[k] == "*" || s[k] == "_" { k += 1 }
        guard k == s.count || isBlank(s[k]) else { return nil }
        let text = trimmedString(s[k...])
        return Start(label: label, timeHint: timeHint, text: text, isHeaderLine: false)
    }

    /// `Maya Okafor  00:01:02` alone on a line (Otter/Descript text export).
    private static func readHeaderLine(_ s: [Unicode.Scalar], from start: Int) -> Start? {
        var hi = s.count
        while hi > start, isBlank(s[hi - 1]) { hi -= 1 }
        var lo = hi
        while lo > start, ClockTime.digit(s[lo - 1]) != nil || s[lo - 1] == ":" || s[lo - 1] == "." { lo -= 1 }
        guard lo < hi, lo > start, isBlank(s[lo - 1]),
              case .time(let seconds, let end) = ClockTime.read(s, at: lo), end == hi,
              let label = cleanLabel(s[start..<lo]) else { return nil }
        return Start(label: label, timeHint: seconds, text: "", isHeaderLine: true)
    }

    /// A label must look like a name: starts with a capital letter, at most five words and 40 characters,
    /// no sentence punctuation. This is shape only; evidence decides later.
    static func cleanLabel(_ raw: ArraySlice<Unicode.Scalar>) -> String? {
        if raw.allSatisfy(\.isASCII) { return cleanASCIILabel(raw) }
        var text = makeString(raw).trimmingBlanks()
        // Markdown emphasis around the name: **Maya Okafor**: or *Maya*:
        while text.hasPrefix("*") || text.hasPrefix("_") { text.removeFirst() }
        while text.hasSuffix("*") || text.hasSuffix("_") { text.removeLast() }
        text = text.trimmingBlanks()
        guard let first = text.unicodeScalars.first, first.properties.isUppercase || isLetter(first) && !first.properties.isLowercase,
              text.unicodeScalars.count <= 40 else { return nil }
        let words = text.split(whereSeparator: { $0 == " " })
        guard words.count <= 5 else { return nil }
        for c in text.unicodeScalars {
            let ok = isLetter(c) || ClockTime.digit(c) != nil || c == " " || c == "." || c == "'"
                || c == "’" || c == "-" || c == "&" || c == "/"
            if !ok { return nil }
        }
        return words.joined(separator: " ")
    }

    /// ``cleanLabel(_:)`` for the usual all-ASCII label, where characters and scalars coincide:
    /// the same rules on the scalars, building only the result.
    private static func cleanASCIILabel(_ raw: ArraySlice<Unicode.Scalar>) -> String? {
        var lo = raw.startIndex, hi = raw.endIndex
        func trimBlanks() {
            while lo < hi, isBlank(raw[lo]) { lo += 1 }
            while hi > lo, isBlank(raw[hi - 1]) { hi -= 1 }
        }
        trimBlanks()
        while lo < hi, raw[lo] == "*" || raw[lo] == "_" { lo += 1 }
        while hi > lo, raw[hi - 1] == "*" || raw[hi - 1] == "_" { hi -= 1 }
        trimBlanks()
        let text = raw[lo..<hi]
        guard let first = text.first, ("A"..."Z").contains(first), text.count <= 40 else { return nil }
        var words = 0
        for (offset, c) in zip(text.indices, text) {
            let ok = isLetter(c) || ClockTime.digit(c) != nil || c == " " || c == "." || c == "'" || c == "-"
                || c == "&" || c == "/"
            if !ok { return nil }
            if c != " ", offset == lo || text[offset - 1] == " " { words += 1 }
        }
        guard words <= 5 else { return nil }
        // The words joined by single spaces.
        return String(unsafeUninitializedCapacity: text.count) { buffer in
            var count = 0
            for (offset, c) in zip(text.indices, text) where c != " " || text[offset + 1] != " " {
                buffer[count] = UInt8(truncatingIfNeeded: c.value)
                count += 1
            }
            return count
        }
    }
}
