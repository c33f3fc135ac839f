import Foundation
import Testing
import SegueEngine
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

    @Test func silenceAndAShortFileGiveNoPausesAndNoCrash() throws {
        let silent = try analyse(TestAudio.silence(seconds: 3, rate: 8_000), rate: 8_000)
        #expect(silent.activity.pauses.isEmpty)
        let short = try analyse(TestAudio.voiceLike(seconds: 0.05, rate: 16_000), rate: 16_000)
        #expect(short.activity.pauses.isEmpty)
    }
}
