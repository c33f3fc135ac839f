import Foundation

/// Audacity label track text: `start<TAB>end<TAB>label` per line, seconds
/// with six decimals (the form Audacity's File ▸ Import ▸ Labels reads).
public enum AudacityLabels {
    public struct Label: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var text: String

        public init(start: Double, end: Double, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    public static func render(_ labels: [Label]) -> Data {
        var out = ""
        for label in labels {
            let text = label.text.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
            out += String(format: "%.6f\t%.6f\t", label.start, label.end) + text + "\n"
        }
        return Data(out.utf8)
    }

    /// Reads a label track back; lines that are not labels are skipped.
    public static func parse(_ text: String) -> [Label] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, let start = Double(fields[0]), let end = Double(fields[1]) else { return nil }
            return Label(start: start, end: end, text: fields.count > 2 ? String(fields[2]) : "")
        }
    }
}
