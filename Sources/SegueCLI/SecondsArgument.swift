import Foundation
import ArgumentParser

/// A length of time on the command line, as people write one: `2`, `2s`, `2 s`, `1.5sec`, `500ms`, `2min`,
/// `1:30` (minutes and seconds) or `1:02:03`. Always returned in seconds.
enum SecondsArgument {
    static func parse(_ text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.contains(":") {
            let fields = trimmed.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
            guard (2...3).contains(fields.count), fields.allSatisfy({ $0 != nil && $0! >= 0 }) else { throw invalid(text) }
            return fields.reduce(0.0) { $0 * 60 + $1! }
        }
        // Longest suffix first: "ms" before "s", "min" before "m".
        let units: [(suffix: String, scale: Double)] = [("msec", 0.001), ("sec", 1), ("min", 60), ("ms", 0.001),
                                                        ("s", 1), ("m", 60)]
        var number = trimmed, scale = 1.0
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = String(trimmed.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = unit.scale
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { throw invalid(text) }
        return value * scale
    }

    private static func invalid(_ text: String) -> ValidationError {
        ValidationError("'\(text)' is not a length of time (try 2, 2s, 500ms, 1min or 1:30)")
    }
}
