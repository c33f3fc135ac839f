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
///
/// Speaker evidence (`SpeakerEvidence`, optional): across voices, content
/// alone tells little apart (a sentence laid over the wrong words of another
/// voice costs hardly more than over its own), so who speaks where is part of
/// the cost. A frame whose diarized cluster is mapped to another speaker than
/// the sentence's (or to a voice of none: an advert) costs `speakerPenalty`
/// more; a transcript speaker's frame passed over by the gap costs
/// `untranscribedSpeechPenalty` more. The mapping of clusters to speakers is
/// found with the alignment: a local search (relabel one cluster, swap two)
/// from the clusters each speaker's sentences cover in an alignment without
/// speakers, keeping the mapping whose coarsest-level alignment is cheapest.
///
/// Memory: only the coarsest level is aligned in one piece (2 bits per band
/// cell, ~1/100 of the 10 ms level's cells). The finer levels run in chunks of
/// ~`chunkDuration` of episode, cut where the coarsest path rests in a pause:
/// a chunk aligns each finer level over its own columns plus ~`chunkOverlap`
/// that it does not keep, starting from the accumulated costs the previous
/// chunk reached in the column before its cut (so it computes what one run
/// over the whole episode would) and ending where the coarser path is; should
/// the path it keeps still depend on where it ended, it runs further. Vectors
/// are read from the feature tracks for the chunk's rows and columns only. So
/// the working memory is one chunk's (a few MB) however long the episode,
/// apart from the coarsest level and a few numbers per sentence and word.
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
        /// Episode time aligned per chunk at the levels below the coarsest, in seconds
        /// (about; cuts fall in pauses): their memory depends on this, not on the episode.
        public var chunkDuration: Double = 300
        /// Episode time each chunk runs past its cut and then drops, in seconds, so that the
        /// path it keeps does not depend on where it ends.
        public var chunkOverlap: Double = 30
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
        /// Added to the local cost of a frame whose diarized speaker is not the sentence's
        /// (see `SpeakerEvidence`).
        public var speakerPenalty: Float = 0.25
        /// Added to the cost of passing over a frame voiced by a transcript speaker without text;
        /// without it, calling a cluster a transcript speaker would never cost more than calling it
        /// a voice of none, and adverts would be taken for the speakers.
        public var untranscribedSpeechPenalty: Float = 0.1
        /// Rounds of the search for which cluster is which transcript speaker.
        public var mappingRounds: Int = 3

        public init() {}
    }

    public var parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    /// Aligns every sentence of `reference` with `episode`. Episode frames in `excluded` (frame
    /// ranges: music, say) take no text: only the skip state passes over them. With `speakers`,
    /// a sentence placed over another speaker's voice costs `speakerPenalty` more per frame; which
    /// diarized cluster is which transcript speaker (or a voice of none) is part of the alignment.
    public func align(reference: ReferenceFeatures, episode: FeatureTrack,
                      excluded: [Range<Int>] = [], speakers: SpeakerEvidence? = nil) throws -> ContentAlignment {
        let mask = FrameMask(excluded)
        let layout = episode.layout
        guard layout.cepstralCount == reference.track.layout.cepstralCount, layout.cepstralCount >= 2 else {
            throw ContentAlignerError.incompatibleFeatures
        }
        let dimension = max(1, min(parameters.coefficients, layout.cepstralCount - 1))
        let groups = (dimension + 3) / 4
        let columns = episode.frameCount
        guard columns > 0 else { throw ContentAlignerError.emptyEpisode }

        // Reference statistics, in one pass over every sentence's frames (the frames are read
        // again, a chunk at a time, when each level needs them).
        let unitLengths = reference.sentenceFrames.map(\.count)
        var referenceStatistics = CepstralAccumulator(dimension: dimension, energyGate: parameters.energyGate)
        for frames in reference.sentenceFrames where !frames.isEmpty {
            try reference.track.forEachBlock(in: frames) { block in
                for i in 0..<block.count { referenceStatistics.add(block, frame: i) }
            }
        }
        let referenceNorm = referenceStatistics.statistics
        let referenceScale = LevelScale(top: referenceStatistics.percentile(0.95), range: parameters.levelRange)

        // Levels: factor (10 ms frames per level frame) from fine to coarse.
        let hop = episode.clock.hopDuration
        var factors = [1]
        let firstFactor = max(2, Int((parameters.coarseStep / hop).rounded()))
        let ratio = max(2, parameters.levelRatio)
        let fineRows = RowLayout.rowCount(unitLengths: unitLengths)
        if fineRows * columns > parameters.fullMatrixCells {
            // Coarser levels until the full matrix is small enough, but frames no longer
            // than `coarsestStep`: averages over several seconds of speech all look alike.
            let longest = max(firstFactor, Int((parameters.coarsestStep / hop).rounded()))
            var factor = firstFactor
            while true {
                factors.append(factor)
                let rows = RowLayout.rowCount(unitLengths: unitLengths.map { ($0 + factor - 1) / factor })
                let levelColumns = (columns + factor - 1) / factor
                if rows * levelColumns <= parameters.fullMatrixCells || levelColumns <= 2 || factor * ratio > longest {
                    break
                }
                factor *= ratio
            }
        }
        let top = factors.count - 1
        let topFactor = factors[top]
        // Every level's rows (no per-row arrays: chunks hold those for their own rows).
        let levels = factors.map { factor in
            RowLayout(unitLengths: unitLengths.map { ($0 + factor - 1) / factor }, window: 0..<0)
        }

        // Episode pass: statistics, and the coarsest level's sums (built from sums over
        // `factors[1]` frames, as every coarse level is).
        var episodeStatistics = CepstralAccumulator(dimension: dimension, energyGate: parameters.energyGate)
        let innerFactor = top > 0 ? factors[1] : 1
        var topSums = BlockSums(dimension: dimension, factor: topFactor, frames: top > 0 ? columns : 0)
        var inner = BlockSums(dimension: dimension, factor: innerFactor, frames: top > 0 ? innerFactor : 0)
        var innerBlock = 0
        try episode.forEachBlock { block in
            for i in 0..<block.count {
                episodeStatistics.add(block, frame: i)
                guard top > 0 else { continue }
                let frame = block.firstFrame + i
                if frame / innerFactor != innerBlock {
                    topSums.add(block: 0, of: inner, to: innerBlock * innerFactor / topFactor)
                    inner.clear()
                    innerBlock = frame / innerFactor
                }
                inner.add(block, frame: i, at: frame - innerBlock * innerFactor)
            }
        }
        if top > 0 { topSums.add(block: 0, of: inner, to: innerBlock * innerFactor / topFactor) }
        let episodeNorm = episodeStatistics.statistics
        let episodeScale = LevelScale(top: episodeStatistics.percentile(0.95), range: parameters.levelRange)

        let costs = StepCosts(level: parameters.levelWeight, speaker: speakers == nil ? 0 : parameters.speakerPenalty,
                              speakerGap: speakers == nil ? 0 : parameters.untranscribedSpeechPenalty,
                              gap: parameters.gapPenalty, stretch: parameters.stretchPenalty,
                              compress: parameters.compressPenalty)
        let unitSpeakers = speakers.map { evidence in
            evidence.sentenceSpeakers.map { Int8(clamping: $0 < 0 ? Int(SpeakerLabels.unknown) : $0) }
        } ?? []
        if let speakers, speakers.sentenceSpeakers.count != unitLengths.count {
            throw ContentAlignerError.incompatibleFeatures
        }
        let skips = levels.map { level in level.unitLengths.map { Float($0) * parameters.sentenceSkipPenalty } }
        let vectors = VectorSource(reference: reference, episode: episode, dimension: dimension, groups: groups,
                                   referenceStatistics: referenceNorm, referenceScale: referenceScale,
                                   episodeStatistics: episodeNorm, episodeScale: episodeScale, innerFactor: innerFactor)
        let readerBytes = 4_096 * groups * 16
        var accumulator = SentenceAccumulator(reference: reference, layout: levels[0], levelWeight: parameters.levelWeight)
        var statistics = AlignmentStatistics()

        // The coarsest level, whole: without a band when small enough, else around the diagonal.
        let topLayout = levels[top].window(0..<levels[top].rowCount)
        let topColumns = (columns + topFactor - 1) / topFactor
        let topBand: Band
        if topLayout.rowCount * topColumns <= parameters.fullMatrixCells {
            topBand = Band.full(rows: topLayout.rowCount, columns: topColumns)
        } else {
            let halfWidth = Int((parameters.coarsestBand / (hop * Double(topFactor))).rounded(.up))
            topBand = Self.diagonalBand(rows: topLayout.rowCount, columns: topColumns, halfWidth: halfWidth)
        }
        let topReference = try vectors.reference(layout: topLayout, factor: topFactor)
        var topColumnBytes = readerBytes
        // The coarsest level under a cluster → speaker mapping (none: no speaker evidence).
        var topVectors: VectorSequence?
        if top > 0 {
            var episodeVectors = topSums.vectors(statistics: episodeNorm, scale: episodeScale, groups: groups)
            mask.exclude(&episodeVectors, firstColumn: 0, factor: topFactor)
            topColumnBytes = episodeVectors.storage.count * 16 + episodeVectors.levels.count * 5
            topVectors = episodeVectors
        }
        let topClusters = speakers.map { SpeakerBlocks.labels($0.frameClusters, columns: 0..<topColumns, factor: topFactor) }
        func topLevel(_ mapping: [Int8]?) throws -> WarpingPath {
            let levelCosts = mapping == nil ? StepCosts(level: costs.level, speaker: 0, speakerGap: 0, gap: costs.gap,
                                                        stretch: costs.stretch, compress: costs.compress) : costs
            guard var episodeVectors = topVectors else {
                let frameSpeakers = mapping.map { SpeakerEvidence.labels(speakers!.frameClusters, mapping: $0) } ?? []
                let fine = EpisodeColumns(track: episode, statistics: episodeNorm, scale: episodeScale,
                                          dimension: dimension, groups: groups, mask: mask, frameSpeakers: frameSpeakers)
                return try Self.run(layout: topLayout, reference: topReference, band: topBand, costs: levelCosts,
                                    skip: skips[0], speakers: unitSpeakers, start: .episode, end: .episode) {
                    try fine.column($0)
                }
            }
            if let mapping, let topClusters { episodeVectors.speakers = SpeakerEvidence.labels(topClusters, mapping: mapping) }
            return try episodeVectors.storage.withUnsafeBufferPointer { ep in
                try Self.run(layout: topLayout, reference: topReference, band: topBand, costs: levelCosts,
                             skip: skips[top], speakers: unitSpeakers, start: .episode, end: .episode) {
                    EpisodeColumn(vector: ep.baseAddress! + $0 * groups, level: episodeVectors.levels[$0],
                                  speaker: episodeVectors.speakers[$0])
                }
            }
        }
        var topPath = try topLevel(nil)
        var mapping: [Int8] = []
        if let speakers, let topClusters, speakers.clusterCount > 0 {
            mapping = Self.initialMapping(path: topPath, layout: topLayout, columnClusters: topClusters,
                                          unitSpeakers: unitSpeakers, clusterCount: speakers.clusterCount,
                                          speakerCount: speakers.speakerCount)
            var best = try topLevel(mapping)
            // Local search: relabel one cluster, or swap two clusters' labels, while the
            // alignment gets cheaper.
            let labels = (0..<speakers.speakerCount).map { Int8(clamping: $0) } + [SpeakerLabels.foreign]
            for _ in 0..<max(0, parameters.mappingRounds) {
                var improved = false
                var trials: [[Int8]] = []
                for cluster in 0..<speakers.clusterCount {
                    for label in labels where label != mapping[cluster] {
                        var trial = mapping
                        trial[cluster] = label
                        trials.append(trial)
                    }
                    for other in (cluster + 1)..<max(cluster + 1, speakers.clusterCount) where mapping[other] != mapping[cluster] {
                        var trial = mapping
                        trial.swapAt(cluster, other)
                        trials.append(trial)
                    }
                }
                for trial in trials {
                    let path = try topLevel(trial)
                    if path.cost < best.cost - 1e-3 {
                        (mapping, best, improved) = (trial, path, true)
                    }
                }
                if !improved { break }
            }
            topPath = best
        }
        let frameSpeakers = speakers.map { SpeakerEvidence.labels($0.frameClusters, mapping: mapping) } ?? []
        let reader = EpisodeColumns(track: episode, statistics: episodeNorm, scale: episodeScale,
                                    dimension: dimension, groups: groups, mask: mask, frameSpeakers: frameSpeakers)
        var topLevel = AlignmentStatistics.Level(
            frameDuration: hop * Double(topFactor), rows: topLayout.rowCount, columns: topColumns,
            bandCells: topBand.cells,
            bytes: Self.workingBytes(band: topBand, rows: topLayout.window.count, groups: groups) + topColumnBytes)
        topLevel.totalBandCells = topBand.cells
        statistics.levels.append(topLevel)

        guard top > 0 else {
            try accumulator.add(path: topPath, firstColumn: 0, count: columns, layout: topLayout,
                                reference: topReference, reader: reader)
            return ContentAlignment(sentences: accumulator.sentences(reference: reference, episode: episode,
                                                                     maximumCost: parameters.maximumSentenceCost),
                                    statistics: statistics, clusterSpeakers: mapping)
        }

        // The finer levels, chunk by chunk along the coarsest path (see the type's comment).
        var chunkedLevels = (1..<factors.count).map { level in
            AlignmentStatistics.Level(
                frameDuration: hop * Double(factors[level - 1]), rows: levels[level - 1].rowCount,
                columns: (columns + factors[level - 1] - 1) / factors[level - 1], bandCells: 0, bytes: 0, chunks: 0)
        }
        // Whole frames of the coarsest level (so every level's chunks start on a frame).
        let longest = Double(columns + topFactor)
        let chunkColumns = max(topFactor, Int(min(longest, (parameters.chunkDuration / hop).rounded())) / topFactor * topFactor)
        let overlapColumns = max(topFactor, Int(min(longest, (parameters.chunkOverlap / hop).rounded(.up)) + Double(topFactor) - 1)
            / topFactor * topFactor)
        let chunks = Self.chunks(following: topPath, layout: topLayout, factor: topFactor, columns: columns,
                                 length: chunkColumns, overlap: overlapColumns)
        // Per level below the coarsest, what the previous chunk kept: its costs in the
        // column before the next chunk (where that chunk picks up), and its path's last
        // columns (the band of the level below looks back `radius` columns past the start).
        var anchors = [(frontier: BandedDTW.Frontier, tail: WarpingPath)?](repeating: nil, count: top)
        // Band half-width of a level below the coarsest, in its own frames (`ratio` of them per frame above).
        func halfWidth(level: Int, ratio: Int) -> Int {
            let seconds = level == 0 ? parameters.fineRadius : parameters.coarseRadius
            return max(ratio + 1, Int((seconds / (hop * Double(factors[level]))).rounded(.up)))
        }
        // Every level below the coarsest over 10 ms columns `start ..< end`, finest first.
        func runChunk(start: Int, commit: Int, end: Int) throws
            -> [(path: WarpingPath, columns: Range<Int>, layout: RowLayout, reference: VectorSequence)]
        {
            var runs: [(path: WarpingPath, columns: Range<Int>, layout: RowLayout, reference: VectorSequence)] = []
            var above = (path: topPath, firstColumn: 0, layout: topLayout, factor: topFactor)
            for level in stride(from: top - 1, through: 0, by: -1) {
                let factor = factors[level]
                let whole = levels[level]
                let levelColumns = (columns + factor - 1) / factor
                // Coarser levels run further past the cut (they cost little, and their paths
                // take longer to settle, in seconds): twice the overlap more.
                let levelEnd = level == 0 ? end : min(columns, end + 2 * overlapColumns)
                let range = (start / factor)..<((levelEnd + factor - 1) / factor)
                let ratio = above.factor / factor
                var (lo, hi, endRows) = Self.band(following: above.path, firstColumn: above.firstColumn, of: above.layout,
                                                  ratio: ratio, layout: whole, columns: range, levelColumns: levelColumns,
                                                  radius: halfWidth(level: level, ratio: ratio))
                // The chunk picks up where the previous one's dynamic programming was.
                let frontier = anchors[level]?.frontier
                let last: BandedDTW.End = range.upperBound == levelColumns ? .episode : .within(endRows)
                let first: BandedDTW.Start = frontier.map { .frontier($0) } ?? .episode
                let kept = commit / factor - range.lowerBound
                var attempt = 0
                while true {
                    var rows = Int(lo.min()!)..<Int(hi.max()!)
                    if let frontier {
                        rows = min(rows.lowerBound, frontier.rows.lowerBound)..<max(rows.upperBound, frontier.rows.upperBound)
                    }
                    let band = Band(lo: lo.map { $0 - Int32(rows.lowerBound) }, hi: hi.map { $0 - Int32(rows.lowerBound) })
                    let chunkLayout = whole.window(rows)
                    let referenceVectors = try vectors.reference(layout: chunkLayout, factor: factor)
                    do {
                        let path: WarpingPath
                        var columnBytes = readerBytes
                        if level == 0 {
                            path = try Self.run(layout: chunkLayout, reference: referenceVectors, band: band, costs: costs,
                                                skip: skips[level], speakers: unitSpeakers, start: first, end: last,
                                                keep: kept - 1) {
                                try reader.column(range.lowerBound + $0)
                            }
                        } else {
                            var episodeVectors = try vectors.episode(columns: range, factor: factor)
                            mask.exclude(&episodeVectors, firstColumn: range.lowerBound, factor: factor)
                            episodeVectors.speakers = SpeakerBlocks.labels(frameSpeakers, columns: range, factor: factor)
                            columnBytes = episodeVectors.storage.count * 16 + episodeVectors.levels.count * 4
                            path = try episodeVectors.storage.withUnsafeBufferPointer { ep in
                                try Self.run(layout: chunkLayout, reference: referenceVectors, band: band, costs: costs,
                                             skip: skips[level], speakers: unitSpeakers, start: first, end: last,
                                             keep: kept - 1) {
                                    EpisodeColumn(vector: ep.baseAddress! + $0 * groups, level: episodeVectors.levels[$0],
                                                  speaker: episodeVectors.speakers[$0])
                                }
                            }
                        }
                        let bytes = Self.workingBytes(band: band, rows: rows.count, groups: groups) + columnBytes
                        chunkedLevels[level].bandCells = max(chunkedLevels[level].bandCells, band.cells)
                        chunkedLevels[level].bytes = max(chunkedLevels[level].bytes, bytes)
                        chunkedLevels[level].totalBandCells += band.cells
                        chunkedLevels[level].chunks += 1
                        runs.insert((path, range, chunkLayout, referenceVectors), at: 0)
                        // The band of the level below follows this path, and looks back past
                        // the chunk's start into the previous chunk's path.
                        var following = path
                        var firstColumn = range.lowerBound
                        if let tail = anchors[level]?.tail {
                            following = WarpingPath(lo: tail.lo + path.lo, hi: tail.hi + path.hi, cost: path.cost)
                            firstColumn -= tail.lo.count
                        }
                        above = (following, firstColumn, whole, factor)
                        break
                    } catch ContentAlignerError.noPath where attempt == 0 && frontier != nil {
                        // The band left the costs it starts from behind: reach back to them in every column.
                        attempt += 1
                        for j in lo.indices { lo[j] = min(lo[j], Int32(frontier!.firstRow)) }
                    }
                }
            }
            return runs
        }

        for chunk in chunks {
            var end = chunk.end
            while true {
                let runs = try runChunk(start: chunk.start, commit: chunk.commit, end: end)
                // When where the chunk ended still mattered at its cut, run it further (rare).
                if runs.allSatisfy(\.path.converged) || end == columns || end - chunk.commit >= 4 * overlapColumns {
                    for (level, run) in runs.enumerated() {
                        let kept = chunk.commit / factors[level] - run.columns.lowerBound
                        if level == 0 {
                            try accumulator.add(path: run.path, firstColumn: chunk.start, count: kept, layout: run.layout,
                                                reference: run.reference, reader: reader)
                        }
                        guard let frontier = run.path.frontier, chunk.commit < columns else { continue }
                        var tail = WarpingPath(lo: [], hi: [], cost: 0)
                        if level > 0 {
                            let below = factors[level] / factors[level - 1]
                            let count = min(kept, halfWidth(level: level - 1, ratio: below) / below + 2)
                            tail = WarpingPath(lo: Array(run.path.lo[(kept - count)..<kept]),
                                               hi: Array(run.path.hi[(kept - count)..<kept]), cost: 0)
                        }
                        anchors[level] = (frontier, tail)
                    }
                    break
                }
                end = min(columns, end + overlapColumns)
            }
        }
        statistics.levels += chunkedLevels.reversed()
        return ContentAlignment(sentences: accumulator.sentences(reference: reference, episode: episode,
                                                                 maximumCost: parameters.maximumSentenceCost),
                                statistics: statistics, clusterSpeakers: mapping)
    }

    /// Each cluster's first guess: the transcript speaker whose sentences the path (aligned without
    /// speaker evidence) lays over it most.
    static func initialMapping(path: WarpingPath, layout: RowLayout, columnClusters: [Int8], unitSpeakers: [Int8],
                               clusterCount: Int, speakerCount: Int) -> [Int8] {
        var overlap = [[Int]](repeating: [Int](repeating: 0, count: max(1, speakerCount)), count: clusterCount)
        for j in path.lo.indices where j < columnClusters.count {
            let cluster = Int(columnClusters[j])
            guard cluster >= 0, cluster < clusterCount else { continue }
            let (unit, frame) = layout.locate(Int(path.lo[j]))
            guard frame != nil, unit < unitSpeakers.count else { continue }
            let speaker = Int(unitSpeakers[unit])
            if speaker >= 0, speaker < speakerCount { overlap[cluster][speaker] += 1 }
        }
        return overlap.map { row in
            guard let best = row.indices.max(by: { row[$0] < row[$1] }), row[best] > 0 else { return SpeakerLabels.foreign }
            return Int8(clamping: best)
        }
    }

    /// One level's (or chunk's) dynamic time warping.
    static func run(layout: RowLayout, reference: VectorSequence, band: Band, costs: StepCosts, skip: [Float],
                    speakers: [Int8], start: BandedDTW.Start, end: BandedDTW.End, keep: Int? = nil,
                    column: (Int) throws -> EpisodeColumn) throws -> WarpingPath {
        try reference.storage.withUnsafeBufferPointer { ref in
            try reference.levels.withUnsafeBufferPointer { levels in
                try BandedDTW.align(layout: layout, reference: ref, referenceLevels: levels, groups: reference.groups,
                                    band: band, costs: costs, skipPenalties: skip, unitSpeakers: speakers,
                                    start: start, end: end, keep: keep, column: column)
            }
        }
    }

    /// Bytes of one run's buffers: backpointers and band, path, two cost columns,
    /// row kinds and owners, reference vectors (episode vectors are added by the caller).
    static func workingBytes(band: Band, rows: Int, groups: Int) -> Int {
        band.bytes + band.columns * 8 + rows * (8 + 5 + groups * 16 + 4)
    }

    /// Where the finer levels are cut: every ~`length` 10 ms columns (± an eighth), in the
    /// middle of the longest stretch near there that the coarsest path spends in one gap row
    /// (a pause, music, off-script talk), where the alignment is least in doubt. Each chunk
    /// keeps its path up to the cut (`commit`) but runs ~`overlap` columns further (`end`,
    /// again in a pause when there is one), so that the path it keeps does not depend on
    /// where it has to end; the last chunk runs to the episode's end.
    static func chunks(following path: WarpingPath, layout: RowLayout, factor: Int, columns: Int, length: Int,
                       overlap: Int) -> [(start: Int, commit: Int, end: Int)] {
        var out: [(start: Int, commit: Int, end: Int)] = []
        let coarseColumns = path.lo.count
        let reach = max(1, length / factor / 8)
        func inGap(_ c: Int) -> Bool {
            path.lo[c] == path.hi[c] && layout.kinds[Int(path.lo[c]) - layout.window.lowerBound] == RowLayout.Kind.gap.rawValue
        }
        // The middle of the longest run of columns in one gap row within `window`
        // (the one nearest `target` among equals), or `target` when there is none.
        func pause(near target: Int, in window: Range<Int>) -> Int {
            var best = target, length = 0
            var c = window.lowerBound
            while c < window.upperBound {
                guard inGap(c) else { c += 1; continue }
                var runEnd = c + 1
                while runEnd < window.upperBound, inGap(runEnd), path.lo[runEnd] == path.lo[c] { runEnd += 1 }
                let middle = (c + runEnd) / 2
                if runEnd - c > length || (runEnd - c == length && abs(middle - target) < abs(best - target)) {
                    length = runEnd - c
                    best = middle
                }
                c = runEnd
            }
            return best
        }
        var start = 0
        while columns - start > length + overlap {
            let target = (start + length) / factor
            let cut = pause(near: target, in: max(start / factor + 1, target - reach)..<min(coarseColumns, target + reach + 1))
            // The chunk ends in a pause too, when there is one within half the overlap after `overlap` past the cut.
            // (A cut late in its window can put that past the episode's end: the chunk then runs to it.)
            let end = min(coarseColumns, cut + overlap / factor)
            let last = pause(near: end, in: end..<min(coarseColumns, end + overlap / factor / 2 + 1))
            out.append((start, cut * factor, min(columns, last * factor)))
            start = cut * factor
        }
        out.append((start, columns, columns))
        return out
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

    /// The band of a finer level in its columns `columns` (of `levelColumns`): rows within
    /// `radius` of the rows the coarse path visits in the coarse columns within `radius`
    /// finer columns (the projected path widened by `radius` in both directions, as in
    /// FastDTW). `path` covers coarse columns from `firstColumn` on; coarse columns outside
    /// it count as its first or last. Rows of the whole level; `end`: the finer rows of
    /// the coarse path's rows in the coarse column of the last column.
    static func band(following path: WarpingPath, firstColumn: Int, of coarse: RowLayout, ratio: Int,
                     layout: RowLayout, columns: Range<Int>, levelColumns: Int,
                     radius: Int) -> (lo: [Int32], hi: [Int32], end: Range<Int>) {
        // Finer rows of the coarse path's lowest and highest row in each of its columns.
        func fineRows(_ row: Int) -> (lo: Int, hi: Int) {
            let (k, frame) = coarse.locate(row)
            guard let t = frame else { return (layout.gapRows[k], layout.gapRows[k]) }
            let first = layout.firstRow(ofUnit: k)
            return (first + t * ratio, first + min((t + 1) * ratio, layout.unitLengths[k]) - 1)
        }
        let pathColumns = path.lo.count
        let fineLo = path.lo.map { fineRows(Int($0)).lo }
        let fineHi = path.hi.map { fineRows(Int($0)).hi }
        let rows = layout.rowCount
        var lo = [Int32](repeating: 0, count: columns.count)
        var hi = [Int32](repeating: 0, count: columns.count)
        for j in columns {
            let c0 = min(pathColumns - 1, max(0, max(0, j - radius) / ratio - firstColumn))
            let c1 = min(pathColumns - 1, max(0, (j + radius) / ratio - firstColumn))
            let a = fineLo[c0] - radius
            let b = fineHi[c1] + radius + 1
            let i = j - columns.lowerBound
            lo[i] = Int32(min(rows - 1, max(0, a)))
            hi[i] = Int32(min(rows, max(Int(lo[i]) + 1, b)))
        }
        if columns.lowerBound == 0 { lo[0] = 0 }
        if columns.upperBound == levelColumns { hi[columns.count - 1] = Int32(rows) }
        let last = min(pathColumns - 1, max(0, (columns.upperBound - 1) / ratio - firstColumn))
        return (lo, hi, fineLo[last]..<(fineHi[last] + 1))
    }
}

/// Normalised vectors read from the feature tracks as each level and chunk needs them.
struct VectorSource {
    let reference: ReferenceFeatures
    let episode: FeatureTrack
    let dimension: Int
    let groups: Int
    let referenceStatistics: CepstralStatistics
    let referenceScale: LevelScale
    let episodeStatistics: CepstralStatistics
    let episodeScale: LevelScale
    /// Frames averaged at the first coarse level; coarser levels sum its sums.
    let innerFactor: Int

    /// Reference vectors of the rows of `layout.window`, frames averaged over `factor` (gap rows zero).
    func reference(layout: RowLayout, factor: Int) throws -> VectorSequence {
        let window = layout.window
        var vectors = VectorSequence(groups: groups, count: window.count)
        guard !window.isEmpty else { return vectors }
        var mean = [Float](repeating: 0, count: dimension)
        var k = layout.locate(window.lowerBound).index
        while k < layout.unitCount, layout.gapRows[k] < window.upperBound {
            let first = layout.firstRow(ofUnit: k)
            let t0 = max(0, window.lowerBound - first), t1 = min(layout.unitLengths[k], window.upperBound - first)
            if t0 < t1 {
                let frames = reference.sentenceFrames[k]
                let block = try reference.track.read(
                    (frames.lowerBound + t0 * factor)..<min(frames.upperBound, frames.lowerBound + t1 * factor))
                for t in t0..<t1 {
                    let lo = (t - t0) * factor, hi = min(block.count, lo + factor)
                    for d in 0..<dimension { mean[d] = 0 }
                    var decibels: Float = 0
                    for f in lo..<hi {
                        for d in 0..<dimension { mean[d] += block.cepstrum(d + 1, at: f) }
                        decibels += block.value(.logEnergy, at: f)
                    }
                    let weight = 1 / Float(hi - lo)
                    for d in 0..<dimension { mean[d] *= weight }
                    let row = first + t - window.lowerBound
                    vectors.levels[row] = referenceScale.level(decibels * weight)
                    mean.withUnsafeBufferPointer { vectors.set(row, raw: $0, statistics: referenceStatistics) }
                }
            }
            k += 1
        }
        return vectors
    }

    /// Episode vectors of the columns `columns` of a level averaging `factor` frames.
    func episode(columns: Range<Int>, factor: Int) throws -> VectorSequence {
        let frames = (columns.lowerBound * factor)..<min(episode.frameCount, columns.upperBound * factor)
        var sums = BlockSums(dimension: dimension, factor: innerFactor, frames: frames.count)
        try episode.forEachBlock(in: frames) { block in
            for i in 0..<block.count { sums.add(block, frame: i, at: block.firstFrame + i - frames.lowerBound) }
        }
        if factor != innerFactor { sums = sums.coarsened(by: factor / innerFactor) }
        return sums.vectors(statistics: episodeStatistics, scale: episodeScale, groups: groups)
    }
}

/// Sentence and word times from the 10 ms path as its chunks are kept, with each
/// sentence's mean local cost; holds a few numbers per sentence and per word.
struct SentenceAccumulator {
    let levelWeight: Float
    let layout: RowLayout
    var firstColumn: [Int]
    var lastColumn: [Int]
    var costSum: [Double]
    var cells: [Int]
    /// Words of unit k: `wordFrames[wordStart[k] ..< wordStart[k + 1]]`, each the frame of
    /// the unit eSpeak's word starts on; `wordColumns` the first column the path reaches it.
    let wordStart: [Int]
    let wordFrames: [Int]
    var wordColumns: [Int32]

    init(reference: ReferenceFeatures, layout: RowLayout, levelWeight: Float) {
        self.levelWeight = levelWeight
        self.layout = layout
        let units = layout.unitCount
        firstColumn = [Int](repeating: -1, count: units)
        lastColumn = firstColumn
        costSum = [Double](repeating: 0, count: units)
        cells = [Int](repeating: 0, count: units)
        let referenceClock = reference.track.clock
        var wordStart = [0]
        var wordFrames: [Int] = []
        for k in 0..<units {
            let frames = reference.sentenceFrames[k]
            for word in reference.sentences[k].words {
                let frame = referenceClock.frame(at: Double(word.start) / Double(referenceClock.sampleRate))
                wordFrames.append(min(frames.count - 1, max(0, frame - frames.lowerBound)))
            }
            wordStart.append(wordFrames.count)
        }
        self.wordStart = wordStart
        self.wordFrames = wordFrames
        wordColumns = [Int32](repeating: -1, count: wordFrames.count)
    }

    /// Takes the first `count` columns of `path`, episode columns from `firstColumn` on;
    /// `reference` holds the vectors of the rows of `window.window`, which the path stays in.
    mutating func add(path: WarpingPath, firstColumn offset: Int, count: Int, layout window: RowLayout,
                      reference: VectorSequence, reader: EpisodeColumns) throws {
        let groups = reference.groups
        let rowOffset = window.window.lowerBound
        try reference.storage.withUnsafeBufferPointer { ref in
            for i in 0..<count {
                let lo = Int(path.lo[i]), hi = Int(path.hi[i])
                guard window.kinds[lo - rowOffset] != RowLayout.Kind.gap.rawValue else { continue }
                let k = Int(window.owners[lo - rowOffset])
                let j = offset + i
                if firstColumn[k] < 0 { firstColumn[k] = j }
                lastColumn[k] = j
                let column = try reader.column(j)
                let (e, level) = (column.vector, column.level)
                for r in (lo - rowOffset)...(hi - rowOffset) {
                    var dot = SIMD4<Float>.zero
                    for g in 0..<groups { dot += ref[r * groups + g] * e[g] }
                    costSum[k] += Double(1 - dot.sum() + levelWeight * abs(reference.levels[r] - level))
                    cells[k] += 1
                }
                // Rows are visited in order, every row of a placed unit: a word's row is
                // first reached in the first column whose highest row is at or past it.
                let first = layout.firstRow(ofUnit: k)
                for w in wordStart[k]..<wordStart[k + 1] where wordColumns[w] < 0 && first + wordFrames[w] <= hi {
                    wordColumns[w] = Int32(j)
                }
            }
        }
    }

    /// Every sentence, in order.
    func sentences(reference: ReferenceFeatures, episode: FeatureTrack, maximumCost: Double) -> [AlignedSentence] {
        let clock = episode.clock
        return (0..<layout.unitCount).map { k in
            guard firstColumn[k] >= 0 else {
                return AlignedSentence(index: k, start: nil, end: nil, cost: nil, isFound: false, words: [])
            }
            let cost = costSum[k] / Double(max(1, cells[k]))
            let start = clock.boundary(beforeFrame: firstColumn[k])
            let end = clock.boundary(beforeFrame: lastColumn[k] + 1)
            // Words: the first episode frame the path maps the word's first reference frame to.
            var words: [AlignedWord] = []
            for (w, word) in reference.sentences[k].words.enumerated() {
                let column = Int(wordColumns[wordStart[k] + w])
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
    /// With speaker evidence, the transcript speaker of each diarized cluster (or `SpeakerLabels.foreign`).
    public var clusterSpeakers: [Int8] = []
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
        /// Cells inside the band (each holds a 2-bit backpointer); for a level run in
        /// chunks, the largest chunk's.
        public var bandCells: Int
        /// Bytes the level's buffers take: backpointers, band, path, cost columns, vectors;
        /// for a level run in chunks, the largest chunk's (chunks run one after another).
        public var bytes: Int
        /// Runs of the level: 1 for the coarsest, one per chunk below it.
        public var chunks: Int = 1
        /// Cells of all the level's runs together (the work done).
        public var totalBandCells: Int = 0
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

/// Episode frames that take no text. Their level is set far outside the 0…1 range of
/// real frames, so matching any reference frame to them costs more than the skip state.
struct FrameMask {
    static let excludedLevel: Float = -20
    private let ranges: [Range<Int>]

    init(_ ranges: [Range<Int>]) {
        self.ranges = ranges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
    }

    var isEmpty: Bool { ranges.isEmpty }

    func contains(_ frame: Int) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound <= frame { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(frame)
    }

    /// Frames of `span` inside the mask.
    func count(in span: Range<Int>) -> Int {
        ranges.reduce(0) { $0 + max(0, min($1.upperBound, span.upperBound) - max($1.lowerBound, span.lowerBound)) }
    }

    /// Marks the columns (blocks of `factor` frames from column `firstColumn`) that are mostly masked.
    func exclude(_ vectors: inout VectorSequence, firstColumn: Int, factor: Int) {
        guard !isEmpty else { return }
        for c in vectors.levels.indices {
            let frames = ((firstColumn + c) * factor)..<((firstColumn + c + 1) * factor)
            if 2 * count(in: frames) > factor { vectors.levels[c] = Self.excludedLevel }
        }
    }
}

/// Who speaks where, for the content aligner: the transcript speaker of every reference sentence
/// (an index, −1 for none) and the diarized cluster of every episode frame (an index, −1 where
/// none is known: a pause, overlapping voices). Which cluster is which speaker is not given: the
/// aligner finds the mapping that makes the alignment cheapest.
public struct SpeakerEvidence: Sendable {
    public var sentenceSpeakers: [Int]
    public var frameClusters: [Int8]
    public var clusterCount: Int
    public var speakerCount: Int
    /// The diarization's name of each cluster index ("S1" → 0), for reports.
    public var clusterLabels: [String: Int] = [:]

    public init(sentenceSpeakers: [Int], frameClusters: [Int8], clusterCount: Int, speakerCount: Int) {
        self.sentenceSpeakers = sentenceSpeakers
        self.frameClusters = frameClusters
        self.clusterCount = clusterCount
        self.speakerCount = speakerCount
    }

    /// Cluster labels turned into speaker labels by `mapping` (cluster → speaker or foreign).
    static func labels(_ clusters: [Int8], mapping: [Int8]) -> [Int8] {
        clusters.map { c in c >= 0 && Int(c) < mapping.count ? mapping[Int(c)] : SpeakerLabels.unknown }
    }
}
