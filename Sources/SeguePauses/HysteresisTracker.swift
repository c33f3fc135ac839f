/// Two-threshold speech/non-speech state machine with minimum durations, fed
/// one frame at a time. Memory: the runs found plus half a second of levels.
struct HysteresisTracker {
    struct PauseRun { var frames: Range<Int>; var meanLevel: Float }

    let minimumSpeechFrames: Int
    let minimumPauseFrames: Int

    private var frame = 0
    private var inSpeech = false
    private var runStart = 0
    private var recent: [Float] = []       // ring of the latest levels, for onset backtracking
    private var recentLower: [Float] = []
    private var rawRuns: [(speech: Bool, frames: Range<Int>, levelSum: Float)] = []
    private var levelSum: Float = 0
    private let lookback = 50

    init(minimumSpeechFrames: Int, minimumPauseFrames: Int) {
        self.minimumSpeechFrames = minimumSpeechFrames
        self.minimumPauseFrames = minimumPauseFrames
        recent = [Float](repeating: 0, count: lookback)
        recentLower = recent
    }

    mutating func add(level: Float, lower: Float, upper: Float) {
        recent[frame % lookback] = level
        recentLower[frame % lookback] = lower
        if inSpeech, level < lower {
            close(speech: true, at: frame)
            inSpeech = false
        } else if !inSpeech, level > upper {
            // The onset began where the level first rose above the lower threshold.
            var onset = frame
            while onset > runStart, frame - onset < lookback - 1,
                  recent[(onset - 1) % lookback] > recentLower[(onset - 1) % lookback] {
                onset -= 1
            }
            var moved: Float = 0
            for f in onset..<frame { moved += recent[f % lookback] }
            levelSum -= moved
            close(speech: false, at: onset)
            inSpeech = true
            levelSum = moved
        }
        levelSum += level
        frame += 1
    }

    /// The speech runs as decided frame by frame so far (onsets traced back),
    /// before the minimum-duration rules, with the open run closed.
    func rawSpeechRuns() -> [Range<Int>] {
        var out = rawRuns.filter(\.speech).map(\.frames)
        if inSpeech, frame > runStart { out.append(runStart..<frame) }
        return out
    }

    private mutating func close(speech: Bool, at end: Int) {
        if end > runStart { rawRuns.append((speech, runStart..<end, levelSum)) }
        runStart = end
        levelSum = 0
    }

    /// Speech spans and pauses after the minimum-duration rules; leading and
    /// trailing non-speech are not pauses (there is no speech on one side).
    /// `isSyllable` tells which bursts too short to be words are as loud as speech: they still do
    /// not split a pause, but a pause needs `minimumPauseFrames` without them.
    mutating func finish(isSyllable: (Range<Int>) -> Bool = { _ in false }) -> (speech: [Range<Int>], pauses: [PauseRun]) {
        close(speech: inSpeech, at: frame)
        // 1. Bursts of speech too short to be words become part of the pause around them.
        var runs: [(speech: Bool, frames: Range<Int>, levelSum: Float, syllables: Int)] = []
        for run in rawRuns {
            var run = (speech: run.speech, frames: run.frames, levelSum: run.levelSum, syllables: 0)
            if run.speech, run.frames.count < minimumSpeechFrames {
                run.speech = false
                if isSyllable(run.frames) { run.syllables = run.frames.count }
            }
            if let last = runs.last, last.speech == run.speech {
                runs[runs.count - 1] = (run.speech, last.frames.lowerBound..<run.frames.upperBound,
                                        last.levelSum + run.levelSum, last.syllables + run.syllables)
            } else {
                runs.append(run)
            }
        }
        // 2. Gaps too short to be pauses join the speech around them.
        var speech: [Range<Int>] = []
        var pauses: [PauseRun] = []
        for (index, run) in runs.enumerated() {
            let interior = index > 0 && index < runs.count - 1
            if !run.speech {
                guard interior else { continue }
                if run.frames.count - run.syllables >= minimumPauseFrames {
                    pauses.append(PauseRun(frames: run.frames, meanLevel: run.levelSum / Float(run.frames.count)))
                    continue
                }
            }
            if let last = speech.last, last.upperBound == run.frames.lowerBound {
                speech[speech.count - 1] = last.lowerBound..<run.frames.upperBound
            } else {
                speech.append(run.frames)
            }
        }
        return (speech, pauses)
    }
}
