// The boxes inside `moov` that chapters touch (ISO/IEC 14496-12 §8.2–8.7):
// movie and track headers, and the sample tables that say when each sample
// plays (`stts`) and where its bytes are (`stsc`, `stsz`, `stco`/`co64`).

/// `mvhd`: the movie's time scale, duration and next free track ID.
struct MovieHeader {
    var timescale: UInt32
    /// nil when the file says "unknown" (all ones) or 0.
    var duration: UInt64?
    var nextTrackID: UInt32
    /// Byte index of next_track_ID in the body, to update it in place.
    var nextTrackIDIndex: Int

    init(_ node: MP4Node, source: SourceFile) throws(EmbedError) {
        var fields = MP4Fields(node, source: source)
        let version = try fields.u8()
        try fields.skip(3)
        let raw: UInt64
        if version == 1 {
            try fields.skip(16)
            timescale = try fields.u32()
            raw = try fields.u64()
        } else {
            try fields.skip(8)
            timescale = try fields.u32()
            let value = try fields.u32()
            raw = value == UInt32.max ? UInt64.max : UInt64(value)
        }
        duration = raw == 0 || raw == UInt64.max ? nil : raw
        // rate, volume, reserved, matrix, pre_defined
        try fields.skip(4 + 2 + 10 + 36 + 24)
        nextTrackIDIndex = fields.position
        nextTrackID = try fields.u32()
        guard timescale > 0 else { throw fields.fail("timescale is 0") }
    }

    var seconds: Double? { duration.map { Double($0) / Double(timescale) } }
}

/// One `trak` and the facts about it that chapters need.
struct TrackInfo {
    var id: UInt32
    var handler: FourCC
    var timescale: UInt32
    /// Track IDs this track names in `tref/chap`.
    var chapterReferences: [UInt32]

    init(_ trak: MP4Node, source: SourceFile) throws(EmbedError) {
        guard let tkhd = trak.child("tkhd") else { throw source.unreadable("\(trak.place) has no 'tkhd'") }
        var header = MP4Fields(tkhd, source: source)
        let version = try header.u8()
        try header.skip(3 + (version == 1 ? 16 : 8))
        id = try header.u32()

        handler = "none"
        if let hdlr = trak.descendant(["mdia", "hdlr"]) {
            var fields = MP4Fields(hdlr, source: source)
            try fields.skip(8)
            handler = FourCC(try fields.take(4))
        }
        timescale = 0
        if let mdhd = trak.descendant(["mdia", "mdhd"]) {
            var fields = MP4Fields(mdhd, source: source)
            let version = try fields.u8()
            try fields.skip(3 + (version == 1 ? 16 : 8))
            timescale = try fields.u32()
        }
        chapterReferences = []
        if let chap = trak.descendant(["tref", "chap"]) {
            var fields = MP4Fields(chap, source: source)
            while fields.remaining >= 4 { chapterReferences.append(try fields.u32()) }
        }
    }
}

/// Where a track's samples are and how long each plays, from its `stbl`.
struct SampleTable {
    /// (sample count, duration in the media time scale) runs from `stts`.
    var timeToSample: [(count: UInt32, delta: UInt32)] = []
    var sizes: [UInt32] = []
    var chunkOffsets: [UInt64] = []
    /// (first chunk, 1-based; samples per chunk) runs from `stsc`.
    var samplesPerChunk: [(firstChunk: UInt32, count: UInt32)] = []

    /// Samples beyond this are not read (a chapter track has one sample per chapter).
    static let sampleLimit = 100_000

    init(_ trak: MP4Node, source: SourceFile) throws(EmbedError) {
        guard let stbl = trak.descendant(["mdia", "minf", "stbl"]) else {
            throw source.unreadable("\(trak.place) has no sample table ('stbl')")
        }
        if let stts = stbl.child("stts") {
            var fields = MP4Fields(stts, source: source)
            try fields.skip(4)
            for _ in 0..<(try fields.count(entrySize: 8)) {
                timeToSample.append((try fields.u32(), try fields.u32()))
            }
        }
        if let stsz = stbl.child("stsz") {
            var fields = MP4Fields(stsz, source: source)
            try fields.skip(4)
            let common = try fields.u32()
            if common == 0 {
                for _ in 0..<(try fields.count(entrySize: 4)) { sizes.append(try fields.u32()) }
            } else {
                let count = Int(try fields.u32())
                guard count <= Self.sampleLimit else { throw fields.fail("\(count) samples is more than Segue reads") }
                sizes = Array(repeating: common, count: count)
            }
        }
        if let stsc = stbl.child("stsc") {
            var fields = MP4Fields(stsc, source: source)
            try fields.skip(4)
            for _ in 0..<(try fields.count(entrySize: 12)) {
                samplesPerChunk.append((try fields.u32(), try fields.u32()))
                try fields.skip(4)
            }
        }
        chunkOffsets = try Self.chunkOffsets(in: stbl, source: source)
    }

    /// The entries of `stco` (32-bit) or `co64` (64-bit).
    static func chunkOffsets(in stbl: MP4Node, source: SourceFile) throws(EmbedError) -> [UInt64] {
        if let stco = stbl.child("stco") {
            var fields = MP4Fields(stco, source: source)
            try fields.skip(4)
            var offsets: [UInt64] = []
            for _ in 0..<(try fields.count(entrySize: 4)) { offsets.append(UInt64(try fields.u32())) }
            return offsets
        }
        if let co64 = stbl.child("co64") {
            var fields = MP4Fields(co64, source: source)
            try fields.skip(4)
            var offsets: [UInt64] = []
            for _ in 0..<(try fields.count(entrySize: 8)) { offsets.append(try fields.u64()) }
            return offsets
        }
        return []
    }

    /// File offset and size of every sample, walking chunks as `stsc` lays them out.
    func sampleLocations(place: String, source: SourceFile) throws(EmbedError) -> [(offset: UInt64, size: UInt32)] {
        var locations: [(offset: UInt64, size: UInt32)] = []
        var run = 0
        for (index, chunkOffset) in chunkOffsets.enumerated() {
            let chunk = UInt32(truncatingIfNeeded: index + 1)
            while run + 1 < samplesPerChunk.count, samplesPerChunk[run + 1].firstChunk <= chunk { run += 1 }
            guard run < samplesPerChunk.count else { break }
            var offset = chunkOffset
            for _ in 0..<samplesPerChunk[run].count {
                guard locations.count < sizes.count else { return locations }
                let size = sizes[locations.count]
                locations.append((offset, size))
                let (next, overflow) = offset.addingReportingOverflow(UInt64(size))
                guard !overflow else { throw source.unreadable("\(place): sample offsets overflow") }
                offset = next
            }
        }
        return locations
    }

    /// Start time of every sample, in the media time scale.
    var sampleStarts: [UInt64] {
        var starts: [UInt64] = []
        var time: UInt64 = 0
        for entry in timeToSample {
            for _ in 0..<entry.count {
                guard starts.count < sizes.count else { return starts }
                starts.append(time)
                time += UInt64(entry.delta)  // at most 100 000 × 2^32: no overflow
            }
        }
        return starts
    }
}

/// Nero chapters (`moov/udta/chpl`): starts in 100 ns units and titles of at most 255 bytes.
enum NeroChapters {
    static func parse(_ chpl: MP4Node, source: SourceFile) throws(EmbedError) -> [(start: UInt64, title: String)] {
        var fields = MP4Fields(chpl, source: source)
        let version = try fields.u8()
        try fields.skip(3)
        if version == 1 { try fields.skip(4) }  // reserved in version 1
        let count = Int(try fields.u8())
        var chapters: [(start: UInt64, title: String)] = []
        for _ in 0..<count {
            let start = try fields.u64()
            let length = Int(try fields.u8())
            chapters.append((start, String(decoding: try fields.take(length), as: UTF8.self)))
        }
        return chapters
    }

    /// Version 1, as FFmpeg and mutagen write and read it.
    static func build(_ chapters: [(milliseconds: UInt64, title: [UInt8])]) -> MP4Node {
        var body: [UInt8] = [0, 0, 0, 0, UInt8(chapters.count)]
        for chapter in chapters {
            body += Bytes.bigEndian(chapter.milliseconds * 10_000) + [UInt8(chapter.title.count)] + chapter.title
        }
        return .full("chpl", version: 1, body)
    }
}

/// `value × to / from` without overflow in between; nil when the result does not fit 64 bits.
func rescale(_ value: UInt64, from: UInt64, to: UInt64) -> UInt64? {
    guard from > 0 else { return nil }
    let product = value.multipliedFullWidth(by: to)
    guard product.high < from else { return nil }
    return from.dividingFullWidth(product).quotient
}
