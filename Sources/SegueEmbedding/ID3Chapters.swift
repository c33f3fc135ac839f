// MP3 chapters as ID3v2 CHAP and CTOC frames (ID3v2 Chapter Frame Addendum 1.0,
// C. Newell, 2005), in an ID3v2.3 or ID3v2.4 tag at the start of the file.
// The duration comes from a Xing/Info or VBRI header in the first MPEG frame.

import Foundation
import SegueFormats

enum ID3Chapters {
    static func read(_ source: SourceFile) throws(EmbedError) -> EmbeddedChapters {
        let tag = try ID3Tag.read(source)
        let chapters = tag.map { chapterList(in: $0) } ?? []
        let duration = try MPEGInfo.duration(source, audioStart: tag?.totalSize ?? 0)
        return EmbeddedChapters(container: .mp3, chapters: chapters, duration: duration)
    }

    static func embed(_ chapters: [Chapter], from source: SourceFile, to output: OutputFile,
                      options: EmbedOptions) throws(EmbedError) -> [String] {
        let tag = try ID3Tag.read(source)
        if let tag {
            guard tag.majorVersion != 2 else {
                throw source.refused("has an ID3v2.2 tag, which cannot hold chapters; convert it to ID3v2.3 or 2.4 first")
            }
            // Frames are written back byte for byte; an unsynchronised tag would need
            // every frame rewritten, so refuse rather than risk corrupting it.
            if tag.usesUnsynchronisation {
                throw source.refused("its ID3 tag uses unsynchronisation, which Segue cannot rewrite safely")
            }
            let existing = tag.frames.filter { $0.id == "CHAP" }.count
            let hasChapterFrames = tag.frames.contains { $0.id == "CHAP" || $0.id == "CTOC" }
            if hasChapterFrames && !options.replace {
                throw source.refused("already has \(existing) chapters; use --replace to replace them")
            }
        }
        let version: UInt8
        if let tag {
            version = tag.majorVersion
        } else {
            guard options.id3Version == 3 || options.id3Version == 4 else {
                throw source.refused("ID3 version 2.\(options.id3Version) is not supported; use 3 or 4")
            }
            version = UInt8(options.id3Version)
        }
        let audioStart = tag?.totalSize ?? 0
        // Also rejects a file cut off right after its tag.
        let fileDuration = try MPEGInfo.duration(source, audioStart: audioStart)
        let duration = options.duration ?? fileDuration
        var warnings: [String] = []
        let newFrames = try chapterFrames(chapters, majorVersion: version, duration: duration,
                                          source: source, warnings: &warnings)

        var frames = (tag?.frames ?? []).filter { $0.id != "CHAP" && $0.id != "CTOC" }.map(\.raw)
        frames += newFrames
        let framesSize = frames.reduce(0) { $0 + $1.count }
        // Reuse the old tag's room when the new frames fit, so the audio stays at the same offset;
        // otherwise leave 1 KiB for later edits.
        let oldRoom = (tag?.totalSize ?? 0) - 10
        let padding = tag != nil && framesSize <= oldRoom ? oldRoom - framesSize : 1024
        guard let bytes = ID3Tag.serialize(majorVersion: version, frames: frames, padding: padding) else {
            throw source.refused("the new ID3 tag would exceed the 256 MiB an ID3 tag can hold")
        }
        try output.write(bytes)
        try source.copy(from: audioStart, count: source.size - audioStart, to: output)
        return warnings
    }

    // MARK: Reading

    private struct ChapterFrame {
        var elementID: String
        var start: UInt32
        var end: UInt32
        var title: String?
        var url: String?
    }

    private struct TOCFrame {
        var elementID: String
        var topLevel: Bool
        var children: [String]
    }

    /// Chapters in start order; a CHAP is listed when a top-level CTOC reaches it.
    private static func chapterList(in tag: ID3Tag) -> [Chapter] {
        var chaps: [ChapterFrame] = []
        var tocs: [TOCFrame] = []
        for frame in tag.frames {
            guard let content = frame.content(majorVersion: tag.majorVersion) else { continue }
            if frame.id == "CHAP", let chap = parseCHAP(content[...], majorVersion: tag.majorVersion) {
                chaps.append(chap)
            } else if frame.id == "CTOC", let toc = parseCTOC(content[...]) {
                tocs.append(toc)
            }
        }
        // Walk from the top-level CTOCs through nested ones.
        var listed = Set<String>()
        var pending = tocs.filter(\.topLevel)
        var seen = Set<String>()
        while let toc = pending.popLast() {
            guard seen.insert(toc.elementID).inserted else { continue }
            for child in toc.children {
                listed.insert(child)
                pending += tocs.filter { $0.elementID == child }
            }
        }
        return chaps.enumerated()
            .sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            .map { _, chap in
                Chapter(start: Double(chap.start) / 1000, end: Double(chap.end) / 1000,
                        title: chap.title ?? chap.elementID, url: chap.url, listed: listed.contains(chap.elementID))
            }
    }

    private static func parseCHAP(_ content: ArraySlice<UInt8>, majorVersion: UInt8) -> ChapterFrame? {
        guard let zero = content.firstIndex(of: 0), content.endIndex - zero > 16 else { return nil }
        let id = ID3Text.decode(content[content.startIndex..<zero], encoding: 0).text
        let times = zero + 1
        var chap = ChapterFrame(elementID: id,
                                start: UInt32(Bytes.bigEndian(content[times..<times + 4])),
                                end: UInt32(Bytes.bigEndian(content[times + 4..<times + 8])))
        let subFrames = content[(times + 16)...]
        for sub in parseSubFrames(subFrames, majorVersion: majorVersion) {
            guard let body = sub.content(majorVersion: majorVersion), let encoding = body.first else { continue }
            if sub.id == "TIT2", chap.title == nil {
                chap.title = ID3Text.decode(body.dropFirst(), encoding: encoding).text
            } else if sub.id == "WXXX", chap.url == nil {
                // Description in the frame's encoding, then the URL in Latin-1.
                let description = ID3Text.decode(body.dropFirst(), encoding: encoding)
                chap.url = ID3Text.decode(body[description.next...], encoding: 0).text
            }
        }
        return chap
    }

    private static func parseCTOC(_ content: ArraySlice<UInt8>) -> TOCFrame? {
        guard let zero = content.firstIndex(of: 0), content.endIndex - zero > 2 else { return nil }
        let id = ID3Text.decode(content[content.startIndex..<zero], encoding: 0).text
        let flags = content[zero + 1]
        let count = Int(content[zero + 2])
        var children: [String] = []
        var position = zero + 3
        while children.count < count, position < content.endIndex {
            let child = ID3Text.decode(content[position...], encoding: 0)
            children.append(child.text)
            position = child.next
        }
        return TOCFrame(elementID: id, topLevel: flags & 0x02 != 0, children: children)
    }

    /// Embedded frames; a malformed one ends the list rather than failing the whole read.
    private static func parseSubFrames(_ bytes: ArraySlice<UInt8>, majorVersion: UInt8) -> [ID3Frame] {
        var frames: [ID3Frame] = []
        var position = bytes.startIndex
        while bytes.endIndex - position >= 10, bytes[position] != 0 {
            let id = String(decoding: bytes[position..<position + 4], as: UTF8.self)
            let sizeBytes = bytes[position + 4..<position + 8]
            guard let size = majorVersion == 4 ? ID3Tag.synchsafe(sizeBytes) : Int(Bytes.bigEndian(sizeBytes)),
                  size <= bytes.endIndex - position - 10 else { break }
            frames.append(ID3Frame(id: id, raw: Array(bytes[position..<position + 10 + size])))
            position += 10 + size
        }
        return frames
    }

    // MARK: Writing

    /// One CTOC listing the listed chapters, then one CHAP per chapter.
    private static func chapterFrames(_ chapters: [Chapter], majorVersion: UInt8, duration: Double?,
                                      source: SourceFile, warnings: inout [String]) throws(EmbedError) -> [[UInt8]] {
        guard !chapters.isEmpty else { return [] }
        // The CTOC entry count is one byte.
        let listedCount = chapters.filter(\.listed).count
        guard listedCount <= 255 else {
            throw source.refused("\(listedCount) chapters are too many for an ID3 table of contents (at most 255)")
        }
        let ordered = chapters.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            .map(\.element)
        func milliseconds(_ seconds: Double, _ what: String) throws(EmbedError) -> UInt32 {
            let ms = (seconds * 1000).rounded()
            guard ms.isFinite, ms >= 0, ms < Double(UInt32.max) else {
                throw source.refused("chapter \(what) \(seconds) s cannot be stored in an ID3 CHAP frame")
            }
            return UInt32(ms)
        }
        var chapFrames: [[UInt8]] = []
        var children: [String] = []
        for (index, chapter) in ordered.enumerated() {
            let id = "chp\(index)"
            if chapter.listed { children.append(id) }
            let start = try milliseconds(chapter.start, "start")
            let endSeconds = chapter.end ?? (index + 1 < ordered.count ? ordered[index + 1].start : duration)
            let end = try max(start, milliseconds(endSeconds ?? chapter.start, "end"))

            var content = Array(id.utf8) + [0] + Bytes.bigEndian(start) + Bytes.bigEndian(end)
            content += [UInt8](repeating: 0xFF, count: 8)  // byte offsets unused: players seek by time
            let title = ID3Text.encode(chapter.title, majorVersion: majorVersion)
            guard let tit2 = ID3Frame.make("TIT2", [title.encoding] + title.bytes, majorVersion: majorVersion) else {
                throw source.refused("chapter title is too long for an ID3 frame")
            }
            content += tit2
            if let url = chapter.url {
                // Empty description (Latin-1), then the URL.
                if let wxxx = ID3Frame.make("WXXX", [0, 0] + ID3Text.urlBytes(url), majorVersion: majorVersion) {
                    content += wxxx
                }
            }
            guard let frame = ID3Frame.make("CHAP", content, majorVersion: majorVersion) else {
                throw source.refused("chapter \"\(chapter.title)\" is too large for an ID3 frame")
            }
            chapFrames.append(frame)
        }
        if ordered.contains(where: { $0.image != nil }) {
            warnings.append("chapter images are not embedded in MP3 files")
        }
        guard !children.isEmpty else { return chapFrames }
        var toc = Array("toc".utf8) + [0, 0x03, UInt8(children.count)]
        for child in children { toc += Array(child.utf8) + [0] }
        guard let ctoc = ID3Frame.make("CTOC", toc, majorVersion: majorVersion) else { return chapFrames }
        return [ctoc] + chapFrames
    }
}

/// The first MPEG audio frame's Xing/Info or VBRI header (LAME and Fraunhofer
/// conventions), which states the number of frames and so the duration.
enum MPEGInfo {
    static func duration(_ source: SourceFile, audioStart: Int) throws(EmbedError) -> Double? {
        let available = source.size - audioStart
        guard available >= 4 else {
            if audioStart > 0 { throw source.unreadable("truncated MP3: no audio after the ID3 tag (byte \(audioStart))") }
            return nil
        }
        let head = try source.bytes(at: audioStart, count: min(available, 192), what: "MPEG frame header")
        guard head[0] == 0xFF, head[1] & 0xE0 == 0xE0 else { return nil }
        let versionBits = head[1] >> 3 & 0x03   // 0 MPEG 2.5, 2 MPEG 2, 3 MPEG 1
        let layerBits = head[1] >> 1 & 0x03     // 1 Layer III, 2 Layer II, 3 Layer I
        let rateIndex = Int(head[2] >> 2 & 0x03)
        guard versionBits != 1, layerBits != 0, rateIndex != 3 else { return nil }
        let baseRates = [44_100, 48_000, 32_000]
        let sampleRate = baseRates[rateIndex] / (versionBits == 3 ? 1 : versionBits == 2 ? 2 : 4)
        let mono = head[3] >> 6 == 0x03
        let samplesPerFrame = layerBits == 3 ? 384 : (layerBits == 2 || versionBits == 3 ? 1152 : 576)

        func u32(_ offset: Int) -> UInt64? {
            offset + 4 <= head.count ? Bytes.bigEndian(head[offset..<offset + 4]) : nil
        }
        func tag(_ offset: Int) -> String? {
            offset + 4 <= head.count ? String(decoding: head[offset..<offset + 4], as: UTF8.self) : nil
        }
        var frames: UInt64?, streamBytes: UInt64?
        let sideInfo = versionBits == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17)
        let xing = 4 + sideInfo
        if let name = tag(xing), name == "Xing" || name == "Info", let flags = u32(xing + 4) {
            // Optional fields follow the flags in order: frame count (bit 0), then byte count (bit 1).
            if flags & 1 != 0 { frames = u32(xing + 8) }
            if flags & 2 != 0 { streamBytes = u32(xing + 8 + (flags & 1 != 0 ? 4 : 0)) }
        } else if tag(36) == "VBRI" {
            streamBytes = u32(36 + 10)
            frames = u32(36 + 14)
        }
        // The header states how long the stream is; a file that stops well short of that was cut off.
        if let streamBytes, streamBytes > 0, Double(available) < Double(streamBytes) * 0.99 {
            throw source.unreadable("truncated MP3: its \(tag(xing) ?? "VBRI") header says the audio is "
                + "\(streamBytes) bytes, but only \(available) follow byte \(audioStart)")
        }
        guard let frames, frames > 0 else { return nil }
        return Double(frames) * Double(samplesPerFrame) / Double(sampleRate)
    }
}
