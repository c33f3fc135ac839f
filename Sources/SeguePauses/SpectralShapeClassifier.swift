import Foundation
import SegueFeatures

/// The second opinion on speech: the spectral shape of a frame (cepstral
/// coefficients c1…c12, which do not change when the level does) against one
/// diagonal Gaussian for the episode's speech and one for its background,
/// both learnt from the episode itself with the level-based decision as
/// labels (unsupervised adaptation, as in Sohn & Sung 1998 and Gauvain's
/// GMM speech/non-speech segmentation). A passing car or a gust rises in
/// level but keeps the shape of the background around it; a word keeps the
/// shape of speech however faint it is.
struct SpectralShapeClassifier {
    static let coefficients = 1...12

    private struct Moments {
        var count = 0.0
        var sum = [Double](repeating: 0, count: 12), squares = [Double](repeating: 0, count: 12)
    }

    private struct Gaussian {
        var mean: [Float], inverseVariance: [Float], logNormaliser: Float
        init?(_ m: Moments, minimumCount: Double) {
            guard m.count >= minimumCount else { return nil }
            mean = m.sum.map { Float($0 / m.count) }
            // Variance floor 0.01 (natural-log cepstral units).
            let variance = zip(m.squares, mean).map { Float($0 / m.count) - $1 * $1 + 0.01 }
            inverseVariance = variance.map { 1 / $0 }
            logNormaliser = -0.5 * variance.reduce(0) { $0 + log($1) }
        }
        func logLikelihood(_ x: UnsafeBufferPointer<Float>) -> Float {
            var d: Float = 0
            for k in 0..<mean.count { let e = x[k] - mean[k]; d += e * e * inverseVariance[k] }
            return logNormaliser - 0.5 * d
        }
    }

    private var speech = Moments(), background = Moments(), music = Moments()

    /// Adds local frame `i` of `block` to the class its first decision gave it, and to the music
    /// class as well when it lies in music found without speech.
    mutating func learn(_ block: FeatureBlock, at i: Int, isSpeech: Bool, isMusic: Bool = false) {
        let first = block.layout.cepstralOffset + Self.coefficients.lowerBound
        let row = i * block.layout.stride + first
        if isSpeech { Self.add(block.values, row, to: &speech) } else { Self.add(block.values, row, to: &background) }
        if isMusic { Self.add(block.values, row, to: &music) }
    }

    private static func add(_ v: [Float], _ row: Int, to m: inout Moments) {
        m.count += 1
        for k in 0..<12 { let x = Double(v[row + k]); m.sum[k] += x; m.squares[k] += x * x }
    }

    /// Per frame, the log-likelihood ratio speech : background, averaged over
    /// `smoothing` frames centred on it, in steps of `ratioStep` (one byte a
    /// frame, ±31.75); nil when either class has fewer than `minimumFrames`
    /// frames to learn from. With it, in the same pass, the ratio music : speech,
    /// nil when the episode has fewer than `minimumMusicFrames` frames of music
    /// alone: a bed under the voices is usually the intro's or a jingle's music
    /// carried on, ducked; in a pause it has their shape whatever its level,
    /// while speech over it keeps the voice's.
    func logLikelihoodRatios(track: FeatureTrack, smoothing: Int, minimumFrames: Int,
                             minimumMusicFrames: Int) throws -> (speech: [Int8]?, music: [Int8]?) {
        let minimum = Double(minimumFrames)
        let s = Gaussian(speech, minimumCount: minimum), b = Gaussian(background, minimumCount: minimum)
        let m = music.count >= Double(minimumMusicFrames) ? Gaussian(music, minimumCount: minimum) : nil
        var speechRatio = s != nil && b != nil ? SmoothedRatio(frames: track.frameCount, smoothing: smoothing) : nil
        var musicRatio = s != nil && m != nil ? SmoothedRatio(frames: track.frameCount, smoothing: smoothing) : nil
        guard speechRatio != nil || musicRatio != nil, let s else { return (nil, nil) }
        try track.forEachBlock { block in
            block.values.withUnsafeBufferPointer { v in
                let first = block.layout.cepstralOffset + Self.coefficients.lowerBound
                for i in 0..<block.count {
                    let x = UnsafeBufferPointer(rebasing: v[(i * block.layout.stride + first)...].prefix(12))
                    let speechLikelihood = s.logLikelihood(x)
                    if let b { speechRatio?.add(speechLikelihood - b.logLikelihood(x)) }
                    if let m { musicRatio?.add(m.logLikelihood(x) - speechLikelihood) }
                }
            }
        }
        return (speechRatio?.finish(), musicRatio?.finish())
    }

    /// A per-frame ratio averaged over `smoothing` frames centred on each, stored in `ratioStep`s.
    private struct SmoothedRatio {
        private let r: Int, n: Int
        private var out: [Int8], recent: [Float]   // ring of the last raw ratios
        private var sum: Float = 0, frame = 0

        init(frames: Int, smoothing: Int) {
            r = max(0, smoothing / 2)
            n = frames
            out = [Int8](repeating: 0, count: frames)
            recent = [Float](repeating: 0, count: 2 * r + 1)
        }

        mutating func add(_ ratio: Float) {
            if frame >= 2 * r + 1 { sum -= recent[frame % recent.count] }
            recent[frame % recent.count] = ratio
            sum += ratio
            if frame >= r { emit(frame - r) }
            frame += 1
        }

        // Centred average for frame f, once frame f + r is in (or the file ended).
        private mutating func emit(_ f: Int) {
            guard f < n else { return }
            let count = min(n - 1, f + r) - max(0, f - r) + 1
            out[f] = Int8(max(-127, min(127, (sum / Float(count) / SpectralShapeClassifier.ratioStep).rounded())))
        }

        /// The last r frames: the window shrinks at the end.
        mutating func finish() -> [Int8] {
            for f in max(0, n - r)..<n {
                if f - r - 1 >= 0 { sum -= recent[(f - r - 1) % recent.count] }
                emit(f)
            }
            return out
        }
    }

    /// A pause in moving noise, seen by `localRatios`: its core, whose frames are that moment's
    /// noise alone, and the edge zones to judge against it.
    struct LocalPause {
        var core: Range<Int>
        var zones: [Range<Int>]
    }

    /// Per frame of each pause's edge zones (in the order given), the log-likelihood ratio of the
    /// episode's speech against the noise of that pause: a Gaussian with the mean cepstrum of the
    /// pause's core and the spread of the episode's background. A gust or a passing car inside a
    /// pause has a shape of its own, which the episode-wide background model only roughly knows;
    /// a word's quiet edge under it stands apart from it where it would not from that model.
    /// Averaged over `smoothing` frames centred on each frame; nil when the models cannot be learnt
    /// (as `logLikelihoodRatios`). `pauses` in time order, not overlapping.
    func localRatios(track: FeatureTrack, pauses: [LocalPause], smoothing: Int, minimumFrames: Int) throws -> [[[Float]]]? {
        guard !pauses.isEmpty,
              let s = Gaussian(speech, minimumCount: Double(minimumFrames)),
              let b = Gaussian(background, minimumCount: Double(minimumFrames)) else { return nil }
        let r = max(0, smoothing / 2), n = track.frameCount
        // Pass 1: each core's mean cepstrum.
        var sums = [[Double]](repeating: [Double](repeating: 0, count: 12), count: pauses.count)
        var next = 0
        try track.forEachBlock { block in
            let first = block.layout.cepstralOffset + Self.coefficients.lowerBound
            for i in 0..<block.count {
                let frame = block.firstFrame + i
                while next < pauses.count, pauses[next].core.upperBound <= frame { next += 1 }
                guard next < pauses.count, pauses[next].core.contains(frame) else { continue }
                let row = i * block.layout.stride + first
                for k in 0..<12 { sums[next][k] += Double(block.values[row + k]) }
            }
        }
        let locals: [Gaussian] = pauses.indices.map { p in
            var local = b
            let count = Double(max(1, pauses[p].core.count))
            local.mean = sums[p].map { Float($0 / count) }
            return local
        }
        // Pass 2: raw ratios over each zone widened by the smoothing radius, then centred averages.
        let widened = pauses.map { $0.zones.map { max(0, $0.lowerBound - r)..<min(n, $0.upperBound + r) } }
        var raw = widened.map { $0.map { [Float](repeating: 0, count: $0.count) } }
        var spans: [(pause: Int, zone: Int, frames: Range<Int>)] = []
        for (p, zones) in widened.enumerated() { for (z, frames) in zones.enumerated() { spans.append((p, z, frames)) } }
        spans.sort { $0.frames.lowerBound < $1.frames.lowerBound }
        var firstOpen = 0
        try track.forEachBlock { block in
            block.values.withUnsafeBufferPointer { v in
                let first = block.layout.cepstralOffset + Self.coefficients.lowerBound
                for i in 0..<block.count {
                    let frame = block.firstFrame + i
                    while firstOpen < spans.count, spans[firstOpen].frames.upperBound <= frame { firstOpen += 1 }
                    var k = firstOpen
                    while k < spans.count, spans[k].frames.lowerBound <= frame {
                        let span = spans[k]
                        if span.frames.contains(frame) {
                            let x = UnsafeBufferPointer(rebasing: v[(i * block.layout.stride + first)...].prefix(12))
                            raw[span.pause][span.zone][frame - span.frames.lowerBound] =
                                s.logLikelihood(x) - locals[span.pause].logLikelihood(x)
                        }
                        k += 1
                    }
                }
            }
        }
        return pauses.indices.map { p in
            pauses[p].zones.indices.map { z in
                let zone = pauses[p].zones[z], frames = widened[p][z], values = raw[p][z]
                return zone.map { f in
                    let lo = max(frames.lowerBound, f - r), hi = min(frames.upperBound, f + r + 1)
                    var sum: Float = 0
                    for g in lo..<hi { sum += values[g - frames.lowerBound] }
                    return sum / Float(max(1, hi - lo))
                }
            }
        }
    }

    static let ratioStep: Float = 0.25
}
