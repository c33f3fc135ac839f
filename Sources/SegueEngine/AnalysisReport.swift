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

extension AnalysisReport {
    /// The analysis document with the transcript's alignment in it.
    public static func document(for alignment: EpisodeAlignment, minimumPause: Double) -> AnalysisDocument {
        var document = document(for: alignment.analysis, minimumPause: minimumPause)
        document.alignment = AlignmentSection(
            turns: alignment.turns.map { turn in
                AlignmentSection.Turn(index: turn.index, speaker: turn.speaker, text: turn.text, start: turn.start,
                                      end: turn.end, confidence: turn.confidence, status: turn.status.rawValue,
                                      overlap: turn.overlap, evidence: turn.evidence,
                                      sentences: turn.sentences.map {
                                          AlignmentSection.Sentence(text: $0.text, start: $0.start, end: $0.end,
                                                                    confidence: $0.confidence)
                                      })
            },
            unalignedAudio: alignment.unaligned.map {
                AlignmentSection.Unaligned(start: $0.start, end: $0.end, kind: $0.kind.rawValue)
            },
            speakerNames: alignment.speakerNames, warnings: alignment.warnings)
        return document
    }

    /// Caption segments: one per placed sentence, or one per placed turn, in transcript order.
    /// A segment ends where its text ends, and never after the next one starts.
    public static func segments(for alignment: EpisodeAlignment, perSentence: Bool) -> [TranscriptSegment] {
        var segments: [TranscriptSegment] = []
        for turn in alignment.turns where turn.status == .aligned {
            if perSentence {
                for sentence in turn.sentences {
                    guard let start = sentence.start, let end = sentence.end else { continue }
                    segments.append(TranscriptSegment(speaker: turn.speaker, start: start, end: max(end, start),
                                                      body: sentence.text))
                }
            } else if let start = turn.start, let end = turn.end {
                segments.append(TranscriptSegment(speaker: turn.speaker, start: start, end: max(end, start),
                                                  body: turn.text))
            }
        }
        for n in segments.indices.dropLast() where segments[n].end > segments[n + 1].start
            && segments[n + 1].start >= segments[n].start {
            segments[n].end = segments[n + 1].start
        }
        return segments
    }
}
