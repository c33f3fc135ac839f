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
///
/// Memory: two columns of accumulated cost (one Float per row) and 2 bits of
/// backpointer per band cell; nothing grows with rows × columns.
struct RowLayout {
    enum Kind: UInt8 { case inner = 0, first = 1, gap = 2 }

    /// Rows per unit.
    let unitLengths: [Int]
    /// Row of gap k, k = 0 … units.
    let gapRows: [Int]
    /// Kind of each row (`Kind.rawValue`).
    let kinds: [UInt8]
    /// Unit index of a frame row, gap index of a gap row.
    let owners: [Int32]

    init(unitLengths: [Int]) {
        self.unitLengths = unitLengths
        var gapRows: [Int] = []
        var kinds: [UInt8] = []
        var owners: [Int32] = []
        for (k, length) in unitLengths.enumerated() {
            gapRows.append(kinds.count)
            kinds.append(Kind.gap.rawValue)
            owners.append(Int32(k))
            for t in 0..<length {
                kinds.append(t == 0 ? Kind.first.rawValue : Kind.inner.rawValue)
                owners.append(Int32(k))
            }
        }
        gapRows.append(kinds.count)
        kinds.append(Kind.gap.rawValue)
        owners.append(Int32(unitLengths.count))
        self.gapRows = gapRows
        self.kinds = kinds
        self.owners = owners
    }

    var rowCount: Int { kinds.count }
    var unitCount: Int { unitLengths.count }
    func firstRow(ofUnit k: Int) -> Int { gapRows[k] + 1 }
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

/// The path through one level: per column, the lowest and highest row it visits.
/// Within a column the path stays in one unit's frames or in gap rows.
struct WarpingPath {
    var lo: [Int32]
    var hi: [Int32]
    /// Accumulated cost at the end of the path.
    var cost: Double
}

/// Penalties of the skip states and the non-diagonal steps, in units of the
/// local cost (1 − cosine), per row or column of the level.
struct StepCosts {
    /// Weight of the level difference added to the local cost.
    var level: Float
    var gap: Float
    var stretch: Float
    var compress: Float
}

enum BandedDTW {
    /// Aligns `layout`'s rows (normalised vectors `reference`, `groups` SIMD4
    /// lanes per row, zero for gap rows) with `band.columns` columns whose
    /// vectors `column(j)` returns, called with j = 0, 1, … in order.
    /// `skipPenalties[k]` is the cost of leaving unit k out.
    static func align(layout: RowLayout, reference: UnsafeBufferPointer<SIMD4<Float>>,
                      referenceLevels: UnsafeBufferPointer<Float>, groups: Int,
                      band: Band, costs: StepCosts, skipPenalties: [Float],
                      column: (Int) throws -> (vector: UnsafePointer<SIMD4<Float>>, level: Float)) throws -> WarpingPath {
        let rows = layout.rowCount
        let columns = band.columns
        precondition(columns > 0 && band.lo[0] == 0 && Int(band.hi[columns - 1]) == rows)
        let unitCount = layout.unitCount
        var bits = [UInt8](repeating: 0, count: (band.cells + 3) / 4)
        // Raw pointers and while loops: the loop below runs for every band cell,
        // and stays fast in debug builds too.
        var previous = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        var current = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        previous.initialize(repeating: .infinity, count: rows)
        current.initialize(repeating: .infinity, count: rows)
        defer {
            previous.deallocate()
            current.deallocate()
        }

        // Column −1: the path starts in gap 0, or in a later gap by skipping units.
        var skipped: Float = 0
        for k in 0...unitCount {
            previous[layout.gapRows[k]] = skipped
            if k < unitCount { skipped += skipPenalties[k] }
        }
        var previousLo = 0, previousHi = rows
        var currentLo = 0, currentHi = 0
        var offset = 0.0
        let stride = groups * 4
        let gap = RowLayout.Kind.gap.rawValue, inner = RowLayout.Kind.inner.rawValue
        let gapCost = costs.gap, stretch = costs.stretch, compress = costs.compress, levelWeight = costs.level

        try layout.kinds.withUnsafeBufferPointer { kindBuffer in
            try layout.owners.withUnsafeBufferPointer { ownerBuffer in
                try layout.gapRows.withUnsafeBufferPointer { gapBuffer in
                    try skipPenalties.withUnsafeBufferPointer { skipBuffer in
                        try bits.withUnsafeMutableBufferPointer { bitBuffer in
                            let kinds = kindBuffer.baseAddress!, owners = ownerBuffer.baseAddress!
                            let gapRows = gapBuffer.baseAddress!, bits = bitBuffer.baseAddress!
                            let skip = skipBuffer.baseAddress   // nil only when there is no unit
                            let levels = referenceLevels.baseAddress!
                            let vectors = UnsafeRawPointer(reference.baseAddress!).assumingMemoryBound(to: Float.self)
                            var j = 0
                            while j < columns {
                                let lo = Int(band.lo[j]), hi = Int(band.hi[j])
                                let (column, level) = try column(j)
                                let e = UnsafeRawPointer(column).assumingMemoryBound(to: Float.self)
                                // Clear what is left of column j − 2 outside this column's band.
                                var r = currentLo
                                while r < min(currentHi, lo) { current[r] = .infinity; r += 1 }
                                r = max(currentLo, hi)
                                while r < currentHi { current[r] = .infinity; r += 1 }
                                let p = previous, c = current
                                var columnMinimum = Float.infinity
                                let base = band.start[j] - lo
                                r = lo
                                while r < hi {
                                    var best: Float
                                    var code: UInt8
                                    let kind = kinds[r]
                                    if kind == gap {
                                        best = p[r]; code = 2
                                        if r >= 1, kinds[r - 1] != gap, p[r - 1] < best { best = p[r - 1]; code = 0 }
                                        best += gapCost
                                        let k = Int(owners[r])
                                        if k > 0 {
                                            let skipped = c[gapRows[k - 1]] + skip![k - 1]
                                            if skipped < best { best = skipped; code = 3 }
                                        }
                                    } else {
                                        let f = vectors + r * stride
                                        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                                        var g = 0
                                        while g < stride {
                                            s0 += f[g] * e[g]; s1 += f[g + 1] * e[g + 1]
                                            s2 += f[g + 2] * e[g + 2]; s3 += f[g + 3] * e[g + 3]
                                            g += 4
                                        }
                                        let local = 1 - ((s0 + s1) + (s2 + s3)) + levelWeight * abs(levels[r] - level)
                                        best = p[r - 1]; code = 0
                                        if kind == inner {
                                            let v = c[r - 1] + compress
                                            if v < best { best = v; code = 1 }
                                        } else if r >= 2, kinds[r - 2] != gap, p[r - 2] < best {
                                            best = p[r - 2]; code = 3
                                        }
                                        let h = p[r] + stretch
                                        if h < best { best = h; code = 2 }
                                        best += local
                                    }
                                    c[r] = best
                                    if best < columnMinimum { columnMinimum = best }
                                    let cell = base + r
                                    bits[cell >> 2] |= code << UInt8(truncatingIfNeeded: (cell & 3) << 1)
                                    r += 1
                                }
                                // Keep values small: subtract the column's minimum (decisions are unchanged).
                                if columnMinimum.isFinite {
                                    r = lo
                                    while r < hi { c[r] -= columnMinimum; r += 1 }
                                    offset += Double(columnMinimum)
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

        // End in the last gap, or on the last frame of the last unit.
        var row = layout.gapRows[unitCount]
        if row >= 1, layout.kinds[row - 1] != RowLayout.Kind.gap.rawValue, previous[row - 1] < previous[row] {
            row -= 1
        }
        let total = offset + Double(previous[row])
        guard total.isFinite else { throw ContentAlignerError.noPath }

        // Trace back.
        var path = WarpingPath(lo: [Int32](repeating: Int32.max, count: columns),
                               hi: [Int32](repeating: -1, count: columns), cost: total)
        var j = columns - 1
        while j >= 0 {
            path.lo[j] = min(path.lo[j], Int32(row))
            path.hi[j] = max(path.hi[j], Int32(row))
            let cell = band.start[j] + row - Int(band.lo[j])
            let code = (bits[cell >> 2] >> UInt8((cell & 3) << 1)) & 3
            switch (layout.kinds[row], code) {
            case (_, 2): j -= 1
            case (_, 0): row -= 1; j -= 1
            case (RowLayout.Kind.inner.rawValue, 1): row -= 1
            case (RowLayout.Kind.first.rawValue, 3): row -= 2; j -= 1
            case (RowLayout.Kind.gap.rawValue, 3): row = layout.gapRows[Int(layout.owners[row]) - 1]
            default: preconditionFailure("corrupt backpointer")
            }
        }
        return path
    }
}
