/// Percentiles of a level (dB) over a window that slides with time, from
/// per-block histograms: memory grows by ~0.5 KB per 10 s of audio, not per
/// frame. Used for the adaptive noise floor and the speech level.
struct LevelProfile {
    static let binWidth: Float = 0.5
    let lowest: Float, highest: Float
    var binCount: Int { Int((highest - lowest) / Self.binWidth) + 1 }

    let blockFrames: Int
    private(set) var histograms: [[UInt16]] = []

    init(blockFrames: Int, lowest: Float = -120, highest: Float = 10) {
        self.blockFrames = blockFrames
        self.lowest = lowest
        self.highest = highest
    }

    /// Adds the level of the next frame (frames must arrive in order).
    mutating func add(_ level: Float, frame: Int) {
        let block = frame / blockFrames
        while histograms.count <= block { histograms.append([UInt16](repeating: 0, count: binCount)) }
        let bin = Int(((min(max(level, lowest), highest) - lowest) / Self.binWidth).rounded())
        histograms[block][bin] &+= 1
    }

    /// The `fraction` percentile (0…1) of all levels in blocks `block - radius … block + radius`.
    func percentile(_ fraction: Double, aroundBlock block: Int, radius: Int) -> Float {
        let lo = max(0, block - radius), hi = min(histograms.count - 1, block + radius)
        guard lo <= hi else { return lowest }
        var merged = [Int](repeating: 0, count: binCount)
        var total = 0
        for b in lo...hi {
            for i in 0..<binCount { merged[i] += Int(histograms[b][i]) }
        }
        total = merged.reduce(0, +)
        guard total > 0 else { return lowest }
        let target = Double(total) * fraction
        var running = 0
        for i in 0..<binCount {
            running += merged[i]
            if Double(running) >= target { return lowest + Float(i) * Self.binWidth }
        }
        return highest
    }
}
