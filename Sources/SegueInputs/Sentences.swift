/// Splits a turn's original text into sentences, so alignment can anchor on sentence starts.
enum Sentences {
    /// Words whose trailing dot does not end a sentence.
    private static let abbreviations: Set<String> = [
        "dr", "mr", "mrs", "ms", "prof", "st", "vs", "e.g", "i.e", "jr", "sr", "no", "approx", "ep", "feat", "mt", "ft",
    ]

    static func split(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        var sentences: [String] = []
        var start = 0
        var i = 0
        func emit(_ end: Int) {
            let slice = s[start..<end]
            if !slice.contains("\n") {
                let sentence = trimmedString(slice)
                if !sentence.isEmpty { sentences.append(sentence) }
                start = end
                return
            }
            let sentence = String(String.UnicodeScalarView(slice))
                .split(whereSeparator: { $0 == "\n" })
                .map { $0.trimmingBlanks() }
                .filter { !$0.isEmpty }
                .joined(separator: " ")
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

    private static func startsSentence(_ c: Unicode.Scalar) -> Bool {
        c.properties.isUppercase || ClockTime.digit(c) != nil || "\"“‘'([⁓—".unicodeScalars.contains(c)
    }

    /// "Dr." or a single initial ("J.") is not a sentence end.
    private static func isAbbreviation(_ s: [Unicode.Scalar], dotAt dot: Int) -> Bool {
        var lo = dot
        while lo > 0, dot - lo < 12, isLetter(s[lo - 1]) || s[lo - 1] == "." { lo -= 1 }
        let word = String(String.UnicodeScalarView(s[lo..<dot])).lowercased()
        if word.count == 1, word != "i", let first = word.unicodeScalars.first, isLetter(first),
           s[lo].properties.isUppercase { return true }
        return abbreviations.contains(word)
    }
}
