import Foundation
import SegueFeatures

/// Rules that turn decoded runs into the turns a listener hears: fragment
/// speakers given to the voice they interrupt, backchannels flagged as
/// overlap, and one speaker's speech across a short gap joined.
extension SpeakerDiarizer {
    /// Maps each "speaker" that never holds the floor to the speaker it
    /// interrupts most: when most of a speaker's speech comes in runs shorter
    /// than `fragmentRun`, it is a class of sounds the models split off one
    /// voice (onsets, a fricative, a laugh), scattered through its turns.
    func fragmentOwners(_ runs: [Resegmentation.Run], speakers: Int, hop: Double) -> [Int] {
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

    /// Stream runs → timed segments, one per piece of a speech span,
    /// speakers named "S1", "S2", … in order of appearance.
    func timedSegments(_ runs: [Resegmentation.Run], stream: SpeechStream, clock: FrameClock) -> [SpeakerSegment] {
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
        return zip(pieces, labels).map { piece, label in
            SpeakerSegment(start: clock.boundary(beforeFrame: piece.start),
                           end: clock.boundary(beforeFrame: piece.end),
                           speaker: "S\(label + 1)",
                           confidence: 1 / (1 + Foundation.exp(-piece.margin)))
        }
    }

    /// A segment shorter than `backchannelLength` with one other speaker
    /// right before and after it and no pause around it is an interjection
    /// over that speaker's turn: flagged as overlap.
    func flaggingBackchannels(_ segments: [SpeakerSegment]) -> [SpeakerSegment] {
        var segments = segments
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
        return segments
    }

    /// The main speaker's turn continues under an interjection: the segment
    /// before it is extended over the one after it.
    func continuingTurns(_ segments: [SpeakerSegment]) -> [SpeakerSegment] {
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
        return merged
    }

    /// One speaker's speech across a gap shorter than `turnGap` is one
    /// segment (one turn); only overlap segments can lie between `lastMain`
    /// and the next one.
    func bridgingGaps(_ segments: [SpeakerSegment]) -> [SpeakerSegment] {
        var joined: [SpeakerSegment] = []
        var lastMain: Int?
        for segment in segments {
            if !segment.overlap, let m = lastMain, joined[m].speaker == segment.speaker,
               segment.start - joined[m].end < parameters.turnGap {
                joined[m].end = segment.end
                joined[m].confidence = min(joined[m].confidence, segment.confidence)
                continue
            }
            if !segment.overlap { lastMain = joined.count }
            joined.append(segment)
        }
        return joined
    }

    /// Times where a different speaker starts (overlap segments aside).
    static func changes(in segments: [SpeakerSegment]) -> [Double] {
        var changes: [Double] = []
        var previous: String?
        for segment in segments where !segment.overlap {
            if let p = previous, p != segment.speaker { changes.append(segment.start) }
            previous = segment.speaker
        }
        return changes
    }
}
