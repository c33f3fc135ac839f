/// Where each feature sits in a frame's vector. Every frame stores the same
/// `stride` floats, so blocks can be written to and read from disk as is.
public struct FeatureLayout: Sendable, Codable, Equatable {
    /// Scalar features, one float each at the start of the frame vector.
    public enum Scalar: Int, CaseIterable, Sendable {
        /// Frame energy in dBFS (mean square of the unwindowed samples).
        case logEnergy
        /// Energy in the speech band (`speechBandLow…speechBandHigh`) in dBFS.
        case speechBandLevel
        /// Half-wave rectified log-mel difference to the previous frame, mean dB
        /// per band (Dixon, "Onset Detection Revisited", DAFx 2006).
        case spectralFlux
        /// Power-weighted mean frequency below `highFrequency`, in Hz.
        case spectralCentroid
        /// Wiener entropy of the speech band: geometric over arithmetic mean of
        /// power, 0 (pure tone) … 1 (white noise) (Johnston 1988).
        case spectralFlatness
    }

    public let melBandCount: Int
    public let cepstralCount: Int
    /// Centre frequency of each mel band in Hz (empty when unknown).
    public let melCentreFrequencies: [Double]

    public init(melBandCount: Int, cepstralCount: Int, melCentreFrequencies: [Double] = []) {
        self.melBandCount = melBandCount
        self.cepstralCount = cepstralCount
        self.melCentreFrequencies = melCentreFrequencies
    }

    /// Mel bands whose centres lie in `range` (Hz).
    public func melBands(in range: ClosedRange<Double>) -> [Int] {
        melCentreFrequencies.indices.filter { range.contains(melCentreFrequencies[$0]) }
    }

    public var melOffset: Int { Scalar.allCases.count }
    public var cepstralOffset: Int { melOffset + melBandCount }
    public var stride: Int { cepstralOffset + cepstralCount }
}

/// A run of consecutive frames, row-major (`stride` floats per frame).
public struct FeatureBlock: Sendable {
    public let layout: FeatureLayout
    /// Index of the first frame of this block in the whole file.
    public let firstFrame: Int
    public internal(set) var values: [Float]

    public init(layout: FeatureLayout, firstFrame: Int, values: [Float] = []) {
        self.layout = layout
        self.firstFrame = firstFrame
        self.values = values
    }

    public var count: Int { values.count / layout.stride }
    /// Absolute frame indices held by this block.
    public var frames: Range<Int> { firstFrame..<(firstFrame + count) }

    /// A scalar feature of local frame `i` (0 ..< count).
    @inlinable public func value(_ scalar: FeatureLayout.Scalar, at i: Int) -> Float {
        values[i * layout.stride + scalar.rawValue]
    }

    /// Log mel energy in dB of band `band` of local frame `i`.
    @inlinable public func mel(_ band: Int, at i: Int) -> Float {
        values[i * layout.stride + layout.melOffset + band]
    }

    /// Cepstral coefficient `k` (c0 = 0) of local frame `i`.
    @inlinable public func cepstrum(_ k: Int, at i: Int) -> Float {
        values[i * layout.stride + layout.cepstralOffset + k]
    }
}
