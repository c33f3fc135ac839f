/// A check that a transcript is written in the language its reference voice will read it in:
/// the share of its words that are that language's most common function words. Running text in
/// English has 35–50 % of them; text in another language has a few percent (shared short words
/// such as "a" or "no"). eSpeak NG reads any text with any voice, so without this check a
/// translated transcript would be aligned, badly, without complaint.
enum TranscriptLanguage {
    /// The most frequent function words of each language, by ISO 639-1 code.
    static let functionWords: [String: Set<String>] = [
        "en": ["the", "and", "to", "of", "a", "in", "is", "that", "it", "you", "i", "for", "on", "with", "was",
               "this", "but", "be", "are", "have", "not", "what", "we", "they", "so", "at", "my", "do", "as", "about"],
        "es": ["el", "la", "de", "que", "y", "en", "los", "las", "un", "una", "es", "por", "con", "no", "para",
               "se", "del", "lo", "al", "como", "pero", "su", "más", "me", "yo", "mi", "muy", "qué", "sí", "está"],
        "de": ["der", "die", "und", "das", "ist", "nicht", "ein", "eine", "zu", "den", "mit", "ich", "sie", "es",
               "auf", "für", "von", "dem", "sich", "auch", "wir", "aber", "noch", "wie", "was", "im", "dass", "wenn"],
        "fr": ["le", "la", "les", "de", "des", "et", "est", "un", "une", "que", "qui", "dans", "pour", "pas", "je",
               "vous", "nous", "il", "elle", "ce", "sur", "avec", "du", "au", "mais", "ne", "très", "c'est", "on"],
        "it": ["il", "di", "che", "e", "la", "per", "un", "una", "non", "sono", "è", "con", "mi", "si", "ma",
               "come", "del", "della", "anche", "io", "lo", "gli", "le", "ho", "questo", "molto", "più", "cosa"],
        "pt": ["o", "a", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com", "não", "os", "as", "se",
               "na", "no", "por", "mais", "eu", "é", "muito", "mas", "como", "isso", "você", "está", "foi"],
        "nl": ["de", "het", "een", "en", "van", "is", "dat", "niet", "ik", "je", "op", "te", "zijn", "met", "voor",
               "maar", "ook", "wat", "er", "we", "hij", "ze", "dit", "wel", "heb", "naar", "nog", "als"],
    ]

    static let names = ["en": "English", "es": "Spanish", "de": "German", "fr": "French", "it": "Italian",
                        "pt": "Portuguese", "nl": "Dutch"]

    /// nil when the text suits `language` (or cannot be judged); otherwise the language it looks like.
    static func mismatch(text: String, language: String) -> (likely: String, share: Double, expected: Double)? {
        let code = String(language.lowercased().prefix(2))
        guard let expectedWords = functionWords[code] else { return nil }
        let words = text.lowercased().split { !($0.isLetter || $0 == "'") }.map(String.init)
        guard words.count >= 30 else { return nil }
        func share(_ set: Set<String>) -> Double {
            Double(words.filter(set.contains).count) / Double(words.count)
        }
        let expected = share(expectedWords)
        let best = functionWords.map { ($0.key, share($0.value)) }.max { $0.1 < $1.1 }!
        guard expected < 0.12, best.0 != code, best.1 >= 2 * max(expected, 0.01) else { return nil }
        return (names[best.0] ?? best.0, best.1, expected)
    }
}
