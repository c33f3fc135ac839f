import SegueFeatures

/// Finds stretches of music without speech (intro music, jingles, breaks).
///
/// Two cues, either of which makes music:
/// - produced music (drums, bass, a beat) has a steady pulse, few silences
///   and no syllable rhythm: `RhythmDetector`, on 3-second windows;
/// - sustained, tonal music (pads, organ, synthesised jingles), below.
///
/// The tonal cues are those of Scheirer & Slaney ("Construction and evaluation of
/// a robust multifeature speech/music discriminator", ICASSP 1997), reduced
/// to what our features carry:
/// - tonality: most frames are near-pure tones (low spectral flatness),
/// - no syllabic dips: speech falls well below its own peaks several times
///   a second ("percentage of low-energy frames"); sustained music does not,
/// - loudness: music that stands alone is mixed near speech level; a bed
///   20 dB under the voice, heard in a pause, is background, not music.
/// Frames are fed in order; decisions are made on 1-second windows every
/// half second, and only a few numbers per window are kept.
struct MusicDetector {
    var tonalFlatness: Float = 0.005
    var minimumTonalFraction: Float = 0.6
    var maximumDipFraction: Float = 0.2
    var dipDepth: Float = 10
    var maximumLevelBelowSpeech: Float = 12
    var minimumMusic = 2.0

    private struct Chunk { var start: Int; var tonal = 0; var levels: [Float] = [] }
    private struct Window { var frames: Range<Int>; var tonalFraction: Float; var dips: Float; var median: Float }

    private let chunkFrames: Int
    private let hop: Double
    private var previous: Chunk?
    private var current = Chunk(start: 0)
    private var windows: [Window] = []
    private var rhythm: RhythmDetector

    init(hop: Double, chunkSeconds: Double = 0.5) {
        self.hop = hop
        chunkFrames = max(2, Int((chunkSeconds / hop).rounded()))
        rhythm = RhythmDetector(hop: hop)
    }

    mutating func add(frame: Int, level: Float, flatness: Float, flux: Float) {
        rhythm.add(frame: frame, level: level, flux: flux)
        if current.levels.isEmpty { current.start = frame }
        current.levels.append(level)
        if flatness < tonalFlatness { current.tonal += 1 }
        if current.levels.count == chunkFrames {
            if let previous { summarise(previous, current) }
            previous = current
            current = Chunk(start: frame + 1)
            current.levels.reserveCapacity(chunkFrames)
        }
    }

    private mutating func summarise(_ a: Chunk, _ b: Chunk) {
        let levels = (a.levels + b.levels).sorted()
        let peak = levels[Int(Double(levels.count - 1) * 0.9)]
        let dips = Float(levels.prefix { $0 < peak - dipDepth }.count) / Float(levels.count)
        windows.append(Window(frames: a.start..<(b.start + b.levels.count),
                              tonalFraction: Float(a.tonal + b.tonal) / Float(levels.count),
                              dips: dips, median: levels[levels.count / 2]))
    }

    /// Music spans in frames, given the typical speech level (dBFS) at a frame.
    mutating func finish(speechLevel: (Int) -> Float) -> [(frames: Range<Int>, confidence: Double)] {
        if let previous, current.levels.count >= chunkFrames / 2 { summarise(previous, current) }
        var spans: [(frames: Range<Int>, confidence: Double)] = []
        var scores: [Float] = []
        for window in windows {
            let middle = (window.frames.lowerBound + window.frames.upperBound) / 2
            guard window.tonalFraction >= minimumTonalFraction, window.dips <= maximumDipFraction,
                  window.median >= speechLevel(middle) - maximumLevelBelowSpeech else { continue }
            // Overlapping music windows join into one span.
            if let last = spans.last, window.frames.lowerBound <= last.frames.upperBound {
                spans[spans.count - 1].frames = last.frames.lowerBound..<window.frames.upperBound
                scores.append(window.tonalFraction)
                spans[spans.count - 1].confidence = Double(scores.reduce(0, +) / Float(scores.count))
            } else {
                scores = [window.tonalFraction]
                spans.append((window.frames, Double(window.tonalFraction)))
            }
        }
        let minimumFrames = Int(minimumMusic / hop)
        // Either cue: overlapping or touching spans of the two join.
        var merged: [(frames: Range<Int>, confidence: Double)] = []
        let all = (spans.filter { $0.frames.count >= minimumFrames } + rhythm.spans(minimumFrames: minimumFrames))
            .sorted { $0.frames.lowerBound < $1.frames.lowerBound }
        for span in all {
            if let last = merged.last, span.frames.lowerBound <= last.frames.upperBound {
                merged[merged.count - 1] = (last.frames.lowerBound..<max(last.frames.upperBound, span.frames.upperBound),
                                            max(last.confidence, span.confidence))
            } else {
                merged.append(span)
            }
        }
        return merged
    }
}
