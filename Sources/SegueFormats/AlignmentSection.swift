/// The `alignment` section of `NAME.analysis.json` that `segue align` writes: every transcript turn
/// and sentence with its place in the audio and a confidence, the audio no text was placed in,
/// and the mapping from diarized clusters to the transcript's speakers.
public struct AlignmentSection: Codable, Sendable, Equatable {
    public struct Sentence: Codable, Sendable, Equatable {
        public var text: String
        public var start: Double?
        public var end: Double?
        public var confidence: Double

        public init(text: String, start: Double?, end: Double?, confidence: Double) {
            self.text = text
            self.start = start.map { Seconds.rounded($0) }
            self.end = end.map { Seconds.rounded($0) }
            self.confidence = Seconds.rounded(confidence)
        }
    }

    public struct Turn: Codable, Sendable, Equatable {
        /// 0-based position in the transcript.
        public var index: Int
        public var speaker: String?
        public var text: String
        public var start: Double?
        public var end: Double?
        public var confidence: Double
        /// `aligned`, or `missing` for text that is not in the audio.
        public var status: String
        /// Spoken over another speaker's turn.
        public var overlap: Bool
        /// What decided the start: `speaker change`, `speech onset after a pause`, `speech onset before
        /// the matched words`, `backchannel: …` (found by voice) or `content`.
        public var evidence: String
        public var sentences: [Sentence]

        public init(index: Int, speaker: String?, text: String, start: Double?, end: Double?, confidence: Double,
                    status: String, overlap: Bool, evidence: String, sentences: [Sentence]) {
            self.index = index
            self.speaker = speaker
            self.text = text
            self.start = start.map { Seconds.rounded($0) }
            self.end = end.map { Seconds.rounded($0) }
            self.confidence = Seconds.rounded(confidence)
            self.status = status
            self.overlap = overlap
            self.evidence = evidence
            self.sentences = sentences
        }
    }

    public struct Unaligned: Codable, Sendable, Equatable {
        public var start: Double
        public var end: Double
        /// `music` or `speech`.
        public var kind: String

        public init(start: Double, end: Double, kind: String) {
            self.start = Seconds.rounded(start)
            self.end = Seconds.rounded(end)
            self.kind = kind
        }
    }

    public var turns: [Turn]
    public var unalignedAudio: [Unaligned]
    /// Diarized cluster (S1, S2, …) → transcript speaker.
    public var speakerNames: [String: String]
    public var warnings: [String]

    public init(turns: [Turn], unalignedAudio: [Unaligned], speakerNames: [String: String], warnings: [String]) {
        self.turns = turns
        self.unalignedAudio = unalignedAudio
        self.speakerNames = speakerNames
        self.warnings = warnings
    }
}
