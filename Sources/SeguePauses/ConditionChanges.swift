import SegueFeatures

/// Where the recording condition changes: a clean studio segment next to a
/// noisy phone call, a segment recorded in another room. The pause detector's
/// statistics (noise floor, speech level, the shapes of speech and background)
/// are taken over a minute or the whole episode; across such a change they
/// fit neither side, so the detector treats each side as a file of its own.
///
/// The condition is the noise floor: per second, a low percentile of the
/// speech-band level (the quiet between syllables and words); a change is a
/// step in its median between the `sideSeconds` before and after a moment,
/// as in the two-window level tests of change-point detection (Basseville &
/// Nikiforov 1993, "Detection of Abrupt Changes", ch. 2: a shift of the mean
/// between two adjacent windows, with the median for robustness). Moving noise
/// (a gust, a car passing, an air handler cycling) lasts seconds and does not
/// move a median over ten seconds; a change of recording does.
///
/// One pass over one scalar a frame: a byte a second kept.
struct ConditionChanges {
    /// Seconds of floor compared on each side of a change, and the shortest
    /// stretch treated on its own (its statistics need some speech and some
    /// pauses).
    var sideSeconds = 10
    var shortestSeconds = 8
    /// Percentile of the speech-band level per second taken as that second's floor.
    var floorPercentile = 0.1
    /// Quantile of a side's per-second floors taken as its floor.
    var stableQuantile = 0.25
    /// Largest interquartile spread (dB) of the per-second floors of the
    /// louder side for it to count as steady noise rather than speech, music
    /// or silence coming and going.
    var steadySpread: Float = 6
    /// Smallest median spectral flatness of the louder side for it to count
    /// as noise: a music bed or intro is steady too, but tonal. On the tuning
    /// fixtures, music beds and intros (t_produced2, t_roundtable) have
    /// 0.012–0.033, the noise of t_noisy_phone 0.30–0.40; 0.1 lies between.
    var noiseFlatness: Float = 0.1
    /// Smallest step of the floor, in dB, that is a change of condition.
    /// Chosen on the tuning fixtures (the largest step of each): at most 4.4 dB on
    /// every pause, speaker and alignment tuning fixture (moving noise at 5
    /// and 15 dB SNR included), 37 dB where 15 s of the clean studio fixture
    /// precede t_noisy_phone.
    var minimumStep: Float = 15

    /// Frames where a new condition starts, in order (none for one condition).
    func find(in track: FeatureTrack) throws -> [Int] {
        let second = max(1, Int((1 / track.clock.hopDuration).rounded()))
        let (floors, flatness) = try secondFloors(track, second: second)
        let steps = self.steps(floors, flatness)
        let w = sideSeconds, n = floors.count
        // Local largest steps over the minimum, each side at least `shortestSeconds` long.
        var changes: [Int] = []
        var last = 0
        for k in steps.indices where abs(steps[k]) >= minimumStep {
            let neighbours = max(0, k - w)...min(n, k + w)
            let largest = neighbours.map { abs(steps[$0]) }.max() ?? 0
            guard neighbours.first(where: { abs(steps[$0]) == largest }) == k, k - last >= shortestSeconds else { continue }
            changes.append(k)
            last = k
        }
        // To the frame: the last frame under the middle of the two floors before a
        // rise (the first one after a fall) within a second of the step.
        var frames: [Int] = []
        for k in changes {
            let window = max(0, (k - 1) * second)..<min(track.frameCount, (k + 1) * second)
            let levels = try track.scalar(.speechBandLevel, in: window)
            let before = quantile(floors[max(0, k - w)..<k], stableQuantile)
            let after = quantile(floors[k..<min(n, k + w)], stableQuantile)
            let middle = (before + after) / 2
            var frame = k * second
            if after > before {
                if let i = levels.lastIndex(where: { $0 < middle }) { frame = window.lowerBound + i + 1 }
            } else {
                if let i = levels.firstIndex(where: { $0 < middle }) { frame = window.lowerBound + i }
            }
            if frame > (frames.last ?? 0), frame < track.frameCount { frames.append(frame) }
        }
        return frames
    }

    /// Per second boundary k, the step of the floor (after minus before) where
    /// the louder side is steady noise, 0 elsewhere. A side's floor is the
    /// `stableQuantile` of its seconds' floors: a clean side has seconds of
    /// near-silence among seconds full of speech, a noisy side has none.
    private func steps(_ floors: [Float], _ flatness: [Float]) -> [Float] {
        let w = sideSeconds, n = floors.count
        var steps = [Float](repeating: 0, count: n + 1)
        guard n >= 2 * shortestSeconds else { return steps }
        for k in shortestSeconds...(n - shortestSeconds) {
            let before = floors[max(0, k - w)..<k], after = floors[k..<min(n, k + w)]
            let louder = quantile(after, 0.5) > quantile(before, 0.5) ? after : before
            guard quantile(louder, 0.75) - quantile(louder, 0.25) <= steadySpread else { continue }
            guard quantile(flatness[louder.indices], 0.5) >= noiseFlatness else { continue }
            steps[k] = quantile(after, stableQuantile) - quantile(before, stableQuantile)
        }
        return steps
    }

    private func quantile(_ values: ArraySlice<Float>, _ q: Double) -> Float {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
    }

    /// Per whole second, the `floorPercentile` of the speech-band level (dB),
    /// and the median spectral flatness.
    private func secondFloors(_ track: FeatureTrack, second: Int) throws -> (floors: [Float], flatness: [Float]) {
        var floors: [Float] = [], flatness: [Float] = []
        floors.reserveCapacity(track.frameCount / second + 1)
        flatness.reserveCapacity(track.frameCount / second + 1)
        var chunk: [Float] = [], flat: [Float] = []
        chunk.reserveCapacity(second)
        flat.reserveCapacity(second)
        try track.forEachBlock { block in
            for i in 0..<block.count {
                chunk.append(block.value(.speechBandLevel, at: i))
                flat.append(block.value(.spectralFlatness, at: i))
                if chunk.count == second {
                    chunk.sort()
                    flat.sort()
                    floors.append(chunk[min(second - 1, Int(Double(second) * floorPercentile))])
                    flatness.append(flat[second / 2])
                    chunk.removeAll(keepingCapacity: true)
                    flat.removeAll(keepingCapacity: true)
                }
            }
        }
        return (floors, flatness)
    }
}
