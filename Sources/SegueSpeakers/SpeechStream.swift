import SegueFeatures

/// The speech frames of an episode as one gap-free stream: pauses and music
/// (from the pause detector) are left out, so the speaker tests only ever
/// compare speech with speech. A stream position maps back to a frame of the
/// track; the joins between speech spans are remembered, because a pause is
/// where a change of speaker is most likely.
struct SpeechStream: Sendable {
    /// Cepstral coefficients used: c1…c12. c0 (level) is left out: loudness
    /// says more about the microphone and the sentence than about the voice.
    static let firstCoefficient = 1
    let dimension: Int
    /// Speech spans in track frames, in order.
    let spans: [Range<Int>]
    /// Stream position of each span's first frame.
    let offsets: [Int]
    let count: Int
    /// Noise mask applied to the mel levels before the cepstra are taken (nil: the track's cepstra).
    let mask: BackgroundMask?

    init(spans: [Range<Int>], cepstralCount: Int, mask: BackgroundMask? = nil) {
        self.mask = mask
        let kept = spans.filter { !$0.isEmpty }
        self.spans = kept
        var offsets: [Int] = []
        offsets.reserveCapacity(kept.count)
        var total = 0
        for span in kept {
            offsets.append(total)
            total += span.count
        }
        self.offsets = offsets
        count = total
        dimension = max(0, cepstralCount - Self.firstCoefficient)
    }

    /// Index of the span holding stream position `position`.
    func spanIndex(of position: Int) -> Int {
        var lo = 0, hi = offsets.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if offsets[mid] <= position { lo = mid } else { hi = mid - 1 }
        }
        return max(0, lo)
    }

    /// Track frame of stream position `position` (0…count; `count` maps to the
    /// end of the last span).
    func frame(of position: Int) -> Int {
        guard !spans.isEmpty else { return 0 }
        if position >= count { return spans[spans.count - 1].upperBound }
        let i = spanIndex(of: position)
        return spans[i].lowerBound + (position - offsets[i])
    }

    /// Track frame where the speech ending at stream position `position` ends.
    func endFrame(of position: Int) -> Int {
        guard position > 0 else { return frame(of: 0) }
        return frame(of: position - 1) + 1
    }

    /// Feature vectors of the stream positions in `range`, row-major
    /// (`dimension` floats each).
    func load(_ range: Range<Int>, from track: FeatureTrack) throws -> [Float] {
        try loadWithHeard(range, from: track).vectors
    }

    /// Feature vectors of the stream positions in `range`, and whether each
    /// position is heard above the background mask (all are without a mask).
    func loadWithHeard(_ range: Range<Int>, from track: FeatureTrack) throws -> (vectors: [Float], heard: [Bool]) {
        let lower = max(0, range.lowerBound), upper = min(count, range.upperBound)
        guard lower < upper, dimension > 0 else { return ([], []) }
        var out = [Float]()
        out.reserveCapacity((upper - lower) * dimension)
        var heard = [Bool]()
        heard.reserveCapacity(upper - lower)
        var i = spanIndex(of: lower)
        var position = lower
        while position < upper, i < spans.count {
            let startInSpan = position - offsets[i]
            let take = min(spans[i].count - startInSpan, upper - position)
            let first = spans[i].lowerBound + startInSpan
            let block = try track.read(first..<(first + take))
            if let mask {
                mask.appendCepstra(of: block, frames: 0..<block.count,
                                   coefficients: Self.firstCoefficient...(Self.firstCoefficient + dimension - 1), to: &out,
                                   heard: &heard)
            } else {
                for f in 0..<block.count {
                    for k in 0..<dimension { out.append(block.cepstrum(k + Self.firstCoefficient, at: f)) }
                }
                heard.append(contentsOf: repeatElement(true, count: block.count))
            }
            position += max(take, 1)
            i += 1
        }
        // A short read (a truncated track) is padded so positions stay aligned.
        while out.count < (upper - lower) * dimension { out.append(0) }
        while heard.count < upper - lower { heard.append(true) }
        return (out, heard)
    }

    /// Calls `body(range, vectors)` on consecutive pieces of the stream.
    func forEachChunk(size: Int, from track: FeatureTrack,
                      _ body: (Range<Int>, [Float]) throws -> Void) throws {
        var start = 0
        while start < count {
            let range = start..<min(count, start + max(1, size))
            try body(range, try load(range, from: track))
            start = range.upperBound
        }
    }

    /// The stream cut into consecutive windows of about `length` positions,
    /// each cut at the join (pause) nearest to its nominal end when there is
    /// one within a quarter window, so that a window boundary falls where a
    /// turn most likely ends. A remainder shorter than half a window is
    /// added to the last window, so every window has enough speech for
    /// speaker models (windows are `length`…1.5·`length` long).
    func windows(length: Int) -> [Range<Int>] {
        let length = max(1, length)
        guard count > length + length / 2 else { return count > 0 ? [0..<count] : [] }
        let cuts = joins.map(\.position)
        var result: [Range<Int>] = []
        var start = 0
        var j = 0
        while count - start > length + length / 2 {
            let nominal = start + length
            let reach = length / 4
            while j < cuts.count && cuts[j] < nominal - reach { j += 1 }
            var best: Int?
            var k = j
            while k < cuts.count && cuts[k] <= nominal + reach {
                if best.map({ abs(cuts[k] - nominal) < abs($0 - nominal) }) ?? true { best = cuts[k] }
                k += 1
            }
            let end = best ?? nominal
            result.append(start..<end)
            start = end
        }
        result.append(start..<count)
        return result
    }

    /// Stream positions where one speech span ends and the next begins, with
    /// the length of the gap in frames.
    var joins: [(position: Int, gap: Int)] {
        guard spans.count > 1 else { return [] }
        return (1..<spans.count).map { (offsets[$0], spans[$0].lowerBound - spans[$0 - 1].upperBound) }
    }
}

/// One window of the speech stream with its feature vectors in memory
/// (`dimension` floats per position, row-major). Every pass of the speaker
/// stage over a window reads this buffer instead of the track, and only one
/// window is held at a time, so memory depends on the window length, not on
/// the episode's.
struct StreamWindow: Sendable {
    /// Stream positions covered.
    let range: Range<Int>
    let dimension: Int
    let vectors: [Float]
    /// Per position: heard above the background mask (`BackgroundMask.heardShare`). A position
    /// that is not carries no voice: it trains no model, enters no speaker statistics and
    /// scores alike for every speaker in the decode, so it stays with the speaker around it.
    let heard: [Bool]

    init(range: Range<Int>, stream: SpeechStream, track: FeatureTrack) throws {
        self.range = range
        dimension = stream.dimension
        (vectors, heard) = try stream.loadWithHeard(range, from: track)
    }

    /// A window of given vectors (`dimension` floats per position) and heard flags.
    init(range: Range<Int>, dimension: Int, vectors: [Float], heard: [Bool]) {
        self.range = range
        self.dimension = dimension
        self.vectors = vectors
        self.heard = heard
    }

    /// Number of positions.
    var count: Int { range.count }

    /// Whether position `p` carries a voice (see `heard`).
    func isHeard(_ p: Int) -> Bool { p >= heard.count || heard[p] }
}
