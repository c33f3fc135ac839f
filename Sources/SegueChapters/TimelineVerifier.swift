import Foundation

/// One heading checked against the audio.
public struct VerifiedHeading: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case ok, drift, misplaced, notFound = "not found" }

    public var index: Int
    public var title: String
    public var line: Int
    public var stated: Double?
    public var placed: Double
    /// placed − stated: positive when the topic starts later in the audio than the timeline says.
    public var difference: Double?
    public var confidence: Double
    public var status: Status
    public var pauseBefore: Double
    public var speakerChange: Bool
    public var musicBefore: Bool
    public var matchedWords: [String]
    public var evidence: String
}

/// A cause shared by several headings: a common offset (audio inserted or cut) or a rate difference.
public struct TimelineFinding: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case offset, rate }
    public var kind: Kind
    /// Seconds the headings are late (negative: early).
    public var offset: Double
    /// placed ≈ offset + rate × stated.
    public var rate: Double
    /// 0-based indices of the headings the finding explains.
    public var headings: [Int]
    public var message: String
}

public struct TimelineVerification: Sendable, Equatable, Codable {
    public var tolerance: Double
    public var headings: [VerifiedHeading]
    public var findings: [TimelineFinding]
    public var allWithinTolerance: Bool { headings.allSatisfy { $0.status == .ok } }
}

/// Compares stated times with where the headings were placed: per heading a status, and shared causes
/// (a common offset, a constant rate difference) reported once.
public struct TimelineVerifier: Sendable {
    public var tolerance = 2.0
    /// Below this confidence a heading that is out of tolerance is "not found" rather than "misplaced".
    public var minimumConfidence = 0.3

    public init(tolerance: Double = 2.0) { self.tolerance = tolerance }

    public func verify(_ placement: HeadingPlacement) -> TimelineVerification {
        let placed = placement.headings
        let diffs: [(n: Int, stated: Double, d: Double)] = placed.compactMap { p in
            guard let stated = p.stated, !(p.index == 0 && p.placed == 0 && stated < 1) else { return nil }
            return (p.index, stated, p.placed - stated)
        }
        var findings: [TimelineFinding] = []
        var model: [Int: Double] = [:]   // heading → difference the finding predicts
        // The largest group of headings sharing one difference: within the tolerance of it, as a heading
        // counts as `drift` when it is within the tolerance of the difference its finding predicts.
        let width = tolerance
        var bestGroup: [(n: Int, stated: Double, d: Double)] = []
        for center in diffs {
            let group = diffs.filter { abs($0.d - center.d) <= width }
            if group.count > bestGroup.count { bestGroup = group }
        }
        // The shared difference weighs each heading by how sure the alignment is of its time, so that one
        // turn start the alignment placed badly does not pull the offset it reports.
        let timing = Dictionary(uniqueKeysWithValues: placed.map { ($0.index, max($0.boundary.timing, 0.01)) })
        func shared(_ group: [(n: Int, stated: Double, d: Double)]) -> Double {
            Self.weightedMedian(group.map { ($0.d, timing[$0.n] ?? 1) })
        }
        if bestGroup.count >= 2, abs(shared(bestGroup)) > tolerance, Double(bestGroup.count) >= 0.5 * Double(diffs.count) {
            let refined = diffs.filter { abs($0.d - shared(bestGroup)) <= width }
            let offset = shared(refined)
            let first = refined.map(\.stated).min() ?? 0
            let before = placed.filter { ($0.stated ?? -1) < first }.compactMap(\.stated).max() ?? 0
            let late = offset > 0
            let message = String(format: "all headings after %@ are %.1f s %@: ", clock(before), abs(offset),
                                 late ? "late" : "early")
                + (late ? "audio was inserted at \(clock(before))–\(clock(before + offset))"
                        : "audio was cut between \(clock(before)) and \(clock(first))")
            findings.append(TimelineFinding(kind: .offset, offset: offset, rate: 1, headings: refined.map(\.n),
                                            message: message))
            for g in refined { model[g.n] = offset }
        } else if diffs.count >= 4 {
            let line = HeadingPlacer.fitLine(diffs.map { ($0.stated, $0.stated + $0.d) })
            let explained = diffs.filter { abs($0.stated + $0.d - line.map($0.stated)) <= tolerance }
            let spread = (diffs.map(\.d).max() ?? 0) - (diffs.map(\.d).min() ?? 0)
            if abs(line.rate - 1) >= 0.001, spread > tolerance, Double(explained.count) >= 0.75 * Double(diffs.count),
               explained.contains(where: { abs($0.d) > tolerance }) {
                let percent = (line.rate - 1) * 100
                let message = String(format: "the timeline runs at a different rate: the audio is %.2f %% %@ than the "
                    + "stated times (placed ≈ %.1f s + %.4f × stated), e.g. a %@ cut or a speed change",
                    abs(percent), percent > 0 ? "longer" : "shorter", line.offset, line.rate,
                    percent > 0 ? "shorter" : "longer")
                findings.append(TimelineFinding(kind: .rate, offset: line.offset, rate: line.rate,
                                                headings: explained.map(\.n), message: message))
                for g in explained { model[g.n] = line.map(g.stated) - g.stated }
            }
        }
        let headings = placed.map { p -> VerifiedHeading in
            let difference = p.stated.map { p.placed - $0 }
            let status: VerifiedHeading.Status
            if let difference {
                if abs(difference) <= tolerance { status = .ok }
                else if let predicted = model[p.index], abs(difference - predicted) <= tolerance { status = .drift }
                else if p.confidence >= minimumConfidence { status = .misplaced }
                else { status = .notFound }
            } else {
                status = p.confidence >= minimumConfidence ? .ok : .notFound
            }
            return VerifiedHeading(index: p.index, title: p.title, line: p.line, stated: p.stated, placed: p.placed,
                                   difference: difference, confidence: p.confidence, status: status,
                                   pauseBefore: p.boundary.pauseBefore, speakerChange: p.boundary.speakerChange,
                                   musicBefore: p.boundary.musicBefore, matchedWords: p.matchedWords,
                                   evidence: p.evidence)
        }
        return TimelineVerification(tolerance: tolerance, headings: headings, findings: findings)
    }

    /// The value at which half of the total weight lies on either side (the mean of the two middle values
    /// when the halves meet exactly between them).
    static func weightedMedian(_ values: [(value: Double, weight: Double)]) -> Double {
        let sorted = values.sorted { $0.value < $1.value }
        let total = sorted.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return HeadingPlacer.median(values.map(\.value)) }
        var below = 0.0
        for (n, item) in sorted.enumerated() {
            below += item.weight
            if abs(below - total / 2) < 1e-9 * total, n + 1 < sorted.count {
                return 0.5 * (item.value + sorted[n + 1].value)
            }
            if below > total / 2 { return item.value }
        }
        return sorted.last?.value ?? 0
    }

    func clock(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
