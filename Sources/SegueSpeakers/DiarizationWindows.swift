import Dispatch
import Foundation
import SegueFeatures

/// Episode-wide speech statistics: the covariance every speaker test shrinks
/// towards, and the variance floor of the speaker models.
struct EpisodeSpeech: Sendable {
    let prior: [Double]
    let floor: [Float]

    init(stream: SpeechStream, track: FeatureTrack) throws {
        let d = stream.dimension
        var global = GaussianStatistics(dimension: d)
        try stream.forEachChunk(size: 8_192, from: track) { _, vectors in
            vectors.withUnsafeBufferPointer { v in
                for t in 0..<(v.count / d) { global.add(UnsafeBufferPointer(rebasing: v[(t * d)..<(t * d + d)])) }
            }
        }
        let prior = global.covariance
        self.prior = prior
        floor = (0..<d).map { Float(max(prior[$0 * d + $0], 1e-6) * 0.01) }
    }
}

extension SpeakerDiarizer {
    /// Diarizes each window on its own (`diarizeWindow`). Returns the runs in
    /// stream positions, with the speakers of all windows numbered one after
    /// the other, and the statistics of each window speaker.
    func diarizeWindows(_ windows: [Range<Int>], stream: SpeechStream, track: FeatureTrack, given: Int?,
                        speech: EpisodeSpeech, clustering: SpeakerClustering,
                        hop: Double) throws -> (runs: [Resegmentation.Run], speakers: [GaussianStatistics]) {
        // Up to two windows at once, in a fixed interleaved assignment so the
        // result does not depend on scheduling; two in flight bound memory
        // to two windows' buffers.
        let workers = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount, windows.count))
        var results = [Result<([Resegmentation.Run], [GaussianStatistics]), any Error>?](repeating: nil,
                                                                                        count: windows.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in Swift.stride(from: worker, to: windows.count, by: workers) {
                    out[i] = Result {
                        let window = try StreamWindow(range: windows[i], stream: stream, track: track)
                        return diarizeWindow(window, stream: stream, given: given, speech: speech,
                                             clustering: clustering, hop: hop)
                    }
                }
            }
        }
        var runs: [Resegmentation.Run] = []
        var speakers: [GaussianStatistics] = []
        for (range, result) in zip(windows, results) {
            guard let result else { continue }
            let (local, stats) = try result.get()
            let base = speakers.count
            speakers.append(contentsOf: stats)
            for run in local {
                runs.append(.init(range: (run.range.lowerBound + range.lowerBound)..<(run.range.upperBound + range.lowerBound),
                                  speaker: run.speaker + base, margin: run.margin))
            }
        }
        return (runs, speakers)
    }

    /// Links the speakers of all windows into episode speakers (label of
    /// each), merging while `SpeakerMergeTest.linkCost` says one voice, or
    /// down to `given` speakers.
    func linkedSpeakers(_ items: [GaussianStatistics], given: Int?, clustering: SpeakerClustering,
                        prior: [Double]) -> [Int] {
        let test = SpeakerMergeTest(parameters: parameters, clustering: clustering, prior: prior)
        return Agglomeration.cluster(items, active: items.map { $0.count > 0 }, goal: given ?? 1,
                                     stopAtZero: given == nil, cost: test.linkCost, merge: { $0.add($1) })
    }
}

extension StreamWindow {
    /// The window cut at `changes` (window positions) and at every pause:
    /// the ranges and the statistics of each piece.
    func segments(cutAt changes: [Int], stream: SpeechStream) -> (ranges: [Range<Int>], stats: [GaussianStatistics]) {
        let d = dimension
        var cuts = Set(changes)
        for join in stream.joins where range.contains(join.position) {
            cuts.insert(join.position - range.lowerBound)
        }
        let boundaries = [0] + cuts.filter { $0 > 0 && $0 < count }.sorted() + [count]
        var stats: [GaussianStatistics] = []
        var ranges: [Range<Int>] = []
        vectors.withUnsafeBufferPointer { v in
            for i in 0..<(boundaries.count - 1) where boundaries[i] < boundaries[i + 1] {
                var piece = GaussianStatistics(dimension: d)
                for p in boundaries[i]..<boundaries[i + 1] where isHeard(p) {
                    piece.add(UnsafeBufferPointer(rebasing: v[(p * d)..<(p * d + d)]))
                }
                ranges.append(boundaries[i]..<boundaries[i + 1])
                stats.append(piece)
            }
        }
        return (ranges, stats)
    }
}
