/// English number words, the way a host reads numbers out loud.
enum NumberWords {
    private static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                               "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                               "eighteen", "nineteen"]
    private static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    private static let scales: [(Int, String)] = [(1_000_000_000_000, "trillion"), (1_000_000_000, "billion"),
                                                  (1_000_000, "million"), (1_000, "thousand")]

    /// 1234 → "one thousand two hundred thirty four". Very large values are read digit by digit.
    static func cardinal(_ value: Int) -> String {
        guard value >= 0 else { return "minus " + cardinal(value == Int.min ? Int.max : -value) }
        guard value < 1_000_000_000_000_000 else {
            return String(value).compactMap { $0.wholeNumberValue }.map { ones[$0] }.joined(separator: " ")
        }
        if value < 20 { return ones[value] }
        if value < 100 {
            return value % 10 == 0 ? tens[value / 10] : tens[value / 10] + " " + ones[value % 10]
        }
        if value < 1000 {
            let head = ones[value / 100] + " hundred"
            return value % 100 == 0 ? head : head + " " + cardinal(value % 100)
        }
        for (scale, name) in scales where value >= scale {
            let head = cardinal(value / scale) + " " + name
            return value % scale == 0 ? head : head + " " + cardinal(value % scale)
        }
        return ones[0]
    }

    /// 1999 → "nineteen ninety nine", 2005 → "two thousand five", 2026 → "twenty twenty six".
    static func year(_ value: Int) -> String {
        let century = value / 100, rest = value % 100
        if value % 1000 < 10 && value >= 2000 { return cardinal(value) }
        if rest == 0 { return cardinal(century) + " hundred" }
        if rest < 10 { return cardinal(century) + " oh " + ones[rest] }
        return cardinal(century) + " " + cardinal(rest)
    }

    /// 1990 → "nineteen nineties".
    static func decadePlural(_ value: Int) -> String {
        let words = year(value).split(separator: " ").map(String.init)
        guard let last = words.last else { return year(value) }
        let plural: String
        if last == "hundred" { plural = "hundreds" }
        else if last.hasSuffix("y") { plural = String(last.dropLast()) + "ies" }
        else { plural = last + "s" }
        return (words.dropLast() + [plural]).joined(separator: " ")
    }

    /// 1 → "first", 42 → "forty second".
    static func ordinal(_ value: Int) -> String {
        let words = cardinal(value).split(separator: " ").map(String.init)
        guard let last = words.last else { return cardinal(value) }
        let irregular = ["one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                         "nine": "ninth", "twelve": "twelfth"]
        let ord: String
        if let word = irregular[last] { ord = word }
        else if last.hasSuffix("y") { ord = String(last.dropLast()) + "ieth" }
        else { ord = last + "th" }
        return (words.dropLast() + [ord]).joined(separator: " ")
    }
}
