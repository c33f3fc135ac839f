import SegueFeatures

/// Moves the edges of detected music onto the silences that separate produced music from speech.
///
/// Music is decided on windows of one to three seconds, so a detected span can start up to a
/// window early (over a speaker's last words and the pause before a jingle) or end up to a window
/// late. A producer leaves a short silence between a jingle and the voices around it; where one
/// lies near an edge, the music starts after it or ends before it. Quiet is judged against the
/// span's own median speech-band level, as Scheirer & Slaney's "low-energy frames" are against
/// the window's mean (ICASSP 1997). Music that runs straight into speech has no such silence and
/// keeps its edge, unless it ducks first (an intro carried on as a bed under the first words):
/// then it ends where its level starts to fall. A duck is the level held `duckDepth` dB under full
/// (a producer ducks 10–20 dB, the threshold was set to 8 dB beforehand, not fitted); where it
/// started is the join of a constant level and a linear fall fitted to the level's peaks
/// (`fallOnset`): a threshold under full is crossed only some way into the fade, the later the
/// more the music swings.
struct MusicEdges {
    /// How far (s) an edge may move into the span, and out of it.
    var inward = 2.0
    var outward = 1.0
    /// Frames this far (dB) under the span's median level are quiet.
    var quietDepth: Float = 20
    /// A silence is at least this long (s).
    var minimumSilence = 0.15
    /// Spans left shorter than this (s) keep their detected edges.
    var minimumMusic = 1.0
    /// A span starting this close to the file's start (s), with no silence before it, starts at 0.
    var fileStartReach = 2.0
    /// A span starting this close to the file's start (s: the trim of the detectors' first
    /// window) was found in that window, and starts at 0.
    var firstWindowReach = 0.5
    /// Music that ducks under the first words (an intro carried on as a bed) ends where its level
    /// starts to fall. The duck is found where the level holds `duckDepth` dB under its full level
    /// (the median over the second before the detected end's last half second) for `duckHold`,
    /// searched `duckReach` either side of the detected end; where the fall began is then fitted
    /// (see `fallOnset`), no further than `duckReach` before the detected end.
    var duckDepth: Float = 8
    var duckHold = 0.15
    var duckReach = 0.5
    /// The level's peak envelope looks this far (s) ahead: longer than the gap between notes (a
    /// sixteenth at 120 bpm is 125 ms), short against a ducker's fade.
    var peakSpan = 0.12

    func refine(_ spans: [(frames: Range<Int>, confidence: Double)], in track: FeatureTrack) throws
        -> [(frames: Range<Int>, confidence: Double)] {
        let clock = track.clock
        let inwardFrames = Int(inward / clock.hopDuration), outwardFrames = Int(outward / clock.hopDuration)
        let silenceFrames = max(1, Int((minimumSilence / clock.hopDuration).rounded()))
        return try spans.map { span in
            let levels = try level(in: span.frames, track)
            guard !levels.isEmpty else { return span }
            let quiet = levels.sorted()[levels.count / 2] - quietDepth
            // Silences around the start: the music begins after the last one.
            let head = max(0, span.frames.lowerBound - outwardFrames)..<min(span.frames.upperBound,
                                                                               span.frames.lowerBound + inwardFrames)
            let tail = max(span.frames.lowerBound, span.frames.upperBound - inwardFrames)..<min(track.frameCount,
                                                                                                   span.frames.upperBound + outwardFrames)
            let starts = try silences(in: head, track, below: quiet, minimum: silenceFrames).map(\.upperBound)
            let ends = try silences(in: tail, track, below: quiet, minimum: silenceFrames).map(\.lowerBound)
            let shortest = Int(minimumMusic / clock.hopDuration)
            var start = starts.last ?? span.frames.lowerBound
            var end = ends.first ?? span.frames.upperBound
            // Only ever earlier: a fall after the detected end is the bed's own.
            if ends.isEmpty, let duck = try duckStart(near: span.frames.upperBound, in: track), duck > start, duck < end {
                end = duck
            }
            // A short span (a stinger) has one silence in both its head and its tail: the music
            // is then the shortest stretch between a silence before it and one after it that is
            // still music's length, e.g. the stinger before a silence, not the bed and words after.
            if end - start < shortest {
                let pairs = ([span.frames.lowerBound] + starts).flatMap { s in
                    (ends + [span.frames.upperBound]).filter { $0 - s >= shortest }.map { (s, $0) }
                }
                guard let tightest = pairs.min(by: { $0.1 - $0.0 < $1.1 - $1.0 }) else { return span }
                (start, end) = tightest
            }
            // Music near the file's start with no silence before it began with the file (the first
            // windows cannot be decided); so did music found in the file's first window, whatever
            // rests it has.
            if span.frames.lowerBound <= Int(fileStartReach / clock.hopDuration), start == span.frames.lowerBound,
               try silences(in: 0..<span.frames.lowerBound, track, below: quiet, minimum: silenceFrames).isEmpty { start = 0 }
            if span.frames.lowerBound <= Int(firstWindowReach / clock.hopDuration) { start = 0 }
            return (start..<end, span.confidence)
        }
    }

    /// Whether silences (`quietDepth` under the span's median level, `minimumSilence` long) lie
    /// both in the span's first half or the `outward` seconds before it, and in its second half or
    /// the `outward` seconds after it: music too short for the detectors' windows (a stinger) is
    /// music only when set off like this, as a producer sets a stinger between segments. Speech
    /// in noise has no such silences, and a clean phrase never has a sustained spectrum.
    func isSetOff(_ frames: Range<Int>, in track: FeatureTrack) throws -> Bool {
        let levels = try level(in: frames, track)
        guard !levels.isEmpty else { return false }
        let quiet = levels.sorted()[levels.count / 2] - quietDepth
        let reach = Int(outward / track.clock.hopDuration)
        let minimum = max(1, Int((minimumSilence / track.clock.hopDuration).rounded()))
        let middle = (frames.lowerBound + frames.upperBound) / 2
        let before = try silences(in: max(0, frames.lowerBound - reach)..<middle, track, below: quiet, minimum: minimum)
        let after = try silences(in: middle..<min(track.frameCount, frames.upperBound + reach), track,
                                 below: quiet, minimum: minimum)
        return !before.isEmpty && !after.isEmpty
    }

    /// Where music detected to end at `end` starts ducking, if it does (see `duckDepth`).
    private func duckStart(near end: Int, in track: FeatureTrack) throws -> Int? {
        let hop = track.clock.hopDuration
        let reach = Int(duckReach / hop), hold = max(1, Int(duckHold / hop))
        let from = max(0, end - 3 * reach), to = min(track.frameCount, end + reach + hold)
        let raw = try level(in: from..<to, track)
        guard raw.count > 2 * reach + hold, end - from >= 3 * reach else { return nil }
        // 50 ms moving average: single frames between notes are not a fall.
        let smoothed = raw.indices.map { i -> Float in
            let window = raw[max(0, i - 2)...min(raw.count - 1, i + 2)]
            return window.reduce(0, +) / Float(window.count)
        }
        let full = smoothed[0..<(2 * reach)].sorted()[reach]
        let searched = (2 * reach)..<(smoothed.count - hold)
        guard let fallen = searched.first(where: { d in smoothed[d..<(d + hold)].allSatisfy { $0 < full - duckDepth } })
        else { return nil }
        // The peak envelope, looking ahead so that a fall shows where it starts (a centred window
        // would delay it by half its span), from the full level into the stretch held under, and
        // no further: after it may come the words.
        let ahead = max(1, Int((peakSpan / hop).rounded()))
        let peaks = (0..<max(0, fallen + hold - ahead)).map { i in raw[i...(i + ahead)].max() ?? raw[i] }
        return from + (fallOnset(peaks, from: 2 * reach) ?? fallen)
    }

    /// Where "a constant level, then a linear fall" best fits `level`, by least squares over every
    /// join from `earliest` (two-phase regression with a continuous join, Hudson, JASA 1966): the
    /// whole fall is weighed, not the one frame where the music's own swings first cross a
    /// threshold. Fitted in dB, in which music swings alike loud and soft: a fade linear in dB is
    /// fitted exactly; one linear in amplitude falls slowly at first, which puts the join 30–60 ms
    /// late (10–20 dB over 0.25–1 s, worked out on noiseless fades).
    private func fallOnset(_ level: [Float], from earliest: Int) -> Int? {
        let n = level.count
        guard earliest >= 1, earliest < n - 2 else { return nil }
        let y = level.map(Double.init)
        let sumY = y.reduce(0, +), sumYY = y.reduce(0) { $0 + $1 * $1 }
        var best: (join: Int, residual: Double)?
        for join in earliest..<(n - 2) {
            // y ≈ a + b·u with u = max(0, i − join): the normal equations of the two unknowns.
            var su = 0.0, suu = 0.0, suy = 0.0
            for i in (join + 1)..<n {
                let u = Double(i - join)
                su += u; suu += u * u; suy += u * y[i]
            }
            let det = Double(n) * suu - su * su
            guard det > 0 else { continue }
            let b = (Double(n) * suy - su * sumY) / det
            let a = (sumY - b * su) / Double(n)
            guard b < 0 else { continue }
            let residual = sumYY - a * sumY - b * suy
            if best == nil || residual < best!.residual { best = (join, residual) }
        }
        return best?.join
    }

    private func level(in frames: Range<Int>, _ track: FeatureTrack) throws -> [Float] {
        guard !frames.isEmpty else { return [] }
        let block = try track.read(frames)
        return (0..<block.count).map { block.value(.speechBandLevel, at: $0) }
    }

    /// Runs of at least `minimum` frames under `quiet` within `frames`.
    private func silences(in frames: Range<Int>, _ track: FeatureTrack, below quiet: Float, minimum: Int) throws -> [Range<Int>] {
        let levels = try level(in: frames, track)
        var runs: [Range<Int>] = []
        var runStart: Int?
        for (i, value) in levels.enumerated() {
            if value < quiet {
                if runStart == nil { runStart = i }
            } else if let s = runStart {
                if i - s >= minimum { runs.append((frames.lowerBound + s)..<(frames.lowerBound + i)) }
                runStart = nil
            }
        }
        if let s = runStart, levels.count - s >= minimum { runs.append((frames.lowerBound + s)..<frames.upperBound) }
        return runs
    }
}
