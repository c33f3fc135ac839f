import Foundation

/// Every frame's features for one file, computed once and read by every later
/// stage (pauses, speakers, alignment).
///
/// Frames live in an anonymous temporary file (created, then unlinked at
/// once, so nothing is left behind even after a crash): a three-hour episode
/// holds ~250 MB of features, and resident memory must not grow with length.
/// Stages read the frames they need in blocks; the page cache keeps them fast.
public final class FeatureTrack: @unchecked Sendable {
    public let clock: FrameClock
    public let layout: FeatureLayout
    public private(set) var frameCount: Int = 0

    private let descriptor: Int32
    private var pending: [Float] = []
    private let flushThreshold = 1 << 18   // floats (1 MiB) buffered before a write

    /// Creates an empty track in `directory` (the system temporary directory by default).
    public init(clock: FrameClock, layout: FeatureLayout, directory: URL? = nil) throws {
        self.clock = clock
        self.layout = layout
        let folder = directory ?? FileManager.default.temporaryDirectory
        var template = Array(folder.appendingPathComponent("segue-features-XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey:
                "cannot create a temporary feature file in \(folder.path): \(String(cString: strerror(errno)))"])
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        descriptor = fd
        pending.reserveCapacity(flushThreshold + layout.stride * 1024)
    }

    deinit { close(descriptor) }

    /// Duration covered by the frames, in seconds.
    public var duration: Double { Double(frameCount) * clock.hopDuration }

    /// Appends frames; they must follow the frames already stored.
    public func append(_ block: FeatureBlock) throws {
        precondition(block.firstFrame == frameCount && block.layout == layout)
        pending.append(contentsOf: block.values)
        frameCount += block.count
        if pending.count >= flushThreshold { try flush() }
    }

    /// Writes buffered frames to the file; reads call it themselves.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let offset = off_t(frameCount - pending.count / layout.stride) * off_t(layout.stride * 4)
        try pending.withUnsafeMutableBytes { bytes in
            try transfer(bytes, at: offset, what: "write") { pwrite(descriptor, $0, $1, $2) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads the frames in `range` (clamped to the frames stored). Once the
    /// writer has finished (`FeatureExtractor.finish` flushes), reads from
    /// several threads at once are safe: each is a `pread` into its own array.
    public func read(_ range: Range<Int>) throws -> FeatureBlock {
        try flush()
        let lower = max(0, range.lowerBound), upper = min(frameCount, range.upperBound)
        guard lower < upper else { return FeatureBlock(layout: layout, firstFrame: lower) }
        var values = [Float](repeating: 0, count: (upper - lower) * layout.stride)
        let offset = off_t(lower) * off_t(layout.stride * 4)
        try values.withUnsafeMutableBytes { bytes in
            try transfer(bytes, at: offset, what: "read") { pread(descriptor, $0, $1, $2) }
        }
        return FeatureBlock(layout: layout, firstFrame: lower, values: values)
    }

    /// Moves all of `bytes` with `io` (pread or pwrite), which may do less per call.
    private func transfer(_ bytes: UnsafeMutableRawBufferPointer, at offset: off_t, what: String,
                          _ io: (UnsafeMutableRawPointer, Int, off_t) -> Int) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = io(base + done, bytes.count - done, offset + off_t(done))
            guard n > 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey:
                    "cannot \(what) temporary features: \(String(cString: strerror(errno)))"])
            }
            done += n
        }
    }

    /// Calls `body` with consecutive blocks covering `range` (all frames by default).
    public func forEachBlock(in range: Range<Int>? = nil, blockSize: Int = 4_096,
                             _ body: (FeatureBlock) throws -> Void) throws {
        let range = range ?? 0..<frameCount
        var start = range.lowerBound
        while start < range.upperBound {
            let block = try read(start..<min(range.upperBound, start + blockSize))
            if block.count == 0 { break }
            try body(block)
            start += block.count
        }
    }

    /// One scalar feature for the frames in `range`, as a plain array.
    public func scalar(_ scalar: FeatureLayout.Scalar, in range: Range<Int>) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(range.count)
        try forEachBlock(in: range) { block in
            for i in 0..<block.count { out.append(block.value(scalar, at: i)) }
        }
        return out
    }
}
