import Foundation

/// The text encoding an input file was read in.
public enum TextEncoding: String, Sendable, Codable, Equatable {
    case utf8 = "utf-8"
    case utf8WithBOM = "utf-8-bom"
    case utf16LittleEndian = "utf-16le"
    case utf16BigEndian = "utf-16be"
    /// Not valid UTF-8: read byte-per-character, with Windows-1252 punctuation in 0x80–0x9F
    /// (what "Latin-1" files from Windows tools actually contain).
    case latin1 = "latin-1"
}

/// The line terminator convention found in the file.
public enum LineEnding: String, Sendable, Codable, Equatable {
    case lf, crlf, cr, mixed, none
}

/// A file turned into lines of text, with how it was decoded.
public struct DecodedText: Sendable, Equatable {
    /// Lines without terminators; `lines[0]` is line 1.
    public var lines: [String]
    public var encoding: TextEncoding
    public var lineEnding: LineEnding
    /// The 1-based line where UTF-8 decoding first failed, when the file was read as Latin-1.
    public var firstNonUTF8Line: Int?
}

extension InputReader {
    /// Decodes raw bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, or Latin-1 as a fallback.
    /// Refuses UTF-32, UTF-16 without a BOM and binary files, which would otherwise be read as garbage.
    public static func decode(_ data: Data, file: String) throws(InputReadError) -> DecodedText {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            throw InputReadError(file: file, message: "file is UTF-32, which Segue does not read; save it as UTF-8")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return try decodeUTF8(Array(bytes.dropFirst(3)), encoding: .utf8WithBOM, file: file)
        }
        if bytes.starts(with: [0xFF, 0xFE]) {
            return try decodeUTF16(bytes.dropFirst(2), littleEndian: true, file: file)
        }
        if bytes.starts(with: [0xFE, 0xFF]) {
            return try decodeUTF16(bytes.dropFirst(2), littleEndian: false, file: file)
        }
        if bytes.contains(0) {
            throw InputReadError(
                file: file,
                message: "file contains NUL bytes: it is binary or UTF-16 without a byte-order mark; save it as UTF-8")
        }
        return try decodeUTF8(bytes, encoding: .utf8, file: file)
    }

    private static func decodeUTF8(_ bytes: [UInt8], encoding: TextEncoding, file: String) throws(InputReadError) -> DecodedText {
        let split = splitLines(bytes)
        var lines: [String] = []
        lines.reserveCapacity(split.ranges.count)
        for (index, range) in split.ranges.enumerated() {
            guard let line = String(validating: bytes[range], as: UTF8.self) else {
                if encoding == .utf8WithBOM {
                    throw InputReadError(file: file, message: "line \(index + 1) is not valid UTF-8 although the file starts with a UTF-8 byte-order mark")
                }
                var latin = decodeLatin1(bytes, lineEnding: split.lineEnding)
                latin.firstNonUTF8Line = index + 1
                return latin
            }
            lines.append(line)
        }
        return DecodedText(lines: lines, encoding: encoding, lineEnding: split.lineEnding)
    }

    private static func decodeLatin1(_ bytes: [UInt8], lineEnding: LineEnding) -> DecodedText {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else {
                UTF8.encode(windows1252Scalar(byte)) { utf8.append($0) }
            }
        }
        let split = splitLines(utf8)
        let lines = split.ranges.map { String(decoding: utf8[$0], as: UTF8.self) }
        return DecodedText(lines: lines, encoding: .latin1, lineEnding: lineEnding)
    }

    private static func decodeUTF16(_ body: ArraySlice<UInt8>, littleEndian: Bool, file: String) throws(InputReadError) -> DecodedText {
        guard body.count % 2 == 0 else {
            throw InputReadError(file: file, message: "UTF-16 file has an odd number of bytes; it is truncated or not UTF-16")
        }
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var index = body.startIndex
        while index < body.endIndex {
            let a = UInt16(body[index]), b = UInt16(body[index + 1])
            units.append(littleEndian ? (b << 8 | a) : (a << 8 | b))
            index += 2
        }
        guard let text = String(validating: units, as: UTF16.self) else {
            throw InputReadError(file: file, message: "file starts with a UTF-16 byte-order mark but contains invalid UTF-16")
        }
        let utf8 = Array(text.utf8)
        let split = splitLines(utf8)
        let lines = split.ranges.map { String(decoding: utf8[$0], as: UTF8.self) }
        return DecodedText(lines: lines, encoding: littleEndian ? .utf16LittleEndian : .utf16BigEndian, lineEnding: split.lineEnding)
    }

    /// Splits on LF, CRLF and lone CR in one pass over the bytes.
    private static func splitLines(_ bytes: [UInt8]) -> (ranges: [Range<Int>], lineEnding: LineEnding) {
        var ranges: [Range<Int>] = []
        var start = 0, index = 0
        var lf = 0, crlf = 0, cr = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 0x0A {
                ranges.append(start..<index)
                lf += 1
                index += 1
                start = index
            } else if byte == 0x0D {
                ranges.append(start..<index)
                if index + 1 < count, bytes[index + 1] == 0x0A {
                    crlf += 1
                    index += 2
                } else {
                    cr += 1
                    index += 1
                }
                start = index
            } else {
                index += 1
            }
        }
        if start < count { ranges.append(start..<count) }
        let kinds = [lf > 0, crlf > 0, cr > 0].filter { $0 }.count
        let ending: LineEnding
        if kinds > 1 { ending = .mixed }
        else if crlf > 0 { ending = .crlf }
        else if cr > 0 { ending = .cr }
        else if lf > 0 { ending = .lf }
        else { ending = .none }
        return (ranges, ending)
    }

    private static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        // 0x80–0x9F are C1 controls in ISO-8859-1 but punctuation in the Windows files people actually have.
        if byte >= 0x80, byte <= 0x9F, let mapped = windows1252C1[byte], let scalar = Unicode.Scalar(mapped) {
            return scalar
        }
        return Unicode.Scalar(byte)
    }

    private static let windows1252C1: [UInt8: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]
}
