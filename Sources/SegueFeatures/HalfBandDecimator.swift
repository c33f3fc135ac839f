import Foundation

/// Halves the sample rate with a half-band low-pass FIR (windowed sinc,
/// Kaiser window), designed at init for the input rate: 0…`passbandEdge` is
/// kept flat (ripple well under ±0.01 dB) and everything that would fold onto
/// it — `stopbandEdge` (= inputRate/2 − passbandEdge) up to inputRate/2 — is
/// at least 68 dB down (designed for 70 dB; the tests hold it to 60). Features
/// need nothing above 8 kHz, so a 44.1 kHz episode is analysed at 22.05 kHz:
/// half the FFT work, same features.
///
/// The passband edge is 8 kHz (the top of the analysed band) when the input
/// rate allows a transition band, i.e. from 36.6 kHz up; below that it is
/// 7/32 of the input rate (7 kHz at 32 kHz), because a half-band filter is
/// −6 dB at a quarter of the input rate and cannot keep 0…8 kHz both flat and
/// alias-free when the output Nyquist frequency is 8 kHz. That is why
/// `analysisRate(for:)` does not halve 32 kHz (see there).
///
/// Every other tap of a half-band filter is zero and the centre tap is 1/2,
/// so each output costs (M + 1)/2 multiply-adds on sums of symmetric pairs,
/// computed on the even-indexed input phase only (polyphase form): 9 at
/// 44.1 kHz (35 taps), 7 at 48 kHz, 4 at 88.2 and 96 kHz.
///
/// The filter is centred on the input sample it replaces (zero phase), so
/// output k is input 2k: times do not move. M zeros stand before the first
/// sample; the last M input samples (0.4 ms at 44.1 kHz) are dropped.
/// References: Crochiere & Rabiner, "Multirate Digital Signal Processing"
/// (1983), §4; Kaiser, "Nonrecursive digital filter design using the I0-sinh
/// window function", Proc. IEEE ISCAS (1974), for the window and its length.
public final class HalfBandDecimator {
    public let inputRate: Int
    public var outputRate: Int { inputRate / 2 }
    /// Top of the band kept flat, in Hz.
    public let passbandEdge: Double
    /// Bottom of the band rejected, in Hz: components from here to inputRate/2
    /// fold onto 0…passbandEdge.
    public var stopbandEdge: Double { Double(inputRate) / 2 - passbandEdge }
    /// Taps from −M to M (M odd; 2M + 1 taps, (M + 1)/2 of them non-zero on each side).
    public let halfLength: Int

    /// The highest frequency the features use (`FeatureParameters.highFrequency`).
    static let analysisBand = 8_000.0
    /// Stopband attenuation the taps are designed for, in dB.
    static let designAttenuation = 70.0

    /// The non-zero taps beside the centre (1/2): h[1], h[3], …, h[M].
    private let taps: [Float]
    private var history: [Float]          // unconsumed inputs, starting M samples before the next centre
    private var phase: [Float] = []       // scratch: the even-indexed samples of `history`

    public init(inputRate: Int) {
        self.inputRate = inputRate
        let rate = Double(inputRate)
        let edge = min(Self.analysisBand, rate * 7 / 32)
        passbandEdge = edge
        // Kaiser's estimates: β for the attenuation, and the length N − 1 for
        // a transition of (rate/2 − 2·edge)/rate cycles per sample.
        let attenuation = Self.designAttenuation
        let beta = 0.1102 * (attenuation - 8.7)
        let transition = 2 * Double.pi * (rate / 2 - 2 * edge) / rate
        let order = (attenuation - 7.95) / (2.285 * transition)
        var m = max(3, Int((order / 2).rounded(.up)))
        if m % 2 == 0 { m += 1 }                       // odd M: the outermost taps are non-zero
        halfLength = m
        let i0Beta = Self.besselI0(beta)
        // Not rescaled to an exact unit gain at 0 Hz: that would break the
        // half-band symmetry H(f) + H(rate/2 − f) = 1 that makes the
        // stopband as deep as the passband is flat (the gain at 0 Hz is
        // within 0.003 dB of 1).
        taps = stride(from: 1, through: m, by: 2).map { n in
            let x = Double(n)
            let r = x / Double(m)
            return Float(sin(Double.pi * x / 2) / (Double.pi * x) * Self.besselI0(beta * (1 - r * r).squareRoot()) / i0Beta)
        }
        history = [Float](repeating: 0, count: m)
    }

    /// Filters and decimates `input`, appending the outputs to `output`.
    public func process(_ input: UnsafeBufferPointer<Float>, into output: inout [Float]) {
        history.append(contentsOf: input)
        let m = halfLength
        let count = history.count
        guard count > 2 * m else { return }
        let outputs = (count - 2 * m + 1) / 2          // centres m, m+2, … with m samples after them
        // Centres sit at odd indices (m is odd), the taps on the even ones:
        // with E[i] = history[2i] and p = (m + 1)/2, output o is
        // ½·history[m + 2o] + Σ_j h[2j+1]·(E[o + p − 1 − j] + E[o + p + j]).
        let p = taps.count
        let evenCount = outputs + 2 * p - 1
        phase.removeAll(keepingCapacity: true)
        phase.append(contentsOf: repeatElement(0, count: evenCount))
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: outputs))
        history.withUnsafeBufferPointer { x in
            phase.withUnsafeMutableBufferPointer { e in
                for i in 0..<evenCount { e[i] = x[2 * i] }
            }
            phase.withUnsafeBufferPointer { e in
                taps.withUnsafeBufferPointer { h in
                    output.withUnsafeMutableBufferPointer { out in
                        let y = out.baseAddress! + start
                        for o in 0..<outputs { y[o] = 0.5 * x[m + 2 * o] }
                        // Tap by tap over contiguous memory, so the inner loop vectorises.
                        for j in 0..<p {
                            let tap = h[j]
                            let before = e.baseAddress! + (p - 1 - j), after = e.baseAddress! + (p + j)
                            for o in 0..<outputs { y[o] += tap * (before[o] + after[o]) }
                        }
                    }
                }
            }
        }
        // The next centre is m + 2·outputs; keep m samples before it.
        history.removeFirst(2 * outputs)
    }

    /// The rate at which features are computed for a file at `rate`: halved
    /// while the halving keeps 0…8 kHz flat with every alias folding onto it
    /// ≥ 60 dB down, i.e. while 7/32 of the rate reaches 8 kHz (rate ≥ 36.6 kHz).
    /// 44.1 kHz → 22.05 kHz, 48 and 96 kHz → 24 kHz, 64 kHz → 32 kHz.
    ///
    /// 32 kHz is analysed as it is: halving it would leave an 8 kHz output
    /// Nyquist frequency right at the top of the analysed band, where a
    /// half-band filter is −6 dB and aliases from just above 8 kHz land just
    /// below it (a 7–9 kHz transition band keeps 0–7 kHz clean but distorts
    /// the top mel bands). A 32 kHz file costs the FFTs of a 48 kHz one.
    public static func analysisRate(for rate: Int) -> Int {
        var r = rate
        while r % 2 == 0, Double(r) * 7 / 32 >= analysisBand { r /= 2 }
        return r
    }

    /// Modified Bessel function of the first kind, order 0 (power series).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let q = x * x / 4
        while term > 1e-17 * sum {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}
