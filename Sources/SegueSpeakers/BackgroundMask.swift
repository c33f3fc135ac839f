import SegueFeatures
import SeguePauses

/// Noise masking of the speaker features: every mel band of every speech frame is raised to at
/// least the level the episode's background reaches in that band, before the cepstra are taken
/// (Klatt, "A digital filter bank for spectral matching", ICASSP 1976; Varga & Moore, "Hidden
/// Markov model decomposition of speech and noise", ICASSP 1990, §2, "noise masking").
///
/// A music bed 10–20 dB under a voice fills the valleys of its spectrum and its quiet frames, so
/// the same voice over the bed and without it has different cepstra, and the clustering takes
/// the two for two speakers. Under a mask at the bed's level both read the same: whatever lies
/// below the mask, bed or quiet room, becomes the mask. The mask is one for the whole episode
/// (a mask that followed the background would give a voice different features in different
/// stretches again), so it is the loud end of the background: the `percentile` of each band's
/// level over the frames of the pauses, where only background sounds — a bed that plays through
/// a fifth of them lifts it to the bed's level; in a quiet studio it stays near the floor and
/// changes little. Where the background is steady throughout there is nothing to equalise, and
/// no mask is used (`minimumSpread`).
struct BackgroundMask: Sendable {
    /// Share of pause frames each band's mask lies above.
    static let percentile = 0.95
    /// Fewer pause frames than this (1 s): no mask.
    static let minimumFrames = 100
    /// The mask is used only where the background changes within the episode: where, in the
    /// median band, the `percentile` of the pause frames lies at least this far (dB) above their
    /// median. Masking costs the quiet part of every voice's spectrum, so where the background is
    /// the same throughout (steady noise: 3.5–5 dB; the 15 real meeting recordings of
    /// `Tools/eval-real-speakers`: 6–20.5 dB) it is left off; a bed under part of the speech
    /// gives 28.5–30 dB on the tuning fixtures t_produced1/2. Chosen between the two: a mask on
    /// the stationary-noise fixtures costs change F1 (spk_snr15 0.83, spk_snr5 0.80), and on the
    /// real recordings tuning DER (72 % → 81 % from 15 dB down).
    static let minimumSpread: Float = 25

    /// A frame carries a voice only where at least `heardShare` of its bands rise `heardMargin`
    /// dB above the mask. Below that, what is left after masking is the mask's own spectrum,
    /// the same in every such frame: a pause the pause stage took for speech because a bed
    /// plays in it, the quiet tail of a word. Those frames all read alike, so they gathered
    /// into a "speaker" of sub-second pieces scattered through every turn (t_produced1: all
    /// of its third speaker but a stinger). On the tuning fixtures 77–100 % of such frames
    /// fall under a tenth of the bands 3 dB up, against 3–8 % of the voices' frames.
    static let heardMargin: Float = 3
    static let heardShare = 0.1

    /// Mask per mel band, dB.
    let levels: [Float]
    private let cepstrum: CepstrumTransform

    private static let binWidth: Float = 0.5, lowest: Float = -120, binCount = 261

    /// The mask of the episode's pauses; nil when there are too few pause frames.
    init?(track: FeatureTrack, pauses: [Pause]) throws {
        let bands = track.layout.melBandCount, clock = track.clock
        guard bands > 0, track.layout.cepstralCount > 1 else { return nil }
        var histogram = [Int](repeating: 0, count: bands * Self.binCount)
        var frames = 0
        for pause in pauses {
            let range = clock.frame(at: pause.start)..<min(track.frameCount, clock.frame(at: pause.end))
            guard !range.isEmpty else { continue }
            let block = try track.read(range)
            for i in 0..<block.count {
                for b in 0..<bands {
                    let bin = Int(max(0, min(Float(Self.binCount - 1), (block.mel(b, at: i) - Self.lowest) / Self.binWidth + 0.5)))
                    histogram[b * Self.binCount + bin] += 1
                }
            }
            frames += block.count
        }
        guard frames >= Self.minimumFrames else { return nil }
        func quantile(_ q: Double) -> [Float] {
            let target = Int((Double(frames) * q).rounded(.up))
            return (0..<bands).map { b in
                var running = 0
                for bin in 0..<Self.binCount {
                    running += histogram[b * Self.binCount + bin]
                    if running >= target { return Self.lowest + Float(bin) * Self.binWidth }
                }
                return Self.lowest + Float(Self.binCount - 1) * Self.binWidth
            }
        }
        let high = quantile(Self.percentile), median = quantile(0.5)
        let spreads = zip(high, median).map { $0 - $1 }.sorted()
        guard spreads[spreads.count / 2] >= Self.minimumSpread else { return nil }
        levels = high
        cepstrum = CepstrumTransform(inputCount: bands, coefficientCount: track.layout.cepstralCount)
    }

    /// Cepstral coefficients `coefficients` of local frames `frames` of `block`, from their masked
    /// mel levels, appended to `out` frame by frame; whether each frame is heard above the mask
    /// (`heardShare`) appended to `heard`.
    func appendCepstra(of block: FeatureBlock, frames: Range<Int>, coefficients: ClosedRange<Int>,
                       to out: inout [Float], heard: inout [Bool]) {
        let bands = levels.count
        let needed = Int((Self.heardShare * Double(bands)).rounded(.up))
        withUnsafeTemporaryAllocation(of: Float.self, capacity: bands + cepstrum.coefficientCount) { scratch in
            let logEnergies = UnsafeMutableBufferPointer(rebasing: scratch[0..<bands])
            let c = UnsafeMutableBufferPointer(rebasing: scratch[bands...])
            for i in frames {
                var above = 0
                for b in 0..<bands {
                    let level = block.mel(b, at: i)
                    if level >= levels[b] + Self.heardMargin { above += 1 }
                    logEnergies[b] = max(level, levels[b]) * CepstrumTransform.naturalLogPerDecibel
                }
                heard.append(above >= needed)
                cepstrum.apply(logEnergies: UnsafeBufferPointer(logEnergies), into: c)
                for k in coefficients { out.append(c[k]) }
            }
        }
    }
}
