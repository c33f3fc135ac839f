import Foundation

/// Turns a stream of mono samples into feature frames (see `FeatureLayout`):
/// create it once per file, `process` each decoded block, then `finish`.
///
/// Input from 36.6 kHz up is first halved (`HalfBandDecimator`) while the
/// halving keeps 0–8 kHz flat and alias-free (`HalfBandDecimator.analysisRate`):
/// nothing above 8 kHz is analysed, so a 44.1 kHz episode costs the FFTs of a
/// 22.05 kHz one; 32 kHz input is analysed as it is. `clock` is at that
/// analysis rate.
///
/// Frame `i` covers samples `i·hop ..< i·hop + window`; the last frames are
/// zero-padded so that the whole file is covered.
///
/// The mel bands and MFCCs use HTK's mel scale and the usual 25 ms / 10 ms
/// framing, but they are not HTK-compatible MFCCs (HTK Book §5): each frame
/// gets a periodic Hann window (HTK: Hamming), no pre-emphasis (HTK:
/// `PREEMCOEF = 0.97`) and no DC removal; the mel filters weight the power
/// spectrum scaled to mean square (HTK: the FFT magnitude of unscaled
/// samples), their levels are in dB floored at −120 dB (HTK: natural log
/// floored at 1); the MFCCs are an orthonormal DCT-II of those levels in
/// natural-log units, c0 included (HTK's c0 is √2 larger), without HTK's
/// cepstral lifter (`CEPLIFTER = 22`). Values are therefore comparable only
/// with Segue's own.
public final class FeatureExtractor {
    public let clock: FrameClock
    public let layout: FeatureLayout
    public let parameters: FeatureParameters
    public let filterbank: MelFilterbank

    private let fft: RealFFT
    private let cepstrum: CepstrumTransform
    private let window: [Float]
    private let powerScale: Float          // converts |X|² sums to mean-square (Parseval)
    private let speechBins: Range<Int>
    private let centroidBins: Range<Int>
    private let binWidth: Float

    private var samples: [Float] = []       // unconsumed input, starting at the next frame
    private var nextFrame = 0
    private var block: FeatureBlock
    private var power: [Float]
    private var melPower: [Float]
    private var logMel: [Float]
    private var previousMelDB: [Float]
    private let blockFrames = 1_024

    private let decimators: [HalfBandDecimator]
    private var decimated: [Float] = []

    /// `sampleRate` is the rate of the samples given to `process`.
    public init(sampleRate inputRate: Int, parameters: FeatureParameters = FeatureParameters()) {
        self.parameters = parameters
        var sampleRate = inputRate
        var decimators: [HalfBandDecimator] = []
        while sampleRate > HalfBandDecimator.analysisRate(for: inputRate) {
            decimators.append(HalfBandDecimator(inputRate: sampleRate))
            sampleRate /= 2
        }
        self.decimators = decimators
        clock = FrameClock(sampleRate: sampleRate, parameters: parameters)
        var fftSize = 2
        while fftSize < clock.windowSamples { fftSize *= 2 }
        fft = RealFFT(size: fftSize)
        let rate = Double(sampleRate)
        filterbank = MelFilterbank(bandCount: parameters.melBandCount, fftSize: fftSize, sampleRate: rate,
                                   lowFrequency: parameters.lowFrequency, highFrequency: parameters.highFrequency)
        layout = FeatureLayout(melBandCount: parameters.melBandCount, cepstralCount: parameters.cepstralCount,
                               melCentreFrequencies: filterbank.centreFrequencies)
        cepstrum = CepstrumTransform(inputCount: parameters.melBandCount, coefficientCount: parameters.cepstralCount)
        // Periodic Hann window (Harris 1978).
        let n = clock.windowSamples
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        powerScale = 2 / (Float(fftSize) * window.reduce(0) { $0 + $1 * $1 })
        let width = rate / Double(fftSize)
        binWidth = Float(width)
        let nyquistBin = fftSize / 2
        let bin = { (f: Double) in min(nyquistBin, max(1, Int((f / width).rounded()))) }
        speechBins = bin(parameters.speechBandLow)..<max(bin(parameters.speechBandLow) + 1,
                                                         bin(min(parameters.speechBandHigh, rate / 2)))
        centroidBins = 1..<max(2, bin(min(parameters.highFrequency, rate / 2)))
        power = [Float](repeating: 0, count: fftSize / 2 + 1)
        melPower = [Float](repeating: 0, count: parameters.melBandCount)
        logMel = melPower
        previousMelDB = [Float](repeating: -120, count: parameters.melBandCount)
        block = FeatureBlock(layout: layout, firstFrame: 0)
        block.values.reserveCapacity(blockFrames * layout.stride)
        samples.reserveCapacity(1 << 16)
    }

    /// Frames emitted so far.
    public var frameCount: Int { nextFrame }

    /// Consumes `input` and appends every completed frame to `track`.
    public func process(_ input: UnsafeBufferPointer<Float>, into track: FeatureTrack) throws {
        if decimators.isEmpty {
            samples.append(contentsOf: input)
        } else {
            decimated.removeAll(keepingCapacity: true)
            decimators[0].process(input, into: &decimated)
            for decimator in decimators.dropFirst() {
                let stage = decimated
                decimated.removeAll(keepingCapacity: true)
                stage.withUnsafeBufferPointer { decimator.process($0, into: &decimated) }
            }
            samples.append(contentsOf: decimated)
        }
        var start = 0
        while start + clock.windowSamples <= samples.count {
            samples.withUnsafeBufferPointer { analyseFrame(UnsafeBufferPointer(rebasing: $0[start..<(start + clock.windowSamples)])) }
            start += clock.hopSamples
            if block.count == blockFrames { try emit(into: track) }
        }
        samples.removeFirst(min(start, samples.count))
    }

    /// Analyses the zero-padded tail and writes the last frames.
    public func finish(into track: FeatureTrack) throws {
        if !samples.isEmpty {
            var tail = samples
            let remaining = samples.count
            tail.append(contentsOf: repeatElement(0, count: clock.windowSamples))
            var start = 0
            while start < remaining {
                tail.withUnsafeBufferPointer { analyseFrame(UnsafeBufferPointer(rebasing: $0[start..<(start + clock.windowSamples)])) }
                start += clock.hopSamples
                if block.count == blockFrames { try emit(into: track) }
            }
            samples.removeAll()
        }
        try emit(into: track)
        try track.flush()
    }

    private func emit(into track: FeatureTrack) throws {
        guard block.count > 0 else { return }
        try track.append(block)
        block = FeatureBlock(layout: layout, firstFrame: nextFrame)
        block.values.reserveCapacity(blockFrames * layout.stride)
    }

    private func analyseFrame(_ frame: UnsafeBufferPointer<Float>) {
        let n = frame.count
        var energy: Float = 0
        let input = fft.input
        window.withUnsafeBufferPointer { w in
            for i in 0..<n {
                let x = frame[i]
                energy += x * x
                input[i] = x * w[i]
            }
        }
        power.withUnsafeMutableBufferPointer { fft.powerSpectrum(into: $0) }

        var speechPower: Float = 0, centroidNumerator: Float = 0, centroidPower: Float = 0
        var logSum = 0.0, groupProduct = 1.0, groupCount = 0
        power.withUnsafeBufferPointer { p in
            for k in speechBins {
                speechPower += p[k]
                // Products of 8 bins in Double, then one log: a cheap sum of logs.
                groupProduct *= Double(p[k]) + 1e-20
                groupCount += 1
                if groupCount == 8 { logSum += log(groupProduct); groupProduct = 1; groupCount = 0 }
            }
            for k in centroidBins {
                centroidNumerator += Float(k) * p[k]
                centroidPower += p[k]
            }
            melPower.withUnsafeMutableBufferPointer { filterbank.apply(power: p, into: $0) }
        }
        logSum += log(groupProduct)
        let speechCount = Double(speechBins.count)
        let arithmeticMean = Double(speechPower) / speechCount + 1e-20
        let flatness = Float(min(1, exp(logSum / speechCount) / arithmeticMean))

        let stride = layout.stride
        let base = block.values.count
        block.values.append(contentsOf: repeatElement(0, count: stride))
        var flux: Float = 0
        let bands = layout.melBandCount, melOffset = layout.melOffset, cepstralOffset = layout.cepstralOffset
        let powerScale = self.powerScale
        // Local buffers: element access to the class's arrays inside the loop would be checked for exclusivity.
        block.values.withUnsafeMutableBufferPointer { v in
            v[base + FeatureLayout.Scalar.logEnergy.rawValue] = Self.decibels(energy / Float(n))
            v[base + FeatureLayout.Scalar.speechBandLevel.rawValue] = Self.decibels(speechPower * powerScale)
            v[base + FeatureLayout.Scalar.spectralCentroid.rawValue] =
                centroidPower > 0 ? centroidNumerator / centroidPower * binWidth : 0
            v[base + FeatureLayout.Scalar.spectralFlatness.rawValue] = flatness
            melPower.withUnsafeBufferPointer { mel in
                previousMelDB.withUnsafeMutableBufferPointer { previous in
                    logMel.withUnsafeMutableBufferPointer { lm in
                        for b in 0..<bands {
                            let db = Self.decibels(mel[b] * powerScale)
                            v[base + melOffset + b] = db
                            flux += max(0, db - previous[b])
                            previous[b] = db
                            lm[b] = db * CepstrumTransform.naturalLogPerDecibel
                        }
                    }
                }
            }
            v[base + FeatureLayout.Scalar.spectralFlux.rawValue] = flux / Float(bands)
            logMel.withUnsafeBufferPointer { lm in
                cepstrum.apply(logEnergies: lm,
                               into: UnsafeMutableBufferPointer(rebasing: v[(base + cepstralOffset)..<(base + stride)]))
            }
        }
        nextFrame += 1
    }

    /// Power to dB, floored at −120 dB so digital silence stays finite.
    @inline(__always) static func decibels(_ power: Float) -> Float {
        max(-120, 10 * log10(power + 1e-12))
    }
}
