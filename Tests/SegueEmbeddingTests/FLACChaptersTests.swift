import Foundation
import Testing
import SegueEmbedding
import SegueFormats
import SegueTestSupport

@Suite struct FLACChaptersTests {
    /// Metadata blocks (type, data) and the audio frames after them.
    static func blocks(_ data: Data) -> (blocks: [(type: UInt8, data: [UInt8])], audio: Data) {
        let bytes = [UInt8](data)
        var blocks: [(UInt8, [UInt8])] = []
        var offset = 4
        while offset + 4 <= bytes.count {
            let length = bytes[offset + 1..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            blocks.append((bytes[offset] & 0x7F, Array(bytes[offset + 4..<offset + 4 + length])))
            let last = bytes[offset] & 0x80 != 0
            offset += 4 + length
            if last { break }
        }
        return (blocks, data.subdata(in: offset..<data.count))
    }

    /// The comments of the VORBIS_COMMENT block data, in order.
    static func comments(_ block: [UInt8]) -> [String] {
        func u32(_ at: Int) -> Int { block[at..<at + 4].reversed().reduce(0) { $0 << 8 | Int($1) } }
        var position = 4 + u32(0)
        let count = u32(position)
        position += 4
        var result: [String] = []
        for _ in 0..<count {
            let length = u32(position)
            result.append(String(decoding: block[position + 4..<position + 4 + length], as: UTF8.self))
            position += 4 + length
        }
        return result
    }

    @Test func embedsAndReadsBackChapters() throws {
        let folder = try TestAudio.temporaryFolder()
        let source = try EmbedFixtures.copy("clean.flac", to: folder)
        let output = folder.appendingPathComponent("chapters.flac")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: source, writingTo: output)

        let found = try ChapterEmbedder.read(output)
        #expect(found.container == .flac)
        EmbedFixtures.expectSameChapters(found.chapters, EmbedFixtures.chapters)
        #expect(abs((found.duration ?? 0) - 46.67) < 0.1)

        let before = Self.blocks(try Data(contentsOf: source))
        let after = Self.blocks(try Data(contentsOf: output))
        #expect(after.audio == before.audio)
        #expect(after.blocks.map(\.type) == before.blocks.map(\.type))
        let comments = Self.comments(try #require(after.blocks.first { $0.type == 4 }).data)
        #expect(comments.contains("CHAPTER001=00:00:00.000"))
        #expect(comments.contains("CHAPTER002=00:00:12.345"))
        #expect(comments.contains("CHAPTER002URL=https://example.com/a?b=1&c=2"))
        #expect(comments.contains("CHAPTER004NAME=שלום עולם"))
        #expect(try EmbedFixtures.audioMD5(output) == EmbedFixtures.audioMD5(source))
        let probed = try EmbedFixtures.ffprobeChapters(output)
        #expect(probed.map(\.title) == EmbedFixtures.chapters.map(\.title))
        #expect(zip(probed, EmbedFixtures.chapters).allSatisfy { abs($0.start - $1.start) < 0.0005 })
    }

    @Test func keepsOtherCommentsAndBlocks() throws {
        let folder = try TestAudio.temporaryFolder()
        let cover = folder.appendingPathComponent("cover.png")
        try EmbedFixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", cover.path])
        let tagged = folder.appendingPathComponent("tagged.flac")
        try EmbedFixtures.ffmpeg(["-i", Repository.fixtures.appendingPathComponent("clean.flac").path, "-i", cover.path,
                                  "-map", "0", "-map", "1", "-c", "copy", "-disposition:v", "attached_pic",
                                  "-metadata", "title=Episode & \"one\"", "-metadata", "artist=Ada", tagged.path])
        let output = folder.appendingPathComponent("chapters.flac")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: tagged, writingTo: output)

        let before = Self.blocks(try Data(contentsOf: tagged))
        let after = Self.blocks(try Data(contentsOf: output))
        #expect(before.blocks.contains { $0.type == 6 })
        // Blocks other than the comment and padding are identical and in the same order.
        let kept: ([(type: UInt8, data: [UInt8])]) -> [[UInt8]] = { $0.filter { $0.type != 4 && $0.type != 1 }.map(\.data) }
        #expect(kept(after.blocks) == kept(before.blocks))
        #expect(after.audio == before.audio)
        // Old comments keep their order; the chapters follow.
        let oldComments = Self.comments(try #require(before.blocks.first { $0.type == 4 }).data)
        let newComments = Self.comments(try #require(after.blocks.first { $0.type == 4 }).data)
        #expect(Array(newComments.prefix(oldComments.count)) == oldComments)
        #expect(newComments.count == oldComments.count + 2 * 4 + 2)
        let tags = try EmbedFixtures.ffprobeTags(output)
        #expect(tags["title"] == "Episode & \"one\"")
        #expect(tags["artist"] == "Ada")
    }

    @Test func paddingAbsorbsTheNewComments() throws {
        // clean.flac with a 4 KiB PADDING block appended to its metadata.
        let folder = try TestAudio.temporaryFolder()
        var bytes = [UInt8](try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.flac")))
        let parsed = Self.blocks(Data(bytes))
        let metadataEnd = bytes.count - parsed.audio.count
        var lastHeader = 4
        for block in parsed.blocks.dropLast() { lastHeader += 4 + block.data.count }
        bytes[lastHeader] &= 0x7F
        bytes.insert(contentsOf: [0x81, 0x00, 0x10, 0x00] + [UInt8](repeating: 0, count: 4096), at: metadataEnd)
        let padded = folder.appendingPathComponent("padded.flac")
        try Data(bytes).write(to: padded)

        let output = folder.appendingPathComponent("chapters.flac")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: padded, writingTo: output)
        let after = try Data(contentsOf: output)
        #expect(after.count == bytes.count)
        let blocks = Self.blocks(after).blocks
        #expect(blocks.last?.type == 1)
        #expect(blocks.count == parsed.blocks.count + 1)
        EmbedFixtures.expectSameChapters(try ChapterEmbedder.read(output).chapters, EmbedFixtures.chapters)
        #expect(try EmbedFixtures.audioMD5(output) == EmbedFixtures.audioMD5(padded))
    }

    @Test func refusesExistingChaptersUnlessReplacing() throws {
        let folder = try TestAudio.temporaryFolder()
        let file = try EmbedFixtures.copy("clean.flac", to: folder)
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: file, writingTo: file)
        let before = try Data(contentsOf: file)
        let error = EmbedFixtures.error { try ChapterEmbedder.embed(EmbedFixtures.chapters, into: file, writingTo: file) }
        #expect(error?.kind == .refused)
        #expect(error?.reason == "already has 4 chapters; use --replace to replace them")
        #expect(try Data(contentsOf: file) == before)

        let replacement = [Chapter(start: 1.5, title: "One"), Chapter(start: 3723.004, title: "Two")]
        try ChapterEmbedder.embed(replacement, into: file, writingTo: file, options: EmbedOptions(replace: true))
        EmbedFixtures.expectSameChapters(try ChapterEmbedder.read(file).chapters, replacement)
        let comments = Self.comments(try #require(Self.blocks(try Data(contentsOf: file)).blocks.first { $0.type == 4 }).data)
        #expect(comments.filter { $0.hasPrefix("CHAPTER") }
                == ["CHAPTER001=00:00:01.500", "CHAPTER001NAME=One", "CHAPTER002=01:02:03.004", "CHAPTER002NAME=Two"])
    }

    @Test func readsAndReplacesChaptersFFmpegWrote() throws {
        try EmbedFixtures.expectReadsAndReplacesFFmpegChapters("clean.flac")
    }

    @Test func survivesCorruptedFiles() throws {
        try EmbedFixtures.expectSurvivesCorruption("clean.flac")
    }

    @Test func readsLenientTimes() throws {
        let folder = try TestAudio.temporaryFolder()
        var bytes = [UInt8](try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.flac")))
        let parsed = Self.blocks(Data(bytes))
        // Replace the comment block (the last one) with hand-written chapter fields.
        func le(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian) { Array($0) } }
        let fields = ["CHAPTER01=0:00:20", "CHAPTER01NAME=Short", "chapter000=00:00:00.5", "CHAPTER000NAME=First",
                      "CHAPTER02=00:01:02.25-->00:01:10"]
        var block = le(3) + Array("abc".utf8) + le(fields.count)
        for field in fields { block += le(field.utf8.count) + Array(field.utf8) }
        var header = 4
        for item in parsed.blocks.dropLast() { header += 4 + item.data.count }
        #expect(parsed.blocks.last?.type == 4)
        bytes.replaceSubrange(header..<(bytes.count - parsed.audio.count),
                              with: [0x84, 0, UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block)
        let url = folder.appendingPathComponent("lenient.flac")
        try Data(bytes).write(to: url)
        let chapters = try ChapterEmbedder.read(url).chapters
        #expect(chapters.map(\.start) == [0.5, 20, 62.25])
        #expect(chapters.map(\.title) == ["First", "Short", ""])
        #expect(chapters.last?.end == 70)
    }

    @Test func hostileFilesGiveClearErrors() throws {
        let folder = try TestAudio.temporaryFolder()
        let original = [UInt8](try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.flac")))

        // SEEKTABLE (second block, at byte 42) claims 16 MiB.
        var lying = original
        lying[43...45] = [0xFF, 0xFF, 0xFF]
        let lyingURL = folder.appendingPathComponent("lying.flac")
        try Data(lying).write(to: lyingURL)
        let error = EmbedFixtures.error { _ = try ChapterEmbedder.read(lyingURL) }
        #expect(error?.kind == .unreadable)
        #expect(error?.reason.contains("byte 42") == true)
        try EmbedFixtures.expectEmbedFails(lyingURL)

        // Cut inside the metadata.
        let cut = folder.appendingPathComponent("cut.flac")
        try Data(original.prefix(100)).write(to: cut)
        #expect(EmbedFixtures.error { _ = try ChapterEmbedder.read(cut) }?.kind == .unreadable)
        try EmbedFixtures.expectEmbedFails(cut)

        // A comment count that lies inside a valid block.
        var count = original
        let commentBlock = 4 + 38 + 94
        let vendorLength = Int(count[commentBlock + 4]) | Int(count[commentBlock + 5]) << 8
        let countAt = commentBlock + 8 + vendorLength
        count[countAt..<countAt + 4] = [0xFF, 0xFF, 0xFF, 0x7F]
        let countURL = folder.appendingPathComponent("count.flac")
        try Data(count).write(to: countURL)
        #expect(EmbedFixtures.error { _ = try ChapterEmbedder.read(countURL) }?.kind == .unreadable)
        try EmbedFixtures.expectEmbedFails(countURL)

        // Garbage instead of audio frames after the metadata.
        let garbage = folder.appendingPathComponent("garbage.flac")
        try Data(original.prefix(208) + Array("not audio at all".utf8)).write(to: garbage)
        try EmbedFixtures.expectEmbedFails(garbage)
    }
}
