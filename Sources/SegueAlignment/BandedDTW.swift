import Foundation

/// One level of the content aligner: dynamic time warping (Sakoe & Chiba,
/// "Dynamic programming algorithm optimization for spoken word recognition",
/// IEEE Trans. ASSP 26(1), 1978) between reference rows and episode columns,
/// inside a band of rows per column, with skip states.
///
/// Rows are the reference frames of every sentence ("unit"), with one gap row
/// before each sentence and one after the last:
///
///     g0, unit 0 frames…, g1, unit 1 frames…, …, gK
///
/// Steps: within a unit the symmetric steps (r−1, j−1), (r−1, j) and
/// (r, j−1), local cost 1 − cos; a unit's first frame is entered from its gap
/// row or straight from the previous unit's last frame. A gap row consumes
/// episode frames at a constant penalty without advancing the text (music, an
/// advert, off-script talk, long pauses), and gap k can pass to gap k+1 within
/// the same column at a penalty: unit k is then skipped (text with no audio).
/// With speaker labels (`EpisodeColumn.speaker`, per-unit speakers), a frame
/// row whose unit's speaker is not the column's costs `StepCosts.speaker`
/// more, and a gap row over a transcript speaker's column `StepCosts.speakerGap`.
///
/// A run may cover a window of the rows and a range of the columns only (a
/// chunk of the episode), starting from the costs an earlier run reached.
/// Memory: two columns of accumulated cost (one Float per row of the window)
/// and 2 bits of backpointer per band cell; nothing grows with rows × columns.
struct RowLayout {
    enum Kind: UInt8 { case inner = 0, first = 1, gap = 2 }

    /// Rows per unit.
    let unitLengths: [Int]
    /// Row of gap k, k = 0 … units.
    let gapRows: [Int]
    /// Rows of the whole level.
    let rowCount: Int
    /// The rows whose kinds and owners are held (a chunk's rows; all rows by
    /// default). Per-row arrays are indexed by `row - window.lowerBound`.
    let window: Range<Int>
    /// Kind of each row of the window (`Kind.rawValue`).
    let kinds: [UInt8]
    /// Unit index of a frame row, gap index of a gap row (rows of the window).
    let owners: [Int32]

    /// The rows of units of `unitLengths`; per-row arrays for the rows of `window` only (all rows when nil).
    init(unitLengths: [Int], window: Range<Int>? = nil) {
        var gapRows: [Int] = []
        gapRows.reserveCapacity(unitLengths.count + 1)
        var row = 0
        for length in unitLengths {
            gapRows.append(row)
            row += 1 + length
        }
        gapRows.append(row)
        self.init(unitLengths: unitLengths, gapRows: gapRows, window: window ?? 0..<(row + 1))
    }

    private init(unitLengths: [Int], gapRows: [Int], window: Range<Int>) {
        self.unitLengths = unitLengths
        self.gapRows = gapRows
        rowCount = gapRows[gapRows.count - 1] + 1
        let window = max(0, window.lowerBound)..<min(rowCount, max(window.lowerBound, window.upperBound))
        self.window = window
        var kinds = [UInt8](repeating: Kind.inner.rawValue, count: window.count)
        var owners = [Int32](repeating: 0, count: window.count)
        if !window.isEmpty {
            var k = Self.gapIndex(atOrBefore: window.lowerBound, gapRows: gapRows)
            var r = window.lowerBound
            while r < window.upperBound {
                // Row r lies in gap k's row or unit k's frames.
                let i = r - window.lowerBound
                if r == gapRows[k] {
                    kinds[i] = Kind.gap.rawValue
                } else if r == gapRows[k] + 1 {
                    kinds[i] = Kind.first.rawValue
                }
                owners[i] = Int32(k)
                r += 1
                if k + 1 < gapRows.count, r == gapRows[k + 1] { k += 1 }
            }
        }
        self.kinds = kinds
        self.owners = owners
    }

    /// The same level with per-row arrays for `rows` only.
    func window(_ rows: Range<Int>) -> RowLayout {
        RowLayout(unitLengths: unitLengths, gapRows: gapRows, window: rows)
    }

    /// Rows of a level with units of `unitLengths` frames.
    static func rowCount(unitLengths: [Int]) -> Int { unitLengths.reduce(unitLengths.count + 1, +) }

    var unitCount: Int { unitLengths.count }
    func firstRow(ofUnit k: Int) -> Int { gapRows[k] + 1 }

    /// Where any row of the level lies: in gap `index` (`frame` nil) or at frame `frame` of unit `index`.
    func locate(_ row: Int) -> (index: Int, frame: Int?) {
        let k = Self.gapIndex(atOrBefore: row, gapRows: gapRows)
        return row == gapRows[k] ? (k, nil) : (k, row - gapRows[k] - 1)
    }

    /// The last gap whose row is at or before `row`.
    private static func gapIndex(atOrBefore row: Int, gapRows: [Int]) -> Int {
        var lo = 0, hi = gapRows.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if gapRows[mid] <= row { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// Rows `lo[j] ..< hi[j]` of every column, and where each column's cells start.
struct Band {
    let lo: [Int32]
    let hi: [Int32]
    /// Cell offset of each column's first cell; `start[columns]` is the total.
    let start: [Int]

    init(lo: [Int32], hi: [Int32]) {
        self.lo = lo
        self.hi = hi
        var start = [Int](repeating: 0, count: lo.count + 1)
        for j in 0..<lo.count { start[j + 1] = start[j] + max(0, Int(hi[j]) - Int(lo[j])) }
        self.start = start
    }

    /// Every row in every column.
    static func full(rows: Int, columns: Int) -> Band {
        Band(lo: [Int32](repeating: 0, count: columns), hi: [Int32](repeating: Int32(rows), count: columns))
    }

    var columns: Int { lo.count }
    var cells: Int { start[lo.count] }
    /// Bytes of the band description and of the 2-bit backpointers.
    var bytes: Int { cells / 4 + lo.count * 16 }
}

/// The path through one level (or one chunk of it): per column, the lowest
/// and highest row it visits, as rows of the whole level.
/// Within a column the path stays in one unit's frames or in gap rows.
struct WarpingPath {
    var lo: [Int32]
    var hi: [Int32]
    /// Accumulated cost at the end of the path.
    var cost: Double
    /// The accumulated costs of the band's cells in the column `align` was asked to keep.
    var frontier: BandedDTW.Frontier? = nil
    /// False when the path up to that column depends on where the path ended.
    var converged = true
}

/// Penalties of the skip states and the non-diagonal steps, in units of the
/// local cost (1 − cosine), per row or column of the level.
/// One episode column as the dynamic programming reads it: its normalised vector, its level,
/// and who speaks in it (`SpeakerLabels`).
struct EpisodeColumn {
    var vector: UnsafePointer<SIMD4<Float>>
    var level: Float
    var speaker: Int8 = SpeakerLabels.unknown
}

/// Speaker labels of units and episode frames: a transcript speaker's index (0, 1, …), or one of these.
public enum SpeakerLabels {
    /// No speaker evidence (a pause, overlapping voices, a unit without a speaker).
    public static let unknown: Int8 = -1
    /// A voice that speaks none of the transcript's turns (an advert, a guest the transcript leaves out).
    public static let foreign: Int8 = -2
}

struct StepCosts {
    /// Weight of the level difference added to the local cost.
    var level: Float
    /// Added to the local cost where the episode's speaker is known and is not the unit's
    /// (or is a voice that speaks no unit: `SpeakerLabels.foreign`).
    var speaker: Float = 0
    /// Added to the gap cost of a frame voiced by a transcript speaker: their speech should carry text.
    var speakerGap: Float = 0
    var gap: Float
    var stretch: Float
    var compress: Float
}

enum BandedDTW {
    /// Accumulated costs of rows `firstRow ..< firstRow + costs.count` (rows of the whole
    /// level) in one column, as the dynamic programming holds them (relative to the column's
    /// minimum): where a chunk that continues the alignment picks up.
    struct Frontier: Equatable {
        var firstRow: Int
        var costs: [Float]
        var rows: Range<Int> { firstRow..<(firstRow + costs.count) }
    }

    /// Where the path may start: before the episode's first column (in gap 0,
    /// or a later gap by skipping units), or — for a chunk that continues an
    /// earlier one — from the costs that chunk reached in the column before the
    /// first, so the chunk computes what one run over the whole level would.
    enum Start: Equatable {
        case episode
        case frontier(Frontier)
    }

    /// Where the path ends: after the episode's last column (in the last gap
    /// or on the last unit's last frame), or — for a chunk that a later one
    /// continues — on the cheapest of the given rows (of the whole level) in the
    /// last column: where the coarser path is there. (The cheapest row of the
    /// whole column would compare paths that have read different amounts of text.)
    /// When none of those rows is reachable, the cheapest row of the column.
    enum End: Equatable {
        case episode
        case within(Range<Int>)
    }

    /// Aligns the rows of `layout.window` (normalised vectors `reference`,
    /// `groups` SIMD4 lanes per row of the window, zero for gap rows) with
    /// `band.columns` columns whose vectors `column(j)` returns, called with
    /// j = 0, 1, … in order. The band's rows are rows of the window (0 is
    /// `layout.window.lowerBound`); the path's rows are rows of the whole level.
    /// `skipPenalties[k]` is the cost of leaving unit k out; `unitSpeakers[k]` the speaker of
    /// unit k (`SpeakerLabels`; empty: no speaker evidence). The costs of column `keep` (if any)
    /// are returned as the path's `frontier`.
    static func align(layout: RowLayout, reference: UnsafeBufferPointer<SIMD4<Float>>,
                      referenceLevels: UnsafeBufferPointer<Float>, groups: Int,
                      band: Band, costs: StepCosts, skipPenalties: [Float], unitSpeakers: [Int8] = [],
                      start: Start = .episode, end: End = .episode, keep: Int? = nil,
                      column: (Int) throws -> EpisodeColumn) throws -> WarpingPath {
        let rows = layout.window.count
        let offset = layout.window.lowerBound
        let columns = band.columns
        precondition(columns > 0 && rows > 0 && band.lo.allSatisfy { $0 >= 0 } && band.hi.allSatisfy { Int($0) <= rows })
        let unitCount = layout.unitCount
        var bits = [UInt8](repeating: 0, count: (band.cells + 3) / 4)
        // Raw pointers and while loops: the loop below runs for every band cell,
        // and stays fast in debug builds too. Two rows of padding before row 0
        // stay infinite, so the steps from r − 1 and r − 2 need no bounds checks.
        let padding = 2
        let previousStorage = UnsafeMutablePointer<Float>.allocate(capacity: rows + padding)
        let currentStorage = UnsafeMutablePointer<Float>.allocate(capacity: rows + padding)
        previousStorage.initialize(repeating: .infinity, count: rows + padding)
        currentStorage.initialize(repeating: .infinity, count: rows + padding)
        defer {
            previousStorage.deallocate()
            currentStorage.deallocate()
        }
        var previous = previousStorage + padding
        var current = currentStorage + padding

        // Column −1.
        switch start {
        case .episode:
            // The path starts in gap 0, or in a later gap by skipping units.
            precondition(offset == 0)
            var skipped: Float = 0
            for k in 0...unitCount {
                let r = layout.gapRows[k] - offset
                if r >= rows { break }
                previous[r] = skipped
                if k < unitCount { skipped += skipPenalties[k] }
            }
        case .frontier(let frontier):
            precondition(frontier.rows.lowerBound >= offset && frontier.rows.upperBound <= offset + rows)
            for (i, value) in frontier.costs.enumerated() { previous[frontier.firstRow - offset + i] = value }
        }
        var previousLo = 0, previousHi = rows
        var kept: Frontier?
        var currentLo = 0, currentHi = 0
        var total = 0.0
        let gap = RowLayout.Kind.gap.rawValue, inner = RowLayout.Kind.inner.rawValue
        let gapCost = costs.gap, stretch = costs.stretch, compress = costs.compress, levelWeight = costs.level
        let speakerCost = costs.speaker
        let unitSpeakers = unitSpeakers.isEmpty ? [Int8](repeating: SpeakerLabels.unknown, count: unitCount) : unitSpeakers

        try layout.kinds.withUnsafeBufferPointer { kindBuffer in
            try layout.owners.withUnsafeBufferPointer { ownerBuffer in
                try layout.gapRows.withUnsafeBufferPointer { gapBuffer in
                    try skipPenalties.withUnsafeBufferPointer { skipBuffer in
                      try unitSpeakers.withUnsafeBufferPointer { speakerBuffer in
                        try bits.withUnsafeMutableBufferPointer { bitBuffer in
                            let speakers = speakerBuffer.baseAddress
                            let kinds = kindBuffer.baseAddress!, owners = ownerBuffer.baseAddress!
                            let gapRows = gapBuffer.baseAddress!, bits = bitBuffer.baseAddress!
                            let skip = skipBuffer.baseAddress   // nil only when there is no unit
                            let levels = referenceLevels.baseAddress!
                            let vectors = UnsafeRawPointer(reference.baseAddress!).assumingMemoryBound(to: Float.self)
                            let stride = groups * 4
                            var j = 0
                            while j < columns {
                                let lo = Int(band.lo[j]), hi = Int(band.hi[j])
                                let episodeColumn = try column(j)
                                let level = episodeColumn.level, speaker = episodeColumn.speaker
                                let e = UnsafeRawPointer(episodeColumn.vector).assumingMemoryBound(to: Float.self)
                                let columnGap = gapCost + (speaker >= 0 ? costs.speakerGap : 0)
                                // The column's first 12 coefficients, in registers (the usual 3 groups).
                                let twelve = stride == 12
                                let e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3]
                                let e4 = twelve ? e[4] : 0, e5 = twelve ? e[5] : 0, e6 = twelve ? e[6] : 0
                                let e7 = twelve ? e[7] : 0, e8 = twelve ? e[8] : 0, e9 = twelve ? e[9] : 0
                                let e10 = twelve ? e[10] : 0, e11 = twelve ? e[11] : 0
                                // Clear what is left of column j − 2 outside this column's band.
                                var r = currentLo
                                while r < min(currentHi, lo) { current[r] = .infinity; r += 1 }
                                r = max(currentLo, hi)
                                while r < currentHi { current[r] = .infinity; r += 1 }
                                let p = previous, c = current
                                var columnMinimum = Float.infinity
                                var cell = band.start[j]
                                // c[r − 1], kept in a register.
                                var below = c[lo - 1]
                                r = lo
                                while r < hi {
                                    var best: Float
                                    var code: UInt8
                                    let kind = kinds[r]
                                    if kind == gap {
                                        best = p[r]; code = 2
                                        if r >= 1, kinds[r &- 1] != gap, p[r &- 1] < best { best = p[r &- 1]; code = 0 }
                                        best += columnGap
                                        let k = Int(owners[r])
                                        if k > 0 {
                                            let from = gapRows[k &- 1] &- offset
                                            if from >= 0 {
                                                let skipped = c[from] + skip![k &- 1]
                                                if skipped < best { best = skipped; code = 3 }
                                            }
                                        }
                                    } else {
                                        // Dot product: four lanes summed over the groups, then across.
                                        let f = vectors + r &* stride
                                        var s0: Float, s1: Float, s2: Float, s3: Float
                                        if twelve {
                                            s0 = f[0] * e0; s1 = f[1] * e1; s2 = f[2] * e2; s3 = f[3] * e3
                                            s0 += f[4] * e4; s1 += f[5] * e5; s2 += f[6] * e6; s3 += f[7] * e7
                                            s0 += f[8] * e8; s1 += f[9] * e9; s2 += f[10] * e10; s3 += f[11] * e11
                                        } else {
                                            s0 = 0; s1 = 0; s2 = 0; s3 = 0
                                            var g = 0
                                            while g < stride {
                                                s0 += f[g] * e[g]; s1 += f[g &+ 1] * e[g &+ 1]
                                                s2 += f[g &+ 2] * e[g &+ 2]; s3 += f[g &+ 3] * e[g &+ 3]
                                                g &+= 4
                                            }
                                        }
                                        var local = 1 - ((s0 + s1) + (s2 + s3)) + levelWeight * abs(levels[r] - level)
                                        if speaker != SpeakerLabels.unknown {
                                            let own = speakers![Int(owners[r])]
                                            if speaker == SpeakerLabels.foreign || (own >= 0 && own != speaker) {
                                                local += speakerCost
                                            }
                                        }
                                        best = p[r &- 1]; code = 0
                                        if kind == inner {
                                            let v = below + compress
                                            if v < best { best = v; code = 1 }
                                        } else if r >= 2, kinds[r &- 2] != gap, p[r &- 2] < best {
                                            best = p[r &- 2]; code = 3
                                        }
                                        let h = p[r] + stretch
                                        if h < best { best = h; code = 2 }
                                        best += local
                                    }
                                    c[r] = best
                                    below = best
                                    if best < columnMinimum { columnMinimum = best }
                                    bits[cell >> 2] |= code << UInt8(truncatingIfNeeded: (cell & 3) << 1)
                                    cell &+= 1
                                    r &+= 1
                                }
                                // Keep values small: subtract the column's minimum (decisions are unchanged).
                                if columnMinimum.isFinite {
                                    r = lo
                                    while r < hi { c[r] -= columnMinimum; r += 1 }
                                    total += Double(columnMinimum)
                                }
                                if j == keep {
                                    kept = Frontier(firstRow: lo + offset, costs: Array(UnsafeBufferPointer(start: c + lo, count: hi - lo)))
                                }
                                swap(&previous, &current)
                                (previousLo, previousHi, currentLo, currentHi) = (lo, hi, previousLo, previousHi)
                                j += 1
                            }
                        }
                      }
                    }
                }
            }
        }

        var row: Int
        switch end {
        case .episode:
            // End in the last gap, or on the last frame of the last unit.
            row = layout.gapRows[unitCount] - offset
            precondition(row >= 0 && row < rows)
            if row >= 1, layout.kinds[row - 1] != RowLayout.Kind.gap.rawValue, previous[row - 1] < previous[row] {
                row -= 1
            }
        case .within(let region):
            let lo = Int(band.lo[columns - 1]), hi = Int(band.hi[columns - 1])
            let a = max(lo, region.lowerBound - offset), b = min(hi, region.upperBound - offset)
            row = a < b ? a : lo
            for r in row..<(a < b ? b : hi) where previous[r] < previous[row] { row = r }
            if !previous[row].isFinite {
                for r in lo..<hi where previous[r] < previous[row] { row = r }
            }
        }
        let cost = total + Double(previous[row])
        guard cost.isFinite else { throw ContentAlignerError.noPath }

        // One step back along the backpointers from `row` in column `j`.
        func back(_ row: inout Int, _ j: inout Int) {
            let cell = band.start[j] + row - Int(band.lo[j])
            let code = (bits[cell >> 2] >> UInt8((cell & 3) << 1)) & 3
            switch (layout.kinds[row], code) {
            case (_, 2): j -= 1
            case (_, 0): row -= 1; j -= 1
            case (RowLayout.Kind.inner.rawValue, 1): row -= 1
            case (RowLayout.Kind.first.rawValue, 3): row -= 2; j -= 1
            case (RowLayout.Kind.gap.rawValue, 3): row = layout.gapRows[Int(layout.owners[row]) - 1] - offset
            default: preconditionFailure("corrupt backpointer")
            }
        }

        // Trace back.
        var path = WarpingPath(lo: [Int32](repeating: Int32.max, count: columns),
                               hi: [Int32](repeating: -1, count: columns), cost: cost, frontier: kept)
        var j = columns - 1
        let endRow = row
        while j >= 0 {
            path.lo[j] = min(path.lo[j], Int32(row + offset))
            path.hi[j] = max(path.hi[j], Int32(row + offset))
            back(&row, &j)
        }
        // Would the path up to column `keep` be the same had the chunk ended elsewhere?
        // Paths traced back from the lowest, the cheapest and the highest reachable cell of
        // the last column must have met by then (any other cell's path lies between them,
        // or nearly: a skipped unit can pass over another path).
        if let keep, case .within = end {
            let lo = Int(band.lo[columns - 1]), hi = Int(band.hi[columns - 1])
            let finite = (lo..<hi).filter { previous[$0].isFinite }
            let cheapest = finite.min { previous[$0] < previous[$1] }
            for start in [finite.first, cheapest, finite.last].compactMap({ $0 }) where start != endRow {
                var r = start, j = columns - 1
                // The first cell met in column `keep` is the path's highest there.
                while j > keep { back(&r, &j) }
                if r + offset != Int(path.hi[keep]) { path.converged = false }
            }
        }
        return path
    }
}
