import Foundation
import SegueFeatures
import SeguePauses

/// One stretch of speech by one speaker.
public struct SpeakerSegment: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    /// "S1", "S2", … in order of first appearance.
    public var speaker: String
    /// 0…1: how clearly this speaker's model beat the others here.
    public var confidence: Double
    /// A short interjection over another speaker's turn (a backchannel).
    public var overlap: Bool

    public init(start: Double, end: Double, speaker: String, confidence: Double, overlap: Bool = false) {
        self.start = start
        self.end = end
        self.speaker = speaker
        self.confidence = confidence
        self.overlap = overlap
    }

    public var duration: Double { end - start }
}

/// Who speaks when in one episode.
public struct SpeakerDiarization: Sendable, Equatable {
    /// Speech segments in time order (overlap segments lie inside another's).
    public var segments: [SpeakerSegment]
    /// Times (s) where a different speaker starts, in order.
    public var changes: [Double]
    /// Number of distinct speakers in `segments`.
    public var speakerCount: Int
    /// True when the count was given rather than estimated.
    public var countGiven: Bool

    public init(segments: [SpeakerSegment], changes: [Double], speakerCount: Int, countGiven: Bool) {
        self.segments = segments
        self.changes = changes
        self.speakerCount = speakerCount
        self.countGiven = countGiven
    }

    public static let empty = SpeakerDiarization(segments: [], changes: [], speakerCount: 0, countGiven: false)
}

/// The speaker stage: change detection → agglomerative clustering →
/// GMM/Viterbi resegmentation, on the speech frames found by the pause
/// detector. No trained model and no download: every model is estimated
/// from the episode itself.
///
/// 1. `SpeakerChangeDetector` (DISTBIC: GLR peaks, BIC validation) cuts the
///    speech stream into segments, also cut at every pause.
/// 2. `SpeakerClustering` (BIC agglomerative clustering) groups them into
///    speakers; the count is given or estimated.
/// 3. `Resegmentation` (per-speaker GMMs, Viterbi) sharpens the boundaries
///    and relabels short segments; repeated `passes` times. After the first
///    pass, speakers whose models BIC cannot tell apart are merged and
///    speakers left with almost no speech are dropped (count estimated).
public struct SpeakerDiarizer: Sendable {
    public struct Parameters: Sendable, Codable, Equatable {
        public var change = SpeakerChangeDetector.Parameters()
        public var clustering = SpeakerClustering.Parameters()
        /// Resegmentation passes (train models, decode).
        public var passes: Int = 2
        /// An estimated speaker with less speech than this (s) is absorbed by the others.
        public var minimumSpeakerSpeech: Double = 2.0
        /// Speakers after the first resegmentation are merged while the
        /// cheapest merge costs less than this ΔBIC per frame. Unlike the
        /// λ-penalty, which grows only with log N, this test does not drift
        /// towards more speakers as the episode gets longer; it is what keeps a
        /// music bed or a noise change from becoming a "speaker".
        public var speakerMergeCostPerFrame: Double = 0.27
        /// …or while BIC with this λ says the two are one voice. The
        /// per-frame test alone is too strict for speakers with little
        /// speech: between two short stretches of the same voice the
        /// likelihood gain of two models grows like P·log N (different words,
        /// few independent frames), not like N, so a speaker with a few
        /// seconds in each of two clusters stays split. That is exactly what
        /// the BIC penalty measures; a merge is made when either test says
        /// "one voice" (per frame for long clusters, where a channel or
        /// background change would otherwise pass BIC, BIC for short ones).
        /// λ a little below the theoretical 1 because the covariances are
        /// shrunk towards the episode's, which lowers the GLR of a true
        /// change; on the fixtures λ ∈ [0.8, 0.9] gives the right count
        /// everywhere (0.75 still splits a short turn, 0.95 merges two
        /// voices at 5 dB SNR), 0.85 is the middle.
        public var speakerMergeLambda: Double = 0.85
        /// Speech segments shorter than this (s) and enclosed by one other
        /// speaker are reported as overlap (backchannel) segments.
        public var backchannelLength: Double = 1.2
        /// Same-speaker segments separated by a gap shorter than this (s) are
        /// reported as one segment. Gaps this short inside one voice's speech
        /// are breaths, phrase pauses, or word onsets that noise masked from
        /// the pause detector — not the end of a turn (diarization references
        /// such as NIST RT likewise do not split a speaker at short pauses).
        /// Pauses themselves are still reported by the pause stage.
        public var turnGap: Double = 0.5
        /// Less speech than this (s) in the whole file: one speaker, no analysis.
        public var minimumSpeech: Double = 1.5
        public init() {}
    }

    public var parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    /// Diarizes the speech in `activity`. `speakerCount`, when given, is the
    /// number of speakers to find (at most; fewer if there is too little speech).
    public func diarize(track: FeatureTrack, activity: SpeechActivity,
                        speakerCount: Int? = nil) throws -> SpeakerDiarization {
        let hop = track.clock.hopDuration
        let stream = SpeechStream(spans: activity.speechFrames.map { $0.clamped(to: 0..<track.frameCount) },
                                  cepstralCount: track.layout.cepstralCount)
        let given = speakerCount.map { max(1, $0) }
        guard stream.count > 0, stream.dimension > 0 else { return .empty }
        let d = stream.dimension

        // Episode-wide speech statistics: the shrinkage prior and variance floor.
        var global = GaussianStatistics(dimension: d)
        try stream.forEachChunk(size: 8_192, from: track) { _, vectors in
            vectors.withUnsafeBufferPointer { v in
                for t in 0..<(v.count / d) { global.add(UnsafeBufferPointer(rebasing: v[(t * d)..<(t * d + d)])) }
            }
        }
        let prior = global.covariance
        let floor = (0..<d).map { Float(max(prior[$0 * d + $0], 1e-6) * 0.01) }

        if Double(stream.count) * hop < parameters.minimumSpeech || given == 1 {
            let runs = [Resegmentation.Run(range: 0..<stream.count, speaker: 0, margin: 10)]
            return finish(runs: runs, stream: stream, clock: track.clock, countGiven: given != nil)
        }

        // 1. Segments: cut at validated changes and at every pause.
        let changes = try SpeakerChangeDetector(parameters: parameters.change)
            .detect(in: stream, track: track, prior: prior, hop: hop)
        var cuts = Set(changes)
        for join in stream.joins { cuts.insert(join.position) }
        let boundaries = [0] + cuts.filter { $0 > 0 && $0 < stream.count }.sorted() + [stream.count]
        var segmentStats: [GaussianStatistics] = []
        var ranges: [Range<Int>] = []
        for i in 0..<(boundaries.count - 1) where boundaries[i] < boundaries[i + 1] {
            ranges.append(boundaries[i]..<boundaries[i + 1])
            segmentStats.append(GaussianStatistics(dimension: d))
        }
        var segment = 0
        try stream.forEachChunk(size: 8_192, from: track) { range, vectors in
            vectors.withUnsafeBufferPointer { v in
                for position in range {
                    while segment < ranges.count && ranges[segment].upperBound <= position { segment += 1 }
                    guard segment < ranges.count else { return }
                    let base = (position - range.lowerBound) * d
                    segmentStats[segment].add(UnsafeBufferPointer(rebasing: v[base..<(base + d)]))
                }
            }
        }

        // 2. Clustering.
        let clustering = SpeakerClustering(parameters: parameters.clustering)
        let labels = clustering.cluster(segmentStats, count: given, prior: prior)
        var runs = zip(ranges, labels).map { Resegmentation.Run(range: $0.0, speaker: $0.1, margin: 0) }
        var speakers = (labels.max() ?? 0) + 1

        // 3. Resegmentation.
        let reseg = Resegmentation()
        for pass in 0..<max(1, parameters.passes) {
            let models = try reseg.trainModels(runs: runs, speakers: speakers, stream: stream, track: track,
                                               varianceFloor: floor)
            runs = try reseg.decode(stream: stream, track: track, models: models, hop: hop)
            let (relabelled, count) = try tidy(runs: runs, speakers: speakers, given: given, stream: stream,
                                               track: track, prior: prior, clustering: clustering, hop: hop,
                                               mergeSimilar: pass == 0)
            runs = relabelled
            speakers = count
        }
        return finish(runs: runs, stream: stream, clock: track.clock, countGiven: given != nil)
    }

    /// Renumbers speakers, drops estimated speakers with too little speech
    /// and (once) merges speakers BIC says are one.
    private func tidy(runs: [Resegmentation.Run], speakers: Int, given: Int?, stream: SpeechStream,
                      track: FeatureTrack, prior: [Double], clustering: SpeakerClustering, hop: Double,
                      mergeSimilar: Bool) throws -> ([Resegmentation.Run], Int) {
        var map = Array(0..<speakers)
        if given == nil {
            var stats = [GaussianStatistics](repeating: GaussianStatistics(dimension: stream.dimension), count: speakers)
            var amount = [Int](repeating: 0, count: speakers)
            for run in runs where run.speaker < speakers { amount[run.speaker] += run.range.count }
            if mergeSimilar && speakers > 1 {
                var runIndex = 0
                let d = stream.dimension
                try stream.forEachChunk(size: 8_192, from: track) { range, vectors in
                    vectors.withUnsafeBufferPointer { v in
                        for position in range {
                            while runIndex < runs.count && runs[runIndex].range.upperBound <= position { runIndex += 1 }
                            guard runIndex < runs.count, runs[runIndex].speaker < speakers else { return }
                            let base = (position - range.lowerBound) * d
                            let s = runs[runIndex].speaker
                            let x = UnsafeBufferPointer(rebasing: v[base..<(base + d)])
                            stats[s].add(x)
                        }
                    }
                }
                map = mergedSpeakers(stats, clustering: clustering, prior: prior)
            }
            // Too little speech for a speaker of its own: give it to the
            // biggest speaker for now; the next decode reassigns its frames.
            let minimum = Int(parameters.minimumSpeakerSpeech / hop)
            var total = [Int](repeating: 0, count: speakers)
            for s in 0..<speakers { total[map[s]] += amount[s] }
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

    /// Merges speakers greedily while the cheapest merge passes either the
    /// per-frame test (`speakerMergeCostPerFrame`) or the BIC test
    /// (`speakerMergeLambda`); returns the new label of each.
    private func mergedSpeakers(_ speakers: [GaussianStatistics], clustering: SpeakerClustering,
                              prior: [Double]) -> [Int] {
        var stats = speakers
        var owner = Array(speakers.indices)
        var alive = [Bool](repeating: true, count: speakers.count)
        while true {
            var best = Double.infinity, bi = -1, bj = -1
            for i in stats.indices where alive[i] {
                for j in stats.indices where j > i && alive[j] {
                    let n = stats[i].count + stats[j].count
                    guard n > 0 else { continue }
                    // Either test accepting the merge means one voice: the
                    // per-frame test for big clusters, the BIC test for small ones.
                    let p = Covariance.parameterCount(dimension: stats[i].dimension) * Foundation.log(max(n, 2))
                    let cost = clustering.mergeCost(stats[i], stats[j], prior: prior)
                    let glr = cost + clustering.parameters.lambda * p
                    let c = min(cost / n - parameters.speakerMergeCostPerFrame,
                                (glr - parameters.speakerMergeLambda * p) / n)
                    if c < best { best = c; bi = i; bj = j }
                }
            }
            guard bi >= 0, best < 0 else { break }
            stats[bi].add(stats[bj])
            alive[bj] = false
            for k in owner.indices where owner[k] == bj { owner[k] = bi }
        }
        return owner
    }

    /// Stream runs → timed segments (one per speech span piece), changes,
    /// and backchannel flags.
    private func finish(runs: [Resegmentation.Run], stream: SpeechStream, clock: FrameClock,
                        countGiven: Bool) -> SpeakerDiarization {
        struct Piece { var start: Int; var end: Int; var speaker: Int; var margin: Double }
        var pieces: [Piece] = []
        for run in runs where !run.range.isEmpty {
            var position = run.range.lowerBound
            while position < run.range.upperBound {
                let span = stream.spanIndex(of: position)
                let spanEnd = stream.offsets[span] + stream.spans[span].count
                let end = min(run.range.upperBound, spanEnd)
                pieces.append(Piece(start: stream.frame(of: position), end: stream.endFrame(of: end),
                                    speaker: run.speaker, margin: run.margin))
                position = end
            }
        }
        let labels = SpeakerClustering.renumbered(pieces.map(\.speaker))
        var segments: [SpeakerSegment] = []
        for (piece, label) in zip(pieces, labels) {
            segments.append(SpeakerSegment(start: clock.boundary(beforeFrame: piece.start),
                                           end: clock.boundary(beforeFrame: piece.end),
                                           speaker: "S\(label + 1)",
                                           confidence: 1 / (1 + Foundation.exp(-piece.margin))))
        }
        // A short segment of speaker B with speaker A right before and after
        // and no pause around it is an interjection over A's turn: flag it as
        // overlap so it does not split A's turn.
        let shortest = parameters.backchannelLength
        if segments.count >= 3 {
            for i in 1..<(segments.count - 1) {
                let a = segments[i - 1], b = segments[i], c = segments[i + 1]
                if b.duration < shortest, a.speaker == c.speaker, a.speaker != b.speaker,
                   b.start - a.end < 0.02, c.start - b.end < 0.02 {
                    segments[i].overlap = true
                }
            }
        }
        // The main speaker's turn continues under the interjection.
        var merged: [SpeakerSegment] = []
        var main: Int?
        var i = 0
        while i < segments.count {
            if segments[i].overlap, let m = main, i + 1 < segments.count {
                merged.append(segments[i])
                merged[m].end = segments[i + 1].end
                merged[m].confidence = min(merged[m].confidence, segments[i + 1].confidence)
                i += 2
                continue
            }
            main = merged.count
            merged.append(segments[i])
            i += 1
        }
        segments = merged
        // One speaker's speech across a short gap is one segment (one turn);
        // only overlap segments can lie between `lastMain` and the next one.
        let bridge = parameters.turnGap
        var joined: [SpeakerSegment] = []
        var lastMain: Int?
        for segment in segments {
            if !segment.overlap, let m = lastMain, joined[m].speaker == segment.speaker,
               segment.start - joined[m].end < bridge {
                joined[m].end = segment.end
                joined[m].confidence = min(joined[m].confidence, segment.confidence)
                continue
            }
            if !segment.overlap { lastMain = joined.count }
            joined.append(segment)
        }
        segments = joined
        var changes: [Double] = []
        var previous: String?
        for segment in segments where !segment.overlap {
            if let p = previous, p != segment.speaker { changes.append(segment.start) }
            previous = segment.speaker
        }
        let count = Set(segments.map(\.speaker)).count
        return SpeakerDiarization(segments: segments, changes: changes, speakerCount: count, countGiven: countGiven)
    }
}
