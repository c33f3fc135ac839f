// Vorbis comments (Vorbis I specification §5, "comment field and header
// specification"), shared by FLAC's VORBIS_COMMENT block and Ogg's comment
// packets, and the chapters they carry (Xiph Chapter Extension:
// CHAPTERxxx=HH:MM:SS.mmm, CHAPTERxxxNAME, CHAPTERxxxURL).

import Foundation
import SegueFormats

/// A vendor string and a list of `KEY=value` comments, each kept as raw bytes
/// so the ones Segue does not touch are written back unchanged.
struct VorbisComment {
    var vendor: [UInt8]
    var comments: [[UInt8]]

    /// Parses the little-endian layout at the start of `bytes`; returns the comment and
    /// the index just after it. `fileOffset` is where `bytes.startIndex` lies in the file.
    static func parse(_ bytes: ArraySlice<UInt8>, fileOffset: Int,
                      source: SourceFile) throws(EmbedError) -> (VorbisComment, next: Int) {
        var position = bytes.startIndex
        let base = fileOffset - bytes.startIndex
        func field(_ what: String) throws(EmbedError) -> [UInt8] {
            guard bytes.endIndex - position >= 4 else {
                throw source.unreadable("truncated Vorbis comment: \(what) length at byte \(base + position)")
            }
            let length = Int(Bytes.littleEndian(bytes[position..<position + 4]))
            guard length <= bytes.endIndex - position - 4 else {
                throw source.unreadable("Vorbis comment \(what) at byte \(base + position) claims \(length) bytes, more than its block holds")
            }
            let value = Array(bytes[position + 4..<position + 4 + length])
            position += 4 + length
            return value
        }
        let vendor = try field("vendor string")
        guard bytes.endIndex - position >= 4 else {
            throw source.unreadable("truncated Vorbis comment: comment count at byte \(base + position)")
        }
        let count = Int(Bytes.littleEndian(bytes[position..<position + 4]))
        position += 4
        // Each comment needs at least its 4-byte length, so a lying count fails fast.
        guard count <= (bytes.endIndex - position) / 4 else {
            throw source.unreadable("Vorbis comment count \(count) at byte \(base + position - 4) is more than its block can hold")
        }
        var comments: [[UInt8]] = []
        comments.reserveCapacity(count)
        for _ in 0..<count { comments.append(try field("comment")) }
        return (VorbisComment(vendor: vendor, comments: comments), position)
    }

    func serialized() -> [UInt8]? {
        guard let vendorLength = UInt32(exactly: vendor.count), let count = UInt32(exactly: comments.count) else {
            return nil
        }
        var bytes = Bytes.littleEndian(vendorLength) + vendor + Bytes.littleEndian(count)
        for comment in comments {
            guard let length = UInt32(exactly: comment.count) else { return nil }
            bytes += Bytes.littleEndian(length) + comment
        }
        return bytes
    }

    // MARK: Chapters

    /// A `CHAPTERnnn…` field: its number and what follows the digits ("", "NAME", "URL", …).
    private static func chapterKey(_ comment: [UInt8]) -> (number: Int, suffix: String, value: String)? {
        guard let equals = comment.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let key = String(decoding: comment[..<equals], as: UTF8.self).uppercased()
        guard key.hasPrefix("CHAPTER") else { return nil }
        let rest = key.dropFirst(7)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let number = Int(digits) else { return nil }
        let value = String(decoding: comment[(equals + 1)...], as: UTF8.self)
        return (number, String(rest.dropFirst(digits.count)), value)
    }

    /// How many chapters the comments hold (distinct chapter numbers).
    var chapterCount: Int { Set(comments.compactMap { Self.chapterKey($0)?.number }).count }

    /// The chapters, in start order; numbers without a readable start time are skipped.
    var chapters: [Chapter] {
        var starts: [Int: (Double, Double?)] = [:]
        var names: [Int: String] = [:]
        var urls: [Int: String] = [:]
        for comment in comments {
            guard let (number, suffix, value) = Self.chapterKey(comment) else { continue }
            switch suffix {
            case "": if let times = Self.parseTimes(value) { starts[number] = times }
            case "NAME": names[number] = value
            case "URL": urls[number] = value
            default: break
            }
        }
        return starts.keys.sorted().map { number in
            let (start, end) = starts[number] ?? (0, nil)
            return Chapter(start: start, end: end, title: names[number] ?? "", url: urls[number])
        }.sorted { $0.start < $1.start }
    }

    /// The comments without any chapter field, then the Xiph fields for `chapters`
    /// numbered from 001. Hidden chapters are left out: Vorbis comments cannot hide one.
    func replacingChapters(with chapters: [Chapter], source: SourceFile,
                           warnings: inout [String]) throws(EmbedError) -> VorbisComment {
        var result = self
        result.comments.removeAll { Self.chapterKey($0) != nil }
        let listed = chapters.filter(\.listed).enumerated()
            .sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
        let hidden = chapters.count - listed.count
        if hidden > 0 {
            warnings.append("\(hidden) hidden chapter\(hidden == 1 ? " was" : "s were") left out: Vorbis comments cannot hide a chapter")
        }
        guard listed.count <= 999 else {
            throw source.refused("\(listed.count) chapters are too many for Vorbis comments (at most 999)")
        }
        if listed.contains(where: { $0.image != nil }) {
            warnings.append("chapter images are not embedded in Vorbis comments")
        }
        for (index, chapter) in listed.enumerated() {
            guard chapter.start.isFinite, chapter.start >= 0, chapter.start < 360_000_000 else {
                throw source.refused("chapter start \(chapter.start) s cannot be written as a Vorbis comment time")
            }
            let key = "CHAPTER" + String(format: "%03d", index + 1)
            result.comments.append(Array("\(key)=\(Self.formatTime(chapter.start))".utf8))
            result.comments.append(Array("\(key)NAME=\(chapter.title)".utf8))
            if let url = chapter.url { result.comments.append(Array("\(key)URL=\(url)".utf8)) }
        }
        return result
    }

    /// `HH:MM:SS.mmm`, the only form FFmpeg reads.
    static func formatTime(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }

    /// A start time, leniently: `H:MM:SS`, `MM:SS`, any fraction length; an old-style
    /// `start-->end` also gives the end.
    static func parseTimes(_ text: String) -> (Double, Double?)? {
        let parts = text.components(separatedBy: "-->")
        guard let start = parseTime(parts[0]) else { return nil }
        return (start, parts.count == 2 ? parseTime(parts[1]) : nil)
    }

    static func parseTime(_ text: String) -> Double? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(fields.count) else { return nil }
        var total = 0.0
        for (index, field) in fields.enumerated() {
            let isLast = index == fields.count - 1
            guard !field.isEmpty, field.allSatisfy({ $0.isASCII && ($0.isNumber || (isLast && $0 == ".")) }),
                  let value = Double(field) else { return nil }
            total = total * 60 + value
        }
        return total.isFinite ? total : nil
    }
}
