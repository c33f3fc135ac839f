import Foundation

/// Triangular filters evenly spaced on the mel scale, applied to a power
/// spectrum.
///
/// What is taken from the HTK Book (Young et al., §5.4) and what is not:
/// - the mel scale is HTK's, mel(f) = 2595 · log10(1 + f / 700) (= 1127 ln(1 + f / 700));
/// - band edges and centres are equally spaced in mel between `lowFrequency`
///   and `highFrequency`, each triangle reaching from the centre of one
///   neighbour to the centre of the other, with unit height (no area
///   normalisation), as in HTK;
/// - the triangles are linear in Hz between those edges (HTK interpolates
///   its weights linearly in mel, so its triangles are slightly curved in Hz);
/// - they weight the power spectrum |X|² (HTK bins the magnitude |X| unless
///   `USEPOWER = T`).
/// So these are "mel bands on the HTK mel scale", not HTK `FBANK` values.
public struct MelFilterbank: Sendable {
    public let bandCount: Int
    public let lowFrequency: Double
    public let highFrequency: Double
    /// Centre frequency of each band in Hz.
    public let centreFrequencies: [Double]

    private let firstBin: [Int]
    private let weights: [[Float]]

    public init(bandCount: Int, fftSize: Int, sampleRate: Double,
                lowFrequency: Double, highFrequency: Double) {
        let high = min(highFrequency, sampleRate / 2)
        self.bandCount = bandCount
        self.lowFrequency = lowFrequency
        self.highFrequency = high
        let melLow = Self.mel(lowFrequency), melHigh = Self.mel(high)
        let edges = (0...(bandCount + 1)).map {
            Self.hertz(melLow + (melHigh - melLow) * Double($0) / Double(bandCount + 1))
        }
        centreFrequencies = Array(edges[1...bandCount])
        let binWidth = sampleRate / Double(fftSize)
        var firstBin: [Int] = [], weights: [[Float]] = []
        for band in 0..<bandCount {
            let (left, centre, right) = (edges[band], edges[band + 1], edges[band + 2])
            let lo = max(1, Int((left / binWidth).rounded(.up)))
            let hi = min(fftSize / 2, Int((right / binWidth).rounded(.down)))
            var w: [Float] = []
            if lo <= hi {
                for k in lo...hi {
                    let f = Double(k) * binWidth
                    let rise = (f - left) / (centre - left), fall = (right - f) / (right - centre)
                    w.append(Float(max(0, min(rise, fall))))
                }
            }
            // A band narrower than one bin still takes the nearest bin, so no
            // band is silent at low FFT resolutions (telephone audio, 8 kHz).
            if w.allSatisfy({ $0 == 0 }) {
                firstBin.append(min(fftSize / 2, Int((centre / binWidth).rounded())))
                weights.append([1])
            } else {
                firstBin.append(lo)
                weights.append(w)
            }
        }
        self.firstBin = firstBin
        self.weights = weights
    }

    /// HTK's mel scale (O'Shaughnessy 1987): 1000 Hz ≈ 1000 mel.
    public static func mel(_ hertz: Double) -> Double { 2595 * log10(1 + hertz / 700) }
    public static func hertz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }

    /// Writes the energy of every band into `bands`.
    public func apply(power: UnsafeBufferPointer<Float>, into bands: UnsafeMutableBufferPointer<Float>) {
        for band in 0..<bandCount {
            let start = firstBin[band]
            var sum: Float = 0
            weights[band].withUnsafeBufferPointer { w in
                for i in 0..<w.count { sum += w[i] * power[start + i] }
            }
            bands[band] = sum
        }
    }
}
