// Ogg pages and packets (RFC 3533, "The Ogg Encapsulation Format Version 0"):
// the 27-byte page header, lacing values, packet reassembly across pages,
// pagination of new header packets and the page CRC-32.

import Foundation

/// One Ogg page: header fields, lacing values and body.
struct OggPage {
    static let continuedFlag: UInt8 = 0x01
    static let beginningFlag: UInt8 = 0x02
    static let endFlag: UInt8 = 0x04
    /// 27-byte header, 255 lacing values, 255 × 255 body bytes.
    static let maximumSize = 27 + 255 + 255 * 255
    /// Granule position of a page on which no packet ends.
    static let noGranule = UInt64.max

    var headerType: UInt8
    var granule: UInt64
    var serial: UInt32
    var sequence: UInt32
    var lacing: [UInt8]
    var body: [UInt8]

    var size: Int { 27 + lacing.count + body.count }
    var isContinued: Bool { headerType & Self.continuedFlag != 0 }
    var isBeginning: Bool { headerType & Self.beginningFlag != 0 }
    /// True when the last packet on the page goes on into the next page.
    var endsInsidePacket: Bool { lacing.last == 255 }

    /// The page at `offset`, its CRC checked.
    static func read(_ source: SourceFile, at offset: Int) throws(EmbedError) -> OggPage {
        let header = try source.bytes(at: offset, count: 27, what: "Ogg page header")
        guard header[0..<4].elementsEqual("OggS".utf8) else {
            throw source.unreadable("no Ogg page at byte \(offset) (expected \"OggS\")")
        }
        guard header[4] == 0 else { throw source.unreadable("unknown Ogg page version \(header[4]) at byte \(offset)") }
        let lacing = try source.bytes(at: offset + 27, count: Int(header[26]), what: "Ogg segment table")
        let bodySize = lacing.reduce(0) { $0 + Int($1) }
        let body = try source.bytes(at: offset + 27 + lacing.count, count: bodySize, what: "Ogg page body")
        let page = OggPage(header: header[...], lacing: lacing, body: body)
        guard OggCRC.checksum(of: page) == UInt32(Bytes.littleEndian(header[22..<26])) else {
            throw source.unreadable("Ogg page at byte \(offset) has a bad CRC (corrupt file)")
        }
        return page
    }

    init(headerType: UInt8, granule: UInt64, serial: UInt32, sequence: UInt32, lacing: [UInt8], body: [UInt8]) {
        self.headerType = headerType
        self.granule = granule
        self.serial = serial
        self.sequence = sequence
        self.lacing = lacing
        self.body = body
    }

    init(header: ArraySlice<UInt8>, lacing: [UInt8], body: [UInt8]) {
        let start = header.startIndex
        self.init(headerType: header[start + 5],
                  granule: Bytes.littleEndian(header[start + 6..<start + 14]),
                  serial: UInt32(Bytes.littleEndian(header[start + 14..<start + 18])),
                  sequence: UInt32(Bytes.littleEndian(header[start + 18..<start + 22])),
                  lacing: lacing, body: body)
    }

    /// The page's bytes with `crc` in its CRC field.
    private func bytes(crc: UInt32) -> [UInt8] {
        var bytes: [UInt8] = Array("OggS".utf8) + [0, headerType]
        bytes.reserveCapacity(size)
        bytes += Bytes.littleEndian(granule) + Bytes.littleEndian(serial) + Bytes.littleEndian(sequence)
        bytes += Bytes.littleEndian(crc) + [UInt8(lacing.count)] + lacing + body
        return bytes
    }

    /// The page as written, with a freshly computed CRC.
    func serialized() -> [UInt8] { bytes(crc: OggCRC.checksum(of: self)) }

    fileprivate var bytesForCRC: [UInt8] { bytes(crc: 0) }

    /// The packet pieces on this page: byte ranges of the body and whether each ends its packet.
    var pieces: [(range: Range<Int>, endsPacket: Bool)] {
        var result: [(Range<Int>, Bool)] = []
        var start = 0, length = 0
        for value in lacing {
            length += Int(value)
            if value < 255 {
                result.append((start..<start + length, true))
                start += length
                length = 0
            }
        }
        if length > 0 { result.append((start..<start + length, false)) }
        return result
    }

    /// Lays `packets` out on as few pages as possible (255 lacing values each), each page
    /// starting with sequence `firstSequence`; pages on which a packet ends get `granule`.
    static func paginate(_ packets: [[UInt8]], serial: UInt32, firstSequence: UInt32, granule: UInt64) -> [OggPage] {
        var pages: [OggPage] = []
        var lacing: [UInt8] = []
        var body: [UInt8] = []
        var continued = false      // the current page starts inside a packet
        var packetEnded = false    // some packet ends on the current page
        func flush() {
            pages.append(OggPage(headerType: continued ? continuedFlag : 0, granule: packetEnded ? granule : noGranule,
                                 serial: serial, sequence: firstSequence &+ UInt32(pages.count),
                                 lacing: lacing, body: body))
            lacing = []
            body = []
            packetEnded = false
        }
        for packet in packets {
            // A packet of n bytes takes n / 255 values of 255 and one final value n % 255 (maybe 0).
            var position = 0
            while true {
                if lacing.count == 255 {
                    flush()
                    continued = position > 0
                }
                let value = min(packet.count - position, 255)
                lacing.append(UInt8(value))
                body += packet[position..<position + value]
                position += value
                if value < 255 {
                    packetEnded = true
                    break
                }
            }
        }
        if !lacing.isEmpty { flush() }
        return pages
    }
}

/// Reassembles packets from consecutive pages of one logical stream.
struct OggPacketAssembler {
    private var partial: [UInt8] = []
    private(set) var hasPartialPacket = false

    /// The packets that end on `page`; a continued page with no packet in progress is an error (nil).
    mutating func add(_ page: OggPage) -> [[UInt8]]? {
        if page.isContinued != hasPartialPacket { return nil }
        var packets: [[UInt8]] = []
        for piece in page.pieces {
            partial += page.body[piece.range]
            hasPartialPacket = true
            if piece.endsPacket {
                packets.append(partial)
                partial = []
                hasPartialPacket = false
            }
        }
        return packets
    }
}

/// The Ogg CRC-32: polynomial 0x04C11DB7, most significant bit first, initial value 0,
/// no final XOR, computed over the page with its CRC field set to zero.
enum OggCRC {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index) << 24
        for _ in 0..<8 { value = value & 0x8000_0000 != 0 ? value << 1 ^ 0x04C1_1DB7 : value << 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = crc << 8 ^ table[Int(UInt8(truncatingIfNeeded: crc >> 24) ^ byte)] }
        }
        return crc
    }

    static func checksum(of page: OggPage) -> UInt32 { checksum(page.bytesForCRC) }
}
