import CEspeakNG
import Foundation

/// The synthetic reference voice for content alignment: eSpeak NG speaks the
/// transcript, and the rendering is aligned to the episode (the approach of
/// aeneas, readbeyond/aeneas: TTS reference + MFCC + DTW).
///
/// A thin wrapper over eSpeak NG's C API (`speak_lib.h`): the library is
/// initialised once per process in `AUDIO_OUTPUT_SYNCHRONOUS` mode with a
/// synthesis callback, and every use (voice selection, parameters, synthesis)
/// is serialised behind one lock, because eSpeak keeps all its state in
/// globals. All C interop of this module lives in this file.
///
/// Each sentence is one `espeak_Synth` call (UTF-8 text, no SSML, no end
/// pause), so sentence boundaries are exact: a sentence's span is its first to
/// last audible sample. Words come from `espeakEVENT_WORD` events. Sentences
/// are separated by `sentencePause` seconds of silence. eSpeak renders at
/// 22 050 Hz, mono; nothing is printed.
public struct ReferenceVoice: Sendable, Equatable {
    /// eSpeak NG's output rate in Hz.
    public static let sampleRate = 22_050

    /// eSpeak language or voice name: "en" (default), "en-us", "de", …
    public let language: String
    /// Voice variant appended as `language+variant` ("f3", "m2", "klatt"…), or nil.
    public let variant: String?
    /// Speaking rate in words per minute (eSpeak: 80…450, 175 by default).
    public let wordsPerMinute: Int
    /// Base pitch, 0…100 (50 is the voice's normal pitch).
    public let pitch: Int
    /// Silence between sentences in the rendering, in seconds.
    public let sentencePause: Double

    /// Checks that eSpeak NG knows the voice; throws `ReferenceVoiceError.unknownLanguage` otherwise.
    public init(language: String = "en", variant: String? = nil, wordsPerMinute: Int = 175,
                pitch: Int = 50, sentencePause: Double = 0.3) throws {
        self.language = language
        self.variant = variant
        self.wordsPerMinute = min(450, max(80, wordsPerMinute))
        self.pitch = min(100, max(0, pitch))
        self.sentencePause = max(0, sentencePause)
        try Espeak.withLock { try Espeak.select(self) }
    }

    /// Renders `sentences` (spoken-form text, one string each) into one buffer.
    public func render(_ sentences: [String]) throws -> ReferenceRendering {
        var samples: [Float] = []
        let spans = try render(sentences) { samples.append(contentsOf: $0) }
        return ReferenceRendering(samples: samples, sampleRate: Self.sampleRate, sentences: spans)
    }

    /// Renders `sentences` and hands the samples to `sink` in order, one
    /// sentence (and its following pause) at a time, so a long transcript
    /// never sits in memory as audio. `sink` is called inside eSpeak's lock (it must not render).
    /// Returns every sentence's span, in samples from the start of the rendering.
    @discardableResult
    public func render(_ sentences: [String], into sink: (UnsafeBufferPointer<Float>) throws -> Void)
        throws -> [RenderedSentence]
    {
        let pauseSamples = Int((sentencePause * Double(Self.sampleRate)).rounded())
        let pause = [Float](repeating: 0, count: pauseSamples)
        var spans: [RenderedSentence] = []
        spans.reserveCapacity(sentences.count)
        var position = 0
        // One rendering holds eSpeak to its last sentence: what eSpeak synthesises depends on
        // everything it synthesised before in the process (its pitch flutter runs on, and
        // espeak_Terminate hangs in synchronous mode, so it cannot be restarted), and another
        // rendering's sentences in between would change this one.
        try Espeak.withLock {
            try Espeak.select(self)
            for text in sentences {
                let synthesised = try Espeak.synthesise(text)
                spans.append(synthesised.span(text: text, offset: position))
                try synthesised.samples.withUnsafeBufferPointer(sink)
                position += synthesised.samples.count
                if pauseSamples > 0 {
                    try pause.withUnsafeBufferPointer(sink)
                    position += pauseSamples
                }
            }
        }
        return spans
    }
}

/// What went wrong with the reference voice.
public enum ReferenceVoiceError: Error, Equatable, CustomStringConvertible {
    /// eSpeak NG has no voice for this language or name.
    case unknownLanguage(String)
    /// eSpeak NG could not be initialised (its data folder is missing).
    case unavailable
    /// `espeak_Synth` failed (eSpeak's error code).
    case synthesisFailed(code: Int)

    public var description: String {
        switch self {
        case .unknownLanguage(let name): "eSpeak NG has no voice for the language “\(name)”"
        case .unavailable: "eSpeak NG could not be initialised (is espeak-ng-data installed?)"
        case .synthesisFailed(let code): "eSpeak NG could not synthesise the text (error \(code))"
        }
    }
}

/// One rendered word: where eSpeak said it, in samples of the rendering.
public struct RenderedWord: Sendable, Equatable {
    /// The word as written in the sentence.
    public var text: String
    /// First sample of the word (eSpeak's word event).
    public var start: Int
    /// End of the word: the next word's start, or the end of the sentence's speech.
    public var end: Int
}

/// One rendered sentence: its audible span, in samples of the rendering.
public struct RenderedSentence: Sendable, Equatable {
    public var text: String
    /// First audible sample (the sentence's own leading silence excluded).
    public var start: Int
    /// One past the last audible sample; `start == end` for a sentence with no sound.
    public var end: Int
    public var words: [RenderedWord]
}

/// A whole rendering: mono samples at `sampleRate` and every sentence's span.
public struct ReferenceRendering: Sendable {
    public var samples: [Float]
    public var sampleRate: Int
    public var sentences: [RenderedSentence]

    /// Duration in seconds.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

// MARK: - eSpeak NG (global state, one lock)

private enum Espeak {
    /// Samples and word events of one `espeak_Synth` call.
    final class Capture {
        var samples: [Float] = []
        /// (character offset in the text, length in characters, sample) per word event.
        var words: [(position: Int, length: Int, sample: Int)] = []

        /// The sentence's span and words, shifted by `offset` samples.
        func span(text: String, offset: Int) -> RenderedSentence {
            let audible: Float = 32 / 32_768   // −60 dBFS
            guard let first = samples.firstIndex(where: { abs($0) > audible }),
                  let last = samples.lastIndex(where: { abs($0) > audible }) else {
                return RenderedSentence(text: text, start: offset, end: offset, words: [])
            }
            let scalars = Array(text.unicodeScalars)
            // Word texts; eSpeak reports a last, empty "word" for a closing full stop.
            let named: [(text: String, sample: Int)] = words.compactMap { word in
                let lo = min(scalars.count, max(0, word.position - 1))
                let hi = min(scalars.count, lo + max(0, word.length))
                var string = String.UnicodeScalarView()
                string.append(contentsOf: scalars[lo..<hi])
                guard string.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil })
                else { return nil }
                return (String(string), word.sample)
            }
            var result: [RenderedWord] = []
            for (k, word) in named.enumerated() {
                let start = min(max(word.sample, first), last + 1)
                let next = k + 1 < named.count ? named[k + 1].sample : last + 1
                let end = max(start, min(next, last + 1))
                result.append(RenderedWord(text: word.text, start: offset + start, end: offset + end))
            }
            return RenderedSentence(text: text, start: offset + first, end: offset + last + 1, words: result)
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var initialised = false
    nonisolated(unsafe) private static var capture: Capture?

    static func withLock<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if !initialised { try start() }
        return try body()
    }

    private static func start() throws {
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, nil, espeakINITIALIZE_DONT_EXIT)
        guard rate == Int32(ReferenceVoice.sampleRate) else { throw ReferenceVoiceError.unavailable }
        espeak_SetSynthCallback(synthCallback)
        initialised = true
    }

    /// Selects the voice and its parameters. Call inside `withLock`.
    static func select(_ voice: ReferenceVoice) throws {
        let name = voice.variant.map { "\(voice.language)+\($0)" } ?? voice.language
        var status = espeak_SetVoiceByName(name)
        if status != EE_OK {
            // Language codes that are not voice names ("en-GB-x-rp", "pt-BR").
            status = voice.language.withCString { language in
                var spec = espeak_VOICE()
                spec.languages = language
                return espeak_SetVoiceByProperties(&spec)
            }
        }
        guard status == EE_OK, !voice.language.isEmpty else { throw ReferenceVoiceError.unknownLanguage(voice.language) }
        espeak_SetParameter(espeakRATE, Int32(voice.wordsPerMinute), 0)
        espeak_SetParameter(espeakPITCH, Int32(voice.pitch), 0)
    }

    /// Speaks `text` synchronously. Call inside `withLock`.
    static func synthesise(_ text: String) throws -> Capture {
        let result = Capture()
        capture = result
        defer { capture = nil }
        let utf8 = Array(text.utf8CString)
        let status = utf8.withUnsafeBytes { bytes in
            espeak_Synth(bytes.baseAddress, bytes.count, 0, POS_CHARACTER, 0,
                         UInt32(espeakCHARS_UTF8), nil, nil)
        }
        guard status == EE_OK else { throw ReferenceVoiceError.synthesisFailed(code: Int(status.rawValue)) }
        return result
    }

    /// eSpeak's synthesis callback: appends samples, records word events.
    private static let synthCallback: @convention(c) (UnsafeMutablePointer<Int16>?, Int32,
                                                       UnsafeMutablePointer<espeak_EVENT>?) -> Int32 = { wav, count, events in
        guard let target = Espeak.capture else { return 0 }
        if var event = events {
            while event.pointee.type != espeakEVENT_LIST_TERMINATED {
                if event.pointee.type == espeakEVENT_WORD {
                    target.words.append((Int(event.pointee.text_position), Int(event.pointee.length),
                                         Int(event.pointee.sample)))
                }
                event += 1
            }
        }
        if let wav, count > 0 {
            let scale: Float = 1 / 32_768
            for i in 0..<Int(count) { target.samples.append(Float(wav[i]) * scale) }
        }
        return 0
    }
}
