// A QuickTime chapter track (QuickTime File Format, "Adding chapters to a
// movie" and "Text media"): a disabled text track whose samples are the
// chapter titles, referenced from the audio track by `tref/chap`. Apple
// players and FFmpeg read chapters from it; the boxes follow ISO/IEC 14496-12
// §8.3–8.7 with the QuickTime `gmhd` media header and `text` sample entry.

struct ChapterTrackBuilder {
    var trackID: UInt32
    var movieTimescale: UInt32
    /// Whole movie length in its time scale (the track runs to the end).
    var movieDuration: UInt64
    /// Chapter starts in ms, increasing, the last before the end of the movie.
    var startsMs: [UInt64]
    var movieDurationMs: UInt64
    /// Text samples, in order; stored in one chunk.
    var samples: [[UInt8]]

    /// One text sample: 16-bit length, UTF-8 text, then an `encd` box saying
    /// "UTF-8" (0x00000100) as FFmpeg writes it.
    static func sample(title: [UInt8]) -> [UInt8] {
        Bytes.bigEndian(UInt16(title.count)) + title + [0, 0, 0, 12] + FourCC("encd").bytes + [0, 0, 1, 0]
    }

    static let identityMatrix: [UInt8] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]
        .flatMap { Bytes.bigEndian(UInt32($0)) }

    /// The `trak`; its chunk offset is written later (it depends on where the samples land).
    func trak(chunkOffset: UInt64) -> MP4Node {
        var children = [tkhd]
        // A first chapter after 0 s: an empty edit holds the gap, so the titles keep their times.
        if let first = startsMs.first, first > 0 { children.append(edts(gapMs: first)) }
        children.append(.container("mdia", [mdhd, hdlr, minf(chunkOffset: chunkOffset)]))
        return .container("trak", children)
    }

    private var tkhd: MP4Node {
        // Flags: in movie (2) but not enabled (1), so players do not present it as a stream.
        let wide = movieDuration > UInt64(UInt32.max)
        var body: [UInt8] = wide ? Array(repeating: 0, count: 16) : Array(repeating: 0, count: 8)
        body += Bytes.bigEndian(trackID) + [0, 0, 0, 0]
        body += wide ? Bytes.bigEndian(movieDuration) : Bytes.bigEndian(UInt32(movieDuration))
        body += Array(repeating: 0, count: 8 + 2 + 2 + 2 + 2)  // reserved, layer, group, volume, reserved
        body += Self.identityMatrix + Array(repeating: 0, count: 8)  // width, height
        return .full("tkhd", version: wide ? 1 : 0, flags: 2, body)
    }

    private func edts(gapMs: UInt64) -> MP4Node {
        let gap = rescale(gapMs, from: 1000, to: UInt64(movieTimescale)) ?? movieDuration
        let rest = movieDuration > gap ? movieDuration - gap : 0
        let entries: [(duration: UInt64, mediaTime: Int64)] = [(gap, -1), (rest, 0)]
        let wide = movieDuration > UInt64(UInt32.max)
        var body = Bytes.bigEndian(UInt32(entries.count))
        for entry in entries {
            body += wide ? Bytes.bigEndian(entry.duration) : Bytes.bigEndian(UInt32(entry.duration))
            body += wide ? Bytes.bigEndian(entry.mediaTime) : Bytes.bigEndian(Int32(entry.mediaTime))
            body += Bytes.bigEndian(UInt32(0x0001_0000))  // rate 1.0
        }
        return .container("edts", [.full("elst", version: wide ? 1 : 0, body)])
    }

    private var mediaDurationMs: UInt64 { movieDurationMs - (startsMs.first ?? 0) }

    private var mdhd: MP4Node {
        let wide = mediaDurationMs > UInt64(UInt32.max)
        var body: [UInt8] = Array(repeating: 0, count: wide ? 16 : 8) + Bytes.bigEndian(UInt32(1000))
        body += wide ? Bytes.bigEndian(mediaDurationMs) : Bytes.bigEndian(UInt32(mediaDurationMs))
        body += [0x55, 0xC4, 0, 0]  // language "und", pre_defined
        return .full("mdhd", version: wide ? 1 : 0, body)
    }

    private var hdlr: MP4Node {
        let body: [UInt8] = [0, 0, 0, 0] + FourCC("text").bytes + Array(repeating: 0, count: 12)
            + Array("Chapters".utf8) + [0]
        return .full("hdlr", body)
    }

    private func minf(chunkOffset: UInt64) -> MP4Node {
        // gmin: graphics mode copy (0x40), opcolor 0x8000 grey, balance 0.
        let gmin = MP4Node.full("gmin", [0x00, 0x40, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0, 0, 0, 0])
        let gmhd = MP4Node.container("gmhd", [gmin, .leaf("text", Self.identityMatrix)])
        // One self-contained data reference ("url " with flag 1: data in this file).
        let dref = MP4Node.full("dref", Bytes.bigEndian(UInt32(1)) + MP4Node.full("url ", flags: 1, []).encoded)
        let dinf = MP4Node.container("dinf", [dref])
        return .container("minf", [gmhd, dinf, stbl(chunkOffset: chunkOffset)])
    }

    private func stbl(chunkOffset: UInt64) -> MP4Node {
        // QuickTime text sample description: display flags, justification, background
        // colour, default text box, reserved, font number and face, reserved,
        // foreground colour, empty font name; all zero = plain defaults.
        let entryBody: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1] + Array(repeating: 0, count: 4 + 4 + 6 + 8 + 8 + 2 + 2 + 1 + 2 + 6 + 1)
        let stsd = MP4Node.full("stsd", Bytes.bigEndian(UInt32(1)) + MP4Node.leaf("text", entryBody).encoded)

        // One stts run per chapter: it lasts until the next start; the last until the end.
        let ends = Array(startsMs.dropFirst()) + [movieDurationMs]
        let stts = zip(startsMs, ends).flatMap { start, end in
            Bytes.bigEndian(UInt32(1)) + Bytes.bigEndian(UInt32(clamping: end - start))
        }
        let count = Bytes.bigEndian(UInt32(samples.count))
        let stsc = Bytes.bigEndian(UInt32(1)) + Bytes.bigEndian(UInt32(1)) + count + Bytes.bigEndian(UInt32(1))
        let stsz = Bytes.bigEndian(UInt32(0)) + count + samples.flatMap { Bytes.bigEndian(UInt32($0.count)) }
        let offsets: MP4Node = chunkOffset > UInt64(UInt32.max)
            ? .full("co64", Bytes.bigEndian(UInt32(1)) + Bytes.bigEndian(chunkOffset))
            : .full("stco", Bytes.bigEndian(UInt32(1)) + Bytes.bigEndian(UInt32(chunkOffset)))
        return .container("stbl", [
            stsd,
            .full("stts", Bytes.bigEndian(UInt32(startsMs.count)) + stts),
            .full("stsc", stsc),
            .full("stsz", stsz),
            offsets,
        ])
    }
}
