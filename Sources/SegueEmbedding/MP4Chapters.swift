// Chapters in MP4, M4A and M4B files (ISO/IEC 14496-12 boxes). Two kinds
// exist side by side and Segue reads and writes both:
//  * Nero chapters, `moov/udta/chpl`: starts in 100 ns units, titles of at
//    most 255 bytes (read by FFmpeg, mutagen, many players);
//  * a QuickTime chapter track: a text track referenced from the audio
//    track's `tref/chap` (read by Apple players and FFmpeg).
// Only `moov` is loaded into memory; every other top-level box, the audio
// in `mdat` above all, is copied byte for byte.

import SegueFormats

enum MP4Chapters {
    static func read(_ source: SourceFile) throws(EmbedError) -> EmbeddedChapters {
        let file = try MP4File(source)
        let found = try file.existingChapters()
        let duration = file.movie.seconds
        let list = found.preferred
        let chapters = list.enumerated().map { index, chapter in
            let next = index + 1 < list.count ? list[index + 1].start : duration
            return Chapter(start: chapter.start, end: next.flatMap { $0 > chapter.start ? $0 : nil },
                           title: chapter.title)
        }
        return EmbeddedChapters(container: .mp4, chapters: chapters, duration: duration)
    }

    static func embed(_ chapters: [Chapter], from source: SourceFile, to output: OutputFile,
                      options: EmbedOptions) throws(EmbedError) -> [String] {
        let file = try MP4File(source)
        if let fragment = file.boxes.first(where: { $0.type == "moof" }) {
            throw source.refused("fragmented MP4 ('moof' at byte \(fragment.offset)); Segue cannot add chapters to it")
        }
        let found = try file.existingChapters()
        if found.count > 0, !options.replace {
            throw source.refused("already has \(found.count) chapters; use --replace")
        }
        let plan = try ChapterPlan(chapters, movie: file.movie, options: options, source: source)

        // The moov without old chapters, with the new chpl, tref and track ID, but not yet the new track.
        var moov = file.moov
        let oldTracks = moov.children?.filter { $0.type == "trak" && found.trackIDs.contains(trackID($0)) } ?? []
        moov.children?.removeAll { $0.type == "trak" && found.trackIDs.contains(trackID($0)) }
        try moov.forEach(["trak"]) { (trak: inout MP4Node) throws(EmbedError) in
            trak.children?.removeAll { $0.type == "tref" && $0.children?.allSatisfy { $0.type == "chap" } == true }
            try trak.forEach(["tref"]) { (tref: inout MP4Node) throws(EmbedError) in tref.children?.removeAll { $0.type == "chap" } }
        }
        try moov.forEach(["udta"]) { (udta: inout MP4Node) throws(EmbedError) in udta.children?.removeAll { $0.type == "chpl" } }

        var builder: ChapterTrackBuilder?
        if !plan.startsMs.isEmpty {
            let newID = try file.addChapterReferences(to: &moov)
            builder = ChapterTrackBuilder(trackID: newID, movieTimescale: file.movie.timescale,
                                          movieDuration: plan.movieDuration, startsMs: plan.startsMs,
                                          movieDurationMs: plan.movieDurationMs,
                                          samples: plan.titles.map(ChapterTrackBuilder.sample(title:)))
            let chpl = NeroChapters.build(Array(zip(plan.startsMs, plan.titles)).map { ($0, $1) })
            if moov.child("udta") == nil { moov.children?.append(.container("udta", [])) }
            try moov.forEach(["udta"]) { (udta: inout MP4Node) throws(EmbedError) in udta.children?.append(chpl) }
        }

        let kept = try file.boxesToKeep(removing: oldTracks, from: moov)
        try file.write(moov: moov, chapterTrack: builder, keeping: kept, to: output)
        return plan.warnings
    }

    static func trackID(_ trak: MP4Node) -> UInt32 {
        guard let tkhd = trak.child("tkhd"), tkhd.payload.count >= 24 else { return 0 }
        let at = tkhd.payload[0] == 1 ? 20 : 12
        return UInt32(Bytes.bigEndian(tkhd.payload[at..<at + 4]))
    }
}

/// The chapters to write, checked and converted to the units MP4 stores.
private struct ChapterPlan {
    var startsMs: [UInt64] = []
    var titles: [[UInt8]] = []
    var movieDurationMs: UInt64 = 0
    /// The movie length in the `mvhd` time scale.
    var movieDuration: UInt64 = 0
    var warnings: [String] = []

    init(_ chapters: [Chapter], movie: MovieHeader, options: EmbedOptions, source: SourceFile) throws(EmbedError) {
        // MP4 players list every chapter, so a chapter marked "not listed" is left out.
        let listed = chapters.filter(\.listed)
        if listed.count < chapters.count {
            warnings.append("left out \(chapters.count - listed.count) unlisted chapter(s): MP4 chapters cannot be hidden")
        }
        guard !listed.isEmpty else { return }
        guard listed.count <= 255 else {
            throw source.refused("\(listed.count) chapters; MP4 Nero chapters ('chpl') hold at most 255")
        }
        // Longer than a million years is a damaged header, not an episode.
        let limitMs: UInt64 = 1 << 45
        if let duration = movie.duration {
            guard let ms = rescale(duration, from: UInt64(movie.timescale), to: 1000), ms < limitMs else {
                throw source.unreadable("'mvhd' duration \(duration) at time scale \(movie.timescale) is implausible")
            }
            movieDuration = duration
            movieDurationMs = ms
        } else if let seconds = options.duration ?? listed.last?.end, seconds.isFinite, seconds > 0,
                  seconds * 1000 < Double(limitMs),
                  let duration = rescale(UInt64((seconds * 1000).rounded()), from: 1000, to: UInt64(movie.timescale)) {
            movieDurationMs = UInt64((seconds * 1000).rounded())
            movieDuration = duration
        } else {
            throw source.refused("the file does not state its duration; give the audio's duration")
        }
        for (index, chapter) in listed.enumerated() {
            let number = index + 1
            guard chapter.start.isFinite, chapter.start >= 0, chapter.start < 1e12 else {
                throw source.refused("chapter \(number) (\"\(chapter.title)\") has an invalid start \(chapter.start)")
            }
            let ms = UInt64((chapter.start * 1000).rounded())
            if let previous = startsMs.last, ms <= previous {
                throw source.refused("chapter \(number) (\"\(chapter.title)\") at \(seconds(ms)) s does not start after the chapter before it")
            }
            guard ms < movieDurationMs else {
                throw source.refused("chapter \(number) (\"\(chapter.title)\") starts at \(seconds(ms)) s, not before the end of the audio (\(seconds(movieDurationMs)) s)")
            }
            startsMs.append(ms)
            let title = Self.cut(chapter.title, toBytes: 255)
            if title.count < chapter.title.utf8.count {
                warnings.append("chapter \(number) title shortened to \(title.count) bytes, the most MP4 chapters hold")
            }
            titles.append(title)
        }
    }

    private func seconds(_ ms: UInt64) -> String { String(format: "%.3f", Double(ms) / 1000) }

    /// The UTF-8 of `text`, cut at a character boundary to at most `limit` bytes.
    static func cut(_ text: String, toBytes limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for character in text {
            let utf8 = Array(String(character).utf8)
            if bytes.count + utf8.count > limit { break }
            bytes += utf8
        }
        return bytes
    }
}

/// Chapters already in a file, from both places.
struct FoundChapters {
    var nero: [(start: Double, title: String)] = []
    var track: [(start: Double, title: String)] = []
    /// IDs of the chapter text tracks that `tref/chap` names.
    var trackIDs: Set<UInt32> = []

    var count: Int { max(nero.count, track.count) }

    /// The QuickTime track when it agrees with `chpl` in count (it has no 255-byte limit), else `chpl`.
    var preferred: [(start: Double, title: String)] {
        if track.isEmpty { return nero }
        if nero.isEmpty || nero.count == track.count { return track }
        return nero
    }
}

/// An MP4 file: its top-level boxes and its parsed `moov`.
struct MP4File {
    let source: SourceFile
    let boxes: [MP4Box]
    let moovBox: MP4Box
    let moov: MP4Node
    let movie: MovieHeader

    /// A larger `moov` is not a plausible audio file (an hour of AAC needs about 1 MB).
    static let moovLimit = 256 << 20

    init(_ source: SourceFile) throws(EmbedError) {
        self.source = source
        boxes = try MP4Box.topLevel(source)
        let moovs = boxes.filter { $0.type == "moov" }
        guard let moovBox = moovs.first else {
            throw source.unreadable("no 'moov' box before the end at byte \(source.size): the MP4 is incomplete (truncated, or still being recorded)")
        }
        guard moovs.count == 1 else {
            throw source.unreadable("two 'moov' boxes (at bytes \(moovs[0].offset) and \(moovs[1].offset))")
        }
        guard moovBox.size <= Self.moovLimit else {
            throw source.unreadable("'moov' box at byte \(moovBox.offset) is \(moovBox.size) bytes, more than Segue reads")
        }
        self.moovBox = moovBox
        let bytes = try source.bytes(at: moovBox.offset, count: moovBox.size, what: "'moov' box")
        moov = try MP4Node.parse(bytes, fileOffset: moovBox.offset, source: source)
        guard let mvhd = moov.child("mvhd") else {
            throw source.unreadable("'moov' box at byte \(moovBox.offset) has no movie header ('mvhd')")
        }
        movie = try MovieHeader(mvhd, source: source)
    }

    var tracks: [MP4Node] { moov.children?.filter { $0.type == "trak" } ?? [] }

    func existingChapters() throws(EmbedError) -> FoundChapters {
        var found = FoundChapters()
        if let chpl = moov.descendant(["udta", "chpl"]) {
            found.nero = try NeroChapters.parse(chpl, source: source).map { (Double($0.start) / 10_000_000, $0.title) }
        }
        let infos = try tracks.map { (trak) throws(EmbedError) in (trak, try TrackInfo(trak, source: source)) }
        let references = Set(infos.flatMap(\.1.chapterReferences))
        for (trak, info) in infos where references.contains(info.id) && (info.handler == "text" || info.handler == "sbtl") {
            found.trackIDs.insert(info.id)
            if found.track.isEmpty { found.track = try titles(of: trak, info: info) }
        }
        return found
    }

    /// The titles and starts of a chapter text track's samples.
    private func titles(of trak: MP4Node, info: TrackInfo) throws(EmbedError) -> [(start: Double, title: String)] {
        guard info.timescale > 0 else { throw source.unreadable("chapter track \(info.id) has media time scale 0") }
        let table = try SampleTable(trak, source: source)
        let locations = try table.sampleLocations(place: trak.place, source: source)
        let starts = table.sampleStarts
        guard locations.count <= SampleTable.sampleLimit else {
            throw source.unreadable("chapter track \(info.id) has \(locations.count) samples, more than Segue reads")
        }
        let gap = try leadingGap(of: trak)
        var chapters: [(start: Double, title: String)] = []
        for (index, (location, start)) in zip(locations, starts).enumerated() {
            let what = "chapter title sample \(index + 1) of track \(info.id)"
            guard let offset = Int(exactly: location.offset), location.size >= 2 else {
                throw source.unreadable("\(what) has offset \(location.offset) and size \(location.size)")
            }
            let bytes = try source.bytes(at: offset, count: Int(min(location.size, 2 + 0xFFFF)), what: what)
            let length = Int(Bytes.bigEndian(bytes[0..<2]))
            let text = bytes[2..<min(2 + length, bytes.count)]
            chapters.append((gap + Double(start) / Double(info.timescale), Self.decodeText(text)))
        }
        return chapters
    }

    /// Seconds of an empty first edit (`elst` media time -1): the track starts that late.
    private func leadingGap(of trak: MP4Node) throws(EmbedError) -> Double {
        guard let elst = trak.descendant(["edts", "elst"]) else { return 0 }
        var fields = MP4Fields(elst, source: source)
        let version = try fields.u8()
        try fields.skip(3)
        guard try fields.u32() > 0 else { return 0 }
        let duration = version == 1 ? try fields.u64() : UInt64(try fields.u32())
        let mediaTime = version == 1 ? Int64(bitPattern: try fields.u64()) : Int64(Int32(bitPattern: try fields.u32()))
        return mediaTime == -1 ? Double(duration) / Double(movie.timescale) : 0
    }

    /// Text samples are UTF-8, or UTF-16 when they start with a byte-order mark.
    private static func decodeText(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.count >= 2, let first = bytes.first, let second = bytes.dropFirst().first,
              (first, second) == (0xFE, 0xFF) || (first, second) == (0xFF, 0xFE) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let big = first == 0xFE
        let body = Array(bytes.dropFirst(2))
        let units = stride(from: 0, to: body.count - 1, by: 2).map { (index: Int) -> UInt16 in
            let high = big ? body[index] : body[index + 1]
            let low = big ? body[index + 1] : body[index]
            return UInt16(high) << 8 | UInt16(low)
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Points the first audio track's `tref/chap` at a new track ID, raises `mvhd`
    /// next_track_ID past it, and returns it.
    func addChapterReferences(to moov: inout MP4Node) throws(EmbedError) -> UInt32 {
        let infos = try tracks.map { (trak) throws(EmbedError) in try TrackInfo(trak, source: source) }
        guard let audio = infos.first(where: { $0.handler == "soun" }) else {
            throw source.refused("no audio track to attach chapters to")
        }
        let highest = infos.map(\.id).max() ?? 0
        var newID = movie.nextTrackID
        if newID == 0 || newID == UInt32.max || newID <= highest { newID = highest &+ 1 }
        guard newID != 0, newID < UInt32.max else { throw source.refused("no free track ID for a chapter track") }

        let chap = MP4Node.leaf("chap", Bytes.bigEndian(newID))
        let index = movie.nextTrackIDIndex
        try moov.forEach(["mvhd"]) { (mvhd: inout MP4Node) throws(EmbedError) in
            mvhd.payload.replaceSubrange(index..<index + 4, with: Bytes.bigEndian(newID + 1))
        }
        var done = false
        try moov.forEach(["trak"]) { (trak: inout MP4Node) throws(EmbedError) in
            guard !done, MP4Chapters.trackID(trak) == audio.id else { return }
            done = true
            if trak.child("tref") != nil {
                try trak.forEach(["tref"]) { (tref: inout MP4Node) throws(EmbedError) in tref.children?.append(chap) }
            } else {
                // After tkhd and edts, before mdia, as writers usually place it.
                let at = trak.children?.firstIndex { $0.type == "mdia" } ?? trak.children?.count ?? 0
                trak.children?.insert(.container("tref", [chap]), at: at)
            }
        }
        return newID
    }

    /// The top-level boxes to write: all but an `mdat` that held nothing but the removed
    /// chapter track's titles (left by an earlier embed), so replacing does not pile them up.
    func boxesToKeep(removing oldTracks: [MP4Node], from moov: MP4Node) throws(EmbedError) -> [MP4Box] {
        guard !oldTracks.isEmpty else { return boxes }
        var remaining: [UInt64] = []
        for trak in moov.children?.filter({ $0.type == "trak" }) ?? [] {
            if let stbl = trak.descendant(["mdia", "minf", "stbl"]) {
                remaining += try SampleTable.chunkOffsets(in: stbl, source: source)
            }
        }
        var titleBytes: [Int: Int] = [:]  // mdat index → bytes of old titles in it
        for trak in oldTracks {
            let table = try SampleTable(trak, source: source)
            for location in try table.sampleLocations(place: trak.place, source: source) {
                if let index = boxes.firstIndex(where: { $0.type == "mdat" && UInt64($0.payloadOffset) <= location.offset
                                                      && location.offset < UInt64($0.end) }) {
                    titleBytes[index, default: 0] += Int(location.size)
                }
            }
        }
        return boxes.enumerated().compactMap { index, box in
            guard let bytes = titleBytes[index], bytes == box.size - box.headerSize,
                  !remaining.contains(where: { UInt64(box.offset) <= $0 && $0 <= UInt64(box.end) }) else { return box }
            return nil
        }
    }

    /// Writes the new file: the kept boxes in order with `moov` replaced, then an
    /// `mdat` with the chapter titles. Chunk offsets of the existing tracks move
    /// by however much the boxes before their data moved.
    func write(moov base: MP4Node, chapterTrack: ChapterTrackBuilder?, keeping kept: [MP4Box],
               to output: OutputFile) throws(EmbedError) {
        let samples = chapterTrack?.samples.flatMap { $0 } ?? []
        // The chunk offsets depend on the moov's size, which depends on whether they
        // need 64 bits: start from the size as is and repeat until it settles.
        func moovBytes(size: Int) throws(EmbedError) -> (bytes: [UInt8], layout: Layout) {
            let layout = Layout(boxes: kept, moovOffset: moovBox.offset, moovSize: size)
            var moov = try relocated(base, layout: layout)
            if let chapterTrack {
                let offset = UInt64(layout.end + MP4Box.header("mdat", payloadSize: samples.count).count)
                let at = (moov.children?.lastIndex { $0.type == "trak" }).map { $0 + 1 } ?? moov.children?.count ?? 0
                moov.children?.insert(chapterTrack.trak(chunkOffset: offset), at: at)
            }
            return (moov.encoded, layout)
        }
        var size = moovBox.size
        var result = try moovBytes(size: size)
        var rounds = 0
        while result.bytes.count != size {
            rounds += 1
            guard rounds < 8 else { throw source.refused("could not lay out the new 'moov' box") }
            size = result.bytes.count
            result = try moovBytes(size: size)
        }

        for placed in result.layout.placed {
            let box = placed.box
            if box.offset == moovBox.offset {
                try output.write(result.bytes)
            } else if box.extendsToEnd {
                // Size 0 means "to the end of the file", which would swallow the titles' mdat.
                try output.write(MP4Box.header(box.type, payloadSize: box.size - box.headerSize))
                try source.copy(from: box.payloadOffset, count: box.size - box.headerSize, to: output)
            } else {
                try source.copy(from: box.offset, count: box.size, to: output)
            }
        }
        if chapterTrack != nil {
            try output.write(MP4Box.header("mdat", payloadSize: samples.count) + samples)
        }
        guard output.position == result.layout.end + (chapterTrack == nil ? 0 : MP4Box.header("mdat", payloadSize: samples.count).count + samples.count) else {
            throw source.refused("internal error: the new file's layout does not match what was written")
        }
    }

    /// `moov` with every `stco`/`co64` entry moved to where its data lands in the new file;
    /// a table whose new offsets pass 4 GiB becomes `co64`. Unchanged tables keep their bytes.
    private func relocated(_ moov: MP4Node, layout: Layout) throws(EmbedError) -> MP4Node {
        var moov = moov
        let source = self.source
        try moov.forEach(["trak", "mdia", "minf", "stbl"]) { (stbl: inout MP4Node) throws(EmbedError) in
            guard let index = stbl.children?.firstIndex(where: { $0.type == "stco" || $0.type == "co64" }),
                  let table = stbl.children?[index] else { return }
            let offsets = try SampleTable.chunkOffsets(in: stbl, source: source)
            var moved: [UInt64] = []
            moved.reserveCapacity(offsets.count)
            for offset in offsets {
                guard let new = layout.newOffset(of: offset) else {
                    throw source.unreadable("\(table.place): chunk offset \(offset) is not inside a data box")
                }
                moved.append(new)
            }
            guard moved != offsets else { return }
            let wide = table.type == "co64" || moved.contains { $0 > UInt64(UInt32.max) }
            let entries = wide ? moved.flatMap { Bytes.bigEndian($0) } : moved.flatMap { Bytes.bigEndian(UInt32($0)) }
            var replacement = MP4Node.full(wide ? "co64" : "stco", Bytes.bigEndian(UInt32(moved.count)) + entries)
            replacement.offset = table.offset
            stbl.children?[index] = replacement
        }
        return moov
    }
}

/// Where each kept top-level box lands in the new file.
struct Layout {
    struct Placed {
        var box: MP4Box
        var newOffset: Int
        var newHeaderSize: Int
    }

    var placed: [Placed] = []
    /// The end of the copied boxes, where the titles' mdat goes.
    var end = 0
    private var moovOffset: Int

    init(boxes: [MP4Box], moovOffset: Int, moovSize: Int) {
        self.moovOffset = moovOffset
        for box in boxes {
            if box.offset == moovOffset {
                placed.append(Placed(box: box, newOffset: end, newHeaderSize: 0))
                end += moovSize
            } else {
                let header = box.extendsToEnd
                    ? MP4Box.header(box.type, payloadSize: box.size - box.headerSize).count : box.headerSize
                placed.append(Placed(box: box, newOffset: end, newHeaderSize: header))
                end += header + box.size - box.headerSize
            }
        }
    }

    /// The new file offset of data at `offset` in the old file; nil if it was in no box's body.
    func newOffset(of offset: UInt64) -> UInt64? {
        for item in placed where item.box.offset != moovOffset {
            let start = UInt64(item.box.payloadOffset)
            if start <= offset, offset <= UInt64(item.box.end) {
                return offset - start + UInt64(item.newOffset + item.newHeaderSize)
            }
        }
        return nil
    }
}

extension MP4Node {
    /// Runs `body` on every box down `path` (e.g. every `trak/mdia`), in place.
    mutating func forEach(_ path: ArraySlice<FourCC>, _ body: (inout MP4Node) throws(EmbedError) -> Void) throws(EmbedError) {
        guard let type = path.first else { return try body(&self) }
        guard var list = children else { return }
        for index in list.indices where list[index].type == type {
            try list[index].forEach(path.dropFirst(), body)
        }
        children = list
    }
}
