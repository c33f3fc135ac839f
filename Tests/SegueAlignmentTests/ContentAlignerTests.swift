import Foundation
import SegueFeatures
import SegueTestSupport
import Testing
@testable import SegueAlignment

/// A synthetic episode with known truth: the transcript's sentences spoken by
/// a different eSpeak voice than the reference (en-us, female variant, slower,
/// higher), with pauses of 1–3 s, 10 s of off-script speech at the start, a
/// 15 s "advert" (a tone chord over noise) in the middle, one sentence of the
/// transcript never spoken, and a −60 dBFS noise floor throughout.
struct SyntheticEpisode: Sendable {
    static let rate = ReferenceVoice.sampleRate
    static let transcript = [
        "welcome back to the show where we talk about gardening in small spaces",
        "today my guest is a beekeeper from the north of scotland",
        "she has kept bees on a city rooftop for more than twelve years",
        "we start with the question everybody asks first which is about stings",
        "after the break we look at how the hives survive a cold winter",
        "the trick is to leave enough honey in the box for the colony",
        "some keepers feed sugar syrup in the autumn but she prefers not to",
        "finally we talk about where listeners can buy local honey",
        "thanks for listening and see you next week",
    ]
    /// Left out of the episode (text with no audio).
    static let missing = 5
    /// The advert follows this sentence.
    static let advertAfter = 3
    static let pauses = [1.0, 2.5, 1.5, 3.0, 1.2, 0, 2.0, 1.0, 2.8]

    var samples: [Float] = []
    /// Truth: audible start and end of each sentence, in seconds; nil for the missing one.
    var starts: [Double?] = []
    var ends: [Double?] = []
    /// Stretches that belong to no sentence: the off-script talk and the advert, in seconds.
    var inserted: [Range<Double>] = []

    static let shared: SyntheticEpisode = try! SyntheticEpisode()

    init() throws {
        let voice = try ReferenceVoice(language: "en-us", variant: "f3", wordsPerMinute: 150, pitch: 70,
                                       sentencePause: 0)
        let seconds = { (count: Int) in Double(count) / Double(Self.rate) }
        // 10 s of speech that is not in the transcript.
        let offScript = try voice.render([
            "before we begin a quick word about the weather which has been dreadful all week",
            "rain and wind every single day and the garden is a swamp",
            "anyway enough of that",
        ]).samples
        samples = Array(offScript.prefix(10 * Self.rate))
        samples += [Float](repeating: 0, count: 10 * Self.rate - samples.count)
        inserted.append(0..<10)
        for (k, text) in Self.transcript.enumerated() {
            samples += TestAudio.silence(seconds: Self.pauses[k], rate: Self.rate)
            guard k != Self.missing else {
                starts.append(nil)
                ends.append(nil)
                continue
            }
            let rendering = try voice.render([text])
            let span = rendering.sentences[0]
            starts.append(seconds(samples.count + span.start))
            ends.append(seconds(samples.count + span.end))
            samples += rendering.samples
            if k == Self.advertAfter {
                samples += TestAudio.silence(seconds: 1, rate: Self.rate)
                let start = seconds(samples.count)
                samples += Self.advert(seconds: 15)
                inserted.append(start..<seconds(samples.count))
            }
        }
        samples += TestAudio.silence(seconds: 2, rate: Self.rate)
        let floor = TestAudio.noise(seconds: seconds(samples.count) + 1, rate: Self.rate, rms: 0.001, seed: 7)
        for i in samples.indices { samples[i] += floor[i] }
    }

    /// A minor chord with harmonics, swelling like a music bed, over soft noise.
    static func advert(seconds: Double) -> [Float] {
        let noise = TestAudio.noise(seconds: seconds, rate: rate, rms: 0.02, seed: 3)
        return (0..<Int(seconds * Double(rate))).map { i in
            let t = Double(i) / Double(rate)
            var x = 0.0
            for f in [220.0, 261.6, 329.6] {
                for h in 1...4 { x += sin(2 * Double.pi * f * Double(h) * t) / Double(h * h) }
            }
            let swell = 0.6 + 0.4 * sin(2 * Double.pi * 0.5 * t)
            return Float(0.08 * x * swell) + noise[i]
        }
    }

    var duration: Double { Double(samples.count) / Double(Self.rate) }

    /// The episode's features, as the pipeline would compute them.
    func features() throws -> FeatureTrack {
        let extractor = FeatureExtractor(sampleRate: Self.rate)
        let track = try FeatureTrack(clock: extractor.clock, layout: extractor.layout)
        try samples.withUnsafeBufferPointer { try extractor.process($0, into: track) }
        try extractor.finish(into: track)
        return track
    }
}

/// The transcript spoken by the default reference voice (en, 175 wpm).
enum SharedReference {
    static let features: ReferenceFeatures = try! ReferenceFeatures(sentences: SyntheticEpisode.transcript)
}

/// eSpeak's output depends on everything it synthesised before in the process, and tests run in
/// parallel: every suite that renders speech first waits for the shared episode and reference, so
/// they are always the process's first renderings, in this order, and come out the same each run.
enum EspeakFixtures {
    static let ready: Void = {
        _ = SyntheticEpisode.shared
        _ = SharedReference.features
    }()
}

@Suite struct ContentAlignerTests {
    init() { EspeakFixtures.ready }
    @Test func findsSentencesAroundAdvertsOffScriptTalkAndMissingText() throws {
        let episode = SyntheticEpisode.shared
        let track = try episode.features()
        let result = try ContentAligner().align(reference: SharedReference.features, episode: track)
        #expect(result.sentences.count == SyntheticEpisode.transcript.count)
        for (k, sentence) in result.sentences.enumerated() {
            guard let start = episode.starts[k] else {
                #expect(!sentence.isFound, "sentence \(k) has no audio")
                continue
            }
            #expect(sentence.isFound, "sentence \(k)")
            let found = try #require(sentence.start, "sentence \(k)")
            #expect(abs(found - start) <= 0.3, "sentence \(k): found \(found), truth \(start)")
            if let end = sentence.end, let truthEnd = episode.ends[k] {
                #expect(abs(end - truthEnd) <= 0.3, "sentence \(k): ends at \(end), truth \(truthEnd)")
            }
            // Words are in order inside the sentence.
            let words = sentence.words
            // (eSpeak reports some short function words together with their neighbour.)
            let spoken = SyntheticEpisode.transcript[k].split(separator: " ").count
            #expect(words.count <= spoken && words.count >= spoken * 3 / 4)
            #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start && $0.end <= $1.start + 1e-9 })
            #expect(words.allSatisfy { $0.start >= found && $0.end <= (sentence.end ?? 0) + 1e-9 })
            // No placed sentence reaches into the off-script talk or the advert.
            if let end = sentence.end {
                for stretch in episode.inserted {
                    let overlap = min(end, stretch.upperBound) - max(found, stretch.lowerBound)
                    #expect(overlap <= 0.3, "sentence \(k) \(found)…\(end) overlaps \(stretch)")
                }
            }
        }
    }

    /// A 20-minute episode (the synthetic episode 17 times over, features
    /// repeated) against a transcript repeated as often: the aligner's
    /// buffers stay within the band, far below n × m.
    @Test func twentyMinutesStayWithinTheBand() throws {
        let base = try SyntheticEpisode.shared.features()
        let repeats = 17
        let (long, episode) = try Self.repeatedEpisode(base, times: repeats)
        #expect(episode.duration > 20 * 60)

        let parameters = ContentAligner.Parameters()
        let result = try ContentAligner(parameters: parameters).align(reference: long, episode: episode)
        let n = episode.frameCount, m = long.sentenceFrames.map(\.count).reduce(0, +)
        let statistics = result.statistics
        // Band: each 10 ms column holds 2 × fineRadius rows plus the rows the coarse
        // path crosses within that radius (~0.4 rows per column here, as m/n ≈ 0.4).
        let radius = Int((parameters.fineRadius / episode.clock.hopDuration).rounded(.up))
        #expect(statistics.peakBandCells <= n * (2 * radius + 200))
        #expect(statistics.peakBandCells * 50 < n * m)
        // Levels run one after another; the 10 ms level is the largest (2 bits per cell).
        #expect(statistics.peakBytes < 32 << 20)
        #expect(statistics.levels.count >= 2)
        #expect(statistics.levels.last?.frameDuration ?? 0 < 0.011)

        // And the repeated material is still placed right.
        let period = base.duration
        var errors: [Double] = []
        for (i, sentence) in result.sentences.enumerated() {
            let k = i % SyntheticEpisode.transcript.count, r = i / SyntheticEpisode.transcript.count
            guard let truth = SyntheticEpisode.shared.starts[k] else {
                #expect(!sentence.isFound, "sentence \(i) has no audio")
                continue
            }
            let found = try #require(sentence.start, "sentence \(i)")
            errors.append(abs(found - (truth + Double(r) * period)))
        }
        #expect(errors.count == repeats * (SyntheticEpisode.transcript.count - 1))
        #expect(errors.allSatisfy { $0 <= 0.3 }, "worst \(errors.max() ?? 0) s")
    }

    /// The levels below the coarsest run in chunks of ~5 minutes along the coarsest
    /// path: their working memory is the same for a 20- and a 60-minute episode, and
    /// the sentences placed are those of one run over the whole episode.
    @Test func memoryDoesNotGrowWithTheEpisode() throws {
        let base = try SyntheticEpisode.shared.features()
        let period = Int((base.duration).rounded(.up))
        let parameters = ContentAligner.Parameters()
        var peaks: [Int] = []
        for minutes in [20, 60] {
            let repeats = (minutes * 60 + period - 1) / period
            let (reference, episode) = try Self.repeatedEpisode(base, times: repeats)
            let result = try ContentAligner(parameters: parameters).align(reference: reference, episode: episode)
            let levels = result.statistics.levels
            #expect(levels.count == 3)
            // Chunks of chunkDuration, plus up to an eighth of it to reach a pause, plus the overlap.
            let longest = Int(((parameters.chunkDuration * 9 / 8 + parameters.chunkOverlap + 1)
                / episode.clock.hopDuration).rounded(.up))
            let fine = try #require(levels.last)
            #expect(fine.chunks >= minutes * 60 / Int(parameters.chunkDuration * 9 / 8))
            let radius = Int((parameters.fineRadius / episode.clock.hopDuration).rounded(.up))
            #expect(fine.bandCells <= longest * (2 * radius + 200))
            #expect(fine.totalBandCells >= episode.frameCount * 2 * radius)
            peaks.append(result.statistics.peakBytes)
            for (i, sentence) in result.sentences.enumerated() where SyntheticEpisode.shared.starts[i % 9] != nil {
                let truth = SyntheticEpisode.shared.starts[i % 9]! + Double(i / 9) * base.duration
                #expect(abs((sentence.start ?? -1) - truth) <= 0.3, "sentence \(i)")
            }
            if minutes == 20 {
                // One chunk for the whole episode: the same sentences, words and costs.
                var whole = parameters
                whole.chunkDuration = episode.duration * 2
                let unchunked = try ContentAligner(parameters: whole).align(reference: reference, episode: episode)
                #expect(unchunked.statistics.levels.last?.chunks == 1)
                #expect(unchunked.sentences == result.sentences)
                #expect(unchunked.statistics.peakBytes > 2 * result.statistics.peakBytes)
            }
        }
        #expect(Double(peaks[1]) <= 1.2 * Double(peaks[0]), "peak bytes \(peaks)")
    }

    /// The synthetic episode's features `times` times over, and the shared reference's
    /// features and sentences as often.
    static func repeatedEpisode(_ base: FeatureTrack, times repeats: Int) throws
        -> (reference: ReferenceFeatures, episode: FeatureTrack)
    {
        let reference = SharedReference.features
        let episode = try Self.repeated(base, times: repeats)
        let referenceTrack = try Self.repeated(reference.track, times: repeats)
        let shift = reference.track.frameCount * reference.track.clock.hopSamples
        var sentences: [RenderedSentence] = []
        for r in 0..<repeats {
            for sentence in reference.sentences {
                var moved = sentence
                moved.start += r * shift
                moved.end += r * shift
                for w in moved.words.indices {
                    moved.words[w].start += r * shift
                    moved.words[w].end += r * shift
                }
                sentences.append(moved)
            }
        }
        return (ReferenceFeatures(track: referenceTrack, sentences: sentences, voice: reference.voice), episode)
    }

    /// `track`'s frames `times` times over, on a new track.
    static func repeated(_ track: FeatureTrack, times: Int) throws -> FeatureTrack {
        let all = try track.read(0..<track.frameCount)
        let out = try FeatureTrack(clock: track.clock, layout: track.layout)
        for r in 0..<times {
            try out.append(FeatureBlock(layout: track.layout, firstFrame: r * all.count, values: all.values))
        }
        try out.flush()
        return out
    }

    /// A pause late in the window where the last full chunk is cut leaves less than the overlap
    /// after it: the chunk runs to the episode's end (this crashed a 3-hour alignment).
    @Test func aCutNearTheEndStillMakesWellFormedChunks() {
        let layout = RowLayout(unitLengths: [10])   // rows: gap 0, frames 1…10, gap 11
        var rows = [Int32](repeating: 5, count: 510)
        for j in 440..<510 { rows[j] = 11 }         // the text ends at column 440, a pause follows
        let path = WarpingPath(lo: rows, hi: rows, cost: 0)
        let chunks = ContentAligner.chunks(following: path, layout: layout, factor: 1, columns: 510,
                                           length: 400, overlap: 100)
        #expect(chunks.first?.start == 0 && chunks.last?.commit == 510)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.commit == b.start) }
        #expect(chunks.allSatisfy { $0.start < $0.commit && $0.commit <= $0.end && $0.end <= 510 }, "\(chunks)")
    }

    @Test func emptyTranscriptAndEmptyEpisode() throws {
        let episode = try SyntheticEpisode.shared.features()
        let none = try ReferenceFeatures(sentences: [])
        #expect(try ContentAligner().align(reference: none, episode: episode).sentences.isEmpty)
        let silent = try FeatureTrack(clock: episode.clock, layout: episode.layout)
        #expect(throws: ContentAlignerError.emptyEpisode) {
            try ContentAligner().align(reference: SharedReference.features, episode: silent)
        }
    }
}
