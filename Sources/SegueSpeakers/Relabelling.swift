extension SpeakerDiarizer {
    /// Applies `map` (old speaker → new label), gives each estimated speaker
    /// with less than `minimumSpeakerSpeech` to the speaker its voice is
    /// nearest to (the cheapest `SpeakerMergeTest.cost`, when `statistics`
    /// of the old speakers are given; otherwise to the biggest one: the next
    /// decode, if any, reassigns their frames), renumbers in order of
    /// appearance and joins adjacent runs of one speaker. Returns the new
    /// speakers' pooled statistics when `statistics` were given.
    func relabelled(_ runs: [Resegmentation.Run], map original: [Int], speakers: Int, given: Int?,
                    hop: Double, statistics: [GaussianStatistics]? = nil,
                    test: SpeakerMergeTest? = nil) -> (runs: [Resegmentation.Run], count: Int,
                                                       statistics: [GaussianStatistics]?) {
        var map = original
        if given == nil {
            let minimum = Int(parameters.minimumSpeakerSpeech / hop)
            var total = [Int](repeating: 0, count: speakers)
            for run in runs where run.speaker < speakers { total[map[run.speaker]] += run.range.count }
            let biggest = total.indices.max(by: { total[$0] < total[$1] }) ?? 0
            // Pooled statistics of each mapped speaker: a small one joins the
            // big speaker whose voice it is closest to, not the one with most
            // speech (a short turn of a quiet guest is not the host's).
            var pooled: [GaussianStatistics]?
            if let statistics, test != nil, let first = statistics.first {
                var sums = [GaussianStatistics](repeating: GaussianStatistics(dimension: first.dimension),
                                                count: speakers)
                for s in 0..<min(speakers, statistics.count) { sums[map[s]].add(statistics[s]) }
                pooled = sums
            }
            let big = total.indices.filter { total[$0] >= minimum }
            for s in 0..<speakers where total[map[s]] < minimum {
                if let pooled, let test, !big.isEmpty {
                    let costs = big.map { test.cost(pooled[map[s]], pooled[$0]) }
                    map[s] = big[costs.indices.min(by: { costs[$0] < costs[$1] })!]
                } else {
                    map[s] = biggest
                }
            }
        }
        let order = SpeakerClustering.renumbered(runs.map { map[min($0.speaker, speakers - 1)] })
        var out: [Resegmentation.Run] = []
        var renamed = [Int: Int]()
        for (run, label) in zip(runs, order) {
            renamed[map[min(run.speaker, speakers - 1)]] = label
            if let last = out.last, last.speaker == label, last.range.upperBound == run.range.lowerBound {
                let total = Double(last.range.count + run.range.count)
                out[out.count - 1] = .init(range: last.range.lowerBound..<run.range.upperBound, speaker: label,
                                           margin: (last.margin * Double(last.range.count)
                                                    + run.margin * Double(run.range.count)) / total)
            } else {
                out.append(.init(range: run.range, speaker: label, margin: run.margin))
            }
        }
        let count = max(1, (order.max() ?? 0) + 1)
        var newStatistics: [GaussianStatistics]?
        if let statistics, let first = statistics.first {
            var sums = [GaussianStatistics](repeating: GaussianStatistics(dimension: first.dimension), count: count)
            for s in 0..<min(speakers, statistics.count) {
                if let label = renamed[map[s]] { sums[label].add(statistics[s]) }
            }
            newStatistics = sums
        }
        return (out, count, newStatistics)
    }
}
