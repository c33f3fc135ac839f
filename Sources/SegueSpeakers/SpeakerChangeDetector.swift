import Foundation
import SegueFeatures

/// Speaker-change detection on the speech stream, in two passes after
/// DISTBIC (Delacourt & Wellekens, "DISTBIC: A speaker-based segmentation for
/// audio data indexing", Speech Communication 32, 2000):
///
/// 1. A distance curve: at every `step`, the generalized likelihood ratio
///    (GLR) between two adjacent windows of `window` seconds, each modelled by
///    one full-covariance Gaussian on c1…c12. Local maxima that stand out are
///    candidate changes. This pass over-segments on purpose; clustering and
///    resegmentation merge what belongs together, while a missed change would
///    leave two voices in one model.
/// 2. Validation with the Bayesian information criterion of Chen &
///    Gopalakrishnan ("Speaker, environment and channel change detection and
///    clustering via the Bayesian information criterion", DARPA BNTU Workshop
///    1998): each candidate is tested between its neighbours (at most
///    `validationSpan` on either side), ΔBIC = ½(N log|Σ| − N₁ log|Σ₁| −
///    N₂ log|Σ₂|) − λ·½·P·log N; the weakest candidate below zero is dropped
///    and its neighbours are re-tested, until all remaining ones pass.
///
/// Pauses are not in the stream, so a pause inside one speaker's turn is just
/// more of the same voice and gives no peak, while a change with no pause at
/// all is found like any other.
///
/// The stream is processed in chunks of `chunk` seconds with a margin, so
/// memory is bounded and work is linear in duration.
public struct SpeakerChangeDetector: Sendable {
    public struct Parameters: Sendable, Codable, Equatable {
        /// Length of each of the two GLR windows (s). One second holds 100
        /// frames, enough for a 12-dimensional full covariance.
        public var window: Double = 1.0
        /// Hop of the distance curve (s).
        public var step: Double = 0.05
        /// A peak must be the maximum within ± this (s).
        public var peakSpacing: Double = 0.6
        /// First-pass threshold: λ of the BIC penalty on the GLR of the two
        /// windows (1 = textbook BIC). Every peak above it is a candidate.
        public var firstPassLambda: Double = 1.0
        /// Second-pass BIC λ (1 = textbook BIC; see SegueSpeakers.docc/Design.md).
        public var secondPassLambda: Double = 1.8
        /// Most context on either side of a candidate in the BIC test (s).
        public var validationSpan: Double = 5.0
        /// Covariance shrinkage towards the episode's speech covariance, in frames.
        public var priorFrames: Double = 10
        /// Stream processed this many seconds at a time.
        public var chunk: Double = 60

        public init() {}
    }

    public var parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    /// Candidate changes in `window` (one window of the speech stream), as
    /// positions within it, sorted.
    func detect(in window: StreamWindow, prior: [Double], hop: Double, secondPass: Bool = true) -> [Int] {
        let w = max(20, Int((parameters.window / hop).rounded()))
        let step = max(1, Int((parameters.step / hop).rounded()))
        let spacing = max(1, Int((parameters.peakSpacing / hop).rounded()))
        let span = max(w, Int((parameters.validationSpan / hop).rounded()))
        let core = max(4 * span, Int((parameters.chunk / hop).rounded()))
        let margin = span + w
        let count = window.count, d = window.dimension
        guard count >= 2 * w, d > 0 else { return [] }

        var result: [Int] = []
        var coreStart = 0
        while coreStart < count {
            let coreEnd = min(count, coreStart + core)
            let lo = max(0, coreStart - margin), hi = min(count, coreEnd + margin)
            let moments = window.vectors.withUnsafeBufferPointer {
                PrefixMoments(vectors: UnsafeBufferPointer(rebasing: $0[(lo * d)..<(hi * d)]), dimension: d)
            }

            // Pass 1: GLR curve and its peaks.
            let penalty = Covariance.bicPenalty(lambda: parameters.firstPassLambda, dimension: d,
                                                frames: Double(2 * w))
            var curve: [(position: Int, value: Double)] = []
            let n0 = parameters.priorFrames
            // One window's right half is a later point's left half: with the
            // window a whole number of steps, each is computed once.
            var single: [Double] = []
            if w % step == 0 {
                var a = 0
                while a + w <= hi - lo {
                    single.append(moments.logDeterminant(a, a + w, prior: prior, priorFrames: n0))
                    a += step
                }
            }
            var t = w
            while t + w <= hi - lo {
                let whole = moments.logDeterminant(t - w, t + w, prior: prior, priorFrames: n0)
                let left = single.isEmpty ? moments.logDeterminant(t - w, t, prior: prior, priorFrames: n0)
                    : single[(t - w) / step]
                let right = single.isEmpty ? moments.logDeterminant(t, t + w, prior: prior, priorFrames: n0)
                    : single[t / step]
                curve.append((t, Double(w) * whole - 0.5 * Double(w) * (left + right) - penalty))
                t += step
            }
            var candidates: [Int] = []
            for (i, point) in curve.enumerated() where point.value > 0 {
                let reach = spacing / step
                let a = max(0, i - reach), b = min(curve.count - 1, i + reach)
                var isPeak = true
                for j in a...b where j != i {
                    if curve[j].value > point.value || (curve[j].value == point.value && j < i) { isPeak = false; break }
                }
                if isPeak { candidates.append(point.position) }
            }

            // Pass 2: BIC validation between neighbouring candidates.
            if secondPass {
                candidates = validate(candidates, moments: moments, length: hi - lo, span: span,
                                      dimension: d, prior: prior)
            }
            for c in candidates {
                let position = c + lo
                if position >= coreStart, position < coreEnd { result.append(position) }
            }
            coreStart = coreEnd
        }
        return result
    }

    private func validate(_ candidates: [Int], moments: PrefixMoments, length: Int, span: Int,
                          dimension: Int, prior: [Double]) -> [Int] {
        var kept = candidates
        func score(_ i: Int) -> Double {
            let c = kept[i]
            let a = max(i > 0 ? kept[i - 1] : 0, c - span)
            let b = min(i + 1 < kept.count ? kept[i + 1] : length, c + span)
            let n = Double(b - a), n1 = Double(c - a), n2 = Double(b - c)
            guard n1 >= 2, n2 >= 2 else { return -.infinity }
            let n0 = parameters.priorFrames
            return 0.5 * (n * moments.logDeterminant(a, b, prior: prior, priorFrames: n0)
                          - n1 * moments.logDeterminant(a, c, prior: prior, priorFrames: n0)
                          - n2 * moments.logDeterminant(c, b, prior: prior, priorFrames: n0))
                - Covariance.bicPenalty(lambda: parameters.secondPassLambda, dimension: dimension, frames: n)
        }
        var scores = kept.indices.map(score)
        while let worst = scores.indices.min(by: { scores[$0] < scores[$1] }), scores[worst] < 0 {
            kept.remove(at: worst)
            scores.remove(at: worst)
            for i in [worst - 1, worst] where i >= 0 && i < kept.count { scores[i] = score(i) }
        }
        return kept
    }
}

/// Prefix sums of the moments of a run of vectors, so that the statistics of
/// any window come from one subtraction.
struct PrefixMoments {
    let dimension: Int
    let width: Int
    private var prefix: [Double]

    init(vectors: UnsafeBufferPointer<Float>, dimension d: Int) {
        dimension = d
        width = GaussianStatistics.momentCount(dimension: d)
        let n = d > 0 ? vectors.count / d : 0
        prefix = [Double](repeating: 0, count: (n + 1) * width)
        let w = width
        prefix.withUnsafeMutableBufferPointer { p in
            do {
                let v = vectors
                for t in 0..<n {
                    let src = t * w, dst = (t + 1) * w
                    let x = v.baseAddress! + t * d
                    for i in 0..<d { p[dst + i] = p[src + i] + Double(x[i]) }
                    var q = d
                    for i in 0..<d {
                        let xi = Double(x[i])
                        for j in i..<d {
                            p[dst + q] = p[src + q] + xi * Double(x[j])
                            q += 1
                        }
                    }
                }
            }
        }
    }

    /// Statistics of vectors a..<b.
    func statistics(_ a: Int, _ b: Int) -> GaussianStatistics {
        var moments = [Double](repeating: 0, count: width)
        for k in 0..<width { moments[k] = prefix[b * width + k] - prefix[a * width + k] }
        return GaussianStatistics(dimension: dimension, count: Double(b - a),
                                  sum: Array(moments[0..<dimension]), scatter: Array(moments[dimension...]))
    }

    /// Shrunk log|Σ| of vectors a..<b.
    func logDeterminant(_ a: Int, _ b: Int, prior: [Double], priorFrames: Double) -> Double {
        let w = width, d = dimension
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: w) { diff in
            prefix.withUnsafeBufferPointer { p in
                for k in 0..<w { diff[k] = p[b * w + k] - p[a * w + k] }
            }
            return Covariance.shrunkLogDeterminant(count: Double(b - a), sum: diff.baseAddress!,
                                                   packedScatter: diff.baseAddress! + d,
                                                   dimension: d, prior: prior, priorFrames: priorFrames)
        }
    }
}
