import Foundation
import SegueFeatures

/// The steady background in each mel band of the speech range: a low
/// percentile of the band's level per 10-second block, then the median of
/// neighbouring blocks. Hum, hiss and sustained music sit here; speech rises
/// above it.
///
/// Memory: one band vector per block (~130 bytes per 10 s), plus one block's
/// histograms while it is measured, plus the surges (4 bytes a frame).
struct BandBackground {
    let bands: [Int]
    let blockFrames: Int
    /// Frames whose speech-band flatness is below this are treated as tonal.
    var tonalFlatness: Float = 0.005
    /// How much presence a tonal frame loses, in dB.
    var tonalDiscount: Float = 9
    /// Sub-bands: index ranges into `bands`, split at 1, 2 and 4 kHz.
    private let groups: [Range<Int>]
    /// Background power per block and band (linear), after smoothing.
    private let floors: [[Float]]
    /// Per frame and sub-band: the surge of the minimum-statistics floor (codes,
    /// see `MinimumStatistics`); the background is lifted by it.
    private let surges: [UInt8]

    fileprivate static let binWidth: Float = 0.5, lowest: Float = -120, binCount = 261

    private init(bands: [Int], blockFrames: Int, groups: [Range<Int>], floors: [[Float]], surges: [UInt8]) {
        self.bands = bands
        self.blockFrames = blockFrames
        self.groups = groups
        self.floors = floors
        self.surges = surges
    }

    /// The background's measurements, taken as frames arrive (in order): per
    /// 10-second block a histogram per band (0.5 dB bins) and its percentile
    /// in dB, and per frame the sub-bands' levels for the surge tracker.
    struct Survey {
        let bands: [Int]
        let blockFrames: Int
        let percentile: Double
        let tracker: MinimumStatistics?
        let groups: [Range<Int>]
        private var raw: [[Float]] = []
        private var histogram: [UInt16]
        private var framesInBlock = 0
        private var groupLevels: [UInt8] = []

        init(layout: FeatureLayout, bands: [Int], blockFrames: Int, percentile: Double,
             tracker: MinimumStatistics? = MinimumStatistics()) {
            self.bands = bands
            self.blockFrames = blockFrames
            self.percentile = percentile
            self.tracker = tracker
            let centres = layout.melCentreFrequencies
            var groups: [Range<Int>] = []
            var start = 0
            for edge in [1_000.0, 2_000, 4_000] {
                let end = bands.firstIndex { $0 < centres.count && centres[$0] >= edge } ?? bands.count
                if end > start { groups.append(start..<end); start = end }
            }
            if start < bands.count { groups.append(start..<bands.count) }
            self.groups = groups
            histogram = [UInt16](repeating: 0, count: bands.count * BandBackground.binCount)
        }

        mutating func add(_ block: FeatureBlock) {
            let bins = BandBackground.binCount, lowest = BandBackground.lowest, binWidth = BandBackground.binWidth
            let bands = bands, groups = groups, tracking = tracker != nil
            let stride = block.layout.stride, melOffset = block.layout.melOffset
            block.values.withUnsafeBufferPointer { v in
                for i in 0..<block.count {
                    if framesInBlock == blockFrames { closeBlock() }
                    let row = i * stride + melOffset
                    histogram.withUnsafeMutableBufferPointer { h in
                        for (j, band) in bands.enumerated() {
                            let bin = Int(max(0, min(Float(bins - 1), (v[row + band] - lowest) / binWidth + 0.5)))
                            h[j * bins + bin] &+= 1
                        }
                    }
                    if tracking {
                        for group in groups {
                            var p: Float = 0
                            for j in group { p += exp(v[row + bands[j]] * 0.230_258_5) }
                            groupLevels.append(MinimumStatistics.levelCode(p))
                        }
                    }
                    framesInBlock += 1
                }
            }
        }

        private mutating func closeBlock() {
            let bins = BandBackground.binCount
            let target = max(1, Int((Double(framesInBlock) * percentile).rounded(.up)))
            raw.append(histogram.withUnsafeBufferPointer { h in
                (0..<bands.count).map { j in
                    var running = 0
                    for bin in 0..<bins {
                        running += Int(h[j * bins + bin])
                        if running >= target { return BandBackground.lowest + Float(bin) * BandBackground.binWidth }
                    }
                    return BandBackground.lowest + Float(bins - 1) * BandBackground.binWidth
                }
            })
            for k in histogram.indices { histogram[k] = 0 }
            framesInBlock = 0
        }

        /// The background, each block's percentile replaced by the median of
        /// the blocks within `radius` of it: one loud block (a music break, a
        /// cough fest) does not lift the background around it.
        mutating func finish(radius: Int) -> BandBackground {
            if framesInBlock > 0 { closeBlock() }
            let raw = raw, bandCount = bands.count
            let floors = raw.indices.map { b in
                let neighbours = raw[max(0, b - radius)...min(raw.count - 1, b + radius)]
                return (0..<bandCount).map { j in
                    let values = neighbours.map { $0[j] }.sorted()
                    return exp(values[values.count / 2] * 0.230_258_5)
                }
            }
            var surges: [UInt8] = []
            if let tracker {
                tracker.surges(&groupLevels, groups: groups.count, blockFrames: blockFrames, radius: radius)
                surges = groupLevels
            }
            return BandBackground(bands: bands, blockFrames: blockFrames, groups: groups, floors: floors, surges: surges)
        }
    }

    var groupCount: Int { groups.count }


    /// Speech presence of local frame `i` of `block` in each sub-band (octave-ish
    /// groups of mel bands split at 1, 2 and 4 kHz), in dB above the background:
    /// 10·log10(1 + Σ max(0, P_b − F_b) / Σ F_b), power spectral subtraction
    /// (Boll 1979). F_b is the steady floor, lifted where the minimum-statistics
    /// floor shows a surge. 0 dB means "background only". Near-pure tones (notes
    /// of a music bed) are not speech: speech, even voiced, carries noise between
    /// its harmonics; a tonal frame is judged on the whole band, so a note's
    /// harmonics in an otherwise empty sub-band do not count, and loses
    /// `tonalDiscount` on top.
    func presence(_ block: FeatureBlock, at i: Int, into out: inout [Float]) {
        guard !floors.isEmpty, !bands.isEmpty else {
            for g in out.indices { out[g] = 0 }
            return
        }
        let frame = block.firstFrame + i
        let position = (Double(frame) + 0.5) / Double(blockFrames) - 0.5
        let a = min(floors.count - 1, max(0, Int(position.rounded(.down))))
        let b = min(floors.count - 1, a + 1)
        let t = Float(min(1, max(0, position - Double(a))))
        let floorA = floors[a], floorB = floors[b]
        let local = frame < surges.count / max(1, groups.count) ? frame * groups.count : -1
        let row = i * block.layout.stride + block.layout.melOffset
        var totalExcess: Float = 0, totalBackground: Float = 1e-12
        block.values.withUnsafeBufferPointer { values in
            let mel = values.baseAddress! + row
            for (g, group) in groups.enumerated() {
                let lift = local >= 0 ? MinimumStatistics.lift(surges[local + g]) : 1
                var excess: Float = 0, background: Float = 1e-12
                for j in group {
                    let floor = (floorA[j] + (floorB[j] - floorA[j]) * t) * lift
                    excess += max(0, exp(mel[bands[j]] * 0.230_258_5) - floor)
                    background += floor
                }
                out[g] = 10 * log10(1 + excess / background)
                totalExcess += excess
                totalBackground += background
            }
        }
        if block.value(.spectralFlatness, at: i) < tonalFlatness {
            let whole = max(0, 10 * log10(1 + totalExcess / totalBackground) - tonalDiscount)
            for g in out.indices { out[g] = whole }
        }
    }
}

/// The presence of a frame in its best sub-band: a final /s/ that stands well
/// clear of the noise at 6 kHz counts even when low-frequency noise swamps the
/// rest, and a nasal counts though only its low bands rise.
struct PresenceMeter: Sendable {
    let background: BandBackground

    /// The presence of every frame of `block`, in order. Frames are independent,
    /// so a block is shared out among the cores (the pause stage runs after the
    /// decoder has finished, when the other core is free).
    func best(of block: FeatureBlock) -> [Float] {
        let parts = max(1, min(Self.cores, block.count / 256))
        var presences = [Float](repeating: 0, count: block.count)
        presences.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                var scratch = [Float](repeating: 0, count: background.groupCount)
                for i in (block.count * part / parts)..<(block.count * (part + 1) / parts) {
                    background.presence(block, at: i, into: &scratch)
                    out[i] = scratch.max() ?? 0
                }
            }
        }
        return presences
    }

    private static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
