extension SpeakerDiarizer {
    /// Thresholds of the speaker stage. What each means, its value and the
    /// data it was chosen on: SegueSpeakers.docc/Design.md.
    public struct Parameters: Sendable, Codable, Equatable {
        public var change = SpeakerChangeDetector.Parameters()
        public var clustering = SpeakerClustering.Parameters()
        /// Resegmentation passes (train models, decode).
        public var passes: Int = 2
        /// An estimated speaker with less speech than this (s) is absorbed by the others.
        public var minimumSpeakerSpeech: Double = 2.0
        /// Speakers are merged while the cheapest merge costs less than this
        /// ΔBIC per frame. Unlike a BIC penalty (which grows only with log N)
        /// this does not drift towards more speakers as clusters grow, so a
        /// music bed or a noise change does not become a "speaker".
        public var speakerMergeCostPerFrame: Double = 0.27
        /// …or while BIC with this λ (1 = textbook BIC) calls them one voice.
        /// Needed for speakers with little speech: between two short stretches
        /// of one voice the likelihood gain grows like P·log N, not like N, so
        /// the per-frame test alone would leave them split.
        public var speakerMergeLambda: Double = 1.7
        /// Speech segments shorter than this (s) and enclosed by one other
        /// speaker are reported as overlap (backchannel) segments.
        public var backchannelLength: Double = 1.2
        /// Same-speaker segments separated by a gap shorter than this (s) are
        /// one turn: breaths, phrase pauses, onsets masked by noise. (Pauses
        /// are still reported by the pause stage.)
        public var turnGap: Double = 0.5
        /// Less speech than this (s) in the whole file: one speaker, no analysis.
        public var minimumSpeech: Double = 1.5
        /// A speaker with more than `fragmentShare` of its speech in runs
        /// shorter than `fragmentRun` (s) is a fragment of the voice it
        /// interrupts: people speak in turns of seconds, not only in
        /// sub-second pieces.
        public var fragmentRun: Double = 1.0
        public var fragmentShare: Double = 0.5
        /// Length (s of speech) of the windows diarized on their own before
        /// their speakers are linked across the episode: work linear and
        /// memory constant in the episode's length.
        public var window: Double = 600
        public init() {}
    }
}
