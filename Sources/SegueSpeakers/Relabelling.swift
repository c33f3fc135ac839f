extension SpeakerDiarizer {
    /// Applies `map` (old speaker → new label), gives estimated speakers
    /// with less than `minimumSpeakerSpeech` to the biggest one (the next
    /// decode, if any, reassigns their frames), renumbers in order of
    /// appearance and joins adjacent runs of one speaker.
    func relabelled(_ runs: [Resegmentation.Run], map original: [Int], speakers: Int, given: Int?,
                    hop: Double) -> (runs: [Resegmentation.Run], count: Int) {
        var map = original
        if given == nil {
            let minimum = Int(parameters.minimumSpeakerSpeech / hop)
            var total = [Int](repeating: 0, count: speakers)
            for run in runs where run.speaker < speakers { total[map[run.speaker]] += run.range.count }
            let biggest = total.indices.max(by: { total[$0] < total[$1] }) ?? 0
            for s in 0..<speakers where total[map[s]] < minimum { map[s] = biggest }
        }
        let order = SpeakerClustering.renumbered(runs.map { map[min($0.speaker, speakers - 1)] })
        var out: [Resegmentation.Run] = []
        for (run, label) in zip(runs, order) {
            if let last = out.last, last.speaker == label, last.range.upperBound == run.range.lowerBound {
                let total = Double(last.range.count + run.range.count)
                out[out.count - 1] = .init(range: last.range.lowerBound..<run.range.upperBound, speaker: label,
                                           margin: (last.margin * Double(last.range.count)
                                                    + run.margin * Double(run.range.count)) / total)
            } else {
                out.append(.init(range: run.range, speaker: label, margin: run.margin))
            }
        }
        return (out, max(1, (order.max() ?? 0) + 1))
    }
}
