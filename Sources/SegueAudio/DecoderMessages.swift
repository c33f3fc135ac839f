import Foundation

/// libmpg123, which libsndfile uses for MP3, prints notes such as
/// "Note: Illegal Audio-MPEG-Header … Trying to resync" straight to the
/// process's stderr, and libsndfile offers no way to quiet it. A command-line
/// tool that promises one clear line per error turns this on: while any file
/// is open for decoding, file descriptor 2 points at /dev/null, and the
/// tool's own messages go to `userStandardError`, a copy of the original.
///
/// The price: a crash while decoding loses its backtrace text (the exit
/// status still shows the signal).
public enum DecoderMessages {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var enabled = false
    nonisolated(unsafe) private static var openDecoders = 0
    nonisolated(unsafe) private static var savedDescriptor: Int32 = -1

    /// The terminal's stderr, unaffected by silencing. Take it before decoding.
    public static let userStandardError: FileHandle = {
        let fd = dup(STDERR_FILENO)
        return fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : FileHandle.standardError
    }()

    /// Silence decoder libraries from now on (call once, at start-up).
    public static func silenceLibraries() {
        _ = userStandardError
        lock.lock(); enabled = true; lock.unlock()
    }

    static func decoderOpened() {
        lock.lock(); defer { lock.unlock() }
        guard enabled else { return }
        openDecoders += 1
        if openDecoders == 1 {
            savedDescriptor = dup(STDERR_FILENO)
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDERR_FILENO); close(null) }
        }
    }

    static func decoderClosed() {
        lock.lock(); defer { lock.unlock() }
        guard enabled, openDecoders > 0 else { return }
        openDecoders -= 1
        if openDecoders == 0, savedDescriptor >= 0 {
            dup2(savedDescriptor, STDERR_FILENO)
            close(savedDescriptor)
            savedDescriptor = -1
        }
    }
}
