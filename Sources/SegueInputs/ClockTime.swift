/// Reading the clock notations podcasters type: `0:41`, `07:15`, `1:02:11`, `00:13.5`, `01:04:19,250`.
enum ClockTime {
    enum Reading: Equatable {
        case time(seconds: Double, end: Int)
        /// Looked like a timestamp but broke a rule; `reason` says what was expected.
        case malformed(text: String, reason: String, end: Int)
        case none
    }

    /// Reads a clock time starting at `start`. Two fields are minutes:seconds, three are hours:minutes:seconds
    /// (the rule every platform uses); a fraction may follow after `.` or `,`.
    static func read(_ s: [Unicode.Scalar], at start: Int) -> Reading {
        var fields: [Int] = []
        var widths: [Int] = []
        var i = start
        while true {
            let digitsStart = i
            var value = 0
            while i < s.count, let d = digit(s[i]), i - digitsStart < 9 {
                value = value * 10 + d
                i += 1
            }
            let width = i - digitsStart
            if width == 0 { break }
            fields.append(value)
            widths.append(width)
            if i + 1 < s.count, s[i] == ":", digit(s[i + 1]) != nil, fields.count < 4 {
                i += 1
            } else {
                break
            }
        }
        guard fields.count >= 2 else { return .none }
        var fraction = 0.0
        if i + 1 < s.count, s[i] == "." || s[i] == ",", digit(s[i + 1]) != nil {
            var digits = ""
            i += 1
            while i < s.count, digit(s[i]) != nil {
                if digits.count < 9 { digits.unicodeScalars.append(s[i]) }
                i += 1
            }
            fraction = Double("0." + digits) ?? 0
        }
        // A letter or digit glued to the end ("10:30am", "12:00:00:00") is not a timestamp we understand.
        let text = makeString(s[start..<i])
        if i < s.count, isLetter(s[i]) {
            return .none
        }
        if fields.count == 4 {
            return .malformed(text: text, reason: "expected MM:SS or H:MM:SS (four fields look like frames, which Segue does not read here)", end: i)
        }
        let seconds: Double
        if fields.count == 2 {
            guard widths[1] == 2, widths[0] <= 3 else {
                return .malformed(text: text, reason: "expected MM:SS with two-digit seconds", end: i)
            }
            guard fields[1] < 60 else {
                return .malformed(text: text, reason: "seconds must be below 60", end: i)
            }
            seconds = Double(fields[0] * 60 + fields[1])
        } else {
            guard widths[1] == 2, widths[2] == 2, widths[0] <= 3 else {
                return .malformed(text: text, reason: "expected H:MM:SS with two-digit minutes and seconds", end: i)
            }
            guard fields[1] < 60, fields[2] < 60 else {
                return .malformed(text: text, reason: "minutes and seconds must be below 60", end: i)
            }
            seconds = Double(fields[0] * 3600 + fields[1] * 60 + fields[2])
        }
        return .time(seconds: seconds + fraction, end: i)
    }

    /// Reads a whole string as one clock time (surrounding blanks allowed).
    static func parse(_ text: some StringProtocol) -> Double? {
        let s = scalars(of: text)
        var i = 0
        while i < s.count, isBlank(s[i]) { i += 1 }
        guard case .time(let seconds, var end) = read(s, at: i) else { return nil }
        while end < s.count, isBlank(s[end]) { end += 1 }
        return end == s.count ? seconds : nil
    }

    /// Normal Play Time (Podlove): plain seconds `94.5`, `MM:SS(.fff)` or `H:MM:SS(.fff)`.
    static func parseNormalPlayTime(_ text: some StringProtocol) -> Double? {
        let trimmed = text.trimmingBlanks()
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite, !trimmed.contains(":") {
            return seconds
        }
        return parse(trimmed)
    }

    @inline(__always)
    static func digit(_ c: Unicode.Scalar) -> Int? {
        let v = c.value
        return v >= 48 && v <= 57 ? Int(v - 48) : nil
    }
}

/// Blank in the sense of a show-notes page: spaces, tabs, NBSP, narrow NBSP, zero-width spaces, BOM.
@inline(__always)
func isBlank(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x20, 0x09, 0x0B, 0x0C, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000, 0xFEFF, 0x2060:
        return true
    default:
        return false
    }
}

/// Letter test with an ASCII fast path (Unicode property lookups dominate profiles otherwise).
@inline(__always)
func isLetter(_ c: Unicode.Scalar) -> Bool {
    if c.value < 128 {
        let lower = c.value | 0x20
        return lower >= 97 && lower <= 122
    }
    return c.properties.isAlphabetic
}

extension StringProtocol {
    /// Trims every kind of blank, including the non-breaking spaces web pages put on "empty" lines.
    func trimmingBlanks() -> String {
        // Fast path: most lines have nothing to trim.
        if let first = unicodeScalars.first, let last = unicodeScalars.last, !isBlank(first), !isBlank(last) {
            return String(self)
        }
        let view = unicodeScalars
        var lo = view.startIndex, hi = view.endIndex
        while lo < hi, isBlank(view[lo]) { lo = view.index(after: lo) }
        while hi > lo {
            let before = view.index(before: hi)
            guard isBlank(view[before]) else { break }
            hi = before
        }
        return String(String.UnicodeScalarView(view[lo..<hi]))
    }

    /// True for empty lines and lines of only blanks (NBSP separator lines count).
    var isBlankLine: Bool { unicodeScalars.allSatisfy(isBlank) }
}

/// Formats seconds as `H:MM:SS` or `M:SS` (with `.mmm` when there is a fraction), for messages and tables.
public func formatClock(_ seconds: Double) -> String {
    let millis = Int((seconds * 1000).rounded())
    let h = millis / 3_600_000, m = millis / 60_000 % 60, s = millis / 1000 % 60, ms = millis % 1000
    var text = h > 0 ? "\(h):" + pad2(m) + ":" + pad2(s) : "\(m):" + pad2(s)
    if ms != 0 {
        let f = String(ms)
        text += "." + String(repeating: "0", count: 3 - f.count) + f
    }
    return text
}

private func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
