import Foundation
import Testing
import SegueEngine
import SegueFeatures
@testable import SeguePauses
import SegueTestSupport

/// Speech-like bursts separated by silences of known length.
private func episode(rate: Int, gaps: [Double], speech: Double = 1.5,
                     noiseRMS: Double = 0, bedAmplitude: Double = 0) -> (samples: [Float], pauses: [(Double, Double)]) {
    var samples = TestAudio.silence(seconds: 0.5, rate: rate)
    var pauses: [(Double, Double)] = []
    samples += TestAudio.voiceLike(seconds: speech, rate: rate)
    for gap in gaps {
        let start = Double(samples.count) / Double(rate)
        pauses.append((start, start + gap))
        samples += TestAudio.silence(seconds: gap, rate: rate)
        samples += TestAudio.voiceLike(seconds: speech, rate: rate)
    }
    samples += TestAudio.silence(seconds: 0.5, rate: rate)
    if noiseRMS > 0 {
        let noise = TestAudio.noise(seconds: Double(samples.count) / Double(rate) + 1, rate: rate, rms: noiseRMS)
        for i in samples.indices { samples[i] += noise[i] }
    }
    if bedAmplitude > 0 {
        let bed = TestAudio.sine(frequency: 330, seconds: Double(samples.count) / Double(rate) + 1, rate: rate,
                                 amplitude: bedAmplitude)
        for i in samples.indices { samples[i] += bed[i] }
    }
    return (samples, pauses)
}

private func analyse(_ samples: [Float], rate: Int) throws -> EpisodeAnalysis {
    let url = try TestAudio.temporaryFolder().appendingPathComponent("episode.wav")
    try TestAudio.writeWAV(samples, rate: rate, to: url)
    return try EpisodeAnalyzer().analyze(path: url.path)
}

private func expectPauses(_ found: [Pause], match truth: [(Double, Double)], tolerance: Double) {
    #expect(found.count == truth.count, "found \(found.map { ($0.start, $0.end) }), expected \(truth)")
    for (pause, (start, end)) in zip(found, truth) {
        #expect(abs(pause.start - start) <= tolerance, "start \(pause.start) vs \(start)")
        #expect(abs(pause.end - end) <= tolerance, "end \(pause.end) vs \(end)")
        #expect(pause.confidence > 0 && pause.confidence <= 1)
    }
}

@Suite struct PauseDetectorTests {
    let gaps = [0.4, 0.8, 1.6, 2.5, 0.6]

    @Test func cleanPausesAreFoundWithTightEdges() throws {
        let (samples, truth) = episode(rate: 16_000, gaps: gaps)
        let analysis = try analyse(samples, rate: 16_000)
        expectPauses(analysis.activity.pauses, match: truth, tolerance: 0.03)
    }

    @Test func pausesShorterThanTheMinimumAreNotReported() throws {
        let (samples, truth) = episode(rate: 16_000, gaps: [0.15, 0.2, 1.0])
        let analysis = try analyse(samples, rate: 16_000)
        expectPauses(analysis.activity.pauses, match: [truth[2]], tolerance: 0.03)
    }

    @Test func pausesUnderSteadyNoiseAt10dBSNR() throws {
        let (samples, truth) = episode(rate: 16_000, gaps: gaps, noiseRMS: 0.03)
        let analysis = try analyse(samples, rate: 16_000)
        expectPauses(analysis.activity.pauses, match: truth, tolerance: 0.1)
    }

    @Test func aSteadyToneBedIsBackgroundNotSpeech() throws {
        let (samples, truth) = episode(rate: 16_000, gaps: gaps, bedAmplitude: 0.02)
        let analysis = try analyse(samples, rate: 16_000)
        expectPauses(analysis.activity.pauses, match: truth, tolerance: 0.1)
    }

    /// Steady noise with a surge in the middle of each pause (a car passing:
    /// the same noise, 10 dB louder for half a second, rising and falling)
    /// is still one pause.
    @Test func aNoiseSurgeInsideAPauseDoesNotSplitIt() throws {
        let rate = 16_000
        var (samples, truth) = episode(rate: rate, gaps: [1.6, 1.8, 1.6, 2.0, 1.6], noiseRMS: 0.02)
        let surge = TestAudio.noise(seconds: Double(samples.count) / Double(rate) + 1, rate: rate, rms: 0.05, seed: 7)
        for (start, end) in truth {
            let centre = (start + end) / 2
            for i in Int((centre - 0.4) * Double(rate))..<Int((centre + 0.4) * Double(rate)) {
                let t = (Double(i) / Double(rate) - centre) / 0.25
                samples[i] += surge[i] * Float(1 / (1 + t * t))
            }
        }
        let analysis = try analyse(samples, rate: rate)
        expectPauses(analysis.activity.pauses, match: truth, tolerance: 0.15)
    }

    /// A second voice 12 dB quieter than the first (a guest further from the
    /// microphone) is speech, although its level stays well under the speech
    /// level of the file: the rule that drops distant runs (`isDistant`)
    /// keeps it, and every pause between the turns is found.
    @Test func aQuieterVoiceIsStillSpeech() throws {
        let rate = 16_000
        var samples = TestAudio.silence(seconds: 0.5, rate: rate)
        var truth: [(Double, Double)] = []
        for turn in 0..<6 {
            if turn > 0 {
                let start = Double(samples.count) / Double(rate)
                truth.append((start, start + 0.8))
                samples += TestAudio.silence(seconds: 0.8, rate: rate)
            }
            samples += TestAudio.voiceLike(seconds: 1.5, rate: rate, amplitude: turn % 2 == 0 ? 0.3 : 0.075)
        }
        samples += TestAudio.silence(seconds: 0.5, rate: rate)
        let noise = TestAudio.noise(seconds: Double(samples.count) / Double(rate) + 1, rate: rate, rms: 0.002)
        for i in samples.indices { samples[i] += noise[i] }
        let analysis = try analyse(samples, rate: rate)
        expectPauses(analysis.activity.pauses, match: truth, tolerance: 0.1)
    }

    @Test func silenceAndAShortFileGiveNoPausesAndNoCrash() throws {
        let silent = try analyse(TestAudio.silence(seconds: 3, rate: 8_000), rate: 8_000)
        #expect(silent.activity.pauses.isEmpty)
        let short = try analyse(TestAudio.voiceLike(seconds: 0.05, rate: 16_000), rate: 16_000)
        #expect(short.activity.pauses.isEmpty)
    }
}

/// Produced music (a tracker module with drums and bass, from Debian's
/// fb-music-high) in the transcript-alignment fixtures: music spans and
/// speech from `Audio/align/NAME.align-truth.json`.
@Suite struct ProducedMusicTests {
    private func truth(_ name: String) throws -> (music: [(Double, Double)], speech: [(Double, Double)]) {
        let url = Repository.root.appendingPathComponent("Audio/align/\(name).align-truth.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var music: [(Double, Double)] = [], speech: [(Double, Double)] = []
        for turn in json["turns"] as? [[String: Any]] ?? [] where turn["inAudio"] as? Bool ?? true {
            for sentence in turn["sentences"] as? [[String: Any]] ?? [] {
                if let s = sentence["start"] as? Double, let e = sentence["end"] as? Double { speech.append((s, e)) }
            }
        }
        for item in json["notInTranscript"] as? [[String: Any]] ?? [] {
            guard let s = item["start"] as? Double, let e = item["end"] as? Double else { continue }
            if item["kind"] as? String == "music" { music.append((s, e)) } else { speech.append((s, e)) }
        }
        return (music, speech)
    }

    private func overlap(_ a: (Double, Double), _ spans: [MusicSpan]) -> Double {
        spans.reduce(0) { $0 + max(0, min(a.1, $1.end) - max(a.0, $1.start)) }
    }

    private func analyse(_ name: String) throws -> EpisodeAnalysis {
        try EpisodeAnalyzer().analyze(path: Repository.root.appendingPathComponent("Audio/align/\(name).flac").path)
    }

    @Test func musicSeparatorsBetweenSegmentsAreMusic() throws {
        let (music, speech) = try truth("t_segments")
        #expect(music.count == 2)
        let found = try analyse("t_segments").activity
        for span in music {
            let covered = overlap(span, found.music) / (span.1 - span.0)
            #expect(covered >= 0.9, "music \(span) covered \(covered) by \(found.music.map { ($0.start, $0.end) })")
        }
        let speechAsMusic = speech.reduce(0) { $0 + overlap($1, found.music) }
        #expect(speechAsMusic <= 0.2, "\(speechAsMusic) s of speech called music")
        // Music leaves no pauses inside it.
        for pause in found.pauses {
            #expect(!music.contains { min(pause.end, $0.1 - 1.2) > max(pause.start, $0.0 + 0.5) },
                    "pause \(pause.start)–\(pause.end) inside music")
        }
    }

    @Test func aMusicIntroUnderDrumsIsMusicAndRealSpeechIsNot() throws {
        let intro = try truth("t_roundtable")
        let found = try analyse("t_roundtable").activity
        let covered = overlap(intro.music[0], found.music) / (intro.music[0].1 - intro.music[0].0)
        #expect(covered >= 0.9, "intro covered \(covered)")
        #expect(intro.speech.reduce(0) { $0 + overlap($1, found.music) } <= 0.2)
        // A human reading (LibriVox) is speech throughout.
        #expect(try analyse("t_reading").activity.music.isEmpty)
    }
}

/// Produced episodes from real soundtracks (`Tools/make-fixtures`, tuning fixtures): an intro that
/// ducks 15 dB under the first words and carries on as a bed, and a bed 18 dB under a whole segment.
@Suite struct MusicBedTests {
    private func pauses(_ name: String) throws -> [(Double, Double)] {
        let url = Repository.fixtures.appendingPathComponent("\(name).truth.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return (json["pauses"] as? [[String: Any]] ?? []).compactMap {
            guard let s = $0["start"] as? Double, let e = $0["end"] as? Double else { return nil }
            return (s, e)
        }
    }

    private func analyse(_ name: String) throws -> SpeechActivity {
        try EpisodeAnalyzer().analyze(path: Repository.fixtures.appendingPathComponent("\(name).flac").path).activity
    }

    private func isFound(_ truth: (Double, Double), in found: [Pause]) -> Bool {
        found.contains { abs($0.start - truth.0) <= 0.2 && abs($0.end - truth.1) <= 0.2 }
    }

    @Test func theSurveyTakenWhileDecodingDecidesAsOneTakenAfterwards() throws {
        // `EpisodeAnalyzer` feeds the pause survey while decoding, in whatever pieces the
        // decoder delivers; the answer must not depend on how the frames arrived.
        let analysis = try EpisodeAnalyzer().analyze(path: Repository.fixtures.appendingPathComponent("t_produced2.flac").path)
        let track = analysis.features
        let detector = PauseDetector()
        var survey = detector.survey(clock: track.clock, layout: track.layout)
        var start = 0
        for size in [1, 97, 4_096, 13].cycled(until: track.frameCount) {
            let block = try track.read(start..<min(track.frameCount, start + size))
            survey.add(block)
            start += block.count
        }
        for activity in [try detector.detect(in: track), try detector.detect(in: track, survey: survey)] {
            #expect(activity.speechFrames == analysis.activity.speechFrames)
            #expect(activity.pauses == analysis.activity.pauses)
            #expect(activity.music == analysis.activity.music)
            #expect(activity.noiseFloor == analysis.activity.noiseFloor)
        }
        #expect(!analysis.activity.music.isEmpty && analysis.activity.pauses.count > 10)
    }

    @Test func aBedAloneInAPauseIsAPause() throws {
        // t_produced2's bed runs 29.2–46.4 s; the pauses under it as long as those the evaluation
        // scores (0.5 s): 31.4–32.2 and 39.0–40.2 s.
        let underBed = try pauses("t_produced2").filter { $0.0 > 29.2 && $0.1 < 46.4 && $0.1 - $0.0 >= 0.5 }
        #expect(underBed.count == 2)
        let found = try analyse("t_produced2").pauses
        for pause in underBed {
            #expect(isFound(pause, in: found), "pause \(pause) not found in \(found.map { ($0.start, $0.end) })")
        }
    }

    @Test func aPauseUnderTheFadingIntroBedIsFoundToItsWordEdges() throws {
        // t_produced1: words end at 11.02 s and start again at 12.40 s over the ducked intro, fading from
        // 11.5 s. The bed's less music-like notes next to the words were speech: found as 11.42–12.17 s
        // before the bed's hysteresis (`bedHold`).
        let truth = try #require(try pauses("t_produced1").first { abs($0.0 - 11.018) < 0.01 })
        let found = try analyse("t_produced1").pauses
        #expect(isFound(truth, in: found), "pause \(truth) not found in \(found.map { ($0.start, $0.end) })")
    }

    @Test func aQuietPassageOfTheBedBetweenWordsIsAPause() throws {
        // t_produced4: words end at 39.94 s and start again at 41.34 s under the bed, which turns quiet
        // there (35–40 dB under the voice) and does not sound like the music the intro taught; the level
        // took it for speech (`distantStretch`). Quiet words over the ducked intro (8.6–9.5 s) stay speech.
        let truth = try #require(try pauses("t_produced4").first { abs($0.0 - 39.936) < 0.01 })
        let found = try analyse("t_produced4")
        #expect(isFound(truth, in: found.pauses), "pause \(truth) not found in \(found.pauses.map { ($0.start, $0.end) })")
        #expect(found.speechFrames.contains { $0.contains(900) }, "9.0 s is a word over the ducked intro")
    }

    @Test func anIntroThatDucksEndsWhereItStartsToFall() throws {
        let found = try analyse("t_produced3")
        let intro = try #require(found.music.first)
        #expect(abs(intro.end - 7.0) <= 0.2, "intro ends at \(intro.end), ducks at 7.0")
        let beforeWords = try #require(try pauses("t_produced3").first)
        #expect(isFound(beforeWords, in: found.pauses), "pause \(beforeWords) before the first words not found")
    }

    @Test func aStingerTooShortForTheMusicDetectorIsMusicNotSpeech() throws {
        // t_produced1's 1.5 s stinger (51.25–52.75 s), from the jingle's track, set off by pauses.
        let analysis = try EpisodeAnalyzer().analyze(path: Repository.fixtures.appendingPathComponent("t_produced1.flac").path)
        let found = analysis.activity, clock = analysis.features.clock
        let stinger = (51.25, 52.75)
        let covered = found.music.reduce(0) { $0 + max(0, min(stinger.1, $1.end) - max(stinger.0, $1.start)) }
        #expect(covered >= 1.3, "stinger covered \(covered) s by \(found.music.map { ($0.start, $0.end) })")
        let speech = found.speechFrames.map { (clock.boundary(beforeFrame: $0.lowerBound), clock.boundary(beforeFrame: $0.upperBound)) }
        #expect(!speech.contains { $0.1 > stinger.0 + 0.1 && $0.0 < stinger.1 - 0.1 }, "stinger still speech: \(speech)")
    }

    @Test func aStingerThatRingsRatherThanHoldsIsMusic() throws {
        // s_produced1's 1.5 s stinger (41.455–42.955 s, hyperrogue-music): tonal, no dips, but its
        // spectrum moves too much for the sustained cue. Before the tonal cue it was speech.
        let found = try analyse("s_produced1")
        let stinger = (41.455, 42.955)
        let covered = overlap(stinger, found.music)
        #expect(covered >= 1.3, "stinger covered \(covered) s by \(found.music.map { ($0.start, $0.end) })")
    }

    private func overlap(_ span: (Double, Double), _ music: [MusicSpan]) -> Double {
        music.reduce(0) { $0 + max(0, min(span.1, $1.end) - max(span.0, $1.start)) }
    }
}

/// Where a ducking intro ends, on a synthetic intro whose level swings note to note.
@Suite struct MusicEdgesTests {
    /// A pad and a note every 0.25 s (peaks up to 8 dB apart), full until `duck`, then faded 15 dB
    /// linearly in amplitude over 0.5 s, as a producer ducks an intro; words from 0.7 s after.
    private func duckedIntro(rate: Int, duck: Double) -> [Float] {
        let seconds = duck + 2.5, floor = pow(10, -15.0 / 20)
        let notes = [523.3, 659.3, 784.0, 987.8], peaks = [0.08, 0.05, 0.1, 0.04]
        var samples = (0..<Int(seconds * Double(rate))).map { i -> Float in
            let t = Double(i) / Double(rate)
            let pad = [392.0, 493.9, 587.3].reduce(0.0) { $0 + 0.03 * sin(2 * .pi * $1 * t) }
            let k = Int(t / 0.25), since = t - Double(k) * 0.25
            let note = peaks[k % 4] * exp(-since / 0.15) * sin(2 * .pi * notes[k % 4] * t)
            let gain = t < duck ? 1 : max(floor, 1 - (1 - floor) * (t - duck) / 0.5)
            return Float(gain * (pad + note))
        }
        let words = TestAudio.voiceLike(seconds: 1.5, rate: rate, amplitude: 0.2)
        let first = Int((duck + 0.7) * Double(rate))
        for (i, x) in words.enumerated() where first + i < samples.count { samples[first + i] += x }
        return samples
    }

    @Test(arguments: [0.25, 0.4])
    func aDuckingIntroEndsWhereItsFadeStarts(detectedLate: Double) throws {
        // Between two notes: before the duck-onset fit, the end was put 0.18 s late.
        let rate = 16_000, duck = 5.1
        let samples = duckedIntro(rate: rate, duck: duck)
        let extractor = FeatureExtractor(sampleRate: rate)
        let track = try FeatureTrack(clock: extractor.clock, layout: extractor.layout)
        try samples.withUnsafeBufferPointer { try extractor.process($0, into: track) }
        try extractor.finish(into: track)
        // The music detector's windows end the span up to a window late.
        let detected = 0..<track.clock.frame(at: duck + detectedLate)
        let refined = try #require(try MusicEdges().refine([(detected, 1)], in: track).first)
        let end = track.clock.boundary(beforeFrame: refined.frames.upperBound)
        #expect(abs(end - duck) <= 0.1, "music ends at \(end), its fade starts at \(duck)")
    }
}

/// Moving noise (issue 17, item 3; `Tools/make-fixtures`, tuning fixtures at 5 dB SNR): word edges
/// under a gust, and quick syllables between stop closures.
@Suite struct MovingNoiseTests {
    private func analyse(_ name: String) throws -> SpeechActivity {
        try EpisodeAnalyzer().analyze(path: Repository.fixtures.appendingPathComponent("\(name).flac").path).activity
    }

    /// t_outdoor5: "…names and jargon." ends at 17.20 s, a gust of wind with traffic fills the
    /// pause, and "Preparation…" starts at 18.37 s under it. The shape vetoes the gust and, judged
    /// against the episode's whole background, the quiet end of "jargon" and the start of
    /// "Preparation" with it (16.90–18.92 s); judged against the pause's own noise they are speech.
    @Test func wordEdgesUnderAGustBoundThePause() throws {
        let pauses = try analyse("t_outdoor5").pauses
        #expect(pauses.contains { abs($0.start - 17.20) <= 0.2 && abs($0.end - 18.37) <= 0.2 },
                "pauses \(pauses.map { ($0.start, $0.end) })")
    }

    /// t_indoor5: "…reading scripts" (2.9–3.5 s) and "I took it apart" (11.1–11.9 s) in a quick
    /// voice: stop closures of 40–140 ms around syllables of 30–70 ms, shorter than a word
    /// (`minimumSpeech`) but as loud as speech, were pauses of 0.31 and 0.39 s.
    @Test func syllablesBetweenStopClosuresAreNotAPause() throws {
        let pauses = try analyse("t_indoor5").pauses
        for (start, end) in [(2.95, 3.4), (11.2, 11.9)] {
            #expect(!pauses.contains { $0.start < end && $0.end > start }, "pauses \(pauses.map { ($0.start, $0.end) })")
        }
    }

    /// spk4: between two speakers, a 0.25 s silence follows the release of a final stop (31.15 s,
    /// 30 ms, 27 dB under the speech): a pause of 0.32 s with it. Counted as sound, it took the
    /// pause, and the speaker stage the change of speaker there.
    @Test func aStopsReleaseStillCountsTowardAPause() throws {
        let pauses = try analyse("spk4").pauses
        #expect(pauses.contains { abs($0.start - 31.10) <= 0.05 && abs($0.end - 31.42) <= 0.05 },
                "pauses \(pauses.map { ($0.start, $0.end) })")
    }
}

/// The minimum-duration rules of the frame-by-frame tracker.
@Suite struct HysteresisTrackerTests {
    private func pauses(_ pattern: [(speech: Bool, frames: Int)], syllables: Set<Int> = []) -> [Range<Int>] {
        var tracker = HysteresisTracker(minimumSpeechFrames: 8, minimumPauseFrames: 30)
        for (speech, count) in pattern {
            for _ in 0..<count { tracker.add(level: speech ? 1 : 0, lower: 0.5, upper: 0.5) }
        }
        return tracker.finish(isSyllable: { syllables.contains($0.lowerBound) }).pauses.map(\.frames)
    }

    /// Bursts shorter than a word never split a pause; a click counts toward its silence, syllables
    /// as loud as speech between stop closures do not.
    @Test func syllablesDoNotCountTowardAPausesSilence() {
        let closures: [(speech: Bool, frames: Int)] = [(true, 50), (false, 10), (true, 7), (false, 10), (true, 7),
                                                        (false, 8), (true, 50)]
        #expect(pauses(closures) == [50..<92])
        #expect(pauses(closures, syllables: [60, 77]).isEmpty)
        #expect(pauses([(true, 50), (false, 18), (true, 2), (false, 20), (true, 50)], syllables: [68]) == [50..<90])
    }
}

private extension Array where Element == Int {
    /// The sizes, repeated in turn, until they add up to at least `total`.
    func cycled(until total: Int) -> [Int] {
        var sizes: [Int] = [], sum = 0
        while sum < total, !isEmpty { let size = self[sizes.count % count]; sizes.append(size); sum += size }
        return sizes
    }
}
