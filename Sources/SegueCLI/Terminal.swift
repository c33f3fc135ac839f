import Foundation
import SegueEngine

/// Exit codes shared by every command; documented in `segue --help`.
enum ExitStatus {
    static let failure: Int32 = 1
    static let unreadableInput: Int32 = 2
}

/// libmpg123 (libsndfile's MP3 decoder) prints notes such as "Note: Illegal
/// Audio-MPEG-Header … Trying to resync" straight to stderr, and `segue`
/// promises one clear line per error. So while any decoder is open, file
/// descriptor 2 points at /dev/null, and Segue's own messages go to
/// `userStandardError`, a copy of the original. This is the command's
/// policy; the libraries leave the process's stderr alone.
///
/// The price: a crash while decoding loses its backtrace text (the exit
/// status still shows the signal).
enum QuietDecoderOutput {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var openDecoders = 0
    nonisolated(unsafe) private static var savedDescriptor: Int32 = -1

    /// The terminal's stderr, unaffected by silencing; taken by `enable()`.
    static let userStandardError: FileHandle = {
        let fd = dup(STDERR_FILENO)
        return fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : FileHandle.standardError
    }()

    /// Silences decoder libraries for the rest of the process (call once, at start-up).
    static func enable() {
        _ = userStandardError
        DecoderActivity.observer = .init(opened: { decoderOpened() }, closed: { decoderClosed() })
    }

    private static func decoderOpened() {
        lock.lock(); defer { lock.unlock() }
        openDecoders += 1
        if openDecoders == 1 {
            savedDescriptor = dup(STDERR_FILENO)
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDERR_FILENO); close(null) }
        }
    }

    private static func decoderClosed() {
        lock.lock(); defer { lock.unlock() }
        guard openDecoders > 0 else { return }
        openDecoders -= 1
        if openDecoders == 0, savedDescriptor >= 0 {
            dup2(savedDescriptor, STDERR_FILENO)
            close(savedDescriptor)
            savedDescriptor = -1
        }
    }
}

/// Writing to the user: errors and progress go to stderr, results to stdout.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// stderr as the user sees it, even while decoder libraries are silenced.
    static var standardError: FileHandle { QuietDecoderOutput.userStandardError }

    static func error(_ message: String) {
        standardError.write(Data("segue: error: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        standardError.write(Data("segue: warning: \(message)\n".utf8))
    }

    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// The exit code for an error, after reporting it in one line.
    static func report(_ error: Error) -> Int32 {
        if let audio = error as? AudioError {
            self.error(audio.description)
            return ExitStatus.unreadableInput
        }
        self.error((error as NSError).localizedDescription)
        return ExitStatus.failure
    }
}

/// A one-line progress indicator on stderr, shown only on a terminal.
final class ProgressLine {
    private let label: String
    private let enabled: Bool
    private var shown = -1

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && Terminal.stderrIsTerminal
    }

    func update(_ fraction: Double) { update(fraction, stage: nil) }

    /// Progress with the name of the stage under way.
    func update(_ fraction: Double, stage: String?) {
        guard enabled else { return }
        let percent = Int(fraction * 100)
        guard percent != shown else { return }
        shown = percent
        let text = stage.map { "\(label): \($0) \(percent)%" } ?? "\(label) \(percent)%"
        Terminal.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func finish() {
        guard enabled, shown >= 0 else { return }
        Terminal.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Human-readable durations: `1:02:03.4`, `2:03.4`.
func clockTime(_ seconds: Double) -> String {
    let total = max(0, seconds)
    let hours = Int(total / 3600), minutes = Int(total.truncatingRemainder(dividingBy: 3600) / 60)
    let rest = total.truncatingRemainder(dividingBy: 60)
    return hours > 0 ? String(format: "%d:%02d:%04.1f", hours, minutes, rest)
                     : String(format: "%d:%04.1f", minutes, rest)
}
