/// Why an audio file could not be read. `description` is the one line a user
/// sees: the file, then the reason.
public struct AudioError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case missing, notAFile, empty, unsupported, corrupt, readFailed
    }

    public let path: String
    public let kind: Kind
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
