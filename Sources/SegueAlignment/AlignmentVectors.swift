import Foundation
import SegueFeatures

/// The vectors dynamic time warping compares: MFCCs c1…c12 (c0, the level,
/// left out), mean- and variance-normalised per sequence (cepstral mean and
/// variance normalisation, so channel and voice differ less), then scaled to
/// unit length, so that 1 − (a · b) is the cosine distance aeneas uses.
/// Coarse levels average the raw cepstra over blocks of frames first (the
/// coarsening of Salvador & Chan, "FastDTW", 2007), then normalise the same way.
///
/// Vectors are stored as `groups` SIMD4 lanes each (zero-padded).

/// Mean and inverse standard deviation per coefficient, over the frames loud
/// enough to carry sound.
struct CepstralStatistics {
    var mean: [Float]
    var inverseDeviation: [Float]

    init(count: Int, sum: [Double], sumOfSquares: [Double]) {
        let n = Double(max(1, count))
        mean = sum.map { Float($0 / n) }
        inverseDeviation = zip(sum, sumOfSquares).map { s, q in
            let m = s / n
            return Float(1 / max(1e-3, (max(0, q / n - m * m)).squareRoot()))
        }
    }
}

/// Accumulates the statistics of cepstra c1… from feature blocks.
struct CepstralAccumulator {
    let dimension: Int
    let energyGate: Float
    var count = 0
    var sum: [Double]
    var sumOfSquares: [Double]
    /// Frames per 1 dB of level, from −130 dB.
    var histogram = [Int](repeating: 0, count: 140)

    init(dimension: Int, energyGate: Float) {
        self.dimension = dimension
        self.energyGate = energyGate
        sum = [Double](repeating: 0, count: dimension)
        sumOfSquares = sum
    }

    mutating func add(_ block: FeatureBlock, frame i: Int) {
        let energy = block.value(.logEnergy, at: i)
        histogram[min(histogram.count - 1, max(0, Int(energy + 130)))] += 1
        guard energy > energyGate else { return }
        count += 1
        for k in 0..<dimension {
            let x = Double(block.cepstrum(k + 1, at: i))
            sum[k] += x
            sumOfSquares[k] += x * x
        }
    }

    /// The level that `fraction` of the frames do not exceed, in dB.
    func percentile(_ fraction: Double) -> Float {
        let total = histogram.reduce(0, +)
        var seen = 0
        for (bin, n) in histogram.enumerated() {
            seen += n
            if Double(seen) >= fraction * Double(total) { return Float(bin) - 130 + 0.5 }
        }
        return 0
    }

    /// Statistics; when no frame passed the gate, the unit statistics of the
    /// given fallback (zero mean, unit deviation).
    var statistics: CepstralStatistics {
        if count == 0 {
            return CepstralStatistics(count: 1, sum: sum.map { _ in 0 }, sumOfSquares: sum.map { _ in 1 })
        }
        return CepstralStatistics(count: count, sum: sum, sumOfSquares: sumOfSquares)
    }
}

/// Frame level relative to a sequence's loud speech, 0 (silence, `range` dB
/// or more below) … 1 (at or above `top`): a cue c1… lack, since they ignore level.
struct LevelScale {
    var top: Float
    var range: Float

    @inline(__always) func level(_ decibels: Float) -> Float {
        min(1, max(0, 1 + (decibels - top) / range))
    }
}

/// A sequence of normalised vectors, `groups` SIMD4 each.
struct VectorSequence {
    let groups: Int
    private(set) var storage: [SIMD4<Float>]
    /// `LevelScale` level of each vector.
    var levels: [Float]
    /// Who speaks in each (`SpeakerLabels`): episode columns only.
    var speakers: [Int8]

    init(groups: Int, count: Int) {
        self.groups = groups
        storage = [SIMD4<Float>](repeating: .zero, count: groups * count)
        levels = [Float](repeating: 0, count: count)
        speakers = [Int8](repeating: SpeakerLabels.unknown, count: count)
    }

    var count: Int { storage.count / max(1, groups) }

    /// Stores raw cepstra `raw[0..<dimension]` (already averaged) as vector `index`.
    mutating func set(_ index: Int, raw: UnsafeBufferPointer<Float>, statistics: CepstralStatistics) {
        storage.withUnsafeMutableBufferPointer { out in
            Self.normalise(raw, statistics: statistics, into: out.baseAddress! + index * groups, groups: groups)
        }
    }

    /// CMVN then unit length; a zero vector stays zero.
    static func normalise(_ raw: UnsafeBufferPointer<Float>, statistics: CepstralStatistics,
                          into out: UnsafeMutablePointer<SIMD4<Float>>, groups: Int) {
        out.withMemoryRebound(to: Float.self, capacity: groups * 4) { lanes in
            var norm: Float = 0
            for k in 0..<(groups * 4) {
                guard k < raw.count else { lanes[k] = 0; continue }
                let z = (raw[k] - statistics.mean[k]) * statistics.inverseDeviation[k]
                lanes[k] = z
                norm += z * z
            }
            let scale: Float = norm > 1e-12 ? 1 / norm.squareRoot() : 0
            for k in 0..<(groups * 4) { lanes[k] *= scale }
        }
    }
}

/// Sums of raw cepstra over blocks of `factor` frames: the coarse levels' input.
struct BlockSums {
    let dimension: Int
    let factor: Int
    var sums: [Float]
    var counts: [Int32]
    /// Sums of frame levels in dB.
    var energies: [Float]

    init(dimension: Int, factor: Int, frames: Int) {
        self.dimension = dimension
        self.factor = factor
        let blocks = (frames + factor - 1) / factor
        sums = [Float](repeating: 0, count: blocks * dimension)
        counts = [Int32](repeating: 0, count: blocks)
        energies = [Float](repeating: 0, count: blocks)
    }

    var count: Int { counts.count }

    mutating func add(_ block: FeatureBlock, frame i: Int, at index: Int) {
        let b = index / factor
        counts[b] += 1
        energies[b] += block.value(.logEnergy, at: i)
        let base = b * dimension
        for k in 0..<dimension { sums[base + k] += block.cepstrum(k + 1, at: i) }
    }

    /// Adds block `b` of `other` (a finer level) to block `c`, as `coarsened(by:)` does.
    mutating func add(block b: Int, of other: BlockSums, to c: Int) {
        counts[c] += other.counts[b]
        energies[c] += other.energies[b]
        for k in 0..<dimension { sums[c * dimension + k] += other.sums[b * dimension + k] }
    }

    /// Sets every sum to zero.
    mutating func clear() {
        for i in sums.indices { sums[i] = 0 }
        for i in counts.indices { counts[i] = 0 }
        for i in energies.indices { energies[i] = 0 }
    }

    /// Sums over `ratio` consecutive blocks: the next coarser level.
    func coarsened(by ratio: Int) -> BlockSums {
        var out = BlockSums(dimension: dimension, factor: factor * ratio, frames: 0)
        let blocks = (count + ratio - 1) / ratio
        out.sums = [Float](repeating: 0, count: blocks * dimension)
        out.counts = [Int32](repeating: 0, count: blocks)
        out.energies = [Float](repeating: 0, count: blocks)
        for b in 0..<count {
            let c = b / ratio
            out.counts[c] += counts[b]
            out.energies[c] += energies[b]
            for k in 0..<dimension { out.sums[c * dimension + k] += sums[b * dimension + k] }
        }
        return out
    }

    /// The normalised means of the blocks.
    func vectors(statistics: CepstralStatistics, scale: LevelScale, groups: Int) -> VectorSequence {
        var sequence = VectorSequence(groups: groups, count: count)
        var mean = [Float](repeating: 0, count: dimension)
        for b in 0..<count {
            let n = Float(max(1, counts[b]))
            for k in 0..<dimension { mean[k] = sums[b * dimension + k] / n }
            sequence.levels[b] = scale.level(energies[b] / n)
            mean.withUnsafeBufferPointer { sequence.set(b, raw: $0, statistics: statistics) }
        }
        return sequence
    }
}

/// Reads an episode's frames in blocks and hands out normalised column vectors
/// in increasing order; only one block is held at a time.
final class EpisodeColumns {
    let track: FeatureTrack
    let statistics: CepstralStatistics
    let scale: LevelScale
    let dimension: Int
    let groups: Int
    private let blockSize: Int
    private var blockStart = 0
    private var blockCount = 0
    private let vectors: UnsafeMutablePointer<SIMD4<Float>>
    private var levels: [Float]
    private var raw: [Float]

    private let mask: FrameMask
    /// Speaker label of every episode frame (`SpeakerLabels`), or empty.
    private let frameSpeakers: [Int8]

    init(track: FeatureTrack, statistics: CepstralStatistics, scale: LevelScale, dimension: Int, groups: Int,
         mask: FrameMask = FrameMask([]), frameSpeakers: [Int8] = [], blockSize: Int = 4_096) {
        self.track = track
        self.frameSpeakers = frameSpeakers
        self.mask = mask
        self.statistics = statistics
        self.scale = scale
        levels = [Float](repeating: 0, count: blockSize)
        self.dimension = dimension
        self.groups = groups
        self.blockSize = blockSize
        vectors = .allocate(capacity: blockSize * groups)
        vectors.initialize(repeating: .zero, count: blockSize * groups)
        raw = [Float](repeating: 0, count: dimension)
    }

    deinit { vectors.deallocate() }

    /// The normalised vector of frame `j` (valid until the next call) and its level.
    func column(_ j: Int) throws -> EpisodeColumn {
        if j < blockStart || j >= blockStart + blockCount { try load(from: j) }
        return EpisodeColumn(vector: UnsafePointer(vectors + (j - blockStart) * groups), level: levels[j - blockStart],
                             speaker: j < frameSpeakers.count ? frameSpeakers[j] : SpeakerLabels.unknown)
    }

    private func load(from start: Int) throws {
        let block = try track.read(start..<min(track.frameCount, start + blockSize))
        blockStart = start
        blockCount = block.count
        for i in 0..<block.count {
            levels[i] = mask.contains(start + i) ? FrameMask.excludedLevel : scale.level(block.value(.logEnergy, at: i))
            for k in 0..<dimension { raw[k] = block.cepstrum(k + 1, at: i) }
            raw.withUnsafeBufferPointer {
                VectorSequence.normalise($0, statistics: statistics, into: vectors + i * groups, groups: groups)
            }
        }
    }
}

/// Who speaks in each frame of a level: the label most frames of a block carry, when at least
/// half of them carry it (else unknown).
enum SpeakerBlocks {
    static func labels(_ frameSpeakers: [Int8], columns: Range<Int>, factor: Int) -> [Int8] {
        guard !frameSpeakers.isEmpty else { return [Int8](repeating: SpeakerLabels.unknown, count: columns.count) }
        var out = [Int8](repeating: SpeakerLabels.unknown, count: columns.count)
        var counts: [Int8: Int] = [:]
        for (i, c) in columns.enumerated() {
            let frames = (c * factor)..<min(frameSpeakers.count, (c + 1) * factor)
            guard !frames.isEmpty else { continue }
            counts.removeAll(keepingCapacity: true)
            for f in frames where frameSpeakers[f] != SpeakerLabels.unknown { counts[frameSpeakers[f], default: 0] += 1 }
            if let (label, n) = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }),
               2 * n >= frames.count {
                out[i] = label
            }
        }
        return out
    }
}
