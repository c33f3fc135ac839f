import Foundation

/// Tells an application when a libsndfile decoder is opened and closed.
///
/// libmpg123, which libsndfile uses for MP3, prints notes such as
/// "Note: Illegal Audio-MPEG-Header … Trying to resync" straight to the
/// process's stderr, and libsndfile offers no way to quiet it. What to do
/// about that is the application's policy (the `segue` command silences
/// stderr while a decoder is open); SegueAudio itself never touches the
/// process's file descriptors.
public enum DecoderActivity {
    /// Called before a decoder opens a file and after it has closed it.
    public struct Observer: Sendable {
        public var opened: @Sendable () -> Void
        public var closed: @Sendable () -> Void

        public init(opened: @escaping @Sendable () -> Void, closed: @escaping @Sendable () -> Void) {
            self.opened = opened
            self.closed = closed
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: Observer?

    /// The observer, if any; set it once, at start-up, before any decoding.
    public static var observer: Observer? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    static func opened() { observer?.opened() }
    static func closed() { observer?.closed() }
}
