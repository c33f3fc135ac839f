// ID3v2.3 / ID3v2.4 tag structure (id3.org "ID3 tag version 2.3.0" and
// "ID3 tag version 2.4.0 - Main Structure" / "- Native Frames").
// Only what chapter embedding needs: the tag header, the frame list kept as
// raw bytes so untouched frames are written back byte for byte, and the text
// encodings of TIT2/WXXX.

import Foundation

/// An ID3v2 tag found at the start of a file.
struct ID3Tag {
    /// 3 or 4; 2 for a v2.2 tag, whose frames are not read.
    var majorVersion: UInt8
    var flags: UInt8
    /// Bytes from the start of the file to the first byte after the tag (header, body, footer).
    var totalSize: Int
    var frames: [ID3Frame]
    /// Bytes of zero padding after the last frame.
    var paddingSize: Int

    static let unsynchronisationFlag: UInt8 = 0x80
    static let extendedHeaderFlag: UInt8 = 0x40
    static let footerFlag: UInt8 = 0x10

    var usesUnsynchronisation: Bool { flags & Self.unsynchronisationFlag != 0 }

    /// The tag at the start of `source`, nil when the file does not start with "ID3".
    static func read(_ source: SourceFile) throws(EmbedError) -> ID3Tag? {
        guard source.size >= 3, try source.bytes(at: 0, count: 3) == Array("ID3".utf8) else { return nil }
        guard source.size >= 10 else {
            throw source.unreadable("truncated MP3: ID3 tag header needs 10 bytes but the file has \(source.size)")
        }
        let header = try source.bytes(at: 0, count: 10, what: "ID3 tag header")
        let major = header[3]
        guard (2...4).contains(major) else { throw source.unreadable("unknown ID3 version 2.\(major) at byte 3") }
        let flags = header[5]
        guard let bodySize = synchsafe(header[6..<10]) else {
            throw source.unreadable("ID3 tag size at byte 6 is not a synchsafe integer")
        }
        let footer = major == 4 && flags & footerFlag != 0 ? 10 : 0
        let total = 10 + bodySize + footer
        guard total <= source.size else {
            throw source.unreadable("truncated MP3: ID3 tag at byte 0 claims \(total) bytes but the file has \(source.size)")
        }
        var tag = ID3Tag(majorVersion: major, flags: flags, totalSize: total, frames: [], paddingSize: 0)
        // v2.2 has 3-letter frames and no chapter frames: its extent is all that is needed.
        if major == 2 { return tag }
        var body = try source.bytes(at: 10, count: bodySize, what: "ID3 tag")
        if tag.usesUnsynchronisation && major == 3 {
            // v2.3 unsynchronises the whole body; undo it so frame sizes line up (reading only).
            body = removingUnsynchronisation(body[...])
        }
        var position = 0
        if flags & extendedHeaderFlag != 0 {
            guard body.count >= 4 else { throw source.unreadable("truncated ID3 extended header at byte 10") }
            // v2.3 gives the size without its own 4 bytes; v2.4 gives it synchsafe and inclusive.
            let extended: Int
            if major == 3 {
                extended = Int(Bytes.bigEndian(body[0..<4])) + 4
            } else {
                guard let size = synchsafe(body[0..<4]) else {
                    throw source.unreadable("ID3 extended header size at byte 10 is not a synchsafe integer")
                }
                extended = size
            }
            guard extended >= 4, extended <= body.count else {
                throw source.unreadable("ID3 extended header at byte 10 claims \(extended) bytes, more than the tag holds")
            }
            position = extended
        }
        tag.frames = try ID3Frame.parseList(body[position...], majorVersion: major, fileOffset: 10 + position,
                                           source: source, padding: &tag.paddingSize)
        return tag
    }

    /// A complete tag: header, the frames, then `padding` zero bytes.
    static func serialize(majorVersion: UInt8, frames: [[UInt8]], padding: Int) -> [UInt8]? {
        let bodySize = frames.reduce(padding) { $0 + $1.count }
        guard let size = synchsafeBytes(bodySize) else { return nil }
        var bytes: [UInt8] = Array("ID3".utf8) + [majorVersion, 0, 0] + size
        bytes.reserveCapacity(10 + bodySize)
        for frame in frames { bytes += frame }
        bytes += [UInt8](repeating: 0, count: padding)
        return bytes
    }

    /// A 28-bit synchsafe integer (7 bits per byte), nil if a byte has its top bit set.
    static func synchsafe(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte & 0x80 == 0 else { return nil }
            value = value << 7 | Int(byte)
        }
        return value
    }

    static func synchsafeBytes(_ value: Int) -> [UInt8]? {
        guard value >= 0, value < 1 << 28 else { return nil }
        return [UInt8(value >> 21 & 0x7F), UInt8(value >> 14 & 0x7F), UInt8(value >> 7 & 0x7F), UInt8(value & 0x7F)]
    }

    /// Drops the 0x00 that unsynchronisation inserts after every 0xFF.
    static func removingUnsynchronisation(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var previous: UInt8 = 0
        for byte in bytes {
            if !(previous == 0xFF && byte == 0x00) { result.append(byte) }
            previous = byte
        }
        return result
    }
}

/// One frame of a tag, kept whole so it can be written back unchanged.
struct ID3Frame {
    var id: String
    /// The complete frame: 10-byte header and content.
    var raw: [UInt8]

    var formatFlags: UInt8 { raw[9] }

    /// The frame's content with grouping, data-length and unsynchronisation undone;
    /// nil when it is compressed or encrypted (never the case for chapter frames we need).
    func content(majorVersion: UInt8) -> [UInt8]? {
        var data = raw[10...]
        if majorVersion == 3 {
            // v2.3 format flags: compression 0x80, encryption 0x40, grouping 0x20.
            if formatFlags & 0xC0 != 0 { return nil }
            if formatFlags & 0x20 != 0 { data = data.dropFirst(1) }
            return Array(data)
        }
        // v2.4 format flags: grouping 0x40, compression 0x08, encryption 0x04, unsync 0x02, length 0x01.
        if formatFlags & 0x0C != 0 { return nil }
        if formatFlags & 0x40 != 0 { data = data.dropFirst(1) }
        if formatFlags & 0x01 != 0 { data = data.dropFirst(4) }
        return formatFlags & 0x02 != 0 ? ID3Tag.removingUnsynchronisation(data) : Array(data)
    }

    /// Frames from `bytes` until the end or the padding; any frame running past the end is an error.
    static func parseList(_ bytes: ArraySlice<UInt8>, majorVersion: UInt8, fileOffset: Int,
                          source: SourceFile, padding: inout Int) throws(EmbedError) -> [ID3Frame] {
        var frames: [ID3Frame] = []
        var position = bytes.startIndex
        let base = fileOffset - bytes.startIndex
        while position < bytes.endIndex {
            if bytes[position] == 0 {
                padding = bytes.endIndex - position
                break
            }
            guard bytes.endIndex - position >= 10 else {
                throw source.unreadable("truncated ID3 frame header at byte \(base + position)")
            }
            let idBytes = bytes[position..<position + 4]
            guard idBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }) else {
                throw source.unreadable("invalid ID3 frame id at byte \(base + position)")
            }
            let id = String(decoding: idBytes, as: UTF8.self)
            let sizeBytes = bytes[position + 4..<position + 8]
            let size: Int
            if majorVersion == 4 {
                guard let value = ID3Tag.synchsafe(sizeBytes) else {
                    throw source.unreadable("ID3 frame \(id) at byte \(base + position) has a size that is not synchsafe")
                }
                size = value
            } else {
                size = Int(Bytes.bigEndian(sizeBytes))
            }
            let remaining = bytes.endIndex - position - 10
            guard size <= remaining else {
                throw source.unreadable("ID3 frame \(id) at byte \(base + position) claims \(size) bytes but only \(remaining) remain in the tag")
            }
            frames.append(ID3Frame(id: id, raw: Array(bytes[position..<position + 10 + size])))
            position += 10 + size
        }
        return frames
    }

    /// A frame with fresh flags around `content`, sized for `majorVersion`.
    static func make(_ id: String, _ content: [UInt8], majorVersion: UInt8) -> [UInt8]? {
        let size: [UInt8]
        if majorVersion == 4 {
            guard let bytes = ID3Tag.synchsafeBytes(content.count) else { return nil }
            size = bytes
        } else {
            guard let value = UInt32(exactly: content.count) else { return nil }
            size = Bytes.bigEndian(value)
        }
        return Array(id.utf8) + size + [0, 0] + content
    }
}

/// The four ID3 text encodings and the string fields of TIT2 and WXXX.
enum ID3Text {
    /// The first string in `bytes` in `encoding` (0 Latin-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8),
    /// and the index after its terminator.
    static func decode(_ bytes: ArraySlice<UInt8>, encoding: UInt8) -> (text: String, next: Int) {
        switch encoding {
        case 1, 2:
            var end = bytes.startIndex
            while end + 1 < bytes.endIndex, !(bytes[end] == 0 && bytes[end + 1] == 0) { end += 2 }
            let stringEnd = min(end, bytes.endIndex)
            let next = min(end + 2, bytes.endIndex)
            var units = bytes[bytes.startIndex..<stringEnd]
            var bigEndian = encoding == 2
            if encoding == 1, units.count >= 2 {
                if units.first == 0xFF, units.dropFirst().first == 0xFE { bigEndian = false; units = units.dropFirst(2) }
                else if units.first == 0xFE, units.dropFirst().first == 0xFF { bigEndian = true; units = units.dropFirst(2) }
            }
            var codeUnits: [UInt16] = []
            var index = units.startIndex
            while index + 1 < units.endIndex {
                let a = UInt16(units[index]), b = UInt16(units[index + 1])
                codeUnits.append(bigEndian ? a << 8 | b : b << 8 | a)
                index += 2
            }
            return (String(decoding: codeUnits, as: UTF16.self), next)
        default:
            let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
            let next = min(end + 1, bytes.endIndex)
            let slice = bytes[bytes.startIndex..<end]
            if encoding == 3 { return (String(decoding: slice, as: UTF8.self), next) }
            return (String(String.UnicodeScalarView(slice.map { Unicode.Scalar($0) })), next)
        }
    }

    /// The encoding byte and bytes for `text`: UTF-8 in v2.4; Latin-1 in v2.3 when it
    /// fits, else UTF-16 with a byte-order mark (v2.3 has no UTF-8).
    static func encode(_ text: String, majorVersion: UInt8) -> (encoding: UInt8, bytes: [UInt8]) {
        if majorVersion == 4 { return (3, Array(text.utf8)) }
        if let latin1 = latin1(text) { return (0, latin1) }
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        return (1, bytes)
    }

    static func latin1(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }

    static func terminator(_ encoding: UInt8) -> [UInt8] { encoding == 1 || encoding == 2 ? [0, 0] : [0] }

    /// A URL for WXXX, whose URL field is Latin-1: characters beyond ASCII are percent-encoded as UTF-8.
    static func urlBytes(_ url: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in url.unicodeScalars {
            if scalar.value < 0x80 {
                bytes.append(UInt8(scalar.value))
            } else {
                for byte in String(scalar).utf8 { bytes += Array(String(format: "%%%02X", byte).utf8) }
            }
        }
        return bytes
    }
}
