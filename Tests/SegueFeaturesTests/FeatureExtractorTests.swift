import Foundation
import Testing
import SegueFeatures
import SegueTestSupport

/// Runs the extractor over `samples` in uneven blocks, as the decoder feeds it.
func extract(_ samples: [Float], rate: Int) throws -> FeatureTrack {
    let extractor = FeatureExtractor(sampleRate: rate)
    let track = try FeatureTrack(clock: extractor.clock, layout: extractor.layout)
    var start = 0, step = 1_000
    while start < samples.count {
        let end = min(samples.count, start + step)
        try samples[start..<end].withUnsafeBufferPointer { try extractor.process($0, into: track) }
        start = end
        step = step == 1_000 ? 4_093 : 1_000
    }
    try extractor.finish(into: track)
    return track
}

private func median(_ values: [Float]) -> Float { values.sorted()[values.count / 2] }

@Suite struct FeatureExtractorTests {
    @Test(arguments: [(8_000, 8_000), (16_000, 16_000), (22_050, 22_050), (32_000, 32_000), (44_100, 22_050),
                      (48_000, 24_000), (64_000, 32_000), (96_000, 24_000)])
    func framesCoverTheFileOnA10msGrid(rate: Int, analysisRate: Int) throws {
        let seconds = 1.0
        let track = try extract(TestAudio.sine(frequency: 1_000, seconds: seconds, rate: rate), rate: rate)
        let clock = track.clock
        // Rates from 36.6 kHz up are halved (once or twice); 32 kHz is analysed as it is.
        #expect(clock.sampleRate == analysisRate)
        #expect(abs(clock.hopDuration - 0.010) < 0.0001)
        let analysed = Double(clock.sampleRate) * seconds
        #expect(track.frameCount == Int((analysed / Double(clock.hopSamples)).rounded(.up)))
        // Frame times are exact sample positions, even where 10 ms is not a whole number of samples.
        #expect(clock.time(ofFrame: 50)
                == (Double(50 * clock.hopSamples) + Double(clock.windowSamples) / 2) / Double(clock.sampleRate))
        #expect(clock.frame(at: clock.time(ofFrame: 37)) == 37)
    }

    @Test func fullScaleSineMeasuresMinus3dBFS() throws {
        let track = try extract(TestAudio.sine(frequency: 1_000, seconds: 0.5, rate: 16_000, amplitude: 1), rate: 16_000)
        let energy = try track.scalar(.logEnergy, in: 2..<40)
        let band = try track.scalar(.speechBandLevel, in: 2..<40)
        #expect(abs(median(energy) + 3.01) < 0.2)
        #expect(abs(median(band) + 3.01) < 0.5)
    }

    @Test func humBelowTheSpeechBandHardlyReachesTheSpeechBandLevel() throws {
        let track = try extract(TestAudio.sine(frequency: 50, seconds: 0.5, rate: 16_000, amplitude: 1), rate: 16_000)
        let energy = median(try track.scalar(.logEnergy, in: 5..<40))
        let band = median(try track.scalar(.speechBandLevel, in: 5..<40))
        #expect(energy - band > 40)
    }

    @Test func centroidFollowsToneFrequency() throws {
        for frequency in [500.0, 2_000.0, 5_000.0] {
            let track = try extract(TestAudio.sine(frequency: frequency, seconds: 0.3, rate: 44_100), rate: 44_100)
            let centroid = Double(median(try track.scalar(.spectralCentroid, in: 3..<25)))
            #expect(abs(centroid - frequency) < frequency * 0.05, "centroid \(centroid) for \(frequency) Hz")
        }
    }

    @Test func flatnessSeparatesToneFromNoise() throws {
        let tone = try extract(TestAudio.sine(frequency: 1_000, seconds: 0.3, rate: 16_000), rate: 16_000)
        let noise = try extract(TestAudio.noise(seconds: 0.3, rate: 16_000, rms: 0.1), rate: 16_000)
        #expect(median(try tone.scalar(.spectralFlatness, in: 3..<25)) < 0.05)
        #expect(median(try noise.scalar(.spectralFlatness, in: 3..<25)) > 0.5)
    }

    @Test func fluxIsZeroOnASteadyToneAndHighAtAnOnset() throws {
        let rate = 16_000
        let signal = TestAudio.silence(seconds: 0.3, rate: rate) + TestAudio.sine(frequency: 800, seconds: 0.5, rate: rate)
        let track = try extract(signal, rate: rate)
        let flux = try track.scalar(.spectralFlux, in: 0..<track.frameCount)
        let onset = track.clock.frame(at: 0.3)
        #expect((flux[(onset - 2)...(onset + 2)].max() ?? 0) > 10)
        #expect(median(Array(flux[(onset + 10)..<(onset + 40)])) < 0.5)
    }

    /// Nothing above 8 kHz reaches the mel bands, at any input rate: a tone
    /// just above the band would fold onto its top if the input were halved
    /// to an 8 kHz Nyquist frequency (32 kHz) or filtered too gently (44.1 kHz).
    @Test(arguments: [(32_000, 8_500.0, 7_500.0), (32_000, 9_000.0, 7_000.0), (44_100, 14_100.0, 7_950.0),
                      (48_000, 16_100.0, 7_900.0)])
    func toneAboveTheBandDoesNotFoldIntoTheMelBands(rate: Int, tone: Double, image: Double) throws {
        let above = try extract(TestAudio.sine(frequency: tone, seconds: 0.3, rate: rate), rate: rate)
        let inBand = try extract(TestAudio.sine(frequency: image, seconds: 0.3, rate: rate), rate: rate)
        let bands = above.layout.melBandCount
        let a = try above.read(10..<20), b = try inBand.read(10..<20)
        // The band where the alias would land, measured with a tone at the alias frequency.
        let band = (0..<bands).max { b.mel($0, at: 5) < b.mel($1, at: 5) } ?? 0
        for frame in 0..<10 {
            #expect(b.mel(band, at: frame) - a.mel(band, at: frame) > 60,
                    "\(tone) Hz at \(rate) Hz: \(a.mel(band, at: frame)) dB in the band of \(image) Hz (\(b.mel(band, at: frame)) dB)")
        }
    }

    @Test func melPeakSitsAtTheToneAndCepstrumC0TracksLevel() throws {
        let track = try extract(TestAudio.sine(frequency: 1_000, seconds: 0.3, rate: 16_000), rate: 16_000)
        let extractor = FeatureExtractor(sampleRate: 16_000)
        let block = try track.read(10..<11)
        let bands = (0..<track.layout.melBandCount).map { block.mel($0, at: 0) }
        let loudest = bands.indices.max { bands[$0] < bands[$1] } ?? -1
        let nearest = extractor.filterbank.centreFrequencies.indices.min {
            abs(extractor.filterbank.centreFrequencies[$0] - 1_000) < abs(extractor.filterbank.centreFrequencies[$1] - 1_000)
        }
        #expect(abs(loudest - (nearest ?? -10)) <= 1)

        let quiet = try extract(TestAudio.sine(frequency: 1_000, seconds: 0.3, rate: 16_000, amplitude: 0.05), rate: 16_000)
        #expect(try quiet.read(10..<11).cepstrum(0, at: 0) < block.cepstrum(0, at: 0))
    }
}

@Suite struct DSPBuildingBlockTests {
    @Test func htkMelScaleMaps1kHzTo1000Mel() {
        #expect(abs(MelFilterbank.mel(1_000) - 1_000) < 0.1)
        #expect(abs(MelFilterbank.hertz(MelFilterbank.mel(3_456)) - 3_456) < 1e-6)
    }

    @Test func dctOfAFlatSpectrumHasOnlyC0() {
        let transform = CepstrumTransform(inputCount: 40, coefficientCount: 13)
        let flat = [Float](repeating: 2, count: 40)
        var out = [Float](repeating: 0, count: 13)
        flat.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { transform.apply(logEnergies: input, into: $0) }
        }
        #expect(abs(out[0] - Float(2 * 40.0.squareRoot())) < 1e-4)
        #expect(out.dropFirst().allSatisfy { abs($0) < 1e-4 })
    }

    @Test func realFFTOfASineHasItsPeakInTheRightBin() {
        let fft = RealFFT(size: 512)
        for i in 0..<512 { fft.input[i] = Float(sin(2 * Double.pi * 32 * Double(i) / 512)) }
        var power = [Float](repeating: 0, count: fft.binCount)
        power.withUnsafeMutableBufferPointer { fft.powerSpectrum(into: $0) }
        #expect(power.indices.max { power[$0] < power[$1] } == 32)
        #expect(abs(power[32] - 256 * 256) < 1)
    }
}

@Suite struct FeatureTrackTests {
    @Test func framesReadBackExactlyAcrossBlocks() throws {
        let layout = FeatureLayout(melBandCount: 4, cepstralCount: 3)
        let clock = FrameClock(sampleRate: 16_000, parameters: FeatureParameters())
        let track = try FeatureTrack(clock: clock, layout: layout)
        var written: [Float] = []
        for b in 0..<7 {
            let values = (0..<(100 * layout.stride)).map { Float(b * 100 * layout.stride + $0) }
            written += values
            try track.append(FeatureBlock(layout: layout, firstFrame: b * 100, values: values))
        }
        #expect(track.frameCount == 700)
        let middle = try track.read(250..<420)
        #expect(middle.firstFrame == 250 && middle.count == 170)
        #expect(middle.values == Array(written[(250 * layout.stride)..<(420 * layout.stride)]))
        var seen = 0
        try track.forEachBlock(blockSize: 64) { block in
            #expect(block.firstFrame == seen)
            seen += block.count
        }
        #expect(seen == 700)
        #expect(try track.read(690..<900).count == 10)
    }
}
