import SegueFeatures

/// The pause stage's first look at an episode: what it measures frame by
/// frame before it can decide anything. The background of each band
/// (`BandBackground`), the speech band's level and the frame energy over
/// minutes (`LevelProfile`), and the music cues (`MusicDetector`).
///
/// Fed while the audio is still decoding (`EpisodeAnalyzer` does, on the
/// thread that computes the features, which waits for the decoder most of
/// the time), it leaves `PauseDetector.detect` little to do once the
/// decoding ends. Made by `PauseDetector.survey(clock:layout:)`.
public struct PauseSurvey: Sendable {
    private var background: BandBackground.Survey
    private let backgroundRadius: Int
    private var levelProfile: LevelProfile
    private var energyProfile: LevelProfile
    private var musicDetector: MusicDetector
    /// Frames seen so far.
    public private(set) var frameCount = 0

    init(background: BandBackground.Survey, backgroundRadius: Int, levelProfile: LevelProfile,
         energyProfile: LevelProfile, musicDetector: MusicDetector) {
        self.background = background
        self.backgroundRadius = backgroundRadius
        self.levelProfile = levelProfile
        self.energyProfile = energyProfile
        self.musicDetector = musicDetector
    }

    /// Takes in the frames of `block`, which must follow those seen so far.
    public mutating func add(_ block: FeatureBlock) {
        precondition(block.firstFrame == frameCount, "the pause survey takes frames in order")
        background.add(block)
        for i in 0..<block.count {
            let frame = block.firstFrame + i
            levelProfile.add(block.value(.speechBandLevel, at: i), frame: frame)
            energyProfile.add(block.value(.logEnergy, at: i), frame: frame)
            musicDetector.add(block, at: i)
        }
        frameCount += block.count
    }

    /// The measurements, complete.
    mutating func finish() -> (BandBackground, LevelProfile, LevelProfile, MusicDetector) {
        levelProfile.finish()
        energyProfile.finish()
        return (background.finish(radius: backgroundRadius), levelProfile, energyProfile, musicDetector)
    }
}
