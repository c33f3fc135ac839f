import Foundation
import SegueFeatures

/// The steady background in each mel band of the speech range: a low
/// percentile of the band's level per 10-second block, then the median of
/// neighbouring blocks. Hum, hiss and sustained music sit here; speech rises
/// above it in many bands at once, while a melody note rises in few.
///
/// Memory: one band vector per block (~100 bytes per 10 s), plus one block's
/// histograms while it is measured.
struct BandBackground {
    let bands: [Int]
    let blockFrames: Int
    /// Frames whose speech-band flatness is below this are treated as tonal.
    var tonalFlatness: Float = 0.005
    /// How much presence a tonal frame loses, in dB.
    var tonalDiscount: Float = 9
    /// Sub-bands: indices into `bands`, split at 1, 2 and 4 kHz.
    private let groups: [[Int]]
    private var floors: [[Float]] = []      // [block][band index in `bands`], smoothed

    init(track: FeatureTrack, bands: [Int], blockFrames: Int, percentile: Double, radius: Int) throws {
        self.bands = bands
        self.blockFrames = blockFrames
        let centres = track.layout.melCentreFrequencies
        let edges: [Double] = [1_000, 2_000, 4_000]
        var groups: [[Int]] = [[]]
        for (j, band) in bands.enumerated() {
            if band < centres.count, groups.count <= edges.count, centres[band] >= edges[groups.count - 1], !groups[groups.count - 1].isEmpty {
                groups.append([])
            }
            groups[groups.count - 1].append(j)
        }
        self.groups = groups
        var raw: [[Float]] = []
        var histogram = [LevelProfile](repeating: LevelProfile(blockFrames: blockFrames), count: bands.count)
        var currentBlock = 0
        func closeBlock() {
            raw.append(histogram.map { $0.percentile(percentile, aroundBlock: currentBlock, radius: 0) })
            histogram = [LevelProfile](repeating: LevelProfile(blockFrames: blockFrames), count: bands.count)
        }
        try track.forEachBlock { block in
            for i in 0..<block.count {
                let frame = block.firstFrame + i
                if frame / blockFrames != currentBlock {
                    closeBlock()
                    currentBlock = frame / blockFrames
                }
                for (j, band) in bands.enumerated() {
                    histogram[j].add(block.mel(band, at: i), frame: frame)
                }
            }
        }
        if track.frameCount > 0 { closeBlock() }
        // Median across neighbouring blocks, per band: one loud block (a
        // music break, a cough fest) does not lift the background around it.
        floors = raw.indices.map { b in
            let neighbours = raw[max(0, b - radius)...min(raw.count - 1, b + radius)]
            return bands.indices.map { j in
                let values = neighbours.map { $0[j] }.sorted()
                return values[values.count / 2]
            }
        }
    }

    /// Speech presence of local frame `i` of `block`, in dB above the
    /// background. Within each sub-band (octave-ish groups of mel bands) it is
    /// 10·log10(1 + Σ max(0, P_b − F_b) / Σ F_b), power spectral subtraction
    /// (Boll 1979); the frame takes its best sub-band. So a final /s/ that
    /// stands well clear of the noise at 6 kHz counts even when low-frequency
    /// noise swamps the rest, and a nasal counts though only its low bands rise.
    /// 0 dB means "background only".
    func presence(_ block: FeatureBlock, at i: Int) -> Float {
        guard !floors.isEmpty, !bands.isEmpty else { return 0 }
        let frame = block.firstFrame + i
        let position = (Double(frame) + 0.5) / Double(blockFrames) - 0.5
        let a = min(floors.count - 1, max(0, Int(position.rounded(.down))))
        let b = min(floors.count - 1, a + 1)
        let t = Float(min(1, max(0, position - Double(a))))
        var best: Float = 0, totalExcess: Float = 0, totalBackground: Float = 1e-12
        for group in groups {
            var excess: Float = 0, background: Float = 1e-12
            for j in group {
                let floor = powerOf(floors[a][j] + (floors[b][j] - floors[a][j]) * t)
                excess += max(0, powerOf(block.mel(bands[j], at: i)) - floor)
                background += floor
            }
            best = max(best, 10 * log10(1 + excess / background))
            totalExcess += excess
            totalBackground += background
        }
        // Near-pure tones (notes of a music bed) are not speech: speech, even
        // voiced, carries noise between its harmonics. A tonal frame is judged
        // on the whole band, so a note's harmonics in an otherwise empty
        // sub-band do not count, and loses `tonalDiscount` on top.
        if block.value(.spectralFlatness, at: i) < tonalFlatness {
            return max(0, 10 * log10(1 + totalExcess / totalBackground) - tonalDiscount)
        }
        return best
    }

    @inline(__always) private func powerOf(_ decibels: Float) -> Float { exp(decibels * 0.230_258_5) }
}
