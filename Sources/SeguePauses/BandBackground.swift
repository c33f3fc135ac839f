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
    private var floors: [[Float]] = []
    /// Per frame and sub-band: the surge of the minimum-statistics floor (codes,
    /// see `MinimumStatistics`); the background is lifted by it.
    private var surges: [UInt8] = []

    private static let binWidth: Float = 0.5, lowest: Float = -120, binCount = 261

    init(track: FeatureTrack, bands: [Int], blockFrames: Int, percentile: Double, radius: Int,
         tracker: MinimumStatistics? = MinimumStatistics()) throws {
        self.bands = bands
        self.blockFrames = blockFrames
        let centres = track.layout.melCentreFrequencies
        var groups: [Range<Int>] = []
        var start = 0
        for edge in [1_000.0, 2_000, 4_000] {
            let end = bands.firstIndex { $0 < centres.count && centres[$0] >= edge } ?? bands.count
            if end > start { groups.append(start..<end); start = end }
        }
        if start < bands.count { groups.append(start..<bands.count) }
        self.groups = groups

        // Per block: one histogram per band (0.5 dB bins), then its percentile in dB.
        let bandCount = bands.count, bins = Self.binCount
        var raw: [[Float]] = []
        var histogram = [UInt16](repeating: 0, count: bandCount * bins)
        var framesInBlock = 0
        var groupLevels: [UInt8] = []
        if tracker != nil { groupLevels.reserveCapacity(track.frameCount * groups.count) }
        func closeBlock(_ h: UnsafeMutableBufferPointer<UInt16>) {
            let target = max(1, Int((Double(framesInBlock) * percentile).rounded(.up)))
            raw.append((0..<bandCount).map { j in
                var running = 0
                for bin in 0..<bins {
                    running += Int(h[j * bins + bin])
                    if running >= target { return Self.lowest + Float(bin) * Self.binWidth }
                }
                return Self.lowest + Float(bins - 1) * Self.binWidth
            })
            for k in h.indices { h[k] = 0 }
            framesInBlock = 0
        }
        try track.forEachBlock { block in
            histogram.withUnsafeMutableBufferPointer { h in
                block.values.withUnsafeBufferPointer { v in
                    let stride = block.layout.stride, melOffset = block.layout.melOffset
                    for i in 0..<block.count {
                        if framesInBlock == blockFrames { closeBlock(h) }
                        let row = i * stride + melOffset
                        for (j, band) in bands.enumerated() {
                            let bin = Int(max(0, min(Float(bins - 1), (v[row + band] - Self.lowest) / Self.binWidth + 0.5)))
                            h[j * bins + bin] &+= 1
                        }
                        if tracker != nil {
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
        }
        if framesInBlock > 0 { histogram.withUnsafeMutableBufferPointer { closeBlock($0) } }
        // Median across neighbouring blocks, per band: one loud block (a
        // music break, a cough fest) does not lift the background around it.
        floors = raw.indices.map { b in
            let neighbours = raw[max(0, b - radius)...min(raw.count - 1, b + radius)]
            return (0..<bandCount).map { j in
                let values = neighbours.map { $0[j] }.sorted()
                return exp(values[values.count / 2] * 0.230_258_5)
            }
        }
        if let tracker {
            tracker.surges(&groupLevels, groups: groups.count, blockFrames: blockFrames, radius: radius)
            surges = groupLevels
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
        var totalExcess: Float = 0, totalBackground: Float = 1e-12
        for (g, group) in groups.enumerated() {
            let lift = local >= 0 ? MinimumStatistics.lift(surges[local + g]) : 1
            var excess: Float = 0, background: Float = 1e-12
            for j in group {
                let floor = (floorA[j] + (floorB[j] - floorA[j]) * t) * lift
                excess += max(0, exp(block.mel(bands[j], at: i) * 0.230_258_5) - floor)
                background += floor
            }
            out[g] = 10 * log10(1 + excess / background)
            totalExcess += excess
            totalBackground += background
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
struct PresenceMeter {
    let background: BandBackground
    private var scratch: [Float]

    init(background: BandBackground) {
        self.background = background
        scratch = [Float](repeating: 0, count: background.groupCount)
    }

    mutating func best(_ block: FeatureBlock, at i: Int) -> Float {
        background.presence(block, at: i, into: &scratch)
        return scratch.max() ?? 0
    }
}
