import Foundation

/// Mel-frequency cepstral coefficients from log band energies: an orthonormal
/// DCT-II, as in Davis & Mermelstein (1980) and the HTK Book §5.6. c0 is kept;
/// it tracks overall level, which later stages may drop.
public struct CepstrumTransform: Sendable {
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

    /// `logEnergies` are natural logs of band energies (HTK convention).
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
