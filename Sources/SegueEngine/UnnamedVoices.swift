import SegueAlignment
import SeguePauses
import SegueSpeakers

/// Diarization again without the voices the transcript does not name. With a 15 s advert read by a
/// clean studio voice before a noisy telephone episode, the clustering spends its clusters on the
/// advert (its voice differs most from the rest) and takes the episode's speakers for one; the
/// first content alignment finds the advert's clusters to be nobody's. Those clusters are kept as
/// they are, and the rest of the speech is diarized again with the transcript's speaker count.
enum UnnamedVoices {
    /// The new diarization, or nil when the first one already gives every transcript speaker a
    /// cluster of their own, or has no cluster of nobody's voice to set aside.
    static func rediarized(_ speakers: SpeakerDiarization, mapping: [Int8], evidence: SpeakerEvidence,
                           activity: SpeechActivity, track: FeatureTrack, nameCount: Int,
                           parameters: SpeakerDiarizer.Parameters) throws -> SpeakerDiarization? {
        let named = Set(mapping.filter { $0 >= 0 })
        let unnamed = Set(evidence.clusterLabels.compactMap { label, cluster in
            cluster < mapping.count && mapping[cluster] == SpeakerLabels.foreign ? label : nil
        })
        guard named.count < nameCount, !unnamed.isEmpty else { return nil }
        let set = speakers.segments.filter { unnamed.contains($0.speaker) && !$0.overlap }
        let clock = track.clock
        let removed = set.map { max(0, clock.frame(at: $0.start))..<max(0, clock.frame(at: $0.end)) }
        var rest = activity
        rest.speechFrames = subtracting(removed, from: activity.speechFrames)
        let again = try SpeakerDiarizer(parameters: parameters).diarize(track: track, activity: rest,
                                                                        speakerCount: nameCount)
        // The set-aside voices keep labels of their own, after the new ones.
        let offset = again.speakerCount
        var unnamedIndex: [String: Int] = [:]
        for label in unnamed.sorted() { unnamedIndex[label] = offset + unnamedIndex.count + 1 }
        let kept = set.map { segment -> SpeakerSegment in
            var copy = segment
            copy.speaker = "S\(unnamedIndex[segment.speaker]!)"
            return copy
        }
        return combined(again.segments + kept, countGiven: true)
    }

    /// `spans` with the frames of `removed` taken out.
    static func subtracting(_ removed: [Range<Int>], from spans: [Range<Int>]) -> [Range<Int>] {
        let cuts = removed.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var out: [Range<Int>] = []
        for span in spans {
            var start = span.lowerBound
            for cut in cuts where cut.upperBound > start && cut.lowerBound < span.upperBound {
                if cut.lowerBound > start { out.append(start..<cut.lowerBound) }
                start = max(start, cut.upperBound)
            }
            if start < span.upperBound { out.append(start..<span.upperBound) }
        }
        return out
    }

    /// Segments in time order, labelled S1, S2, … by first appearance, with their speaker changes.
    static func combined(_ segments: [SpeakerSegment], countGiven: Bool) -> SpeakerDiarization {
        let ordered = segments.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        var labels: [String: String] = [:]
        for segment in ordered where !segment.overlap && labels[segment.speaker] == nil {
            labels[segment.speaker] = "S\(labels.count + 1)"
        }
        for segment in ordered where labels[segment.speaker] == nil { labels[segment.speaker] = "S\(labels.count + 1)" }
        var out: [SpeakerSegment] = [], changes: [Double] = []
        var previous: String?
        for var segment in ordered {
            segment.speaker = labels[segment.speaker]!
            if !segment.overlap {
                if let previous, previous != segment.speaker { changes.append(segment.start) }
                previous = segment.speaker
            }
            out.append(segment)
        }
        return SpeakerDiarization(segments: out, changes: changes, speakerCount: labels.count, countGiven: countGiven)
    }
}
