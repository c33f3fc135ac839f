import Foundation

/// Mel-frequency cepstral coefficients from log band energies: an orthonormal
/// DCT-II (Davis & Mermelstein 1980 take a DCT of log band energies too):
/// c_k = s_k · Σ_j ln(m_j) · cos(π k (j + ½) / N), s_0 = √(1/N), s_k = √(2/N).
///
/// Compared with HTK's MFCCs (HTK Book §5.6): c1…c12 use HTK's DCT and scale
/// √(2/N); c0 is scaled √(1/N) where HTK uses √(2/N) (HTK's c0 is √2 times
/// this one); and there is no cepstral lifter (HTK's default `CEPLIFTER = 22`
/// multiplies c_k by 1 + (L/2) sin(π k / L)). The rest of the front end
/// differs from HTK's too (see `FeatureExtractor`). c0 is kept; it tracks
/// overall level, which later stages may drop.
public struct CepstrumTransform: Sendable {
    /// Natural-log units per decibel (ln 10 / 10): mel levels are stored in dB, the DCT takes ln.
    public static let naturalLogPerDecibel: Float = 0.230_258_5

    public let inputCount: Int
    public let coefficientCount: Int
    private let basis: [Float]

    public init(inputCount: Int, coefficientCount: Int) {
        self.inputCount = inputCount
        self.coefficientCount = coefficientCount
        var basis = [Float](repeating: 0, count: inputCount * coefficientCount)
        let n = Double(inputCount)
        for k in 0..<coefficientCount {
            let scale = k == 0 ? (1 / n).squareRoot() : (2 / n).squareRoot()
            for j in 0..<inputCount {
                basis[k * inputCount + j] = Float(scale * cos(Double.pi * Double(k) * (Double(j) + 0.5) / n))
            }
        }
        self.basis = basis
    }

    /// `logEnergies` are natural logs of band energies (HTK also takes natural logs).
    public func apply(logEnergies: UnsafeBufferPointer<Float>, into coefficients: UnsafeMutableBufferPointer<Float>) {
        basis.withUnsafeBufferPointer { b in
            for k in 0..<coefficientCount {
                var sum: Float = 0
                let row = k * inputCount
                for j in 0..<inputCount { sum += b[row + j] * logEnergies[j] }
                coefficients[k] = sum
            }
        }
    }
}
