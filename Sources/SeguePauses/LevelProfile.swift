/// Percentiles of a level (dB) over windows that slide with time, in 10 s
/// blocks. Frames arrive in order; only the histograms of the blocks still
/// inside some window are kept (2 × the largest radius + 1), so memory does
/// not grow with the episode: a three-hour file keeps as many as a minute.
/// Used for the adaptive noise floor and the speech level.
struct LevelProfile {
    /// "The `fraction` percentile (0…1) over blocks `b - radius … b + radius`."
    struct Request { var fraction: Double; var radius: Int }

    static let binWidth: Float = 0.5
    let lowest: Float, highest: Float
    let blockFrames: Int
    let requests: [Request]
    /// Per request, one value per block (filled as windows complete).
    private(set) var results: [[Float]]

    private var binCount: Int { Int((highest - lowest) / Self.binWidth) + 1 }
    private var window: [[UInt16]] = []     // histograms of blocks firstBlock, firstBlock+1, …
    private var firstBlock = 0
    private var currentBlock = 0

    init(blockFrames: Int, lowest: Float = -120, highest: Float = 10, requests: [Request]) {
        self.blockFrames = blockFrames
        self.lowest = lowest
        self.highest = highest
        self.requests = requests
        results = requests.map { _ in [] }
    }

    /// Adds the level of frame `frame`; frames must arrive in order.
    mutating func add(_ level: Float, frame: Int) {
        let block = frame / blockFrames
        if window.isEmpty { window.append([UInt16](repeating: 0, count: binCount)); currentBlock = block; firstBlock = block }
        while currentBlock < block {
            completed(currentBlock)
            window.append([UInt16](repeating: 0, count: binCount))
            currentBlock += 1
        }
        let bin = Int(((min(max(level, lowest), highest) - lowest) / Self.binWidth).rounded())
        window[window.count - 1][bin] &+= 1
    }

    /// Closes the last block and fills in every remaining window.
    mutating func finish() {
        guard !window.isEmpty else { return }
        for r in requests.indices {
            while results[r].count <= currentBlock {
                results[r].append(percentile(requests[r], around: results[r].count, last: currentBlock))
            }
        }
    }

    private mutating func completed(_ block: Int) {
        for r in requests.indices {
            while results[r].count + requests[r].radius <= block {
                results[r].append(percentile(requests[r], around: results[r].count, last: block))
            }
        }
        // Drop histograms no window will need again.
        let needed = requests.indices.map { results[$0].count - requests[$0].radius }.min() ?? block
        while firstBlock < needed, window.count > 1 {
            window.removeFirst()
            firstBlock += 1
        }
    }

    private func percentile(_ request: Request, around block: Int, last: Int) -> Float {
        let lo = max(firstBlock, block - request.radius), hi = min(last, block + request.radius)
        var merged = [Int](repeating: 0, count: binCount)
        var total = 0
        if lo <= hi {
            for b in lo...hi {
                let histogram = window[b - firstBlock]
                for i in 0..<binCount { merged[i] += Int(histogram[i]) }
            }
            total = merged.reduce(0, +)
        }
        guard total > 0 else { return lowest }
        let target = Double(total) * request.fraction
        var running = 0
        for i in 0..<binCount {
            running += merged[i]
            if Double(running) >= target { return lowest + Float(i) * Self.binWidth }
        }
        return highest
    }
}
