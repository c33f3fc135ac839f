import Foundation
import Testing
import SegueFeatures
import SegueTestSupport

@Suite struct HalfBandDecimatorTests {
    private func decimate(_ signal: [Float], rate: Int, blocks: Int = 7) -> [Float] {
        let decimator = HalfBandDecimator(inputRate: rate)
        var out: [Float] = []
        let size = signal.count / blocks + 1
        var start = 0
        while start < signal.count {
            let end = min(signal.count, start + size)
            signal[start..<end].withUnsafeBufferPointer { decimator.process($0, into: &out) }
            start = end
        }
        return out
    }

    /// Level after decimation of a sine of amplitude 0.5 at `frequency`, in dB
    /// relative to its input level: the RMS of the output away from its edges.
    private func gain(frequency: Double, rate: Int, seconds: Double = 0.5) -> Double {
        let output = decimate(TestAudio.sine(frequency: frequency, seconds: seconds, rate: rate), rate: rate)
        let interior = output[100..<(output.count - 100)]
        let rms = (interior.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(interior.count)).squareRoot()
        return 20 * log10(max(rms * 2.0.squareRoot() / 0.5, 1e-12))
    }

    /// Frequencies from the stopband edge (the tone whose alias lands on the
    /// top of the kept band: the worst case) up to the input Nyquist frequency.
    static let aliasCases: [(rate: Int, frequencies: [Double])] = [
        // 44.1 kHz → 22.05 kHz: 14.05 kHz folds onto 8 kHz, 22 kHz onto 50 Hz.
        (44_100, [14_050, 14_100, 14_300, 14_600, 15_000, 16_000, 17_500, 19_000, 20_500, 21_000, 22_000]),
        // 32 kHz → 16 kHz (not used by the extractor; see analysisRate): 9 kHz folds onto 7 kHz.
        (32_000, [9_000, 9_050, 9_200, 9_500, 10_000, 11_000, 12_500, 14_000, 15_500, 15_950]),
        // 48 kHz → 24 kHz: 16 kHz folds onto 8 kHz.
        (48_000, [16_000, 16_200, 17_000, 20_000, 23_900]),
    ]

    @Test(arguments: aliasCases)
    func tonesThatWouldFoldIntoTheKeptBandAreAtLeast60dBDown(rate: Int, frequencies: [Double]) {
        let decimator = HalfBandDecimator(inputRate: rate)
        #expect(abs(decimator.stopbandEdge - frequencies[0]) < 1)
        for frequency in frequencies {
            let level = gain(frequency: frequency, rate: rate)
            #expect(level < -60, "\(frequency) Hz at \(rate) Hz folds onto \(Double(rate) / 2 - frequency) Hz at \(level) dB")
        }
    }

    /// Flat (±0.5 dB; the design is ±0.005 dB) up to the passband edge:
    /// 8 kHz from 44.1 kHz, 7 kHz from 32 kHz.
    @Test(arguments: [(44_100, 8_000.0), (32_000, 7_000.0), (48_000, 8_000.0), (96_000, 8_000.0)])
    func passbandIsFlat(rate: Int, edge: Double) {
        #expect(HalfBandDecimator(inputRate: rate).passbandEdge == edge)
        for frequency in [100.0, 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 6_500, 7_000, 7_500, 8_000]
        where frequency <= edge {
            let level = gain(frequency: frequency, rate: rate)
            #expect(abs(level) < 0.1, "\(frequency) Hz at \(rate) Hz: \(level) dB")
        }
    }

    @Test(arguments: [(44_100, 3_000.0), (44_100, 7_500.0), (32_000, 6_500.0), (48_000, 7_900.0)])
    func outputKIsInput2K(rate: Int, frequency: Double) {
        let input = TestAudio.sine(frequency: frequency, seconds: 0.2, rate: rate)
        let output = decimate(input, rate: rate)
        let m = HalfBandDecimator(inputRate: rate).halfLength
        #expect(abs(output.count - (input.count - m + 1) / 2) <= 1)
        // Zero phase: output k is input 2k (away from the start-up edge). A
        // delay of one input sample would leave errors of 0.5·2π·f/rate.
        let worst = (40..<(output.count - 40)).map { abs(output[$0] - input[2 * $0]) }.max() ?? 1
        #expect(worst < 0.005)
    }

    @Test(arguments: [44_100, 32_000, 48_000])
    func impulseResponseIsCentredOnTheInputSample(rate: Int) {
        let m = HalfBandDecimator(inputRate: rate).halfLength
        // On an output's own input sample: that output alone, at ½.
        var input = [Float](repeating: 0, count: 1_000)
        input[400] = 1
        let onSample = decimate(input, rate: rate, blocks: 3)
        #expect(onSample[200] == 0.5)
        #expect(onSample.enumerated().allSatisfy { $0.offset == 200 || $0.element == 0 })
        // Between two outputs' input samples: symmetric about their midpoint,
        // with the whole filter's length on each side.
        input[400] = 0
        input[401] = 1
        let between = decimate(input, rate: rate, blocks: 3)
        for i in 0..<((m + 1) / 2) {
            #expect(between[200 - i] == between[201 + i])
            #expect(between[200 - i] != 0)
        }
        #expect(between[200 - (m + 1) / 2] == 0 && between[201 + (m + 1) / 2] == 0)
        #expect(abs(between.reduce(0, +) - 0.5) < 0.001)
    }

    @Test func analysisRateHalvesOnlyWhileEightKilohertzStaysCleanAndFlat() {
        #expect(HalfBandDecimator.analysisRate(for: 8_000) == 8_000)
        #expect(HalfBandDecimator.analysisRate(for: 16_000) == 16_000)
        #expect(HalfBandDecimator.analysisRate(for: 22_050) == 22_050)
        #expect(HalfBandDecimator.analysisRate(for: 32_000) == 32_000)
        #expect(HalfBandDecimator.analysisRate(for: 37_800) == 18_900)
        #expect(HalfBandDecimator.analysisRate(for: 44_100) == 22_050)
        #expect(HalfBandDecimator.analysisRate(for: 48_000) == 24_000)
        #expect(HalfBandDecimator.analysisRate(for: 64_000) == 32_000)
        #expect(HalfBandDecimator.analysisRate(for: 88_200) == 22_050)
        #expect(HalfBandDecimator.analysisRate(for: 96_000) == 24_000)
        #expect(HalfBandDecimator.analysisRate(for: 192_000) == 24_000)
        // Every halving the extractor makes keeps the analysed band (to 8 kHz) flat.
        for rate in [37_800, 44_100, 48_000, 64_000, 88_200, 96_000, 176_400, 192_000] {
            var r = rate
            while r > HalfBandDecimator.analysisRate(for: rate) {
                #expect(HalfBandDecimator(inputRate: r).passbandEdge == 8_000)
                r /= 2
            }
        }
    }
}
