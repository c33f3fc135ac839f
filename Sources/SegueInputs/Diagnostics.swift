/// How serious a finding about the input is.
///
/// `note` is informational (e.g. "read as Latin-1") and is never promoted by
/// strict mode; `warning` marks ambiguous input that Segue resolved by a rule;
/// `error` marks content Segue could not understand.
public enum DiagnosticSeverity: String, Sendable, Codable, Equatable, Comparable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// One finding about an input file, tied to a line so a user can jump to it.
public struct InputDiagnostic: Sendable, Codable, Equatable, CustomStringConvertible {
    public var severity: DiagnosticSeverity
    /// File name as given by the caller (for display only).
    public var file: String
    /// 1-based line number, or `nil` when the finding concerns the whole file.
    public var line: Int?
    public var message: String

    public init(severity: DiagnosticSeverity, file: String, line: Int?, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message` (or `FILE: message`), the shape editors and CI logs understand.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// The input could not be read at all (bytes that are not text in an encoding Segue accepts).
public struct InputReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// Collects diagnostics while a parser runs; keeps the parsers free of bookkeeping.
struct DiagnosticLog {
    let file: String
    private(set) var items: [InputDiagnostic] = []

    init(file: String) { self.file = file }

    mutating func note(_ line: Int?, _ message: String) { add(.note, line, message) }
    mutating func warning(_ line: Int?, _ message: String) { add(.warning, line, message) }
    mutating func error(_ line: Int?, _ message: String) { add(.error, line, message) }

    mutating func add(_ severity: DiagnosticSeverity, _ line: Int?, _ message: String) {
        items.append(InputDiagnostic(severity: severity, file: file, line: line, message: message))
    }
}

/// "lines 3, 7 and 12" — diagnostics name every line involved, but stay one line long.
func describeLines(_ lines: [Int], limit: Int = 6) -> String {
    let shown = lines.prefix(limit).map(String.init)
    let more = lines.count > limit ? " and \(lines.count - limit) more" : ""
    switch shown.count {
    case 0: return "no lines"
    case 1: return "line \(shown[0])"
    default:
        if more.isEmpty {
            return "lines \(shown.dropLast().joined(separator: ", ")) and \(shown[shown.count - 1])"
        }
        return "lines \(shown.joined(separator: ", "))\(more)"
    }
}
