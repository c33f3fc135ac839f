/// Times as each format spells them, from a whole number of units so that
/// writing, reading back and writing again gives the same bytes.
enum TimeText {
    /// Seconds rounded to whole milliseconds (half away from zero).
    static func milliseconds(_ seconds: Double) -> Int64 { Int64((max(0, seconds) * 1000).rounded()) }

    /// `HH:MM:SS.mmm` (hours at least two digits). `separator` is `,` for SRT.
    static func clock(_ seconds: Double, separator: Character = ".") -> String {
        let ms = milliseconds(seconds)
        let h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, f = ms % 1000
        return "\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2))\(separator)\(pad(f, 3))"
    }

    /// `HH:MM:SS.nnnnnnnnn`, Matroska's XML notation, from whole milliseconds.
    static func nanosecondClock(_ seconds: Double) -> String { clock(seconds) + "000000" }

    /// Seconds as the shortest decimal of whole milliseconds: `13`, `13.5`, `0.001`.
    static func decimalSeconds(_ seconds: Double) -> String {
        let ms = milliseconds(seconds)
        var text = String(ms / 1000)
        let fraction = ms % 1000
        if fraction != 0 {
            var digits = pad(fraction, 3)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    /// CUE `mm:ss:ff`: 75 frames per second, minutes not wrapped into hours.
    static func cueFrames(_ seconds: Double) -> String {
        let frames = Int64((max(0, seconds) * 75).rounded())
        return "\(pad(frames / 4500, 2)):\(pad(frames / 75 % 60, 2)):\(pad(frames % 75, 2))"
    }

    /// `M:SS`, or `H:MM:SS` when `withHours`: the notation of video and podcast descriptions.
    static func description(wholeSeconds s: Int64, withHours: Bool) -> String {
        withHours ? "\(s / 3600):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2))" : "\(s / 60):\(pad(s % 60, 2))"
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Escapes for the text inside each format.
enum Escape {
    /// JSON string contents: `"`, `\` and control characters.
    static func json(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// XML text and attribute values; line breaks and tabs as character references so attributes keep them.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// WebVTT cue text: `&`, `<` and `>` as references (so `-->` cannot appear in a payload).
    static func vtt(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// FFmpeg ffmetadata values: `=`, `;`, `#`, `\` and newline are preceded by a backslash.
    static func ffmetadata(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "=" || c == ";" || c == "#" || c == "\\" || c == "\n" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Line-based formats cannot hold a line break: each run of line breaks and tabs becomes one space.
    static func oneLine(_ text: String) -> String {
        var out = "", pendingSpace = false
        for c in text {
            if c.isNewline || c == "\t" {
                pendingSpace = true
                continue
            }
            if pendingSpace, !out.isEmpty, out.last != " ", c != " " { out.append(" ") }
            pendingSpace = false
            out.append(c)
        }
        return trimmingSpaces(out)
    }

    static func trimmingSpaces(_ text: String) -> String {
        var s = Substring(text)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
