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

    @Test func passbandIsKeptInPlaceAndInLevel() {
        let input = TestAudio.sine(frequency: 3_000, seconds: 0.2, rate: 44_100)
        let output = decimate(input, rate: 44_100)
        #expect(abs(output.count - input.count / 2) <= 6)
        // Zero phase: output k is input 2k (away from the start-up edge).
        let worst = (20..<(output.count - 20)).map { abs(output[$0] - input[2 * $0]) }.max() ?? 1
        #expect(worst < 0.01)
    }

    @Test func eightKilohertzLosesUnderHalfADecibel() {
        let output = decimate(TestAudio.sine(frequency: 8_000, seconds: 0.2, rate: 44_100), rate: 44_100)
        let peak = output[50..<(output.count - 50)].map { abs($0) }.max() ?? 0
        #expect(20 * log10(Double(peak) / 0.5) > -0.5)
    }

    @Test func toneThatWouldAliasIsRemoved() {
        let output = decimate(TestAudio.sine(frequency: 16_000, seconds: 0.2, rate: 44_100), rate: 44_100)
        let peak = output[50..<(output.count - 50)].map { abs($0) }.max() ?? 1
        #expect(20 * log10(Double(peak) / 0.5) < -60)
    }

    @Test func analysisRateStaysBelow32kHz() {
        #expect(HalfBandDecimator.analysisRate(for: 16_000) == 16_000)
        #expect(HalfBandDecimator.analysisRate(for: 44_100) == 22_050)
        #expect(HalfBandDecimator.analysisRate(for: 96_000) == 24_000)
        #expect(HalfBandDecimator.analysisRate(for: 192_000) == 24_000)
        #expect(HalfBandDecimator.analysisRate(for: 8_000) == 8_000)
    }
}
