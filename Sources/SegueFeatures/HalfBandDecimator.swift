import Foundation

/// Halves the sample rate with a 23-tap half-band low-pass FIR (windowed
/// sinc, Blackman window; every other tap is zero, so each output costs 13
/// multiplies). Features need nothing above 8 kHz, so a 44.1 kHz episode is
/// analysed at 22.05 kHz: half the FFT work, same features.
///
/// The filter is centred on the input sample it replaces (zero phase), so
/// output k is input 2k: times do not move. Eleven zeros stand before the
/// first sample; the last 11 input samples (0.25 ms at 44.1 kHz) are dropped.
/// Reference: Crochiere & Rabiner, "Multirate Digital Signal Processing" (1983), §4.
public final class HalfBandDecimator {
    public let inputRate: Int
    public var outputRate: Int { inputRate / 2 }

    private static let halfLength = 11
    /// The non-zero taps beside the centre (0.5): h[1], h[3], …, h[11].
    private static let oddTaps: [Float] = stride(from: 1, through: halfLength, by: 2).map { n in
        let x = Double(n)
        let sinc = sin(Double.pi * x / 2) / (Double.pi * x)
        let m1 = Double(halfLength + 1)
        let window = 0.42 + 0.5 * cos(Double.pi * x / m1) + 0.08 * cos(2 * Double.pi * x / m1)
        return Float(sinc * window)
    }

    private var history: [Float]          // unconsumed inputs, starting 11 samples before the next centre

    public init(inputRate: Int) {
        self.inputRate = inputRate
        history = [Float](repeating: 0, count: Self.halfLength)
    }

    /// Filters and decimates `input`, appending the outputs to `output`.
    public func process(_ input: UnsafeBufferPointer<Float>, into output: inout [Float]) {
        history.append(contentsOf: input)
        let m = Self.halfLength
        let count = history.count
        guard count > 2 * m else { return }
        let outputs = (count - 2 * m + 1) / 2          // centres m, m+2, … with m samples after them
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: outputs))
        let t = Self.oddTaps
        let (t1, t3, t5, t7, t9, t11) = (t[0], t[1], t[2], t[3], t[4], t[5])
        history.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { out in
                for o in 0..<outputs {
                    let c = m + 2 * o
                    var sum = 0.5 * x[c]
                    sum += t1 * (x[c - 1] + x[c + 1])
                    sum += t3 * (x[c - 3] + x[c + 3])
                    sum += t5 * (x[c - 5] + x[c + 5])
                    sum += t7 * (x[c - 7] + x[c + 7])
                    sum += t9 * (x[c - 9] + x[c + 9])
                    sum += t11 * (x[c - 11] + x[c + 11])
                    out[start + o] = sum
                }
            }
        }
        // The next centre is m + 2·outputs; keep m samples before it.
        history.removeFirst(2 * outputs)
    }

    /// The rate at which features are computed for a file at `rate`: halved
    /// while it stays at or above 32 kHz.
    public static func analysisRate(for rate: Int) -> Int {
        var r = rate
        while r >= 32_000, r % 2 == 0 { r /= 2 }
        return r
    }
}
