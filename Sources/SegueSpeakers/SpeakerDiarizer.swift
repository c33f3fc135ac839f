import Foundation
import SegueFeatures
import SeguePauses

/// The speaker stage: change detection → agglomerative clustering →
/// GMM/Viterbi resegmentation, on the speech frames found by the pause
/// detector. No trained model and no download: every model is estimated
/// from the episode itself.
///
/// The speech stream is cut (at pauses) into windows of about `window`
/// seconds, each diarized on its own (steps 1–3), and the windows' speakers
/// are then linked across the episode (step 4), so work is linear, memory
/// bounded by a window, and the result independent of the episode's length.
/// Short episodes are one window.
///
/// 1. `SpeakerChangeDetector` (DISTBIC) cuts the stream into segments, also
///    cut at every pause.
/// 2. `SpeakerClustering` (BIC) groups them into speakers, over-splitting;
///    speakers the merge tests call one voice are joined (`mergedSpeakers`).
/// 3. `Resegmentation` (per-speaker GMMs, Viterbi) sharpens the boundaries,
///    `passes` times; after the first pass speakers are merged again.
///    Speakers with almost no speech are dropped (`relabelled`).
/// 4. Window speakers are linked (`linkedSpeakers`), speakers that only speak
///    in sub-second pieces go to the voice they interrupt (`fragmentOwners`),
///    and runs become timed segments with backchannels flagged and short
///    gaps bridged (`finish`).
public struct SpeakerDiarizer: Sendable {
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
                                  cepstralCount: track.layout.cepstralCount,
                                  mask: try BackgroundMask(track: track, pauses: activity.pauses))
        let given = speakerCount.map { max(1, $0) }
        guard stream.count > 0, stream.dimension > 0 else { return .empty }
        let speech = try EpisodeSpeech(stream: stream, track: track)

        if Double(stream.count) * hop < parameters.minimumSpeech || given == 1 {
            let runs = [Resegmentation.Run(range: 0..<stream.count, speaker: 0, margin: 10)]
            return finish(runs: runs, stream: stream, clock: track.clock, countGiven: given != nil)
        }

        let clustering = SpeakerClustering(parameters: parameters.clustering)
        let windows = stream.windows(length: max(1, Int((parameters.window / hop).rounded())))
        var (runs, windowSpeakers) = try diarizeWindows(windows, stream: stream, track: track, given: given,
                                                        speech: speech, clustering: clustering, hop: hop)
        var speakers = windowSpeakers.count
        let test = SpeakerMergeTest(parameters: parameters, clustering: clustering, prior: speech.prior)
        var statistics: [GaussianStatistics]? = windowSpeakers
        if windows.count > 1 {
            let map = linkedSpeakers(windowSpeakers, given: given, clustering: clustering, prior: speech.prior)
            (runs, speakers, statistics) = relabelled(runs, map: map, speakers: speakers, given: given, hop: hop,
                                                      statistics: statistics, test: test)
        }
        if given == nil {
            (runs, speakers, _) = relabelled(runs, map: fragmentOwners(runs, speakers: speakers, hop: hop),
                                             speakers: speakers, given: given, hop: hop,
                                             statistics: statistics, test: test)
        }
        return finish(runs: runs, stream: stream, clock: track.clock, countGiven: given != nil)
    }

    /// Steps 1–3 on one window: its runs (positions relative to the window's
    /// start) and the statistics of each of its speakers.
    func diarizeWindow(_ window: StreamWindow, stream: SpeechStream, given: Int?, speech: EpisodeSpeech,
                       clustering: SpeakerClustering,
                       hop: Double) -> ([Resegmentation.Run], [GaussianStatistics]) {
        let prior = speech.prior
        let test = SpeakerMergeTest(parameters: parameters, clustering: clustering, prior: prior)
        // 1. Segments: cut at validated changes and at every pause.
        let changes = SpeakerChangeDetector(parameters: parameters.change).detect(in: window, prior: prior, hop: hop)
        let (ranges, segmentStats) = window.segments(cutAt: changes, stream: stream)

        // 2. Clustering. It over-splits on purpose; clusters the merge tests
        // already call one voice are joined before the first decode, so the
        // Viterbi pass scores a handful of models per frame, not dozens.
        let labels = clustering.cluster(segmentStats, count: given, prior: prior)
        var runs = zip(ranges, labels).map { Resegmentation.Run(range: $0.0, speaker: $0.1, margin: 0) }
        var speakers = (labels.max() ?? 0) + 1
        if given == nil && speakers > 1 {
            var stats = [GaussianStatistics](repeating: GaussianStatistics(dimension: window.dimension),
                                             count: speakers)
            for (segment, label) in zip(segmentStats, labels) { stats[label].add(segment) }
            let map = mergedSpeakers(stats, clustering: clustering, prior: prior)
            (runs, speakers, _) = relabelled(runs, map: map, speakers: speakers, given: given, hop: hop,
                                             statistics: stats, test: test)
        }

        // 3. Resegmentation; speakers merged once more after the first decode.
        let reseg = Resegmentation()
        for pass in 0..<max(1, parameters.passes) {
            let models = reseg.trainModels(runs: runs, speakers: speakers, window: window, varianceFloor: speech.floor)
            runs = reseg.decode(window: window, stream: stream, models: models, hop: hop)
            var map = Array(0..<speakers)
            let stats = given == nil ? window.speakerStatistics(runs, speakers: speakers) : nil
            if let stats, pass == 0 && speakers > 1 {
                map = mergedSpeakers(stats, clustering: clustering, prior: prior)
            }
            (runs, speakers, _) = relabelled(runs, map: map, speakers: speakers, given: given, hop: hop,
                                             statistics: stats, test: test)
        }
        return (runs, window.speakerStatistics(runs, speakers: speakers))
    }

    /// Stream runs → timed segments with backchannels flagged, the turn
    /// continued under them and short gaps bridged; changes and count.
    func finish(runs: [Resegmentation.Run], stream: SpeechStream, clock: FrameClock,
                countGiven: Bool) -> SpeakerDiarization {
        var segments = timedSegments(runs, stream: stream, clock: clock)
        segments = flaggingBackchannels(segments)
        segments = continuingTurns(segments)
        segments = bridgingGaps(segments)
        let count = Set(segments.map(\.speaker)).count
        return SpeakerDiarization(segments: segments, changes: Self.changes(in: segments), speakerCount: count,
                                  countGiven: countGiven)
    }
}
