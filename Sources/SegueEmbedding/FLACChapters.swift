// FLAC chapters as Xiph Chapter Extension fields in the VORBIS_COMMENT
// metadata block (FLAC format, RFC 9639 §8: metadata block header, STREAMINFO,
// PADDING, VORBIS_COMMENT). Every other block is copied byte for byte.

import Foundation
import SegueFormats

/// One metadata block as found in the file.
struct FLACBlock {
    static let streamInfo: UInt8 = 0
    static let padding: UInt8 = 1
    static let vorbisComment: UInt8 = 4

    var type: UInt8
    /// Offset of the 4-byte block header.
    var offset: Int
    /// Length of the block's data, without the header.
    var length: Int
}

enum FLACChapters {
    static func read(_ source: SourceFile) throws(EmbedError) -> EmbeddedChapters {
        let (blocks, _) = try metadataBlocks(source)
        var duration: Double?
        if let info = blocks.first(where: { $0.type == FLACBlock.streamInfo }), info.length >= 18 {
            let data = try source.bytes(at: info.offset + 4, count: 18, what: "STREAMINFO")
            // Sample rate: 20 bits from byte 10; total samples: the low 36 bits of bytes 13–17.
            let rate = Int(data[10]) << 12 | Int(data[11]) << 4 | Int(data[12]) >> 4
            let samples = UInt64(data[13] & 0x0F) << 32 | Bytes.bigEndian(data[14..<18])
            if rate > 0, samples > 0 { duration = Double(samples) / Double(rate) }
        }
        let comment = try vorbisComment(in: blocks, source: source)
        return EmbeddedChapters(container: .flac, chapters: comment?.chapters ?? [], duration: duration)
    }

    static func embed(_ chapters: [Chapter], from source: SourceFile, to output: OutputFile,
                      options: EmbedOptions) throws(EmbedError) -> [String] {
        let (blocks, audioStart) = try metadataBlocks(source)
        let existing = try vorbisComment(in: blocks, source: source)
        if let existing, existing.chapterCount > 0, !options.replace {
            throw source.refused("already has \(existing.chapterCount) chapters; use --replace to replace them")
        }
        var warnings: [String] = []
        let base = existing ?? VorbisComment(vendor: Array("Segue".utf8), comments: [])
        let updated = try base.replacingChapters(with: chapters, source: source, warnings: &warnings)
        guard let commentData = updated.serialized(), commentData.count < 1 << 24 else {
            throw source.refused("the chapter comments would exceed the 16 MiB a FLAC metadata block can hold")
        }

        // The new block list: the comment block replaced in place, or added after STREAMINFO.
        enum Part { case original(FLACBlock), comment, padding(Int) }
        var parts: [Part] = blocks.map { $0.type == FLACBlock.vorbisComment ? .comment : .original($0) }
        if existing == nil { parts.insert(.comment, at: 1) }
        // Let a PADDING block absorb the size change so the frames keep their offset.
        let oldSize = blocks.first { $0.type == FLACBlock.vorbisComment }.map { $0.length + 4 } ?? 0
        let growth = commentData.count + 4 - oldSize
        if let index = parts.lastIndex(where: { if case .original(let b) = $0 { b.type == FLACBlock.padding } else { false } }),
           case .original(let padding) = parts[index] {
            if padding.length - growth >= 0 {
                parts[index] = .padding(padding.length - growth)
            } else if padding.length + 4 == growth {
                parts.remove(at: index)
            }
        }

        try output.write(Array("fLaC".utf8))
        for (index, part) in parts.enumerated() {
            let last: UInt8 = index == parts.count - 1 ? 0x80 : 0
            switch part {
            case .original(let block):
                // Header rewritten only for the last-block flag; the data is copied unchanged.
                let header = try source.bytes(at: block.offset, count: 4, what: "metadata block header")
                try output.write([header[0] & 0x7F | last] + header[1...])
                try source.copy(from: block.offset + 4, count: block.length, to: output)
            case .comment:
                try output.write([FLACBlock.vorbisComment | last] + length24(commentData.count) + commentData)
            case .padding(let length):
                try output.write([FLACBlock.padding | last] + length24(length))
                try output.write([UInt8](repeating: 0, count: length))
            }
        }
        try source.copy(from: audioStart, count: source.size - audioStart, to: output)
        return warnings
    }

    private static func length24(_ value: Int) -> [UInt8] {
        [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The metadata blocks after "fLaC" and the offset of the first audio frame,
    /// each length checked against the file.
    static func metadataBlocks(_ source: SourceFile) throws(EmbedError) -> ([FLACBlock], audioStart: Int) {
        var blocks: [FLACBlock] = []
        var offset = 4
        while true {
            let header = try source.bytes(at: offset, count: 4, what: "FLAC metadata block header")
            let type = header[0] & 0x7F
            let length = Int(Bytes.bigEndian(header[1..<4]))
            guard type != 127 else { throw source.unreadable("invalid FLAC metadata block type 127 at byte \(offset)") }
            guard length <= source.size - offset - 4 else {
                throw source.unreadable("FLAC metadata block at byte \(offset) claims \(length) bytes but the file has only \(source.size - offset - 4) more")
            }
            if blocks.isEmpty, type != FLACBlock.streamInfo || length != 34 {
                throw source.unreadable("FLAC file does not start with a STREAMINFO block (byte 4)")
            }
            blocks.append(FLACBlock(type: type, offset: offset, length: length))
            offset += 4 + length
            if header[0] & 0x80 != 0 { break }
        }
        if blocks.filter({ $0.type == FLACBlock.vorbisComment }).count > 1 {
            throw source.unreadable("FLAC file has more than one VORBIS_COMMENT block")
        }
        // Frames start with the 14-bit sync code 0x3FFE; anything else is not audio.
        if source.size - offset >= 2 {
            let sync = try source.bytes(at: offset, count: 2, what: "FLAC frame header")
            guard sync[0] == 0xFF, sync[1] & 0xFE == 0xF8 else {
                throw source.unreadable("no FLAC audio frame after the metadata (byte \(offset))")
            }
        }
        return (blocks, offset)
    }

    private static func vorbisComment(in blocks: [FLACBlock], source: SourceFile) throws(EmbedError) -> VorbisComment? {
        guard let block = blocks.first(where: { $0.type == FLACBlock.vorbisComment }) else { return nil }
        let data = try source.bytes(at: block.offset + 4, count: block.length, what: "VORBIS_COMMENT block")
        return try VorbisComment.parse(data[...], fileOffset: block.offset + 4, source: source).0
    }
}
