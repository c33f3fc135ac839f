import Foundation

/// Stated times mapped onto the audio: `placed ≈ offset + rate × stated`, or, for a timeline whose times
/// drift by a growing, uneven amount (written against a longer, unedited cut), piecewise through `knots`.
public struct TimeMapping: Sendable, Equatable, Codable {
    /// A stated time and where its heading was found in the audio.
    public struct Knot: Sendable, Equatable, Codable {
        public var stated: Double
        public var placed: Double

        public init(stated: Double, placed: Double) {
            self.stated = stated
            self.placed = placed
        }
    }

    public var offset: Double
    public var rate: Double
    /// Scale (s) of the prior around the mapped time: how far stated times scatter about the mapping.
    public var scale: Double
    /// Headings the fit was made from.
    public var support: Int
    /// When not empty (at least two, in stated order): the mapping runs straight between neighbouring knots,
    /// and beyond the first and last at `rate`.
    public var knots: [Knot]

    public init(offset: Double = 0, rate: Double = 1, scale: Double, support: Int = 0, knots: [Knot] = []) {
        self.offset = offset
        self.rate = rate
        self.scale = scale
        self.support = support
        self.knots = knots
    }

    public func map(_ stated: Double) -> Double {
        guard let first = knots.first, let last = knots.last, knots.count >= 2 else { return offset + rate * stated }
        if stated <= first.stated { return first.placed + rate * (stated - first.stated) }
        if stated >= last.stated { return last.placed + rate * (stated - last.stated) }
        let right = knots.firstIndex { $0.stated >= stated }!
        let a = knots[right - 1], b = knots[right]
        return a.placed + (b.placed - a.placed) * (stated - a.stated) / max(b.stated - a.stated, 1e-9)
    }
}

/// Fitting a mapping to headings the text placed confidently ("anchors").
extension HeadingPlacer {
    /// How much (s) an anchor's lead over the audio may fall short of the one before it and still count as
    /// growing: an anchor is placed to within about half a second.
    static let growthTolerance = 1.0

    /// A timeline written against a longer, unedited cut is off by an amount that grows with every edit
    /// before a heading, unevenly: no one offset or rate follows it. When the anchors predict each other
    /// clearly better piecewise than the line does (each anchor left out in turn and predicted from the
    /// others: from its neighbours, or from the line fitted without it), or better at all when the timeline's
    /// lead over the audio grows from anchor to anchor, the mapping runs through them,
    /// and beyond the first and last at the rate from the first to the last. Nil when the line is as good
    /// (a constant offset or rate, a few moved headings, scattered times).
    public static func followDrift(_ pairs: [(stated: Double, placed: Double)], line: TimeMapping,
                                   minimumScale: Double = 6, maximumScale: Double = 90) -> TimeMapping? {
        let sorted = pairs.sorted { $0.stated < $1.stated }
        let knots = sorted.map { TimeMapping.Knot(stated: $0.stated, placed: $0.placed) }
        guard knots.count >= 3,
              zip(knots, knots.dropFirst()).allSatisfy({ $1.stated > $0.stated && $1.placed > $0.placed }) else { return nil }
        var lineMiss = 0.0, piecewiseMiss = 0.0
        for n in knots.indices {
            var others = sorted, otherKnots = knots
            others.remove(at: n)
            otherKnots.remove(at: n)
            let refitted = fitLine(others, minimumScale: minimumScale, maximumScale: maximumScale)
            lineMiss += abs(knots[n].placed - refitted.map(knots[n].stated)) / Double(knots.count)
            piecewiseMiss += abs(knots[n].placed - drift(through: otherKnots, support: 0).map(knots[n].stated))
                / Double(knots.count)
        }
        // Clearly better, and the line misses by more than a couple of seconds (else there is nothing to follow).
        // Where every anchor is later in the timeline than the one before it by more than in the audio (each
        // edit cut something, as from a longer cut), that growth is itself the evidence: better is enough.
        let lead = knots.map { $0.stated - $0.placed }
        let growing = zip(lead, lead.dropFirst()).allSatisfy { $1 >= $0 - growthTolerance } && lead.last! - lead.first! > 2
        guard lineMiss > 2, piecewiseMiss < (growing ? 1 : 0.5) * lineMiss else { return nil }
        var mapping = drift(through: knots, support: pairs.count)
        mapping.scale = min(maximumScale, max(minimumScale, 2.5 * piecewiseMiss))
        return mapping
    }

    /// The piecewise mapping through knots (sorted, at least two), continued at the rate between the
    /// first and the last.
    static func drift(through knots: [TimeMapping.Knot], support: Int) -> TimeMapping {
        let first = knots[0], last = knots[knots.count - 1]
        let rate = min(1.25, max(0.8, (last.placed - first.placed) / max(last.stated - first.stated, 1e-9)))
        return TimeMapping(offset: first.placed - rate * first.stated, rate: rate, scale: 0, support: support,
                           knots: knots)
    }

    /// Theil–Sen line through (stated, placed) pairs; one or two pairs give an offset only. The scale is
    /// 2.5 × the median absolute residual, within bounds.
    public static func fitLine(_ pairs: [(stated: Double, placed: Double)], defaultScale: Double = 60,
                               minimumScale: Double = 6, maximumScale: Double = 90) -> TimeMapping {
        guard !pairs.isEmpty else { return TimeMapping(scale: defaultScale) }
        var rate = 1.0
        let statedSpan = (pairs.map(\.stated).max() ?? 0) - (pairs.map(\.stated).min() ?? 0)
        if pairs.count >= 5, statedSpan >= 300 {
            var slopes: [Double] = []
            for i in pairs.indices {
                for j in pairs.indices where j > i && abs(pairs[j].stated - pairs[i].stated) > 30 {
                    slopes.append((pairs[j].placed - pairs[i].placed) / (pairs[j].stated - pairs[i].stated))
                }
            }
            if !slopes.isEmpty { rate = min(1.25, max(0.8, median(slopes))) }
            // Keep a rate only when it explains the anchors clearly better than an offset alone.
            let plain = median(pairs.map { $0.placed - $0.stated })
            let offsetOnly = median(pairs.map { abs($0.placed - $0.stated - plain) })
            let withRate = median(pairs.map { $0.placed - rate * $0.stated })
            let rated = median(pairs.map { abs($0.placed - rate * $0.stated - withRate) })
            if !(rated < 0.7 * offsetOnly && offsetOnly > 2) { rate = 1 }
        }
        // The offset most anchors agree on (within ± 4 s), so that a few wrong matches do not pull it;
        // none unless more than half agree (a few headings moved by an edit are not a shared offset).
        let differences = pairs.map { $0.placed - rate * $0.stated }
        var agreeing: [Double] = []
        for center in differences {
            let group = differences.filter { abs($0 - center) <= 4 }
            if group.count > agreeing.count { agreeing = group }
        }
        let offset = pairs.count <= 2 ? (agreeing.count >= 2 ? median(agreeing) : median(differences))
            : (2 * agreeing.count > pairs.count ? median(agreeing) : 0)
        let residual = median(differences.map { abs($0 - offset) })
        let scale = pairs.count >= 3 ? min(maximumScale, max(minimumScale, 2.5 * residual)) : defaultScale
        return TimeMapping(offset: offset, rate: rate, scale: scale, support: pairs.count)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m])
    }
}
