import Foundation
import SegueFeatures

/// Finds a backchannel ("Okay.", "Right.") spoken over another speaker's sentence, which the
/// content alignment cannot place: its path is monotonic, and two voices at once match
/// neither reading well. Where the listener's voice joins, the frames move towards the
/// listener's own voice (Gaussian models of each speaker's cepstra, from the turns already
/// placed): the backchannel starts where the log-likelihood ratio of listener over speaker,
/// averaged over `onsetLength`, is highest within the sentence it interrupts.
/// The approach of likelihood-ratio overlap detection (Boakye et al., "Overlapped speech
/// detection for improved speaker diarization in multiparty meetings", ICASSP 2008), with
/// speaker models taken from the alignment instead of trained ones.
struct BackchannelLocator {
    /// Cepstra c1…c`coefficients` are compared.
    var coefficients = 12
    /// Frames quieter than this far below the loudest speech (dB) are left out of models and scores.
    var levelRange: Float = 35
    /// The ratio is averaged over this long (s): the first syllable of the backchannel, where
    /// its voice stands out most before the two voices blend.
    var onsetLength = 0.15

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

    /// Cepstra of the sounding frames in `spans` (seconds), at most `limit` frames.
    func frames(of spans: [(Double, Double)], in track: FeatureTrack, gate: Float, limit: Int = 30_000) throws -> [[Float]] {
        let clock = track.clock
        let dimension = min(coefficients, track.layout.cepstralCount - 1)
        var out: [[Float]] = []
        for (start, end) in spans where out.count < limit {
            let lo = max(0, clock.frame(at: start)), hi = min(track.frameCount, clock.frame(at: end))
            guard lo < hi else { continue }
            let block = try track.read(lo..<hi)
            for i in 0..<block.count where block.value(.logEnergy, at: i) > gate {
                out.append((1...dimension).map { block.cepstrum($0, at: i) })
            }
        }
        return out
    }

    /// The listener's and the speaker's voice models, from their `listener` and `speaker` spans
    /// (seconds); nil when either has too little speech.
    func voices(listener: [(Double, Double)], speaker: [(Double, Double)], track: FeatureTrack,
                loudLevel: Float) throws -> (listener: VoiceModel, speaker: VoiceModel)? {
        let gate = loudLevel - levelRange
        guard let listenerModel = VoiceModel(frames: try frames(of: listener, in: track, gate: gate)),
              let speakerModel = VoiceModel(frames: try frames(of: speaker, in: track, gate: gate)) else { return nil }
        return (listenerModel, speakerModel)
    }

    /// Per frame of `frames`: log-likelihood of the listener's voice over the speaker's, nil
    /// for frames quieter than the gate.
    func ratios(_ frames: Range<Int>, voices: (listener: VoiceModel, speaker: VoiceModel), track: FeatureTrack,
                loudLevel: Float) throws -> [Double?] {
        let gate = loudLevel - levelRange
        let block = try track.read(frames)
        let dimension = min(coefficients, track.layout.cepstralCount - 1)
        var values = [Double?](repeating: nil, count: block.count)
        for i in 0..<block.count where block.value(.logEnergy, at: i) > gate {
            let x = (1...dimension).map { block.cepstrum($0, at: i) }
            values[i] = voices.listener.logLikelihood(x) - voices.speaker.logLikelihood(x)
        }
        return values
    }

    /// Whether the sounding frames of `span` (seconds) are, on average, more like the listener's
    /// voice than the speaker's; nil when the span has no sounding frame.
    func soundsLikeListener(_ span: Range<Double>, voices: (listener: VoiceModel, speaker: VoiceModel),
                            track: FeatureTrack, loudLevel: Float) throws -> Bool? {
        let clock = track.clock
        let lo = max(0, clock.frame(at: span.lowerBound)), hi = min(track.frameCount, clock.frame(at: span.upperBound))
        guard lo < hi else { return nil }
        let sounding = try ratios(lo..<hi, voices: voices, track: track, loudLevel: loudLevel).compactMap { $0 }
        guard !sounding.isEmpty else { return nil }
        return sounding.reduce(0, +) > 0
    }

    /// Where a backchannel starts within `window` (seconds), given the listener's and the
    /// speaker's voices; nil when the listener's voice is nowhere stronger.
    func locate(in window: Range<Double>, voices: (listener: VoiceModel, speaker: VoiceModel),
                track: FeatureTrack, loudLevel: Float) throws -> (start: Double, end: Double, score: Double)? {
        let clock = track.clock
        let lo = max(0, clock.frame(at: window.lowerBound)), hi = min(track.frameCount, clock.frame(at: window.upperBound))
        let length = max(1, clock.frame(at: onsetLength))
        guard hi - lo > length else { return nil }
        // Per frame: listener over speaker relative to the window's median (the speaker's own
        // sentence sets the baseline), 0 for quiet frames; then running sums.
        let values = try ratios(lo..<hi, voices: voices, track: track, loudLevel: loudLevel)
        let sounding = values.compactMap { $0 }.sorted()
        guard !sounding.isEmpty else { return nil }
        let median = sounding[sounding.count / 2]
        var ratio = [Double](repeating: 0, count: values.count + 1)
        for i in values.indices { ratio[i + 1] = ratio[i] + (values[i].map { $0 - median } ?? 0) }
        func mean(_ start: Int) -> Double { (ratio[start + length] - ratio[start]) / Double(length) }
        var best = -Double.infinity, bestStart = 0
        for start in 0...(values.count - length) where mean(start) > best { (best, bestStart) = (mean(start), start) }
        guard best > 0 else { return nil }
        let start = clock.boundary(beforeFrame: lo + bestStart)
        return (start, clock.boundary(beforeFrame: lo + bestStart + length), best)
    }
}
