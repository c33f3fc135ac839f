import Foundation
import SegueFeatures

/// The reference side of content alignment (as in aeneas, readbeyond/aeneas):
/// the transcript spoken by `ReferenceVoice`, run through the very
/// `FeatureExtractor` the episode goes through, with the same
/// `FeatureParameters`, so both are MFCC frames on the same 25 ms / 10 ms grid.
///
/// eSpeak's 22 050 Hz is below the extractor's decimation threshold (32 kHz;
/// `HalfBandDecimator.analysisRate(for: 22_050) == 22_050`), so the reference is
/// analysed at its own rate — exactly the rate a 44.1 kHz episode is analysed
/// at after one half-band stage. The rendering is streamed into the extractor
/// sentence by sentence; no audio of the whole transcript is held in memory.
public struct ReferenceFeatures: Sendable {
    /// MFCC (and other) frames of the rendering, on the disk-backed track.
    public let track: FeatureTrack
    /// Every sentence's audible span in the rendering, in samples.
    public let sentences: [RenderedSentence]
    /// Every sentence's frames (frames whose centre lies in its audible span);
    /// empty for a sentence with no sound.
    public let sentenceFrames: [Range<Int>]
    public let voice: ReferenceVoice

    /// Renders `sentences` with `voice` and extracts their features.
    public init(sentences texts: [String], voice: ReferenceVoice? = nil,
                parameters: FeatureParameters = FeatureParameters(), directory: URL? = nil) throws {
        let voice = try voice ?? ReferenceVoice()
        let extractor = FeatureExtractor(sampleRate: ReferenceVoice.sampleRate, parameters: parameters)
        let track = try FeatureTrack(clock: extractor.clock, layout: extractor.layout, directory: directory)
        let spans = try voice.render(texts) { try extractor.process($0, into: track) }
        try extractor.finish(into: track)
        self.init(track: track, sentences: spans, voice: voice)
    }

    /// Wraps features already extracted from a rendering with these sentence spans.
    public init(track: FeatureTrack, sentences: [RenderedSentence], voice: ReferenceVoice) {
        self.track = track
        self.sentences = sentences
        self.voice = voice
        let clock = track.clock
        sentenceFrames = sentences.map { sentence in
            guard sentence.end > sentence.start else { return 0..<0 }
            // First frame whose centre is at or after the start, last whose centre is before the end.
            let centre = Double(clock.windowSamples) / 2
            let first = max(0, Int(((Double(sentence.start) - centre) / Double(clock.hopSamples)).rounded(.up)))
            let end = min(track.frameCount,
                          Int(((Double(sentence.end) - centre) / Double(clock.hopSamples)).rounded(.up)))
            return first..<max(first, end)
        }
    }

    /// Seconds of reference time of sample `sample`.
    public func seconds(ofSample sample: Int) -> Double { Double(sample) / Double(ReferenceVoice.sampleRate) }
}
