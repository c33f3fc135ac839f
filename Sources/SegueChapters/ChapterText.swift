import Foundation

/// Words for lexical matching between headings and transcript text: lower-cased, stop words removed,
/// reduced to a crude stem so that "microphones", "microphone" and "building", "builds" meet.
public enum ChapterText {
    /// Content-word stems of `text`, in order.
    public static func stems(_ text: String) -> [String] {
        words(text).compactMap { word in
            guard !stopWords.contains(word) else { return nil }
            let stem = self.stem(word)
            return stem.count >= 2 ? stem : nil
        }
    }

    /// Lower-case words (letters and digits; apostrophes inside a word kept, a trailing "'s" dropped).
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        func flush() {
            var word = current
            current = ""
            if word.hasSuffix("'s") || word.hasSuffix("’s") { word.removeLast(2) }
            word = word.trimmingCharacters(in: CharacterSet(charactersIn: "'’"))
            if !word.isEmpty { out.append(word) }
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || ((character == "'" || character == "’") && !current.isEmpty) {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// A light suffix-stripping stemmer (plural, -ing, -ed, -ly, final e, doubled final consonant).
    public static func stem(_ word: String) -> String {
        var w = word.replacingOccurrences(of: "’", with: "'")
        if let apostrophe = w.firstIndex(of: "'") { w = String(w[..<apostrophe]) }
        func strip(_ suffix: String, minimum: Int) -> Bool {
            guard w.hasSuffix(suffix), w.count - suffix.count >= minimum else { return false }
            w.removeLast(suffix.count)
            return true
        }
        if w.hasSuffix("ies"), w.count > 4 { w.removeLast(3); w += "y" }
        else if w.hasSuffix("sses") { w.removeLast(2) }
        else if w.hasSuffix("ches") || w.hasSuffix("shes") || w.hasSuffix("xes") { w.removeLast(2) }
        else if w.hasSuffix("s"), !w.hasSuffix("ss"), !w.hasSuffix("us"), !w.hasSuffix("is"), w.count > 3 { w.removeLast() }
        var verbal = false
        if strip("ing", minimum: 3) { verbal = true } else if strip("ed", minimum: 3) { verbal = true }
        else { _ = strip("ly", minimum: 4) }
        if verbal, w.count >= 3 {
            let chars = Array(w)
            let last = chars[chars.count - 1]
            if last == chars[chars.count - 2], !"aeioulsz".contains(last) { w.removeLast() }
        }
        if w.hasSuffix("e"), w.count > 3 { w.removeLast() }
        if w.hasSuffix("y"), w.count > 3 { w.removeLast(); w += "i" }
        return w
    }

    public static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren't",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down",
        "during", "each", "even", "ever", "every", "few", "for", "from", "further", "get", "gets", "got", "had",
        "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's", "her", "here", "hers",
        "herself", "him", "himself", "his", "how", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is",
        "isn't", "it", "it's", "its", "itself", "just", "let", "let's", "like", "me", "more", "most", "much", "my",
        "myself", "no", "nor", "not", "now", "of", "off", "oh", "ok", "okay", "on", "once", "one", "only", "or",
        "other", "our", "ours", "ourselves", "out", "over", "own", "really", "right", "said", "same", "say", "says",
        "she", "she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such", "than", "that", "that's",
        "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd",
        "they'll", "they're", "they've", "thing", "things", "this", "those", "through", "to", "too", "under",
        "until", "up", "us", "very", "versus", "vs", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've",
        "well", "were", "weren't", "what", "what's", "when", "where", "which", "while", "who", "whom", "why",
        "will", "with", "won't", "would", "wouldn't", "yeah", "yes", "you", "you'd", "you'll", "you're", "you've",
        "your", "yours", "yourself", "yourselves", "mm", "hmm", "mm-hmm", "uh", "um", "go", "going", "know",
        "think", "want", "make", "made", "way", "lot", "lots", "many", "maybe", "actually", "still", "back",
        "part", "new", "good", "great", "time", "today", "two", "three", "first",
    ]
}
