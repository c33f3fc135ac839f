import Foundation
import SegueAlignment
import SegueFeatures

/// How much better each placed sentence fits where the alignment put it than a few seconds away.
///
/// Dynamic time warping always finds *some* path, and its cost depends on the voices, the noise and
/// the channel, so a cost alone cannot say whether a transcript belongs to the audio. The contrast
/// can: the reference sentence is laid rigidly over its placed span and over the same span shifted
/// by ±1.5, ±3 and ±5 s; for the right text the placed span fits clearly better (the contrast is
/// the median shifted cost minus the placed cost), for another episode's text or another language
/// it fits no better there than anywhere. Cepstra without c0, each track normalised by its own
/// mean and standard deviation (cepstral mean and variance normalisation); cost 1 − cosine.
struct MatchContrast {
    static let shifts: [Double] = [-5, -3, -1.5, 1.5, 3, 5]
    /// Every n-th reference frame is compared; plenty for a mean over a sentence.
    static let frameStep = 2

    let reference: FeatureTrack
    let episode: FeatureTrack
    let referenceNorm: CepstralNorm
    let episodeNorm: CepstralNorm
    let hop: Double

    init(reference: ReferenceFeatures, episode: FeatureTrack) throws {
        self.reference = reference.track
        self.episode = episode
        referenceNorm = try CepstralNorm(track: reference.track)
        episodeNorm = try CepstralNorm(track: episode)
        hop = episode.clock.hopDuration
    }

    /// The contrast of one sentence (reference frames `frames`) placed at `start`–`end` seconds; nil
    /// when the sentence or span is too short to judge. Reads only the frames it compares.
    func contrast(frames: Range<Int>, start: Double, end: Double) throws -> Double? {
        let first = Int((start / hop).rounded()), last = Int((end / hop).rounded())
        let length = last - first
        guard frames.count >= 10, length >= 10 else { return nil }
        let reach = Int((Self.shifts.map(abs).max()! / hop).rounded())
        let window = max(0, first - reach)..<min(episode.frameCount, last + reach)
        let ref = referenceNorm.vectors(try reference.read(frames))
        let epi = episodeNorm.vectors(try episode.read(window))
        let d = referenceNorm.dimension
        func cost(offset: Int) -> Double? {
            guard first + offset >= window.lowerBound, last + offset <= window.upperBound else { return nil }
            var total = 0.0, count = 0
            for i in stride(from: 0, to: frames.count, by: Self.frameStep) {
                let j = first + offset + i * length / frames.count - window.lowerBound
                var dot: Float = 0
                for k in 0..<d { dot += ref[i * d + k] * epi[j * d + k] }
                total += 1 - Double(dot)
                count += 1
            }
            return total / Double(count)
        }
        guard let placed = cost(offset: 0) else { return nil }
        let shifted = Self.shifts.compactMap { cost(offset: Int(($0 / hop).rounded())) }.sorted()
        guard shifted.count >= 3 else { return nil }
        return shifted[shifted.count / 2] - placed
    }
}

/// Mean and standard deviation of cepstra 1…n−1 over a whole track (cepstral mean and variance
/// normalisation), from one streaming pass.
struct CepstralNorm {
    let dimension: Int
    private let mean: [Float]
    private let scale: [Float]

    init(track: FeatureTrack) throws {
        let d = track.layout.cepstralCount - 1
        dimension = d
        var sum = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        try track.forEachBlock { block in
            for i in 0..<block.count {
                for k in 0..<d {
                    let x = Double(block.cepstrum(k + 1, at: i))
                    sum[k] += x
                    squares[k] += x * x
                }
            }
        }
        let n = Double(max(1, track.frameCount))
        mean = sum.map { Float($0 / n) }
        scale = zip(sum, squares).map { s, q in Float(1 / max(1e-6, (q / n - (s / n) * (s / n)).squareRoot())) }
    }

    /// The block's frames normalised, each scaled to unit length so that a dot product is a cosine.
    func vectors(_ block: FeatureBlock) -> [Float] {
        var out = [Float](repeating: 0, count: block.count * dimension)
        for i in 0..<block.count {
            var norm: Float = 0
            for k in 0..<dimension {
                let v = (block.cepstrum(k + 1, at: i) - mean[k]) * scale[k]
                out[i * dimension + k] = v
                norm += v * v
            }
            let inverse = norm > 0 ? 1 / norm.squareRoot() : 0
            for k in 0..<dimension { out[i * dimension + k] *= inverse }
        }
        return out
    }
}
