import Dispatch
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
/// Long episodes are diarized hierarchically: the speech stream is cut into
/// windows of about `window` seconds (at pauses), steps 1–3 run on each
/// window alone, and the windows' speakers are then linked across the
/// episode by agglomerative clustering of their Gaussian statistics. Work is
/// linear and memory bounded by one window, and the result does not depend
/// on the episode's length. Short episodes are one window.
///
/// 1. `SpeakerChangeDetector` (DISTBIC: GLR peaks, BIC validation) cuts the
///    speech stream into segments, also cut at every pause.
/// 2. `SpeakerClustering` (BIC agglomerative clustering) groups them into
///    speakers; the count is given or estimated.
/// 3. `Resegmentation` (per-speaker GMMs, Viterbi) sharpens the boundaries
///    and relabels short segments; repeated `passes` times. Before the first
///    pass and after it, speakers whose models BIC cannot tell apart are
///    merged and speakers left with almost no speech are dropped (count
///    estimated).
/// 4. Window speakers are linked (`linkedSpeakers`), and speakers that only
///    ever speak in sub-second pieces inside another's turns are given to
///    that speaker (`fragmentOwners`).
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
        /// A speaker with more than `fragmentShare` of its speech in runs
        /// shorter than this (s) is a fragment of the voice it interrupts.
        /// One second is about two syllables: shorter than nearly any turn,
        /// longer than the onsets and sounds a model splits off a voice.
        public var fragmentRun: Double = 1.0
        public var fragmentShare: Double = 0.5
        /// Length of the windows (s of speech) diarized on their own before
        /// their speakers are linked across the episode. Long enough that
        /// every active speaker of a conversation has several turns in it
        /// (tens of seconds of speech, plenty for an 8-component model), short
        /// enough that the over-split clustering of one window stays small
        /// (tens of clusters) — so work is linear and memory constant in
        /// the episode's length, and a 3-hour episode is diarized like three
        /// 1-hour ones. Longer than any short clip, which is one window.
        public var window: Double = 600
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

        // Each window is diarized on its own; its speakers are then
        // clustered across windows by their Gaussian statistics.
        let clustering = SpeakerClustering(parameters: parameters.clustering)
        let windows = stream.windows(length: max(1, Int((parameters.window / hop).rounded())))
        // Windows are independent: up to two are diarized at once (a second
        // core when there is one), in a fixed interleaved assignment so the
        // result does not depend on scheduling. Two windows in flight keep
        // memory bounded by two windows' buffers on any machine.
        let workers = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount, windows.count))
        var results = [Result<([Resegmentation.Run], [GaussianStatistics]), any Error>?](repeating: nil,
                                                                                        count: windows.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in Swift.stride(from: worker, to: windows.count, by: workers) {
                    out[i] = Result {
                        let window = try StreamWindow(range: windows[i], stream: stream, track: track)
                        return diarizeWindow(window, stream: stream, given: given, prior: prior, floor: floor,
                                             clustering: clustering, hop: hop)
                    }
                }
            }
        }
        var runs: [Resegmentation.Run] = []
        var windowSpeakers: [GaussianStatistics] = []
        for (range, result) in zip(windows, results) {
            guard let result else { continue }
            let (local, stats) = try result.get()
            let base = windowSpeakers.count
            windowSpeakers.append(contentsOf: stats)
            for run in local {
                runs.append(.init(range: (run.range.lowerBound + range.lowerBound)..<(run.range.upperBound + range.lowerBound),
                                  speaker: run.speaker + base, margin: run.margin))
            }
        }
        var speakers = windowSpeakers.count
        if windows.count > 1 {
            let map = linkedSpeakers(windowSpeakers, given: given, clustering: clustering, prior: prior)
            (runs, speakers) = relabelled(runs, map: map, speakers: speakers, given: given, hop: hop)
        }
        if given == nil {
            (runs, speakers) = relabelled(runs, map: fragmentOwners(runs, speakers: speakers, hop: hop),
                                          speakers: speakers, given: given, hop: hop)
        }
        return finish(runs: runs, stream: stream, clock: track.clock, countGiven: given != nil)
    }

    /// Change detection, clustering and resegmentation of one window; runs
    /// relative to the window's start, and the statistics of each of its
    /// speakers.
    private func diarizeWindow(_ window: StreamWindow, stream: SpeechStream, given: Int?, prior: [Double],
                               floor: [Float], clustering: SpeakerClustering,
                               hop: Double) -> ([Resegmentation.Run], [GaussianStatistics]) {
        let d = window.dimension
        // 1. Segments: cut at validated changes and at every pause.
        let changes = SpeakerChangeDetector(parameters: parameters.change).detect(in: window, prior: prior, hop: hop)
        var cuts = Set(changes)
        for join in stream.joins where window.range.contains(join.position) {
            cuts.insert(join.position - window.range.lowerBound)
        }
        let boundaries = [0] + cuts.filter { $0 > 0 && $0 < window.count }.sorted() + [window.count]
        var segmentStats: [GaussianStatistics] = []
        var ranges: [Range<Int>] = []
        window.vectors.withUnsafeBufferPointer { v in
            for i in 0..<(boundaries.count - 1) where boundaries[i] < boundaries[i + 1] {
                var stats = GaussianStatistics(dimension: d)
                for p in boundaries[i]..<boundaries[i + 1] {
                    stats.add(UnsafeBufferPointer(rebasing: v[(p * d)..<(p * d + d)]))
                }
                ranges.append(boundaries[i]..<boundaries[i + 1])
                segmentStats.append(stats)
            }
        }

        // 2. Clustering.
        let labels = clustering.cluster(segmentStats, count: given, prior: prior)
        var runs = zip(ranges, labels).map { Resegmentation.Run(range: $0.0, speaker: $0.1, margin: 0) }
        var speakers = (labels.max() ?? 0) + 1
        // The clustering over-splits on purpose (λ 0.4); clusters that the
        // speaker-merge tests already call one voice are joined before the
        // first decode, so the Viterbi pass scores a handful of models per
        // frame instead of dozens (the models would be merged after it anyway).
        if given == nil && speakers > 1 {
            var stats = [GaussianStatistics](repeating: GaussianStatistics(dimension: d), count: speakers)
            for (segment, label) in zip(segmentStats, labels) { stats[label].add(segment) }
            let map = mergedSpeakers(stats, clustering: clustering, prior: prior)
            (runs, speakers) = relabelled(runs, map: map, speakers: speakers, given: given, hop: hop)
        }

        // 3. Resegmentation.
        let reseg = Resegmentation()
        for pass in 0..<max(1, parameters.passes) {
            let models = reseg.trainModels(runs: runs, speakers: speakers, window: window, varianceFloor: floor)
            runs = reseg.decode(window: window, stream: stream, models: models, hop: hop)
            var map = Array(0..<speakers)
            if given == nil && pass == 0 && speakers > 1 {
                var stats = [GaussianStatistics](repeating: GaussianStatistics(dimension: d), count: speakers)
                window.vectors.withUnsafeBufferPointer { v in
                    for run in runs where run.speaker < speakers {
                        for p in run.range { stats[run.speaker].add(UnsafeBufferPointer(rebasing: v[(p * d)..<(p * d + d)])) }
                    }
                }
                map = mergedSpeakers(stats, clustering: clustering, prior: prior)
            }
            (runs, speakers) = relabelled(runs, map: map, speakers: speakers, given: given, hop: hop)
        }
        var stats = [GaussianStatistics](repeating: GaussianStatistics(dimension: d), count: speakers)
        window.vectors.withUnsafeBufferPointer { v in
            for run in runs {
                for p in run.range { stats[run.speaker].add(UnsafeBufferPointer(rebasing: v[(p * d)..<(p * d + d)])) }
            }
        }
        return (runs, stats)
    }

    /// Applies `map` (old speaker → new label), gives estimated speakers
    /// with too little speech to the biggest one (the next decode, if any,
    /// reassigns their frames), renumbers in order of appearance and joins
    /// adjacent runs of one speaker.
    private func relabelled(_ runs: [Resegmentation.Run], map original: [Int], speakers: Int, given: Int?,
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

    /// Maps each "speaker" that never holds the floor to the speaker it
    /// interrupts most: when most of a speaker's speech comes in runs shorter
    /// than `fragmentRun`, it is a class of sounds that the models split off
    /// one voice (onsets, a fricative, a laugh), scattered through that
    /// voice's turns — a person taking part in a conversation speaks in
    /// turns of seconds, not only in sub-second pieces.
    private func fragmentOwners(_ runs: [Resegmentation.Run], speakers: Int, hop: Double) -> [Int] {
        var map = Array(0..<speakers)
        guard speakers > 1 else { return map }
        let short = Int((parameters.fragmentRun / hop).rounded())
        var total = [Int](repeating: 0, count: speakers)
        var inShort = [Int](repeating: 0, count: speakers)
        var contacts = [Int](repeating: 0, count: speakers * speakers)
        for (i, run) in runs.enumerated() where run.speaker < speakers {
            total[run.speaker] += run.range.count
            guard run.range.count < short else { continue }
            inShort[run.speaker] += run.range.count
            for j in [i - 1, i + 1] where j >= 0 && j < runs.count {
                let other = runs[j].speaker
                if other != run.speaker, other < speakers { contacts[run.speaker * speakers + other] += 1 }
            }
        }
        for s in 0..<speakers where total[s] > 0 && Double(inShort[s]) > parameters.fragmentShare * Double(total[s]) {
            var owner = -1, most = 0
            for o in 0..<speakers where o != s && contacts[s * speakers + o] > most
                && Double(inShort[o]) <= parameters.fragmentShare * Double(total[o]) {
                most = contacts[s * speakers + o]; owner = o
            }
            if owner >= 0 { map[s] = owner }
        }
        return map
    }

    /// Links the speakers of all windows into episode speakers (label of
    /// each): agglomerative, merging the closest pair while it passes the
    /// per-frame test or the BIC test of `mergedSpeakers`, or until `given`
    /// are left. The per-frame test uses the divergence of the two Gaussians
    /// as if they had equally many frames, so that a window speaker is not
    /// absorbed by an episode speaker just because the latter has already
    /// gathered hours of speech (the pooled per-frame cost of a small
    /// cluster joining a big one shrinks like the small one's share).
    private func linkedSpeakers(_ items: [GaussianStatistics], given: Int?, clustering: SpeakerClustering,
                                prior: [Double]) -> [Int] {
        let n = items.count
        guard n > 1 else { return Array(0..<n) }
        var stats = items
        var alive = stats.map { $0.count > 0 }
        var owner = Array(0..<n)
        func cost(_ a: GaussianStatistics, _ b: GaussianStatistics) -> Double {
            let total = a.count + b.count
            let p = Covariance.parameterCount(dimension: a.dimension) * Foundation.log(max(total, 2))
            let glr = clustering.mergeCost(a, b, prior: prior) + clustering.parameters.lambda * p
            let bic = (glr - parameters.speakerMergeLambda * p) / total
            return min(clustering.equalWeightDivergence(a, b, prior: prior) - parameters.speakerMergeCostPerFrame, bic)
        }
        var matrix = [Double](repeating: .infinity, count: n * n)
        for i in 0..<n where alive[i] {
            for j in (i + 1)..<n where alive[j] { matrix[i * n + j] = cost(stats[i], stats[j]) }
        }
        var clusters = alive.filter { $0 }.count
        let goal = max(1, given ?? 1)
        while clusters > goal {
            var best = Double.infinity, bi = -1, bj = -1
            for i in 0..<n where alive[i] {
                for j in (i + 1)..<n where alive[j] && matrix[i * n + j] < best {
                    best = matrix[i * n + j]; bi = i; bj = j
                }
            }
            guard bi >= 0 else { break }
            if given == nil && best >= 0 { break }
            stats[bi].add(stats[bj])
            alive[bj] = false
            for k in 0..<n where owner[k] == bj { owner[k] = bi }
            clusters -= 1
            for k in 0..<n where alive[k] && k != bi {
                let c = cost(stats[bi], stats[k])
                if k < bi { matrix[k * n + bi] = c } else { matrix[bi * n + k] = c }
            }
        }
        return owner
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
