import Foundation

/// Finds produced music — drums, bass, pads, a beat — by its pulse: onsets
/// that come back at a steady period, which speech never has.
///
/// The cues are those of Scheirer & Slaney ("Construction and evaluation of
/// a robust multifeature speech/music discriminator", ICASSP 1997) and of
/// beat trackers (Scheirer 1998, Ellis 2007), measured on 3-second windows
/// every half second from two per-frame features the detector already reads:
/// - pulse: the autocorrelation of the spectral flux (the onset strength)
///   is high at a beat period L *and* at its multiples 2L (and 3L): a comb
///   over the periods of 0.2–0.75 s (80–300 beats per minute). Speech has
///   onsets at its syllable rate too, but no period that repeats over three
///   seconds, so its comb stays low;
/// - 4 Hz modulation: the share of the speech-band level's modulation
///   spectrum (0.5–20 Hz) between 2.5 and 8 Hz, the syllable rhythm. Speech
///   over a music bed keeps it high even when the bed's beat shows in the
///   flux, so such windows stay speech; only a comb far above speech's
///   (`strongPulse`) is music with any modulation;
/// - no long silences: music at speech level fills the window, while three
///   seconds of speech have pauses; windows with many frames 20 dB under the
///   window's loud frames (the "low-energy frames" of Scheirer & Slaney)
///   are not music.
/// Music needs three music windows in a row (4 s of pulse), so that a chance
/// periodicity in speech, or a voice-like test tone with an exact 4 Hz
/// syllable rate under noise, is not music; such a run then extends over the
/// windows on either side that have the pulse and no syllable rhythm but too
/// many silences (music with rests: staccato hits, a fade-in). Each
/// music window marks all but its outer quarter-seconds, so a span ends
/// near where the pulse ends, not up to a window later.
///
/// Frames are fed in order; only the last window's frames and a few numbers
/// per window are kept, and each window costs ~60 k multiply-adds.
struct RhythmDetector {
    /// Lowest comb score (pulse at L and 2L, plus the mean at L, 2L, 3L) for music.
    var minimumPulse: Float = 0.35
    /// Highest share of 2.5–8 Hz in the level's modulation spectrum for music.
    var maximumSyllableModulation: Float = 0.55
    /// A comb score this high is a beat whatever the level's modulation: music whose notes or
    /// drums come 3–8 times a second has the syllable modulation of speech (0.6–0.7 in the
    /// outro of t_produced2), but no speech window of the tuning fixtures (synthetic, real-music
    /// and alignment ones, speech over a bed with a beat included) has a comb above 0.5, nor has
    /// the 4 Hz voice-like test tone under noise (≤ 0.51).
    var strongPulse: Float = 0.6
    /// Highest share of frames more than `silenceDepth` dB below the window's 90th percentile.
    var maximumSilentFraction: Float = 0.4
    var silenceDepth: Float = 20
    /// Consecutive music windows needed.
    var minimumRun = 3

    /// `withRests`: the pulse and no syllable rhythm, but too many silences to be music alone.
    /// `modulation`: the share of 2.5–8 Hz in the level's modulation spectrum, measured where there
    /// is a pulse or where the caller asked for it (`MusicDetector`'s sustained-music cue), else nil.
    struct Window { var start: Int; var pulse: Float; var modulation: Float?; var music: Bool; var withRests = false }

    let windowFrames: Int, hopFrames: Int, trimFrames: Int
    private let hop: Double
    private var flux: [Float], level: [Float]
    private var count = 0, firstFrame = 0
    private(set) var windows: [Window] = []
    // Lags (frames) of the comb and the DFT bins of the modulation spectrum.
    private let combLags: ClosedRange<Int>, tripleLags: ClosedRange<Int>
    private let syllableBins: ClosedRange<Int>, modulationBins: ClosedRange<Int>
    private let taper: [Float], cosines: [[Float]], sines: [[Float]]

    init(hop: Double, windowSeconds: Double = 3, hopSeconds: Double = 0.5, trimSeconds: Double = 0.25) {
        self.hop = hop
        windowFrames = max(8, Int((windowSeconds / hop).rounded()))
        hopFrames = max(1, Int((hopSeconds / hop).rounded()))
        trimFrames = Int((trimSeconds / hop).rounded())
        flux = [Float](repeating: 0, count: windowFrames)
        level = [Float](repeating: 0, count: windowFrames)
        func frames(_ seconds: Double) -> Int { max(1, Int((seconds / hop).rounded())) }
        let w = windowFrames
        combLags = min(frames(0.25), (w - 1) / 2)...min(frames(0.75), (w - 1) / 2)
        tripleLags = min(frames(0.2), (w - 1) / 3)...min(frames(0.5), (w - 1) / 3)
        let binWidth = 1 / (Double(w) * hop)        // Hz per DFT bin
        let nyquist = w / 2
        func bin(_ hz: Double, up: Bool) -> Int {
            min(nyquist, max(1, Int(up ? (hz / binWidth).rounded(.up) : (hz / binWidth).rounded(.down))))
        }
        syllableBins = bin(2.5, up: true)...max(bin(2.5, up: true), bin(8, up: false))
        modulationBins = bin(0.5, up: true)...max(bin(0.5, up: true), bin(20, up: false))
        taper = (0..<w).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(w - 1))) }
        var cosines: [[Float]] = [], sines: [[Float]] = []
        for k in modulationBins {
            cosines.append((0..<w).map { Float(cos(2 * Double.pi * Double(k * $0) / Double(w))) })
            sines.append((0..<w).map { Float(sin(2 * Double.pi * Double(k * $0) / Double(w))) })
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// `wantsModulation`: measure the level's modulation on the window this frame completes (if it
    /// completes one) even without a pulse.
    mutating func add(frame: Int, level value: Float, flux onset: Float, wantsModulation: Bool = false) {
        if count == 0 { firstFrame = frame }
        let slot = count % windowFrames
        flux[slot] = onset
        level[slot] = value
        count += 1
        if count >= windowFrames, (count - windowFrames) % hopFrames == 0 {
            measure(start: firstFrame + count - windowFrames, wantsModulation: wantsModulation)
        }
    }

    /// The window's frames in time order.
    private func ordered(_ ring: [Float]) -> [Float] {
        let head = count % windowFrames
        return Array(ring[head...] + ring[..<head])
    }

    private mutating func measure(start: Int, wantsModulation: Bool) {
        let w = windowFrames
        // Pulse: normalised autocorrelation of the onset strength.
        var x = ordered(flux)
        let mean = x.reduce(0, +) / Float(w)
        for i in 0..<w { x[i] -= mean }
        func correlation(_ lag: Int) -> Float {
            var sum: Float = 0
            for i in 0..<(w - lag) { sum += x[i] * x[i + lag] }
            return sum
        }
        let energy = correlation(0)
        var pulse: Float = 0
        if energy > 1e-6 {
            var ac = [Float](repeating: 0, count: w)
            let lowest = min(combLags.lowerBound, tripleLags.lowerBound)
            let highest = min(w - 1, max(combLags.upperBound * 2, tripleLags.upperBound * 3))
            for lag in lowest...max(lowest, highest) { ac[lag] = correlation(lag) / energy }
            var comb: Float = -1, triple: Float = -1
            for lag in combLags { comb = max(comb, min(ac[lag], ac[2 * lag])) }
            for lag in tripleLags {
                triple = max(triple, (ac[lag] + ac[2 * lag] + ac[3 * lag]) / 3)
            }
            pulse = comb + triple
        }

        // Most speech stops here: modulation and silences are only measured where there is a pulse
        // (or where the caller wants the modulation).
        guard pulse >= minimumPulse || wantsModulation else {
            windows.append(Window(start: start, pulse: pulse, modulation: nil, music: false))
            return
        }
        // Syllable modulation of the level.
        let levels = ordered(level)
        let levelMean = levels.reduce(0, +) / Float(w)
        var syllable: Float = 0, total: Float = 1e-9
        for (j, k) in modulationBins.enumerated() {
            var re: Float = 0, im: Float = 0
            let c = cosines[j], s = sines[j]
            for i in 0..<w {
                let v = (levels[i] - levelMean) * taper[i]
                re += v * c[i]
                im -= v * s[i]
            }
            let power = re * re + im * im
            total += power
            if syllableBins.contains(k) { syllable += power }
        }
        let modulation = syllable / total

        guard pulse >= minimumPulse else {
            windows.append(Window(start: start, pulse: pulse, modulation: modulation, music: false))
            return
        }
        let sorted = levels.sorted()
        let loud = sorted[Int(Double(w - 1) * 0.9)]
        let silent = Float(sorted.prefix { $0 < loud - silenceDepth }.count) / Float(w)
        let beat = modulation <= maximumSyllableModulation || pulse >= strongPulse
        let music = silent <= maximumSilentFraction && beat
        windows.append(Window(start: start, pulse: pulse, modulation: modulation, music: music,
                              withRests: beat && !music))
    }

    /// Music spans in frames (unmerged with any other cue), at least `minimumFrames` long.
    func spans(minimumFrames: Int) -> [(frames: Range<Int>, confidence: Double)] {
        var spans: [(frames: Range<Int>, confidence: Double)] = []
        var i = 0
        while i < windows.count {
            guard windows[i].music else { i += 1; continue }
            var j = i
            while j < windows.count, windows[j].music { j += 1 }
            if j - i >= minimumRun {
                // Music with rests (staccato hits, a fade) continues the run it borders.
                var first = i, last = j
                while first > 0, windows[first - 1].withRests { first -= 1 }
                while last < windows.count, windows[last].withRests { last += 1 }
                for window in windows[first..<last] {
                    let frames = (window.start + trimFrames)..<(window.start + windowFrames - trimFrames)
                    let confidence = Double(min(1, window.pulse / (2 * minimumPulse)))
                    if let last = spans.last, frames.lowerBound <= last.frames.upperBound {
                        spans[spans.count - 1].frames = last.frames.lowerBound..<max(last.frames.upperBound, frames.upperBound)
                        spans[spans.count - 1].confidence = max(last.confidence, confidence)
                    } else {
                        spans.append((frames, confidence))
                    }
                }
            }
            i = j
        }
        return spans.filter { $0.frames.count >= minimumFrames }
    }
}
