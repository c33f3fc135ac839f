import SegueFeatures

/// Finds stretches of music without speech (intro music, jingles, breaks).
///
/// The cues are those of Scheirer & Slaney ("Construction and evaluation of
/// a robust multifeature speech/music discriminator", ICASSP 1997), reduced
/// to what our features carry:
/// - tonality: most frames are near-pure tones (low spectral flatness),
/// - no syllabic dips: speech falls well below its own peaks several times
///   a second ("percentage of low-energy frames"); sustained music does not,
/// - loudness: music that stands alone is mixed near speech level; a bed
///   20 dB under the voice, heard in a pause, is background, not music.
/// Decisions are made on 1-second windows every half second.
struct MusicDetector {
    var chunkSeconds = 0.5
    var minimumMusic = 2.0
    var tonalFlatness: Float = 0.005
    var minimumTonalFraction: Float = 0.6
    var maximumDipFraction: Float = 0.2
    var dipDepth: Float = 10
    var maximumLevelBelowSpeech: Float = 12

    private struct Chunk { var frames: Range<Int>; var tonal: Int; var levels: [Float] }

    /// Music spans in frames. `speechLevel(frame)` is the typical speech level there (dBFS).
    func detect(in track: FeatureTrack, speechLevel: (Int) -> Float) throws -> [(frames: Range<Int>, confidence: Double)] {
        let chunkFrames = max(1, Int((chunkSeconds / track.clock.hopDuration).rounded()))
        var previous: Chunk?
        var current = Chunk(frames: 0..<0, tonal: 0, levels: [])
        var musicChunks: [(frames: Range<Int>, score: Float)] = []

        func judge(_ a: Chunk, _ b: Chunk) {
            let levels = (a.levels + b.levels).sorted()
            guard levels.count >= 2 * chunkFrames / 2 else { return }
            let tonalFraction = Float(a.tonal + b.tonal) / Float(levels.count)
            let peak = levels[Int(Double(levels.count - 1) * 0.9)]
            let dips = Float(levels.prefix { $0 < peak - dipDepth }.count) / Float(levels.count)
            let median = levels[levels.count / 2]
            let middle = (a.frames.lowerBound + b.frames.upperBound) / 2
            guard tonalFraction >= minimumTonalFraction, dips <= maximumDipFraction,
                  median >= speechLevel(middle) - maximumLevelBelowSpeech else { return }
            musicChunks.append((a.frames.lowerBound..<b.frames.upperBound, tonalFraction))
        }

        try track.forEachBlock { block in
            for i in 0..<block.count {
                let frame = block.firstFrame + i
                if current.frames.isEmpty { current.frames = frame..<frame }
                current.frames = current.frames.lowerBound..<(frame + 1)
                current.levels.append(block.value(.speechBandLevel, at: i))
                if block.value(.spectralFlatness, at: i) < tonalFlatness { current.tonal += 1 }
                if current.frames.count == chunkFrames {
                    if let previous { judge(previous, current) }
                    previous = current
                    current = Chunk(frames: 0..<0, tonal: 0, levels: [])
                }
            }
        }
        if let previous, !current.levels.isEmpty { judge(previous, current) }

        // Overlapping music windows join into spans; short ones are dropped.
        var spans: [(frames: Range<Int>, confidence: Double)] = []
        var scores: [Float] = []
        for chunk in musicChunks {
            if let last = spans.last, chunk.frames.lowerBound <= last.frames.upperBound {
                spans[spans.count - 1].frames = last.frames.lowerBound..<chunk.frames.upperBound
                scores.append(chunk.score)
                spans[spans.count - 1].confidence = Double(scores.reduce(0, +) / Float(scores.count))
            } else {
                scores = [chunk.score]
                spans.append((chunk.frames, Double(chunk.score)))
            }
        }
        let minimumFrames = Int(minimumMusic / track.clock.hopDuration)
        return spans.filter { $0.frames.count >= minimumFrames }
    }
}
