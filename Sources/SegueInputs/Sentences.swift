/// Splits a turn's original text into sentences, so alignment can anchor on sentence starts.
enum Sentences {
    /// Words whose trailing dot does not end a sentence.
    private static let abbreviations: Set<String> = [
        "dr", "mr", "mrs", "ms", "prof", "st", "vs", "e.g", "i.e", "jr", "sr", "no", "approx", "ep", "feat", "mt", "ft",
    ]

    static func split(_ text: String) -> [String] {
        let s = scalars(of: text)
        var sentences: [String] = []
        var start = 0
        var i = 0
        func emit(_ end: Int) {
            let sentence = oneLine(s[start..<end])
            if !sentence.isEmpty { sentences.append(sentence) }
            start = end
        }
        while i < s.count {
            let c = s[i]
            if c == "\n", i + 1 < s.count, s[i + 1] == "\n" {
                emit(i)  // paragraph break always ends a sentence
                i += 2
                continue
            }
            if c == "." || c == "!" || c == "?" || c == "…" {
                var end = i + 1
                while end < s.count, ".!?…\"”’')]".unicodeScalars.contains(s[end]) { end += 1 }
                var next = end
                while next < s.count, isBlank(s[next]) || s[next] == "\n" { next += 1 }
                if next > end || end == s.count, next >= s.count || startsSentence(s[next]),
                   c != "." || !isAbbreviation(s, dotAt: i) {
                    emit(end)
                    i = end
                    continue
                }
            }
            i += 1
        }
        emit(s.count)
        return sentences
    }

    /// A sentence as one line: blanks trimmed, line breaks inside it joined with a space.
    private static func oneLine(_ slice: ArraySlice<Unicode.Scalar>) -> String {
        // Breaks and blanks around the sentence just go; only a break inside needs joining (rare).
        // A CR keeps the String-based path, where CR LF is one character and no line break.
        guard !slice.contains("\r") else { return joinedLines(slice) }
        var lo = slice.startIndex, hi = slice.endIndex
        while lo < hi, isBlank(slice[lo]) || slice[lo] == "\n" { lo += 1 }
        while hi > lo, isBlank(slice[hi - 1]) || slice[hi - 1] == "\n" { hi -= 1 }
        let core = slice[lo..<hi]
        return core.contains("\n") ? joinedLines(core) : makeString(core)
    }

    private static func joinedLines(_ slice: ArraySlice<Unicode.Scalar>) -> String {
        guard slice.contains("\n") else { return trimmedString(slice) }
        return makeString(slice)
            .split(whereSeparator: { $0 == "\n" })
            .map { $0.trimmingBlanks() }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    private static func startsSentence(_ c: Unicode.Scalar) -> Bool {
        c.properties.isUppercase || ClockTime.digit(c) != nil || "\"“‘'([⁓—".unicodeScalars.contains(c)
    }

    /// "Dr." or a single initial ("J.") is not a sentence end.
    private static func isAbbreviation(_ s: [Unicode.Scalar], dotAt dot: Int) -> Bool {
        var lo = dot
        while lo > 0, dot - lo < 12, isLetter(s[lo - 1]) || s[lo - 1] == "." { lo -= 1 }
        let word = makeString(s[lo..<dot]).lowercased()
        if word.count == 1, word != "i", let first = word.unicodeScalars.first, isLetter(first),
           s[lo].properties.isUppercase { return true }
        return abbreviations.contains(word)
    }
}
