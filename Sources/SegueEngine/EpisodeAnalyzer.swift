import Foundation
import SegueAudio
import SegueFeatures
import SeguePauses
import SegueSpeakers

/// Everything Segue learned about one episode's audio. `features` stays
/// available to later stages, so no stage decodes or transforms twice.
public struct EpisodeAnalysis: Sendable {
    public var path: String
    /// Audio format; `frameCount` is the number of frames actually decoded.
    public var audio: AudioInfo
    public var features: FeatureTrack
    public var activity: SpeechActivity
    /// Who speaks when; empty when the speaker stage was not run.
    public var speakers: SpeakerDiarization
    /// Things the user should know that did not stop the analysis.
    public var warnings: [String]
    /// Wall time of each stage in seconds, in pipeline order (for benchmarks).
    public var timings: [(stage: String, seconds: Double)]

    public var duration: Double { audio.duration }
}

/// Runs the analysis stages on one file: decode → features → pauses → speakers.
public struct EpisodeAnalyzer: Sendable {
    public var featureParameters = FeatureParameters()
    public var pauseParameters = PauseDetector.Parameters()
    public var speakerParameters = SpeakerDiarizer.Parameters()
    /// Run the speaker stage (change points and diarization).
    public var findSpeakers = true
    /// Number of speakers when known (from the transcript); estimated when nil.
    public var speakerCount: Int?

    public init() {}

    /// Analyses `path`. `progress` receives the fraction decoded (0…1), from
    /// the calling thread, a few times per second of work at most.
    public func analyze(path: String, progress: ((Double) -> Void)? = nil) throws -> EpisodeAnalysis {
        var timings: [(stage: String, seconds: Double)] = []
        var stageStart = Date()
        func endStage(_ name: String) {
            timings.append((name, Date().timeIntervalSince(stageStart)))
            stageStart = Date()
        }
        let pauseDetector = PauseDetector(parameters: pauseParameters)
        let (audio, track, survey, warnings) = try decodeFeatures(path: path, pauseDetector: pauseDetector,
                                                                  progress: progress)
        endStage("decode+features")

        let activity = try pauseDetector.detect(in: track, survey: survey)
        endStage("pauses+music")
        let speakers = findSpeakers
            ? try SpeakerDiarizer(parameters: speakerParameters).diarize(track: track, activity: activity,
                                                                          speakerCount: speakerCount)
            : .empty
        if findSpeakers { endStage("speakers") }
        progress?(1)
        return EpisodeAnalysis(path: path, audio: audio, features: track, activity: activity, speakers: speakers,
                               warnings: warnings, timings: timings)
    }

    /// Decodes the file once and computes every frame's features, and the pause
    /// stage's survey of them while the decoder works ahead. The decoder is
    /// closed when this returns, before the later stages run.
    private func decodeFeatures(path: String, pauseDetector: PauseDetector, progress: ((Double) -> Void)?) throws
        -> (audio: AudioInfo, track: FeatureTrack, survey: PauseSurvey, warnings: [String]) {
        let decoder = try AudioDecoder(path: path)
        var audio = decoder.info
        let pipeline = DecodePipeline(decoder: decoder)
        // However this returns (a feature or disk error thrown mid-file included),
        // the decoding thread ends before the file is closed.
        defer { pipeline.stop() }
        let extractor = FeatureExtractor(sampleRate: audio.sampleRate, parameters: featureParameters)
        let track = try FeatureTrack(clock: extractor.clock, layout: extractor.layout)
        var survey = pauseDetector.survey(clock: extractor.clock, layout: extractor.layout)
        func surveyNewFrames() throws {
            guard track.frameCount > survey.frameCount else { return }
            survey.add(try track.read(survey.frameCount..<track.frameCount))
        }

        var decoded: Int64 = 0
        var lastReport = 0.0
        while let block = try pipeline.next() {
            try block.withUnsafeBufferPointer { try extractor.process($0, into: track) }
            if track.frameCount - survey.frameCount >= 512 { try surveyNewFrames() }
            decoded += Int64(block.count)
            if let progress, audio.frameCount > 0 {
                let fraction = min(1, Double(decoded) / Double(audio.frameCount))
                if fraction - lastReport >= 0.01 { progress(fraction); lastReport = fraction }
            }
        }
        try extractor.finish(into: track)
        try surveyNewFrames()
        decoded = pipeline.decodedFrameCount

        var warnings: [String] = []
        guard decoded > 0 else {
            throw AudioError(path: path, kind: .empty, reason: "contains no audio samples")
        }
        if audio.frameCount > 0, Double(decoded) < Double(audio.frameCount) * 0.99 {
            let declared = Double(audio.frameCount) / Double(audio.sampleRate)
            let found = Double(decoded) / Double(audio.sampleRate)
            warnings.append(String(format: "%@: file is shorter than its header says (%.2f s declared, %.2f s decoded); analysed what is there",
                                   path, declared, found))
        }
        audio.frameCount = decoded
        return (audio, track, survey, warnings)
    }
}
