// Ogg Vorbis and Ogg Opus chapters as Xiph Chapter Extension fields in the
// comment header packet (Vorbis I specification §4.2 and §5; RFC 7845 §5.2
// "Comment Header"), carried in Ogg pages (RFC 3533). Only a single logical
// stream is handled. Audio pages are copied with their bodies unchanged.

import Foundation
import SegueFormats

enum OggChapters {
    private enum Codec {
        case vorbis, opus

        /// Bytes before the Vorbis comment in the comment header packet.
        var commentPrefix: [UInt8] {
            switch self {
            case .vorbis: [0x03] + Array("vorbis".utf8)
            case .opus: Array("OpusTags".utf8)
            }
        }

        /// Identification, comment and (Vorbis only) setup header.
        var headerPacketCount: Int { self == .vorbis ? 3 : 2 }
    }

    /// The header packets of the stream and where they lie in the file.
    private struct Headers {
        var codec: Codec
        var serial: UInt32
        var packets: [[UInt8]]
        /// Size of the first page, which holds only the identification header.
        var firstPageSize: Int
        /// Number of pages holding header packets, and the offset just after them.
        var pageCount: Int
        var end: Int
        /// The page with the last header packet also starts audio data (not allowed by the specs).
        var sharesLastPage: Bool
    }

    static func read(_ source: SourceFile) throws(EmbedError) -> EmbeddedChapters {
        let headers = try readHeaders(source)
        let (comment, _) = try parseComment(headers, source: source)
        return EmbeddedChapters(container: headers.codec == .opus ? .opus : .oggVorbis,
                                chapters: comment.chapters, duration: try duration(source, headers: headers))
    }

    static func embed(_ chapters: [Chapter], from source: SourceFile, to output: OutputFile,
                      options: EmbedOptions) throws(EmbedError) -> [String] {
        let headers = try readHeaders(source)
        guard !headers.sharesLastPage else {
            throw source.unreadable("audio data shares a page with the Ogg header packets (byte \(headers.end)); the stream is malformed")
        }
        let (comment, trailer) = try parseComment(headers, source: source)
        if comment.chapterCount > 0, !options.replace {
            throw source.refused("already has \(comment.chapterCount) chapters; use --replace to replace them")
        }
        var warnings: [String] = []
        let updated = try comment.replacingChapters(with: chapters, source: source, warnings: &warnings)
        guard let commentBytes = updated.serialized() else {
            throw source.refused("the chapter comments are too large for an Ogg comment header")
        }
        // Vorbis ends the packet with the framing bit; Opus keeps whatever followed the comments.
        let packet = headers.codec.commentPrefix + commentBytes + (headers.codec == .vorbis ? [0x01] : trailer)
        let newPages = OggPage.paginate([packet] + headers.packets.dropFirst(2), serial: headers.serial,
                                        firstSequence: 1, granule: 0)

        // The first page (identification header, beginning of stream) is kept as it is.
        try source.copy(from: 0, count: headers.firstPageSize, to: output)
        for page in newPages { try output.write(page.serialized()) }

        // Audio pages: same bodies and granules; sequence numbers shift by the change in header pages.
        let shift = UInt32(truncatingIfNeeded: 1 + newPages.count - headers.pageCount)
        var offset = headers.end
        while offset < source.size {
            var page = try OggPage.read(source, at: offset)
            guard page.serial == headers.serial, !page.isBeginning else {
                throw source.refused("Ogg file holds more than one logical stream (chained or multiplexed at byte \(offset)); only single-stream files are supported")
            }
            page.sequence &+= shift
            try output.write(page.serialized())
            offset += page.size
        }
        return warnings
    }

    // MARK: Reading

    /// Reads pages from the start until all header packets are complete.
    private static func readHeaders(_ source: SourceFile) throws(EmbedError) -> Headers {
        let first = try OggPage.read(source, at: 0)
        var assembler = OggPacketAssembler()
        guard first.isBeginning, let firstPackets = assembler.add(first), firstPackets.count == 1,
              !assembler.hasPartialPacket else {
            throw source.unreadable("the first Ogg page must hold exactly the identification header")
        }
        let codec: Codec
        if firstPackets[0].starts(with: [0x01] + Array("vorbis".utf8)), firstPackets[0].count >= 30 {
            codec = .vorbis
        } else if firstPackets[0].starts(with: Array("OpusHead".utf8)), firstPackets[0].count >= 19 {
            codec = .opus
        } else {
            throw source.unreadable("Ogg stream is neither Vorbis nor Opus; only those carry chapters here")
        }
        var headers = Headers(codec: codec, serial: first.serial, packets: firstPackets, firstPageSize: first.size,
                              pageCount: 1, end: first.size, sharesLastPage: false)
        while headers.packets.count < codec.headerPacketCount {
            guard headers.end < source.size else {
                throw source.unreadable("truncated Ogg file: it ends inside the header packets (byte \(headers.end))")
            }
            let page = try OggPage.read(source, at: headers.end)
            guard page.serial == headers.serial, !page.isBeginning else {
                throw source.refused("Ogg file multiplexes several logical streams (byte \(headers.end)); only single-stream files are supported")
            }
            guard let packets = assembler.add(page) else {
                throw source.unreadable("Ogg page at byte \(headers.end) breaks the packet sequence")
            }
            headers.packets += packets
            headers.pageCount += 1
            headers.end += page.size
        }
        headers.sharesLastPage = headers.packets.count > codec.headerPacketCount || assembler.hasPartialPacket
        headers.packets = Array(headers.packets.prefix(codec.headerPacketCount))
        return headers
    }

    /// The comment header's Vorbis comment and the bytes after it.
    private static func parseComment(_ headers: Headers, source: SourceFile) throws(EmbedError) -> (VorbisComment, [UInt8]) {
        let packet = headers.packets[1]
        let prefix = headers.codec.commentPrefix
        guard packet.starts(with: prefix) else {
            throw source.unreadable("the second Ogg packet is not a \(headers.codec == .opus ? "OpusTags" : "Vorbis comment") header")
        }
        // Offsets inside a packet that may span pages; the first header page is a fair place to name.
        let (comment, next) = try VorbisComment.parse(packet[prefix.count...], fileOffset: headers.firstPageSize,
                                                      source: source)
        return (comment, Array(packet[next...]))
    }

    /// The last page's granule position over the sample rate, from the end of the file only.
    private static func duration(_ source: SourceFile, headers: Headers) throws(EmbedError) -> Double? {
        let id = headers.packets[0]
        let window = min(source.size - headers.end, 2 * OggPage.maximumSize)
        guard window > 27 else { return nil }
        let tailStart = source.size - window
        let tail = try source.bytes(at: tailStart, count: window, what: "end of the Ogg stream")
        // The last place where a complete page with a valid CRC and a granule position begins.
        var granule: UInt64?
        var index = 0
        while index + 27 <= tail.count {
            defer { index += 1 }
            guard tail[index..<index + 4].elementsEqual("OggS".utf8) else { continue }
            let segments = Int(tail[index + 26])
            guard index + 27 + segments <= tail.count else { continue }
            let lacing = Array(tail[index + 27..<index + 27 + segments])
            let bodySize = lacing.reduce(0) { $0 + Int($1) }
            let bodyStart = index + 27 + segments
            guard bodyStart + bodySize <= tail.count else { continue }
            let page = OggPage(header: tail[index..<index + 27], lacing: lacing,
                               body: Array(tail[bodyStart..<bodyStart + bodySize]))
            guard OggCRC.checksum(of: page) == UInt32(Bytes.littleEndian(tail[index + 22..<index + 26])),
                  page.serial == headers.serial, page.granule != OggPage.noGranule else { continue }
            granule = page.granule
            index = bodyStart + bodySize - 1
        }
        guard let granule, granule < 1 << 62 else { return nil }
        switch headers.codec {
        case .vorbis:
            let rate = Bytes.littleEndian(id[12..<16])
            return rate > 0 ? Double(granule) / Double(rate) : nil
        case .opus:
            // Granule positions count 48 kHz samples including the decoder's pre-skip.
            let preSkip = Bytes.littleEndian(id[10..<12])
            return granule >= preSkip ? Double(granule - preSkip) / 48_000 : nil
        }
    }
}
