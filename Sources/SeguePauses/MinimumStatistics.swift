import Foundation

/// A background that follows noise changing within seconds: minimum
/// statistics (Martin 2001, "Noise power spectral density estimation based on
/// optimal smoothing and minimum statistics"). The power of a sub-band,
/// smoothed over a few frames, is tracked by its minimum over a window longer
/// than a word: speech leaves gaps between words and syllables where only the
/// noise remains. Offline, so the window is centred and the floor does not lag.
///
/// The steady floor (a low percentile over a minute) stays the reference; what
/// this adds is the *surge*: how far the tracked minimum stands above its own
/// typical level, so a car passing or an air handler starting lifts the floor
/// for as long as it lasts, while steady noise leaves it where it was.
///
/// Memory: one byte per frame and sub-band (levels in 0.5 dB steps, then
/// surges in 0.05 dB steps), rewritten in place.
struct MinimumStatistics {
    /// Frames averaged either side before the minimum is taken.
    var smoothingRadius = 3
    /// Half-width of the minimum window, in frames (±0.75 s at 10 ms, as in Martin 2001).
    var windowRadius = 75
    /// The largest surge believed, in dB. Inside a long stretch of speech the
    /// window holds no pause and its minimum is a valley between words, far
    /// above a quiet room's floor; moving noise rises by less.
    var maximumSurge: Float = 12

    static let levelStep: Float = 0.5, lowestLevel: Float = -120, surgeStep: Float = 0.05

    /// A sub-band power (linear) as a stored level code.
    static func levelCode(_ power: Float) -> UInt8 {
        let db = 10 * log10(max(power, 1e-30))
        return UInt8(max(0, min(255, ((db - lowestLevel) / levelStep).rounded())))
    }

    /// The lift (linear power ratio) a stored surge code stands for.
    static func lift(_ code: UInt8) -> Float { lifts[Int(code)] }
    private static let lifts: [Float] = (0...255).map { pow(10, Float($0) * surgeStep / 10) }

    /// `codes[frame * groups + g]`: level codes of each sub-band per frame
    /// (`levelCode`). Replaced by surge codes: the tracked minimum over its
    /// median across blocks `b - radius … b + radius` of `blockFrames`,
    /// 0 … `maximumSurge`.
    func surges(_ codes: inout [UInt8], groups: Int, blockFrames: Int, radius: Int) {
        guard groups > 0, !codes.isEmpty, blockFrames > 0 else { return }
        let frames = codes.count / groups, blocks = (frames + blockFrames - 1) / blockFrames
        let power = (0..<256).map { pow(10, (Self.lowestLevel + Float($0) * Self.levelStep) / 10) }
        let r = smoothingRadius, w = windowRadius
        let span = 2 * w + 2
        var smoothed = [Float](repeating: 0, count: span)   // ring: smoothed power of the last frames
        var queue = [Int](repeating: 0, count: span)        // ring: monotonic queue of frame indices
        for g in 0..<groups {
            // Moving average over 2r+1 frames (running sum), then the centred running
            // minimum: frame f sees f - w … f + w; its minimum is written over its code
            // once no later average needs that code (f + r < f + w).
            var sum: Float = 0
            for f in 0..<min(frames, r) { sum += power[Int(codes[f * groups + g])] }
            var head = 0, tail = 0
            for next in 0..<(frames + w) {
                if next < frames {
                    if next + r < frames { sum += power[Int(codes[(next + r) * groups + g])] }
                    if next - r - 1 >= 0 { sum -= power[Int(codes[(next - r - 1) * groups + g])] }
                    let value = max(0, sum) / Float(min(frames - 1, next + r) - max(0, next - r) + 1)
                    smoothed[next % span] = value
                    while tail > head, smoothed[queue[(tail - 1) % span] % span] >= value { tail -= 1 }
                    queue[tail % span] = next; tail += 1
                }
                let f = next - w
                guard f >= 0, f < frames else { continue }
                while queue[head % span] < f - w { head += 1 }
                codes[f * groups + g] = Self.levelCode(smoothed[queue[head % span] % span])
            }
            // Its typical level: the median per block, then the median of neighbouring blocks.
            let medians: [Int] = (0..<blocks).map { b in
                var histogram = [Int](repeating: 0, count: 256)
                let range = b * blockFrames..<min(frames, (b + 1) * blockFrames)
                for f in range { histogram[Int(codes[f * groups + g])] += 1 }
                var running = 0
                for code in 0..<256 {
                    running += histogram[code]
                    if 2 * running > range.count { return code }
                }
                return 255
            }
            let typical: [Int] = medians.indices.map { b in
                let values = medians[max(0, b - radius)...min(blocks - 1, b + radius)].sorted()
                return values[values.count / 2]
            }
            let cap = Int((maximumSurge / Self.surgeStep).rounded())
            let ratio = Int((Self.levelStep / Self.surgeStep).rounded())
            for f in 0..<frames {
                let rise = (Int(codes[f * groups + g]) - typical[f / blockFrames]) * ratio
                codes[f * groups + g] = UInt8(max(0, min(cap, rise)))
            }
        }
    }
}
