/// Reads one show-notes line as a timed heading, in any of the notations people paste:
/// `00:13 — Intro`, `(01:15) Title`, `[1:04:19] Title`, `- 00:13 Intro`, `* [00:13] Intro`,
/// `[00:13](https://…) Intro`, `00:13–07:15 Intro`, `Title - 01:15`, `Title (01:15)`.
enum TimelineLine {
    enum Reading: Equatable {
        case heading(title: String, time: Double, endTime: Double?, url: String?)
        case malformed(text: String, reason: String)
        case none
    }

    static func read(_ line: String) -> Reading {
        let s = scalars(of: line)
        let leading = readLeading(s)
        if case .none = leading { return readTrailing(s) }
        return leading
    }

    // MARK: Time first

    private static func readLeading(_ s: [Unicode.Scalar]) -> Reading {
        var i = skipBlanks(s, 0)
        i = skipBullet(s, i)
        i = skipEmphasis(s, i)
        var close: Unicode.Scalar?
        if i < s.count, s[i] == "(" || s[i] == "[" {
            close = s[i] == "(" ? ")" : "]"
            i += 1
        }
        let time: Double
        switch ClockTime.read(s, at: i) {
        case .none: return .none
        case .malformed(let text, let reason, _): return .malformed(text: text, reason: reason)
        case .time(let seconds, let end):
            time = seconds
            i = end
        }
        // A range "00:13–07:15" carries an end time.
        var endTime: Double?
        var j = skipBlanks(s, i)
        if j < s.count, isDash(s[j]) {
            let k = skipBlanks(s, j + 1)
            if case .time(let seconds, let end) = ClockTime.read(s, at: k) {
                endTime = seconds
                i = end
                j = end
            }
        }
        if let close {
            j = skipBlanks(s, i)
            guard j < s.count, s[j] == close else { return .none }
            i = j + 1
            // Markdown link: [00:13](https://youtu.be/…?t=13) Intro
            if close == "]", i < s.count, s[i] == "(" {
                guard let end = s[i...].firstIndex(of: ")") else { return .none }
                i = end + 1
            }
        }
        i = skipEmphasis(s, i)
        let afterTime = i
        i = skipBlanks(s, i)
        if i < s.count, isSeparator(s[i]) {
            i = skipBlanks(s, i + 1)
        } else if i == afterTime, i < s.count, close == nil {
            // "00:13Intro" is not a heading; "00:13-Intro" (Spotify) is handled above.
            return .none
        }
        return heading(from: s, i, s.count, time: time, endTime: endTime)
    }

    // MARK: Time last

    private static func readTrailing(_ s: [Unicode.Scalar]) -> Reading {
        var hi = s.count
        while hi > 0, isBlank(s[hi - 1]) { hi -= 1 }
        var open: Unicode.Scalar?
        if hi > 0, s[hi - 1] == ")" || s[hi - 1] == "]" {
            open = s[hi - 1] == ")" ? "(" : "["
            hi -= 1
        }
        var lo = hi
        while lo > 0, ClockTime.digit(s[lo - 1]) != nil || s[lo - 1] == ":" || s[lo - 1] == "." || s[lo - 1] == "," {
            lo -= 1
        }
        while lo < hi, ClockTime.digit(s[lo]) == nil { lo += 1 }
        guard lo < hi, case .time(let time, let end) = ClockTime.read(s, at: lo), end == hi else { return .none }
        var k = lo
        while k > 0, isBlank(s[k - 1]) { k -= 1 }
        if let open {
            guard k > 0, s[k - 1] == open else { return .none }
            k -= 1
        } else {
            guard k > 0, isDash(s[k - 1]) || s[k - 1] == "|" || s[k - 1] == "@" else { return .none }
            k -= 1
        }
        var start = skipBlanks(s, 0)
        start = skipBullet(s, start)
        return heading(from: s, start, k, time: time, endTime: nil)
    }

    // MARK: Pieces

    private static func heading(from s: [Unicode.Scalar], _ lo: Int, _ hi: Int, time: Double, endTime: Double?) -> Reading {
        guard lo < hi else { return .none }
        var title = makeString(s[lo..<hi])
        var url: String?
        // Podlove/Auphonic append "<https://…>" to a title.
        if let open = title.lastIndex(of: "<"), title.hasSuffix(">") {
            let link = title[title.index(after: open)..<title.index(before: title.endIndex)]
            if link.contains("://") {
                url = String(link)
                title = String(title[..<open])
            }
        }
        title = stripEmphasis(title.trimmingBlanks())
        // A separator dash left over from "Title — " in the time-last notation.
        while let last = title.unicodeScalars.last, isDash(last) || last == "|" {
            title = String(title.unicodeScalars.dropLast()).trimmingBlanks()
        }
        guard title.unicodeScalars.contains(where: { isLetter($0) || ClockTime.digit($0) != nil }) else {
            return .none
        }
        return .heading(title: title, time: time, endTime: endTime, url: url)
    }

    static func skipBlanks(_ s: [Unicode.Scalar], _ from: Int) -> Int {
        var i = from
        while i < s.count, isBlank(s[i]) { i += 1 }
        return i
    }

    /// Markdown or typographic bullets, and numbered lists ("3. ", "3) ").
    static func skipBullet(_ s: [Unicode.Scalar], _ from: Int) -> Int {
        guard from < s.count else { return from }
        let c = s[from]
        if "-*•+–—·▪►‣◦>".unicodeScalars.contains(c), from + 1 < s.count, isBlank(s[from + 1]) {
            return skipBlanks(s, from + 1)
        }
        var i = from
        while i < s.count, ClockTime.digit(s[i]) != nil, i - from < 3 { i += 1 }
        if i > from, i + 1 < s.count, s[i] == "." || s[i] == ")", isBlank(s[i + 1]) {
            return skipBlanks(s, i + 1)
        }
        return from
    }

    private static func skipEmphasis(_ s: [Unicode.Scalar], _ from: Int) -> Int {
        var i = from
        while i < s.count, s[i] == "*" || s[i] == "_" { i += 1 }
        return i
    }

    static func stripEmphasis(_ text: String) -> String {
        var t = Substring(text)
        while t.hasPrefix("**") && t.hasSuffix("**") && t.count >= 4 { t = t.dropFirst(2).dropLast(2) }
        return String(t).trimmingBlanks()
    }

    static func isDash(_ c: Unicode.Scalar) -> Bool {
        c == "-" || c == "–" || c == "—" || c == "‒" || c == "―" || c == "−"
    }

    private static func isSeparator(_ c: Unicode.Scalar) -> Bool {
        isDash(c) || c == ":" || c == "|" || c == "·" || c == "•" || c == ">" || c == "~" || c == "⁓"
    }
}
