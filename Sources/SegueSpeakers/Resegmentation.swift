import Foundation
import SegueFeatures

/// A diagonal-covariance Gaussian mixture, the usual speaker model of
/// GMM-based diarization resegmentation (Reynolds & Rose, "Robust
/// text-independent speaker identification using Gaussian mixture speaker
/// models", IEEE TSAP 1995; used for resegmentation e.g. by Meignier et al.,
/// LIUM_SpkDiarization, 2010).
struct DiagonalMixture: Sendable {
    let dimension: Int
    let components: Int
    private(set) var means: [Float]
    private(set) var precisions: [Float]       // 1/σ²
    private(set) var constants: [Float]        // log w − ½ Σ log σ² − d/2 log 2π

    /// Trains on `vectors` (row-major) by EM from evenly spaced seeds.
    /// `varianceFloor` (per dimension) keeps components from collapsing.
    init(training vectors: [Float], dimension d: Int, components wanted: Int, iterations: Int,
         varianceFloor: [Float]) {
        dimension = d
        let n = d > 0 ? vectors.count / d : 0
        let m = max(1, min(wanted, 16, n / 40))
        components = m
        means = [Float](repeating: 0, count: m * d)
        precisions = [Float](repeating: 1, count: m * d)
        constants = [Float](repeating: 0, count: m)
        guard n > 0 else {
            for k in 0..<(m * d) { precisions[k] = 1 / max(varianceFloor[k % max(d, 1)], 1e-6) }
            setConstants(weights: [Float](repeating: 1 / Float(m), count: m))
            return
        }
        // Global variance of the training data, the starting variance of every component.
        var mean = [Double](repeating: 0, count: d), square = [Double](repeating: 0, count: d)
        for t in 0..<n { for k in 0..<d { let x = Double(vectors[t * d + k]); mean[k] += x; square[k] += x * x } }
        var variance = [Float](repeating: 1, count: d)
        for k in 0..<d {
            mean[k] /= Double(n)
            variance[k] = max(Float(square[k] / Double(n) - mean[k] * mean[k]), varianceFloor[k])
        }
        // Seeds: frames spread over the whole training set, so each part of
        // the speaker's speech gets a component.
        for c in 0..<m {
            let t = min(n - 1, Int((Double(c) + 0.5) * Double(n) / Double(m)))
            for k in 0..<d {
                means[c * d + k] = vectors[t * d + k]
                precisions[c * d + k] = 1 / variance[k]
            }
        }
        var weights = [Float](repeating: 1 / Float(m), count: m)
        setConstants(weights: weights)
        guard m > 1 else {
            for k in 0..<d { means[k] = Float(mean[k]) }
            return
        }
        var posterior = [Float](repeating: 0, count: m)
        var occupancy = [Double](repeating: 0, count: m)
        var first = [Double](repeating: 0, count: m * d)
        var second = [Double](repeating: 0, count: m * d)
        for _ in 0..<iterations {
            for c in 0..<m { occupancy[c] = 0 }
            for k in 0..<(m * d) { first[k] = 0; second[k] = 0 }
            vectors.withUnsafeBufferPointer { v in
                means.withUnsafeBufferPointer { mu in
                    precisions.withUnsafeBufferPointer { p in
                        constants.withUnsafeBufferPointer { constant in
                            posterior.withUnsafeMutableBufferPointer { posterior in
                                occupancy.withUnsafeMutableBufferPointer { occupancy in
                                    first.withUnsafeMutableBufferPointer { first in
                                        second.withUnsafeMutableBufferPointer { second in
                                            for t in 0..<n {
                                                let x = v.baseAddress! + t * d
                                                var best = -Float.infinity
                                                for c in 0..<m {
                                                    var q: Float = 0
                                                    for k in 0..<d {
                                                        let e = x[k] - mu[c * d + k]
                                                        q += e * e * p[c * d + k]
                                                    }
                                                    posterior[c] = constant[c] - 0.5 * q
                                                    best = max(best, posterior[c])
                                                }
                                                // A component more than ~9 nats below the best
                                                // has a posterior under 1e-4, which is not
                                                // accumulated anyway: skip its exp.
                                                var total: Float = 0
                                                for c in 0..<m {
                                                    let l = posterior[c] - best
                                                    posterior[c] = l > -9 ? expf(l) : 0
                                                    total += posterior[c]
                                                }
                                                let inverse = 1 / total
                                                for c in 0..<m {
                                                    let g = Double(posterior[c] * inverse)
                                                    guard g > 1e-4 else { continue }
                                                    occupancy[c] += g
                                                    for k in 0..<d {
                                                        let xk = Double(x[k])
                                                        let gx = g * xk
                                                        first[c * d + k] += gx
                                                        second[c * d + k] += gx * xk
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for c in 0..<m {
                weights[c] = Float(max(occupancy[c], 1e-3) / Double(n))
                guard occupancy[c] > 2 else { continue }   // keep a starved component as it was
                for k in 0..<d {
                    let mu = first[c * d + k] / occupancy[c]
                    let v = max(Float(second[c * d + k] / occupancy[c] - mu * mu), varianceFloor[k])
                    means[c * d + k] = Float(mu)
                    precisions[c * d + k] = 1 / v
                }
            }
            setConstants(weights: weights)
        }
    }

    private mutating func setConstants(weights: [Float]) {
        let d = dimension
        let total = weights.reduce(0, +)
        for c in 0..<components {
            var logDet: Float = 0
            for k in 0..<d { logDet -= logf(precisions[c * d + k]) }
            constants[c] = logf(max(weights[c] / max(total, 1e-12), 1e-12)) - 0.5 * logDet
                - 0.5 * Float(d) * logf(2 * Float.pi)
        }
    }
}

/// Several mixtures packed into flat arrays, scored together: the inner
/// loop of the Viterbi decode, where every speech frame is scored against
/// every speaker. Each component's quadratic form is expanded as
/// Σ p·x² − 2 Σ p·μ·x + Σ p·μ², so one frame costs 2·d multiply-adds per
/// component and a log-sum-exp per speaker.
struct MixtureBank {
    let dimension: Int
    let speakers: Int
    /// Components per speaker (padded to the largest; padding never wins).
    let width: Int
    private var a: [Float]      // −½·p            [speaker][component][d]
    private var b: [Float]      // p·μ             [speaker][component][d]
    private var c: [Float]      // constant − ½ Σ p·μ²   [speaker][component]

    init(_ models: [DiagonalMixture]) {
        let d = models.first?.dimension ?? 0
        dimension = d
        speakers = models.count
        let m = max(1, models.map(\.components).max() ?? 1)
        width = m
        a = [Float](repeating: 0, count: models.count * m * d)
        b = a
        c = [Float](repeating: -.infinity, count: models.count * m)
        for (s, model) in models.enumerated() {
            for k in 0..<model.components {
                var constant = model.constants[k]
                for j in 0..<d {
                    let p = model.precisions[k * d + j], mu = model.means[k * d + j]
                    a[(s * m + k) * d + j] = -0.5 * p
                    b[(s * m + k) * d + j] = p * mu
                    constant -= 0.5 * p * mu * mu
                }
                c[s * m + k] = constant
            }
        }
    }

    /// log p(x | speaker s) for every speaker, into `out` (`speakers` values).
    func score(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let d = dimension, m = width
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeBufferPointer { c in
                    var values = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                                  Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
                    withUnsafeMutableBytes(of: &values) { raw in
                        let l = raw.bindMemory(to: Float.self).baseAddress!
                        for s in 0..<speakers {
                            var best = -Float.infinity
                            for k in 0..<min(m, 16) {
                                let row = (s * m + k) * d
                                var q = c[s * m + k]
                                for j in 0..<d {
                                    let xj = x[j]
                                    q += xj * (a[row + j] * xj + b[row + j])
                                }
                                l[k] = q
                                best = max(best, q)
                            }
                            // Components more than 10 nats below the best add
                            // less than e⁻¹⁰ of its likelihood: skip their exp.
                            var total: Float = 0
                            var close = 0
                            for k in 0..<min(m, 16) where l[k] > best - 10 { total += expf(l[k] - best); close += 1 }
                            out[s] = close == 1 ? best : best + logf(total)
                        }
                    }
                }
            }
        }
    }
}

/// Resegmentation of the speech stream with one GMM per speaker and a Viterbi
/// decode (Meignier et al., "Step-by-step and integrated approaches in
/// broadcast news speaker diarization", Computer Speech & Language 20, 2006:
/// the "Viterbi resegmentation" step). The decode is a K-state ergodic HMM
/// whose only parameter is the log-penalty for switching speakers; a switch
/// at a join between two speech spans (a pause) costs less, since turns
/// usually change at pauses. Boundaries move to the frame where the other
/// speaker's model wins, and a short stretch only changes label when its
/// evidence outweighs the penalty — so a quiet "mm-hmm" over the main
/// speaker does not break the turn.
struct Resegmentation: Sendable {
    struct Parameters: Sendable, Codable, Equatable {
        var components = 8
        var iterations = 6
        /// Most frames per speaker used to train its model (evenly sampled).
        /// A minute of speech is some 30 frames per parameter of an
        /// 8-component diagonal mixture in 12 dimensions; more frames from
        /// the same window mostly repeat sounds already there (neighbouring
        /// frames overlap) and only make EM slower.
        var trainingFrames = 6_000
        /// Log-penalty (nats) for switching speaker inside continuous speech.
        var switchPenalty: Float = 60
        /// Log-penalty (nats) for switching speaker across a pause.
        var pauseSwitchPenalty: Float = 10
        /// Gaps of at least this many seconds count as pauses.
        var pauseGap: Double = 0.25
        /// Stream decoded in pieces of this many seconds (bounded memory).
        var chunk: Double = 300
    }

    var parameters = Parameters()

    /// The state a Viterbi path came from, one per frame and speaker: two
    /// bytes, so up to 65 536 speakers (a byte would trap past 255).
    typealias Backpointer = UInt16
    static let maximumSpeakers = Int(Backpointer.max) + 1

    /// A run of stream positions with one speaker; `margin` is the mean
    /// per-frame log-likelihood lead of that speaker over the next best.
    struct Run: Sendable {
        var range: Range<Int>
        var speaker: Int
        var margin: Double
    }

    /// Trains one mixture per speaker from `runs` (labels of the positions
    /// of `window`, relative to its start).
    func trainModels(runs: [Run], speakers: Int, window: StreamWindow,
                     varianceFloor: [Float]) -> [DiagonalMixture] {
        let d = window.dimension
        var totals = [Int](repeating: 0, count: speakers)
        for run in runs where run.speaker < speakers {
            for position in run.range where window.isHeard(position) { totals[run.speaker] += 1 }
        }
        let strides = totals.map { max(1, ($0 + parameters.trainingFrames - 1) / parameters.trainingFrames) }
        var samples = [[Float]](repeating: [], count: speakers)
        for s in 0..<speakers { samples[s].reserveCapacity(min(totals[s], parameters.trainingFrames) * d) }
        var seen = [Int](repeating: 0, count: speakers)
        window.vectors.withUnsafeBufferPointer { v in
            for run in runs where run.speaker < speakers {
                let s = run.speaker
                for position in run.range where position < window.count && window.isHeard(position) {
                    if seen[s] % strides[s] == 0 {
                        samples[s].append(contentsOf: UnsafeBufferPointer(rebasing: v[(position * d)..<(position * d + d)]))
                    }
                    seen[s] += 1
                }
            }
        }
        return samples.map {
            DiagonalMixture(training: $0, dimension: d, components: parameters.components,
                            iterations: parameters.iterations, varianceFloor: varianceFloor)
        }
    }

    /// Viterbi decode of `window` with `models`; runs are relative to the
    /// window's start. `stream` gives the pauses.
    func decode(window: StreamWindow, stream: SpeechStream, models: [DiagonalMixture], hop: Double) -> [Run] {
        let k = models.count
        guard k > 0, window.count > 0 else { return [] }
        precondition(k <= Self.maximumSpeakers, "Viterbi backpointers hold at most \(Self.maximumSpeakers) speakers")
        let d = window.dimension
        let pauseFrames = max(1, Int((parameters.pauseGap / hop).rounded()))
        // Positions (in the window) where a pause makes a switch cheap, in order.
        let easy = stream.joins.filter { $0.gap >= pauseFrames && window.range.contains($0.position) }
            .map { $0.position - window.range.lowerBound }
        var nextEasy = 0
        let bank = MixtureBank(models)

        var runs: [Run] = []
        var delta = [Float](repeating: 0, count: k)
        var fresh = [Float](repeating: 0, count: k)
        let chunk = max(1_000, Int((parameters.chunk / hop).rounded()))
        var chunkStart = 0
        while chunkStart < window.count {
            let range = chunkStart..<min(window.count, chunkStart + chunk)
            chunkStart = range.upperBound
            let n = range.count
            var scores = [Float](repeating: 0, count: n * k)
            var from = [Backpointer](repeating: 0, count: n * k)
            window.vectors.withUnsafeBufferPointer { v in
                scores.withUnsafeMutableBufferPointer { out in
                    // Frames overlap (25 ms windows every 10 ms), so scoring every
                    // second frame and repeating the score halves the work without
                    // moving a boundary by more than one hop.
                    let base = v.baseAddress! + range.lowerBound * d
                    for t in Swift.stride(from: 0, to: n, by: 2) {
                        bank.score(base + t * d, into: out.baseAddress! + t * k)
                        if t + 1 < n { for s in 0..<k { out[(t + 1) * k + s] = out[t * k + s] } }
                    }
                    // A frame under the background mask is no evidence for any
                    // speaker: the path keeps the speaker it is in.
                    for t in 0..<n where !window.isHeard(range.lowerBound + t) {
                        for s in 0..<k { out[t * k + s] = 0 }
                    }
                }
            }
            scores.withUnsafeBufferPointer { sc in
                from.withUnsafeMutableBufferPointer { from in
                    delta.withUnsafeMutableBufferPointer { delta in
                        fresh.withUnsafeMutableBufferPointer { fresh in
                            for t in 0..<n {
                                let position = range.lowerBound + t
                                while nextEasy < easy.count && easy[nextEasy] < position { nextEasy += 1 }
                                let penalty = nextEasy < easy.count && easy[nextEasy] == position
                                    ? parameters.pauseSwitchPenalty : parameters.switchPenalty
                                var bestPrevious = 0
                                for s in 1..<max(1, k) where delta[s] > delta[bestPrevious] { bestPrevious = s }
                                let switched = delta[bestPrevious] - penalty
                                // Across frames under the background mask a switch costs the same
                                // anywhere; the tie goes to the frame where the new voice is first
                                // heard (a turn starts at its onset, not where the last one fell
                                // silent over a bed).
                                let onset = position > 0 && window.isHeard(position) && !window.isHeard(position - 1)
                                var top = -Float.infinity
                                for s in 0..<k {
                                    if position == 0 || delta[s] > switched || (!onset && delta[s] == switched) {
                                        fresh[s] = delta[s] + sc[t * k + s]
                                        from[t * k + s] = Backpointer(s)
                                    } else {
                                        fresh[s] = switched + sc[t * k + s]
                                        from[t * k + s] = Backpointer(bestPrevious)
                                    }
                                    top = max(top, fresh[s])
                                }
                                // Keep the numbers small: only differences matter.
                                for s in 0..<k { delta[s] = fresh[s] - top }
                            }
                        }
                    }
                }
            }
            // Trace back within the chunk; the next chunk starts from the
            // decided final state.
            var labels = [Int](repeating: 0, count: n)
            var state = 0
            for s in 1..<max(1, k) where delta[s] > delta[state] { state = s }
            for t in stride(from: n - 1, through: 0, by: -1) {
                labels[t] = state
                state = Int(from[t * k + state])
            }
            for s in 0..<k { delta[s] = s == labels[n - 1] ? 0 : -parameters.switchPenalty }
            var t = 0
            while t < n {
                var e = t
                var margin: Double = 0
                while e < n && labels[e] == labels[t] {
                    let own = scores[e * k + labels[t]]
                    var other = -Float.infinity
                    for s in 0..<k where s != labels[t] { other = max(other, scores[e * k + s]) }
                    margin += other.isFinite ? Double(own - other) : 10
                    e += 1
                }
                let r = (range.lowerBound + t)..<(range.lowerBound + e)
                if let last = runs.last, last.speaker == labels[t], last.range.upperBound == r.lowerBound {
                    let total = Double(last.range.count) + Double(r.count)
                    runs[runs.count - 1] = Run(range: last.range.lowerBound..<r.upperBound, speaker: last.speaker,
                                               margin: (last.margin * Double(last.range.count) + margin) / total)
                } else {
                    runs.append(Run(range: r, speaker: labels[t], margin: margin / Double(max(1, r.count))))
                }
                t = e
            }
        }
        return runs
    }
}
