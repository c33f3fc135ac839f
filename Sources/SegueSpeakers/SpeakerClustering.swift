import Foundation

/// Agglomerative (bottom-up) clustering of speech segments into speakers with
/// the BIC merge criterion of Chen & Gopalakrishnan (1998): each cluster is
/// one full-covariance Gaussian, and the pair whose merge costs least,
/// ΔBIC = ½(N log|Σ| − N₁ log|Σ₁| − N₂ log|Σ₂|) − λ·½·P·log N, is merged, until
/// every remaining merge costs more than zero (speaker count estimated) or
/// until the requested number of speakers is left (`Agglomeration`).
///
/// At most `blockSize` items are clustered at once where possible: longer
/// lists are clustered block by block (consecutive segments, where the same
/// speaker recurs most), and the resulting clusters are clustered again.
/// The lists come from one window of the episode (`SpeakerDiarizer`), so
/// their length does not grow with the episode's.
public struct SpeakerClustering: Sendable {
    public struct Parameters: Sendable, Codable, Equatable {
        /// BIC penalty weight λ for merging clusters (1 = textbook BIC).
        /// Below 1 on purpose: a speaker split here is joined again later,
        /// two speakers merged here are never separated.
        public var lambda: Double = 0.8
        /// Covariance shrinkage towards the episode's speech covariance, in frames.
        public var priorFrames: Double = 20
        /// Most items clustered in one block (work grows with its square);
        /// 120 segments are two to three minutes of conversation, in which
        /// every active speaker recurs several times.
        public var blockSize: Int = 120

        public init() {}
    }

    public var parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    /// One cluster label (0…) per item. With `count`, exactly
    /// min(count, items) clusters; otherwise as many as BIC supports.
    func cluster(_ items: [GaussianStatistics], count: Int?, prior: [Double]) -> [Int] {
        guard !items.isEmpty else { return [] }
        var groups = items.indices.map { [$0] }
        var stats = items
        // Blocks of consecutive items, then clusters of clusters.
        while stats.count > parameters.blockSize {
            var nextGroups: [[Int]] = []
            var nextStats: [GaussianStatistics] = []
            var start = 0
            while start < stats.count {
                let end = min(stats.count, start + parameters.blockSize)
                let block = Array(stats[start..<end])
                let labels = agglomerate(block, target: nil, prior: prior)
                let k = (labels.max() ?? -1) + 1
                var merged = [GaussianStatistics](repeating: GaussianStatistics(dimension: block[0].dimension), count: k)
                var members = [[Int]](repeating: [], count: k)
                for (i, l) in labels.enumerated() {
                    merged[l].add(block[i])
                    members[l].append(contentsOf: groups[start + i])
                }
                nextStats.append(contentsOf: merged)
                nextGroups.append(contentsOf: members)
                start = end
            }
            // BIC found nothing to merge in any block: the remaining items
            // are distinct at this scale, cluster them all at once (the
            // caller bounds their number by windowing the episode).
            if nextStats.count >= stats.count { break }
            stats = nextStats
            groups = nextGroups
        }
        let labels = agglomerate(stats, target: count, prior: prior)
        var result = [Int](repeating: 0, count: items.count)
        for (g, members) in groups.enumerated() {
            for m in members { result[m] = labels[g] }
        }
        return Self.renumbered(result)
    }

    /// ΔBIC of merging two clusters (negative: one speaker is the better model).
    func mergeCost(_ a: GaussianStatistics, _ b: GaussianStatistics, prior: [Double]) -> Double {
        mergeCost(a, b, selfCostA: selfCost(a, prior: prior), selfCostB: selfCost(b, prior: prior), prior: prior)
    }

    /// N·log|Σ| of one cluster, the part of the merge cost that depends on
    /// that cluster alone (cached by the agglomeration).
    func selfCost(_ a: GaussianStatistics, prior: [Double]) -> Double {
        a.count * a.logDeterminant(prior: prior, priorFrames: parameters.priorFrames)
    }

    func mergeCost(_ a: GaussianStatistics, _ b: GaussianStatistics, selfCostA: Double, selfCostB: Double,
                   prior: [Double]) -> Double {
        let n = a.count + b.count
        let joint = n * Covariance.shrunkLogDeterminant(a, b, prior: prior, priorFrames: parameters.priorFrames)
        return 0.5 * (joint - selfCostA - selfCostB)
            - Covariance.bicPenalty(lambda: parameters.lambda, dimension: a.dimension, frames: max(n, 2))
    }

    /// Per-frame merge cost of `a` and `b` as if both had as many frames as
    /// the smaller: a distance between the two Gaussians that does not
    /// depend on how much speech the bigger one has gathered.
    func equalWeightDivergence(_ a: GaussianStatistics, _ b: GaussianStatistics, prior: [Double]) -> Double {
        let m = min(a.count, b.count)
        guard m > 0 else { return 0 }
        return mergeCost(a.weighted(m), b.weighted(m), prior: prior) / (2 * m)
    }

    /// Plain agglomerative clustering of at most `blockSize` items; each
    /// cluster carries its `selfCost`, so a merge cost needs one joint
    /// determinant.
    private func agglomerate(_ items: [GaussianStatistics], target: Int?, prior: [Double]) -> [Int] {
        struct Cluster {
            var stats: GaussianStatistics
            var selfCost: Double
        }
        let clusters = items.map { Cluster(stats: $0, selfCost: selfCost($0, prior: prior)) }
        let owner = Agglomeration.cluster(clusters, goal: target ?? 1, stopAtZero: target == nil, cost: { a, b in
            mergeCost(a.stats, b.stats, selfCostA: a.selfCost, selfCostB: b.selfCost, prior: prior)
        }, merge: { a, b in
            a.stats.add(b.stats)
            a.selfCost = selfCost(a.stats, prior: prior)
        })
        return Self.renumbered(owner)
    }

    /// Labels renumbered 0, 1, … in order of first appearance.
    static func renumbered(_ labels: [Int]) -> [Int] {
        var map: [Int: Int] = [:]
        return labels.map { l in
            if let m = map[l] { return m }
            let m = map.count
            map[l] = m
            return m
        }
    }
}
