import Foundation
import SegueFormats

/// Builds the output documents of an analysis.
public enum AnalysisReport {
    public static func document(for analysis: EpisodeAnalysis, minimumPause: Double) -> AnalysisDocument {
        let clock = analysis.features.clock
        let speech = analysis.activity.speechFrames.map {
            (start: clock.boundary(beforeFrame: $0.lowerBound), end: min(analysis.duration, clock.boundary(beforeFrame: $0.upperBound)))
        }
        let file = (analysis.path as NSString).lastPathComponent
        return AnalysisDocument(file: file, audio: analysis.audio, hop: clock.hopDuration,
                                window: Double(clock.windowSamples) / Double(clock.sampleRate),
                                minimumPause: minimumPause, activity: analysis.activity,
                                speech: speech, speakers: analysis.speakers, warnings: analysis.warnings)
    }
}
