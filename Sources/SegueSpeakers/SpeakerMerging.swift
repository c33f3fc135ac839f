/// The test that joins two "speakers" of the diarization into one voice; a
/// negative cost means merge. Either of two tests suffices: ΔBIC per frame
/// below `speakerMergeCostPerFrame` (long clusters, where a channel or
/// background change would pass BIC) or BIC with `speakerMergeLambda`
/// (short clusters, where the per-frame test is too strict).
struct SpeakerMergeTest {
    let parameters: SpeakerDiarizer.Parameters
    let clustering: SpeakerClustering
    let prior: [Double]

    /// BIC per frame with `speakerMergeLambda` in place of the clustering's
    /// λ, from the clustering's merge cost of `frames` frames.
    func bic(mergeCost cost: Double, frames n: Double, dimension: Int) -> Double {
        let penalty = Covariance.bicPenalty(lambda: 1, dimension: dimension, frames: max(n, 2))
        let glr = cost + clustering.parameters.lambda * penalty
        return (glr - parameters.speakerMergeLambda * penalty) / n
    }

    /// Two speakers of one window: the pooled per-frame cost, or BIC.
    func cost(_ a: GaussianStatistics, _ b: GaussianStatistics) -> Double {
        let n = a.count + b.count
        guard n > 0 else { return .infinity }
        let cost = clustering.mergeCost(a, b, prior: prior)
        return min(cost / n - parameters.speakerMergeCostPerFrame, bic(mergeCost: cost, frames: n, dimension: a.dimension))
    }

    /// Speakers of different windows: the per-frame test on the divergence
    /// of the two Gaussians as if they had equally many frames, so a window
    /// speaker is not absorbed by an episode speaker just because that one
    /// has gathered hours of speech; or BIC.
    func linkCost(_ a: GaussianStatistics, _ b: GaussianStatistics) -> Double {
        let total = a.count + b.count
        let bic = bic(mergeCost: clustering.mergeCost(a, b, prior: prior), frames: total, dimension: a.dimension)
        return min(clustering.equalWeightDivergence(a, b, prior: prior) - parameters.speakerMergeCostPerFrame, bic)
    }
}

extension SpeakerDiarizer {
    /// Merges the speakers of one window while `SpeakerMergeTest.cost` says
    /// one voice; returns the new label of each.
    func mergedSpeakers(_ speakers: [GaussianStatistics], clustering: SpeakerClustering,
                        prior: [Double]) -> [Int] {
        let test = SpeakerMergeTest(parameters: parameters, clustering: clustering, prior: prior)
        return Agglomeration.cluster(speakers, goal: 1, stopAtZero: true, cost: test.cost, merge: { $0.add($1) })
    }
}

extension StreamWindow {
    /// Statistics of each speaker's frames in `runs`.
    func speakerStatistics(_ runs: [Resegmentation.Run], speakers: Int) -> [GaussianStatistics] {
        let d = dimension
        var stats = [GaussianStatistics](repeating: GaussianStatistics(dimension: d), count: speakers)
        vectors.withUnsafeBufferPointer { v in
            for run in runs where run.speaker < speakers {
                for p in run.range where isHeard(p) {
                    stats[run.speaker].add(UnsafeBufferPointer(rebasing: v[(p * d)..<(p * d + d)]))
                }
            }
        }
        return stats
    }
}
