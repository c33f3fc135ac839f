import Foundation

/// Sufficient statistics of a set of feature vectors for one full-covariance
/// Gaussian: count, sum and scatter (Σ x xᵀ, upper triangle packed).
///
/// Every speaker test in this module (GLR, BIC, agglomerative merging) needs
/// only these, so segments and clusters are stored as statistics and never as
/// frames: memory depends on the number of segments, not on duration.
struct GaussianStatistics: Sendable {
    let dimension: Int
    private(set) var count: Double
    private(set) var sum: [Double]
    private(set) var scatter: [Double]

    init(dimension: Int) {
        self.dimension = dimension
        count = 0
        sum = [Double](repeating: 0, count: dimension)
        scatter = [Double](repeating: 0, count: dimension * (dimension + 1) / 2)
    }

    /// Statistics from raw moments (used with prefix sums).
    init(dimension: Int, count: Double, sum: [Double], scatter: [Double]) {
        self.dimension = dimension
        self.count = count
        self.sum = sum
        self.scatter = scatter
    }

    /// Number of packed moments per vector: sum plus upper-triangle scatter.
    static func momentCount(dimension d: Int) -> Int { d + d * (d + 1) / 2 }

    mutating func add(_ x: UnsafeBufferPointer<Float>) {
        let d = dimension
        count += 1
        var p = 0
        for i in 0..<d {
            let xi = Double(x[i])
            sum[i] += xi
            for j in i..<d {
                scatter[p] += xi * Double(x[j])
                p += 1
            }
        }
    }

    mutating func add(_ other: GaussianStatistics) {
        count += other.count
        for i in sum.indices { sum[i] += other.sum[i] }
        for i in scatter.indices { scatter[i] += other.scatter[i] }
    }

    /// The same Gaussian (mean and covariance) with the weight of `frames` frames.
    func weighted(_ frames: Double) -> GaussianStatistics {
        guard count > 0 else { return self }
        let f = frames / count
        return GaussianStatistics(dimension: dimension, count: frames, sum: sum.map { $0 * f },
                                  scatter: scatter.map { $0 * f })
    }

    static func + (a: GaussianStatistics, b: GaussianStatistics) -> GaussianStatistics {
        var c = a
        c.add(b)
        return c
    }

    var mean: [Double] { count > 0 ? sum.map { $0 / count } : sum }

    /// Maximum-likelihood covariance, full d×d (row-major).
    var covariance: [Double] {
        Covariance.from(count: count, sum: sum, packedScatter: scatter, dimension: dimension)
    }

    /// log|Σ| of the covariance shrunk towards `prior` with the weight of
    /// `priorFrames` frames: Σ' = (n·Σ + n₀·Σ₀) / (n + n₀). The shrinkage keeps
    /// short segments (fewer frames than parameters) from looking like
    /// perfect, zero-variance speakers.
    func logDeterminant(prior: [Double], priorFrames: Double) -> Double {
        Covariance.shrunkLogDeterminant(count: count, sum: sum, packedScatter: scatter,
                                        dimension: dimension, prior: prior, priorFrames: priorFrames)
    }
}

/// Small dense covariance helpers (d ≤ ~20).
enum Covariance {
    static func from(count: Double, sum: [Double], packedScatter: [Double], dimension d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        guard count > 0 else { return c }
        var p = 0
        for i in 0..<d {
            for j in i..<d {
                let v = packedScatter[p] / count - (sum[i] / count) * (sum[j] / count)
                c[i * d + j] = v
                c[j * d + i] = v
                p += 1
            }
        }
        return c
    }

    static func shrunkLogDeterminant(count n: Double, sum: UnsafePointer<Double>, packedScatter: UnsafePointer<Double>,
                                     dimension d: Int, prior: [Double], priorFrames n0: Double) -> Double {
        let total = n + n0
        guard total > 0 else { return 0 }
        // The hot path of every speaker test: the d×d matrix lives on the
        // stack, not the heap.
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: d * d + d) { a in
            // n·Σ = S − n·μμᵀ = S − s·sᵀ/n (s the sum).
            let scaled = a.baseAddress! + d * d
            let inverseN = n > 0 ? 1 / n : 0
            for i in 0..<d { scaled[i] = sum[i] * inverseN }
            let inverseTotal = 1 / total
            prior.withUnsafeBufferPointer { prior in
                var p = 0
                for i in 0..<d {
                    let si = sum[i]
                    for j in i..<d {
                        a[i * d + j] = (packedScatter[p] - si * scaled[j] + n0 * prior[i * d + j]) * inverseTotal
                        p += 1
                    }
                }
            }
            return choleskyLogDeterminant(a.baseAddress!, dimension: d)
        }
    }

    /// Shrunk log|Σ| of the union of two sets of statistics, without forming it.
    static func shrunkLogDeterminant(_ x: GaussianStatistics, _ y: GaussianStatistics,
                                     prior: [Double], priorFrames: Double) -> Double {
        let d = x.dimension
        let width = GaussianStatistics.momentCount(dimension: d)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: width) { m in
            x.sum.withUnsafeBufferPointer { xs in
                y.sum.withUnsafeBufferPointer { ys in
                    for i in 0..<d { m[i] = xs[i] + ys[i] }
                }
            }
            x.scatter.withUnsafeBufferPointer { xq in
                y.scatter.withUnsafeBufferPointer { yq in
                    for i in 0..<(width - d) { m[d + i] = xq[i] + yq[i] }
                }
            }
            return shrunkLogDeterminant(count: x.count + y.count, sum: m.baseAddress!,
                                        packedScatter: m.baseAddress! + d, dimension: d, prior: prior,
                                        priorFrames: priorFrames)
        }
    }

    static func shrunkLogDeterminant(count: Double, sum: [Double], packedScatter: [Double],
                                     dimension d: Int, prior: [Double], priorFrames: Double) -> Double {
        sum.withUnsafeBufferPointer { s in
            packedScatter.withUnsafeBufferPointer { q in
                shrunkLogDeterminant(count: count, sum: s.baseAddress!, packedScatter: q.baseAddress!,
                                     dimension: d, prior: prior, priorFrames: priorFrames)
            }
        }
    }

    /// log|A| by Cholesky of the upper triangle of A (row-major, d×d; A is
    /// overwritten, its lower triangle never read). Non-positive pivots,
    /// which only rounding can produce after shrinkage, are floored instead
    /// of failing.
    static func choleskyLogDeterminant(_ a: UnsafeMutablePointer<Double>, dimension d: Int) -> Double {
        var trace = 0.0
        for i in 0..<d { trace += a[i * d + i] }
        let floor = max(1e-12, 1e-9 * trace / Double(max(d, 1)))
        // Upper-triangular factor U (A = UᵀU), row j of U in the upper
        // triangle of row j. log|A| = Σ log pivot; the pivots are multiplied
        // and the log taken once every few (a product of up to 8 pivots, each
        // within a factor of ~1e±30 of the trace, cannot overflow a Double),
        // which saves most of the log calls of this hot path.
        var logDet = 0.0
        var product = 1.0
        for j in 0..<d {
            var diag = a[j * d + j]
            for k in 0..<j { diag -= a[k * d + j] * a[k * d + j] }
            diag = max(diag, floor)
            let l = diag.squareRoot()
            product *= diag
            if j % 8 == 7 { logDet += Foundation.log(product); product = 1 }
            let inverse = 1 / l
            for i in (j + 1)..<max(j + 1, d) {
                var v = a[j * d + i]
                for k in 0..<j { v -= a[k * d + i] * a[k * d + j] }
                a[j * d + i] = v * inverse
            }
        }
        return logDet + Foundation.log(product)
    }

    /// Number of free parameters of a full-covariance Gaussian in d dimensions.
    static func parameterCount(dimension d: Int) -> Double {
        Double(d) + Double(d * (d + 1)) / 2
    }

    /// BIC penalty λ·½·P·log N of one more full-covariance Gaussian (P
    /// parameters) on N frames; λ = 1 is the textbook BIC.
    static func bicPenalty(lambda: Double, dimension d: Int, frames: Double) -> Double {
        lambda * 0.5 * parameterCount(dimension: d) * Foundation.log(frames)
    }
}
