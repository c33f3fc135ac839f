/// Short-time analysis settings, in physical units. Sample counts are derived
/// from the file's rate, so every rate gives frames on the same time grid.
public struct FeatureParameters: Sendable, Codable, Equatable {
    /// Analysis window length in seconds (Hann window).
    public var windowDuration: Double = 0.025
    /// Distance between frame starts in seconds.
    public var hopDuration: Double = 0.010
    /// Mel bands between `lowFrequency` and `highFrequency` (capped at Nyquist).
    public var melBandCount: Int = 40
    public var lowFrequency: Double = 60
    public var highFrequency: Double = 8_000
    /// Cepstral coefficients kept, c0 included (an orthonormal DCT-II of the
    /// log mel levels, no lifter; see `CepstrumTransform`).
    public var cepstralCount: Int = 13
    /// Band where speech carries most of its energy; hum below it and hiss
    /// above it do not reach the speech-band level.
    public var speechBandLow: Double = 250
    public var speechBandHigh: Double = 4_000

    public init() {}
}

/// Maps frame indices to seconds and back for one file.
public struct FrameClock: Sendable, Codable, Equatable {
    public let sampleRate: Int
    public let hopSamples: Int
    public let windowSamples: Int

    public init(sampleRate: Int, parameters: FeatureParameters) {
        self.sampleRate = sampleRate
        hopSamples = max(1, Int((parameters.hopDuration * Double(sampleRate)).rounded()))
        windowSamples = max(2, Int((parameters.windowDuration * Double(sampleRate)).rounded()))
    }

    /// Exact hop in seconds (10 ms rounded to whole samples).
    public var hopDuration: Double { Double(hopSamples) / Double(sampleRate) }

    /// Time of the centre of frame `index`, in seconds.
    public func time(ofFrame index: Int) -> Double {
        (Double(index * hopSamples) + Double(windowSamples) / 2) / Double(sampleRate)
    }

    /// Time of the boundary between frame `index - 1` and frame `index`: the
    /// midpoint of their centres. Pause and segment edges are reported here.
    public func boundary(beforeFrame index: Int) -> Double {
        max(0, time(ofFrame: index) - hopDuration / 2)
    }

    /// Index of the frame whose centre is nearest to `seconds`.
    public func frame(at seconds: Double) -> Int {
        let centreOffset = Double(windowSamples) / 2 / Double(sampleRate)
        return max(0, Int(((seconds - centreOffset) / hopDuration).rounded()))
    }
}
