/// Turns transcript text into the words a speaker actually says, for aligning against audio:
/// lower case, no punctuation, filler marks (`⁓`) and bracketed noises (`[laughter]`, `(inaudible)`) dropped,
/// numbers, symbols, abbreviations and URLs spelled out ("$40" → "forty dollars", "Dr." → "doctor",
/// "example.com/ep42" → "example dot com slash ep forty two"). The original text is kept separately for output.
public enum AlignmentText {
    /// The spoken-form, space-separated words of `text`.
    public static func normalize(_ text: String) -> String {
        var normalizer = Normalizer()
        return normalizer.normalize(text)
    }

    /// Normalises many texts in a row (the turns of one transcript), remembering how each token that needs
    /// spelling out ("$40,", "it’s", "Dr.", "1999.") is spoken: transcripts repeat such tokens a lot, and
    /// spelling one out builds a dozen small strings. Not shared between threads; make one per worker.
    struct Normalizer {
        /// Keyed by scalars, not `String`: strings compare equal under canonical equivalence, but "José" and
        /// "Jose\u{301}" are spoken differently ("josé", "jose").
        private var spokenTokens: [[Unicode.Scalar]: [String]] = [:]
        /// Bounds the memory a long transcript of all-different tokens can take.
        private static let rememberedTokens = 4096

        mutating func normalize(_ text: String) -> String {
            let s = dropNoises(text)
            var out: [UInt8] = []
            out.reserveCapacity(s.count)
            var i = 0
            while i < s.count {
                while i < s.count, isTokenSeparator(s[i]) { i += 1 }
                let lo = i
                while i < s.count, !isTokenSeparator(s[i]) { i += 1 }
                guard lo < i else { break }
                // Most tokens are plain ASCII words: write them straight to the output, no intermediate strings.
                if appendPlainWord(s[lo..<i], to: &out) { continue }
                for word in spokenWords(s[lo..<i]) {
                    if !out.isEmpty { out.append(0x20) }
                    out.append(contentsOf: word.utf8)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        private mutating func spokenWords(_ token: ArraySlice<Unicode.Scalar>) -> [String] {
            let key = Array(token)
            if let known = spokenTokens[key] { return known }
            var words: [String] = []
            spoken(makeString(token), into: &words)
            if spokenTokens.count >= Self.rememberedTokens { spokenTokens.removeAll(keepingCapacity: true) }
            spokenTokens[key] = words
            return words
        }
    }

    @inline(__always)
    private static func isTokenSeparator(_ c: Unicode.Scalar) -> Bool {
        isBlank(c) || c == "\n" || c == "\r" || c == "—" || c == "–"
    }

    /// Appends an ASCII word with its edge punctuation dropped ("Hello," → "hello"); false when the token
    /// needs the full treatment (digits, symbols, abbreviations, non-ASCII).
    private static func appendPlainWord(_ token: ArraySlice<Unicode.Scalar>, to out: inout [UInt8]) -> Bool {
        var lo = token.startIndex, hi = token.endIndex
        while lo < hi, token[lo].value < 128, isEdgePunctuation(UInt8(token[lo].value)) { lo += 1 }
        while hi > lo, token[hi - 1].value < 128, isEdgePunctuation(UInt8(token[hi - 1].value)) { hi -= 1 }
        guard lo < hi else { return false }
        for c in token[lo..<hi] {
            let v = c.value
            guard v < 128 else { return false }
            let lower = v | 0x20
            guard (lower >= 0x61 && lower <= 0x7A) || v == 0x27 else { return false }
        }
        // Abbreviation keys are short; only those tokens need checking.
        if hi - lo <= 6, let word = PackedASCII(lowercasing: token[lo..<hi]) {
            if packedAbbreviations.contains(word) { return false }
            if hi < token.endIndex, token[hi] == ".", let dotted = word.appending(0x2E),
               packedAbbreviations.contains(dotted) { return false }
        }
        if !out.isEmpty { out.append(0x20) }
        for c in token[lo..<hi] {
            let v = UInt8(c.value)
            out.append(v == 0x27 ? v : v | 0x20)
        }
        return true
    }

    /// Number of words in already-normalised text.
    public static func wordCount(_ normalized: String) -> Int {
        var count = 0, inWord = false
        for c in normalized.utf8 {
            if c == 0x20 { inWord = false } else if !inWord { inWord = true; count += 1 }
        }
        return count
    }

    // MARK: Noises and marks

    static let noiseWords: Set<String> = [
        "laughter", "laughs", "laughing", "laugh", "inaudible", "crosstalk", "cross talk", "music", "applause",
        "pause", "silence", "coughs", "cough", "unintelligible", "sighs", "sigh", "chuckles", "chuckle", "noise",
        "background noise", "indistinct", "overlapping", "overtalk", "beep", "bleep", "ad break", "break",
        "music playing", "theme music", "intro music", "outro music", "sound effect", "static",
    ]

    /// Removes `[…]` annotations always, `(…)` only when it holds a known noise or a timestamp,
    /// and filler/pause marks. Linear: each bracket looks ahead at most 60 characters.
    static func dropNoises(_ text: String) -> [Unicode.Scalar] {
        let s = scalars(of: text)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "[" || c == "(" {
                let close: Unicode.Scalar = c == "[" ? "]" : ")"
                var j = i + 1
                while j < s.count, j - i <= 60, s[j] != close, s[j] != c { j += 1 }
                if j < s.count, s[j] == close {
                    let inner = makeString(s[(i + 1)..<j]).trimmingBlanks().lowercased()
                    if c == "[" || noiseWords.contains(inner) || ClockTime.parse(inner) != nil {
                        out.append(" ")
                        i = j + 1
                        continue
                    }
                }
            }
            switch c {
            case "⁓", "~", "…", "♪", "♫", "*", "_", "\"", "“", "”", "„", "«", "»", "‹", "›":
                out.append(" ")
            default:
                out.append(c)
            }
            i += 1
        }
        return out
    }

    // MARK: One token

    static let abbreviations: [String: String] = [
        "dr.": "doctor", "mr.": "mister", "mrs.": "missus", "ms.": "miz", "prof.": "professor",
        "vs.": "versus", "vs": "versus", "e.g.": "for example", "i.e.": "that is", "etc.": "et cetera",
        "approx.": "approximately", "jr.": "junior", "sr.": "senior", "ep.": "episode",
        "feat.": "featuring", "km": "kilometers",
        "kg": "kilograms", "mph": "miles per hour", "hz": "hertz", "khz": "kilohertz", "db": "decibels",
    ]

    /// The keys of ``abbreviations``, packed so a plain word can be looked up without building a string.
    private static let packedAbbreviations: Set<PackedASCII> = Set(abbreviations.keys.compactMap {
        PackedASCII(lowercasing: Array($0.unicodeScalars)[...])
    })

    private static let symbols: [Unicode.Scalar: String] = [
        "&": "and", "+": "plus", "%": "percent", "@": "at", "=": "equals", "#": "number", "°": "degrees",
    ]

    private static func spoken(_ raw: String, into words: inout [String]) {
        let lower = String(String.UnicodeScalarView(raw.lowercased().unicodeScalars.map { $0 == "’" ? "'" : $0 }))
        let trimmed = trimPunctuation(lower)
        if trimmed.isEmpty {
            for c in lower.unicodeScalars { if let word = symbols[c] { words.append(word) } }
            return
        }
        if let expansion = abbreviations[trimmedKeepingDot(lower)] ?? abbreviations[trimmed] {
            words.append(expansion)
            return
        }
        if isURL(trimmed) {
            spellURL(trimmed, into: &words)
            return
        }
        if let first = trimmed.unicodeScalars.first, first == "$" || first == "£" || first == "€" {
            let currency = first == "$" ? "dollars" : first == "£" ? "pounds" : "euros"
            let amount = String(trimmed.unicodeScalars.dropFirst())
            if let value = Int(amount.filter { $0 != "," }) {
                words.append(NumberWords.cardinal(value))
                words.append(value == 1 ? String(currency.dropLast()) : currency)
                return
            }
        }
        splitMixed(trimmed, into: &words)
        // Symbols that trimming removed from the end: "50%" → "fifty percent".
        if lower.unicodeScalars.reversed().drop(while: { ".,!?;:)\"'".unicodeScalars.contains($0) }).first == "%" {
            words.append("percent")
        }
    }

    /// Splits on inner punctuation (`-`, `/`, `.` between words) and spells every number part.
    private static func splitMixed(_ token: String, into words: inout [String]) {
        var part = String.UnicodeScalarView()
        let s = Array(token.unicodeScalars)
        func flush() {
            if !part.isEmpty { spellPart(String(part), into: &words); part = String.UnicodeScalarView() }
        }
        for (i, c) in s.enumerated() {
            let isDigit = ClockTime.digit(c) != nil
            if isDigit, let last = part.last, isLetter(last) {
                flush()  // "ep42" → "ep forty two"; digit-first parts like "42nd" stay whole
                part.append(c)
            } else if isLetter(c) || isDigit || c == "'" {
                part.append(c)
            } else if (c == "." || c == ",") && i > 0 && i + 1 < s.count
                        && ClockTime.digit(s[i - 1]) != nil && ClockTime.digit(s[i + 1]) != nil {
                part.append(c)  // 3.5, 1,000
            } else if c == ":" && i > 0 && i + 1 < s.count
                        && ClockTime.digit(s[i - 1]) != nil && ClockTime.digit(s[i + 1]) != nil {
                flush()  // 10:30 → "ten thirty"
            } else {
                flush()
                if let word = symbols[c] { words.append(word) }
            }
        }
        flush()
    }

    private static func spellPart(_ part: String, into words: inout [String]) {
        let s = part.unicodeScalars
        guard let first = s.first, ClockTime.digit(first) != nil else {
            let word = part.hasSuffix("'") ? String(part.dropLast()) : part
            if !word.isEmpty { words.append(word) }
            return
        }
        // Split "42nd" / "1990s" / "10am" into digits and letters.
        let digits = String(String.UnicodeScalarView(s.prefix { ClockTime.digit($0) != nil || $0 == "." || $0 == "," }))
        let rest = String(String.UnicodeScalarView(s.dropFirst(digits.unicodeScalars.count)))
        let plain = digits.filter { $0 != "," }
        if ["st", "nd", "rd", "th"].contains(rest), let value = Int(plain) {
            words.append(NumberWords.ordinal(value))
            return
        }
        if rest == "s" || rest == "'s", let value = Int(plain), digits.count == 4, value % 10 == 0 {
            words.append(contentsOf: NumberWords.decadePlural(value).split(separator: " ").map(String.init))
            return
        }
        let spelled: String
        if let dot = plain.firstIndex(of: "."), let whole = Int(plain[..<dot]) {
            let fraction = plain[plain.index(after: dot)...].compactMap { $0.wholeNumberValue }.map(NumberWords.cardinal)
            spelled = ([NumberWords.cardinal(whole), "point"] + fraction).joined(separator: " ")
        } else if let value = Int(plain) {
            let isYear = digits.count == 4 && !digits.contains(",") && (1100...2099).contains(value)
            spelled = isYear ? NumberWords.year(value) : NumberWords.cardinal(value)
        } else {
            spelled = plain.compactMap { $0.wholeNumberValue }.map(NumberWords.cardinal).joined(separator: " ")
        }
        words.append(contentsOf: spelled.split(separator: " ").map(String.init))
        if !rest.isEmpty { words.append(rest) }
    }

    // MARK: URLs

    private static let topLevelDomains: Set<String> = [
        "com", "org", "net", "io", "fm", "co", "dev", "app", "show", "uk", "de", "ca", "au", "tv", "me", "info",
        "edu", "gov", "ai", "audio", "media", "link", "ly", "to", "us", "eu", "fr", "nl", "se", "no", "dk",
    ]

    private static func isURL(_ token: String) -> Bool {
        if token.hasPrefix("http://") || token.hasPrefix("https://") || token.hasPrefix("www.") { return true }
        let host = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
        let labels = host.split(separator: ".")
        guard labels.count >= 2, let tld = labels.last, topLevelDomains.contains(String(tld)) else { return false }
        return labels.allSatisfy { !$0.isEmpty && $0.unicodeScalars.first?.properties.isAlphabetic == true }
    }

    /// "https://www.example.com/ep42" is read out as "example dot com slash ep forty two".
    private static func spellURL(_ token: String, into words: inout [String]) {
        var rest = Substring(token)
        for prefix in ["https://", "http://"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
        if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        var part = ""
        func flush() { if !part.isEmpty { splitMixed(part, into: &words); part = "" } }
        for c in rest {
            switch c {
            case ".": flush(); words.append("dot")
            case "/": flush(); words.append("slash")
            case "?", "#", "=", "&", "_", "-": flush()
            default: part.append(c)
            }
        }
        flush()
    }

    // MARK: Helpers

    /// " ' ( ) , . ! ? ; :
    @inline(__always)
    private static func isEdgePunctuation(_ b: UInt8) -> Bool {
        b == 0x22 || b == 0x27 || b == 0x28 || b == 0x29 || b == 0x2C || b == 0x2E || b == 0x21 || b == 0x3F
            || b == 0x3B || b == 0x3A
    }

    private static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        isLetter(c) || ClockTime.digit(c) != nil
    }

    private static func trimPunctuation(_ token: String) -> String {
        let s = Array(token.unicodeScalars)
        var lo = 0, hi = s.count
        while lo < hi, !isWordScalar(s[lo]), s[lo] != "$", s[lo] != "£", s[lo] != "€" { lo += 1 }
        while hi > lo, !isWordScalar(s[hi - 1]) { hi -= 1 }
        return makeString(s[lo..<hi])
    }

    /// "Dr.," → "dr." so the abbreviation table sees the dot.
    private static func trimmedKeepingDot(_ token: String) -> String {
        let s = Array(token.unicodeScalars)
        var lo = 0, hi = s.count
        while lo < hi, !isWordScalar(s[lo]) { lo += 1 }
        while hi > lo, !isWordScalar(s[hi - 1]), s[hi - 1] != "." { hi -= 1 }
        while hi - 1 > lo, s[hi - 1] == ".", s[hi - 2] == "." { hi -= 1 }
        return makeString(s[lo..<hi])
    }
}
