import Foundation
import SegueFeatures

/// Places every sentence of a transcript in an episode: dynamic time warping
/// (Sakoe & Chiba 1978) between the MFCCs of a synthetic reference
/// (`ReferenceFeatures`, eSpeak NG — the approach of aeneas) and the episode's
/// MFCCs, coarse to fine as in FastDTW (Salvador & Chan, "Toward accurate
/// dynamic time warping in linear time and space", Intelligent Data Analysis
/// 11(5), 2007):
///
/// 1. Frames are averaged over `coarseStep` (0.25 s), and again by
///    `levelRatio` (to 1 s, `coarsestStep`) until the coarsest level is small
///    enough (`fullMatrixCells`) to align without a band. Only episodes of
///    hours exceed it at 1 s; that level then gets a wide band (± 20 min,
///    `coarsestBand`) around the straight line.
/// 2. Each finer level is aligned inside a band that follows the path found
///    one level up (rows within ± `coarseRadius` seconds of it, ± `fineRadius`
///    at 10 ms) — never a band around the straight diagonal, so intros,
///    adverts and a speaking rate unlike eSpeak's do not push the path out.
/// 3. Skip states (see `BandedDTW`): episode audio that matches no text is
///    passed over at `gapPenalty` per frame without advancing the text, and a
///    sentence with no audio is left out at `sentenceSkipPenalty` per frame of
///    its reference speech.
///
/// The local cost is 1 − cosine similarity of MFCCs c1…c12 after cepstral
/// mean and variance normalisation of each sequence (aeneas also drops c0).
/// Memory is O((n + m) · band): 2 bits per band cell plus a few bytes per
/// frame; the episode is read from its `FeatureTrack` in blocks.
public struct ContentAligner: Sendable {
    /// Settings; durations in seconds, penalties in units of the local cost (1 − cosine) per 10 ms frame.
    public struct Parameters: Sendable, Equatable {
        /// Frames averaged at the first coarse level, in seconds.
        public var coarseStep: Double = 0.25
        /// Each coarser level averages this many frames of the level below.
        public var levelRatio: Int = 4
        /// The coarsest level is aligned without a band once rows × columns is at most this.
        public var fullMatrixCells: Int = 4_000_000
        /// Longest frame of the coarsest level, in seconds.
        public var coarsestStep: Double = 1
        /// When even the coarsest level is larger than `fullMatrixCells` (episodes of several hours),
        /// it is aligned within this many seconds of the straight line from start to end.
        public var coarsestBand: Double = 1_200
        /// Band half-width around the path of the level above, at coarse levels, in seconds.
        public var coarseRadius: Double = 10
        /// Band half-width around the coarse path at the 10 ms level, in seconds.
        public var fineRadius: Double = 2
        /// Cost per frame of episode audio assigned to no sentence.
        public var gapPenalty: Float = 0.65
        /// Cost per frame of reference speech of a sentence left out.
        public var sentenceSkipPenalty: Float = 0.5
        /// Extra cost of an episode frame that does not advance the reference (speaker slower than eSpeak).
        public var stretchPenalty: Float = 0.1
        /// Extra cost of a reference frame that does not advance the episode (speaker faster than eSpeak).
        public var compressPenalty: Float = 0.1
        /// A sentence whose mean local cost along the path is above this is reported as not found.
        public var maximumSentenceCost: Double = 0.85
        /// Frames quieter than this (dBFS) are left out of the normalisation statistics.
        public var energyGate: Float = -70
        /// Cepstral coefficients compared: c1 … c`coefficients` (at most `cepstralCount` − 1).
        public var coefficients: Int = 12
        /// Weight of the level difference in the local cost; levels are relative to each
        /// sequence's loud frames (95th percentile), 0 at `levelRange` dB below, 1 at the top.
        public var levelWeight: Float = 1
        public var levelRange: Float = 40

        public init() {}
    }

    public var parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    /// Aligns every sentence of `reference` with `episode`.
    public func align(reference: ReferenceFeatures, episode: FeatureTrack) throws -> ContentAlignment {
        let layout = episode.layout
        guard layout.cepstralCount == reference.track.layout.cepstralCount, layout.cepstralCount >= 2 else {
            throw ContentAlignerError.incompatibleFeatures
        }
        let dimension = max(1, min(parameters.coefficients, layout.cepstralCount - 1))
        let groups = (dimension + 3) / 4
        let columns = episode.frameCount
        guard columns > 0 else { throw ContentAlignerError.emptyEpisode }

        // Reference: raw cepstra of every sentence's frames, and their statistics.
        let unitLengths = reference.sentenceFrames.map(\.count)
        var referenceRaw = [Float]()
        var referenceEnergy = [Float]()
        referenceRaw.reserveCapacity(unitLengths.reduce(0, +) * dimension)
        referenceEnergy.reserveCapacity(unitLengths.reduce(0, +))
        var referenceStatistics = CepstralAccumulator(dimension: dimension, energyGate: parameters.energyGate)
        for frames in reference.sentenceFrames where !frames.isEmpty {
            try reference.track.forEachBlock(in: frames) { block in
                for i in 0..<block.count {
                    for k in 0..<dimension { referenceRaw.append(block.cepstrum(k + 1, at: i)) }
                    referenceEnergy.append(block.value(.logEnergy, at: i))
                    referenceStatistics.add(block, frame: i)
                }
            }
        }
        let referenceNorm = referenceStatistics.statistics
        let referenceScale = LevelScale(top: referenceStatistics.percentile(0.95), range: parameters.levelRange)

        // Levels: factor (10 ms frames per level frame) from fine to coarse.
        let hop = episode.clock.hopDuration
        var factors = [1]
        let firstFactor = max(2, Int((parameters.coarseStep / hop).rounded()))
        let ratio = max(2, parameters.levelRatio)
        let fineRows = RowLayout(unitLengths: unitLengths).rowCount
        if fineRows * columns > parameters.fullMatrixCells {
            // Coarser levels until the full matrix is small enough, but frames no longer
            // than `coarsestStep`: averages over several seconds of speech all look alike.
            let longest = max(firstFactor, Int((parameters.coarsestStep / hop).rounded()))
            var factor = firstFactor
            while true {
                factors.append(factor)
                let rows = RowLayout(unitLengths: unitLengths.map { ($0 + factor - 1) / factor }).rowCount
                let levelColumns = (columns + factor - 1) / factor
                if rows * levelColumns <= parameters.fullMatrixCells || levelColumns <= 2 || factor * ratio > longest {
                    break
                }
                factor *= ratio
            }
        }

        // Episode pass: statistics and sums for the coarse levels.
        var episodeStatistics = CepstralAccumulator(dimension: dimension, energyGate: parameters.energyGate)
        var sums = BlockSums(dimension: dimension, factor: factors.count > 1 ? factors[1] : 1,
                             frames: factors.count > 1 ? columns : 0)
        try episode.forEachBlock { block in
            for i in 0..<block.count {
                episodeStatistics.add(block, frame: i)
                if factors.count > 1 { sums.add(block, frame: i, at: block.firstFrame + i) }
            }
        }
        let episodeNorm = episodeStatistics.statistics
        let episodeScale = LevelScale(top: episodeStatistics.percentile(0.95), range: parameters.levelRange)

        let costs = StepCosts(level: parameters.levelWeight, gap: parameters.gapPenalty, stretch: parameters.stretchPenalty,
                              compress: parameters.compressPenalty)
        var statistics = AlignmentStatistics()
        var above: (path: WarpingPath, layout: RowLayout, factor: Int)?
        var finePath: WarpingPath?
        var fineLayout = RowLayout(unitLengths: unitLengths)
        var fineReference = VectorSequence(groups: groups, count: 0)

        for level in stride(from: factors.count - 1, through: 0, by: -1) {
            let factor = factors[level]
            let levelLayout = RowLayout(unitLengths: unitLengths.map { ($0 + factor - 1) / factor })
            let levelColumns = (columns + factor - 1) / factor
            let referenceVectors = Self.referenceVectors(raw: referenceRaw, energy: referenceEnergy,
                                                         dimension: dimension, groups: groups,
                                                         unitLengths: unitLengths, layout: levelLayout, factor: factor,
                                                         statistics: referenceNorm, scale: referenceScale)
            let band: Band
            if let above {
                let seconds = level == 0 ? parameters.fineRadius : parameters.coarseRadius
                let radius = max(above.factor / factor + 1, Int((seconds / (hop * Double(factor))).rounded(.up)))
                band = Self.band(following: above.path, of: above.layout, ratio: above.factor / factor,
                                 layout: levelLayout, columns: levelColumns, radius: radius)
            } else {
                let rows = levelLayout.rowCount
                if rows * levelColumns <= parameters.fullMatrixCells {
                    band = Band.full(rows: rows, columns: levelColumns)
                } else {
                    let halfWidth = Int((parameters.coarsestBand / (hop * Double(factor))).rounded(.up))
                    band = Self.diagonalBand(rows: rows, columns: levelColumns, halfWidth: halfWidth)
                }
            }
            let skip = levelLayout.unitLengths.map { Float($0) * parameters.sentenceSkipPenalty }
            let path: WarpingPath
            var columnBytes = 0
            if level == 0 {
                let reader = EpisodeColumns(track: episode, statistics: episodeNorm, scale: episodeScale,
                                            dimension: dimension, groups: groups)
                columnBytes = 4_096 * groups * 16
                path = try referenceVectors.storage.withUnsafeBufferPointer { ref in
                    try referenceVectors.levels.withUnsafeBufferPointer { levels in
                        try BandedDTW.align(layout: levelLayout, reference: ref, referenceLevels: levels,
                                            groups: groups, band: band, costs: costs, skipPenalties: skip,
                                            column: reader.column)
                    }
                }
                fineReference = referenceVectors
                fineLayout = levelLayout
                finePath = path
            } else {
                var levelSums = sums
                if factor != sums.factor { levelSums = sums.coarsened(by: factor / sums.factor) }
                let episodeVectors = levelSums.vectors(statistics: episodeNorm, scale: episodeScale, groups: groups)
                columnBytes = episodeVectors.storage.count * 16
                path = try referenceVectors.storage.withUnsafeBufferPointer { ref in
                    try episodeVectors.storage.withUnsafeBufferPointer { ep in
                        try referenceVectors.levels.withUnsafeBufferPointer { levels in
                            try BandedDTW.align(layout: levelLayout, reference: ref, referenceLevels: levels,
                                                groups: groups, band: band, costs: costs, skipPenalties: skip,
                                                column: { (ep.baseAddress! + $0 * groups, episodeVectors.levels[$0]) })
                        }
                    }
                }
            }
            let bytes = band.bytes + levelColumns * 8 + levelLayout.rowCount * (8 + 5 + groups * 16) + columnBytes
            statistics.levels.append(AlignmentStatistics.Level(
                frameDuration: hop * Double(factor), rows: levelLayout.rowCount, columns: levelColumns,
                bandCells: band.cells, bytes: bytes))
            above = (path, levelLayout, factor)
        }
        guard let finePath else { throw ContentAlignerError.noPath }
        let sentences = try Self.sentences(path: finePath, layout: fineLayout, reference: reference,
                                           referenceVectors: fineReference, episode: episode,
                                           statistics: episodeNorm, scale: episodeScale, levelWeight: parameters.levelWeight,
                                           dimension: dimension, groups: groups,
                                           maximumCost: parameters.maximumSentenceCost)
        return ContentAlignment(sentences: sentences, statistics: statistics)
    }

    /// Normalised reference vectors of one level, one per row (gap rows zero).
    static func referenceVectors(raw: [Float], energy: [Float], dimension: Int, groups: Int, unitLengths: [Int],
                                 layout: RowLayout, factor: Int, statistics: CepstralStatistics,
                                 scale: LevelScale) -> VectorSequence {
        var vectors = VectorSequence(groups: groups, count: layout.rowCount)
        var mean = [Float](repeating: 0, count: dimension)
        var rawOffset = 0
        for (k, length) in unitLengths.enumerated() {
            let first = layout.firstRow(ofUnit: k)
            for t in 0..<layout.unitLengths[k] {
                let lo = t * factor, hi = min(length, lo + factor)
                for d in 0..<dimension { mean[d] = 0 }
                var decibels: Float = 0
                for f in lo..<hi {
                    for d in 0..<dimension { mean[d] += raw[rawOffset + f * dimension + d] }
                    decibels += energy[rawOffset / dimension + f]
                }
                let weight = 1 / Float(hi - lo)
                for d in 0..<dimension { mean[d] *= weight }
                vectors.levels[first + t] = scale.level(decibels * weight)
                mean.withUnsafeBufferPointer { vectors.set(first + t, raw: $0, statistics: statistics) }
            }
            rawOffset += length * dimension
        }
        return vectors
    }

    /// Rows within `halfWidth` of the straight line from the first to the last cell.
    static func diagonalBand(rows: Int, columns: Int, halfWidth: Int) -> Band {
        var lo = [Int32](repeating: 0, count: columns)
        var hi = [Int32](repeating: Int32(rows), count: columns)
        let slope = Double(rows) / Double(max(1, columns))
        for j in 0..<columns {
            let centre = Int(Double(j) * slope)
            lo[j] = Int32(min(rows - 1, max(0, centre - halfWidth)))
            hi[j] = Int32(min(rows, max(Int(lo[j]) + 1, centre + halfWidth + 1)))
        }
        lo[0] = 0
        hi[columns - 1] = Int32(rows)
        return Band(lo: lo, hi: hi)
    }

    /// The band of a finer level: rows within `radius` of the rows the coarse
    /// path visits in the coarse columns within `radius` finer columns (the
    /// projected path widened by `radius` in both directions, as in FastDTW).
    static func band(following path: WarpingPath, of coarse: RowLayout, ratio: Int, layout: RowLayout,
                     columns: Int, radius: Int) -> Band {
        // Finer rows of a coarse row.
        func fineRows(_ row: Int) -> (lo: Int, hi: Int) {
            let k = Int(coarse.owners[row])
            if coarse.kinds[row] == RowLayout.Kind.gap.rawValue { return (layout.gapRows[k], layout.gapRows[k]) }
            let t = row - coarse.firstRow(ofUnit: k)
            let first = layout.firstRow(ofUnit: k)
            return (first + t * ratio, first + min((t + 1) * ratio, layout.unitLengths[k]) - 1)
        }
        let coarseColumns = path.lo.count
        let rows = layout.rowCount
        var lo = [Int32](repeating: 0, count: columns)
        var hi = [Int32](repeating: 0, count: columns)
        for j in 0..<columns {
            let c0 = min(coarseColumns - 1, max(0, j - radius) / ratio)
            let c1 = min(coarseColumns - 1, (j + radius) / ratio)
            let a = fineRows(Int(path.lo[c0])).lo - radius
            let b = fineRows(Int(path.hi[c1])).hi + radius + 1
            lo[j] = Int32(min(rows - 1, max(0, a)))
            hi[j] = Int32(min(rows, max(Int(lo[j]) + 1, b)))
        }
        lo[0] = 0
        hi[columns - 1] = Int32(rows)
        return Band(lo: lo, hi: hi)
    }

    /// Sentence (and word) times from the 10 ms path, with each sentence's mean local cost.
    static func sentences(path: WarpingPath, layout: RowLayout, reference: ReferenceFeatures,
                          referenceVectors: VectorSequence, episode: FeatureTrack, statistics: CepstralStatistics,
                          scale: LevelScale, levelWeight: Float, dimension: Int, groups: Int,
                          maximumCost: Double) throws -> [AlignedSentence] {
        let units = layout.unitCount
        var firstColumn = [Int](repeating: -1, count: units)
        var lastColumn = [Int](repeating: -1, count: units)
        var costSum = [Double](repeating: 0, count: units)
        var cells = [Int](repeating: 0, count: units)
        var rowFirstColumn = [Int32](repeating: -1, count: layout.rowCount)
        let reader = EpisodeColumns(track: episode, statistics: statistics, scale: scale, dimension: dimension,
                                    groups: groups)
        try referenceVectors.storage.withUnsafeBufferPointer { ref in
            for j in 0..<path.lo.count {
                let lo = Int(path.lo[j]), hi = Int(path.hi[j])
                guard layout.kinds[lo] != RowLayout.Kind.gap.rawValue else { continue }
                let k = Int(layout.owners[lo])
                if firstColumn[k] < 0 { firstColumn[k] = j }
                lastColumn[k] = j
                let (e, level) = try reader.column(j)
                for r in lo...hi {
                    if rowFirstColumn[r] < 0 { rowFirstColumn[r] = Int32(j) }
                    var dot = SIMD4<Float>.zero
                    for g in 0..<groups { dot += ref[r * groups + g] * e[g] }
                    costSum[k] += Double(1 - dot.sum() + levelWeight * abs(referenceVectors.levels[r] - level))
                    cells[k] += 1
                }
            }
        }
        let clock = episode.clock
        let referenceClock = reference.track.clock
        return (0..<units).map { k in
            guard firstColumn[k] >= 0 else {
                return AlignedSentence(index: k, start: nil, end: nil, cost: nil, isFound: false, words: [])
            }
            let cost = costSum[k] / Double(max(1, cells[k]))
            let start = clock.boundary(beforeFrame: firstColumn[k])
            let end = clock.boundary(beforeFrame: lastColumn[k] + 1)
            // Words: the first episode frame the path maps the word's first reference frame to.
            let frames = reference.sentenceFrames[k]
            let rendered = reference.sentences[k].words
            var words: [AlignedWord] = []
            for (w, word) in rendered.enumerated() {
                let frame = referenceClock.frame(at: Double(word.start) / Double(referenceClock.sampleRate))
                let t = min(frames.count - 1, max(0, frame - frames.lowerBound))
                let column = Int(rowFirstColumn[layout.firstRow(ofUnit: k) + t])
                let time = column >= 0 ? max(start, min(end, clock.boundary(beforeFrame: column))) : start
                words.append(AlignedWord(text: word.text, start: time, end: end))
                if w > 0 { words[w - 1].end = max(words[w - 1].start, time) }
            }
            return AlignedSentence(index: k, start: start, end: end, cost: cost, isFound: cost <= maximumCost,
                                   words: words)
        }
    }
}

/// Where the content aligner placed each sentence.
public struct ContentAlignment: Sendable {
    /// One per reference sentence, in order.
    public var sentences: [AlignedSentence]
    public var statistics: AlignmentStatistics
}

/// One sentence's place in the episode.
public struct AlignedSentence: Sendable, Equatable {
    /// Index of the sentence in the reference.
    public var index: Int
    /// Start and end in seconds of episode time; nil when the alignment left the sentence out.
    public var start: Double?
    public var end: Double?
    /// Mean local cost (1 − cosine) along the path through the sentence; nil when left out.
    public var cost: Double?
    /// True when the sentence was placed and its cost is at most `maximumSentenceCost`.
    public var isFound: Bool
    /// Words, placed where the path maps eSpeak's word starts (empty when left out).
    public var words: [AlignedWord]
}

public struct AlignedWord: Sendable, Equatable {
    public var text: String
    /// Seconds of episode time.
    public var start: Double
    public var end: Double
}

/// The work each level did: band sizes and memory, for checks and benchmarks.
public struct AlignmentStatistics: Sendable, Equatable {
    public struct Level: Sendable, Equatable {
        /// Duration of one frame of this level, in seconds.
        public var frameDuration: Double
        public var rows: Int
        public var columns: Int
        /// Cells inside the band (each holds a 2-bit backpointer).
        public var bandCells: Int
        /// Bytes the level's buffers take: backpointers, band, path, cost columns, vectors.
        public var bytes: Int
    }

    /// Coarsest first.
    public var levels: [Level] = []

    /// The largest band of any level, in cells.
    public var peakBandCells: Int { levels.map(\.bandCells).max() ?? 0 }
    /// The largest working set of any level, in bytes (levels run one after another).
    public var peakBytes: Int { levels.map(\.bytes).max() ?? 0 }
}

public enum ContentAlignerError: Error, Equatable, CustomStringConvertible {
    /// The episode has no frames.
    case emptyEpisode
    /// Reference and episode features were made with different parameters.
    case incompatibleFeatures
    /// No path through the band (should not happen; the band always connects).
    case noPath

    public var description: String {
        switch self {
        case .emptyEpisode: "the episode has no audio frames"
        case .incompatibleFeatures: "reference and episode features have different layouts"
        case .noPath: "no alignment path was found"
        }
    }
}
