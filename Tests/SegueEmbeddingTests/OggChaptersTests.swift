import Foundation
import Testing
import SegueEmbedding
import SegueFormats
import SegueTestSupport

@Suite struct OggChaptersTests {
    struct Page {
        var offset: Int
        var headerType: UInt8
        var granule: UInt64
        var sequence: UInt32
        var lacing: [UInt8]
        var body: [UInt8]
    }

    static func pages(_ data: Data) -> [Page] {
        let bytes = [UInt8](data)
        var pages: [Page] = []
        var offset = 0
        func le(_ range: Range<Int>) -> UInt64 { bytes[range].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        while offset + 27 <= bytes.count {
            let count = Int(bytes[offset + 26])
            let lacing = Array(bytes[offset + 27..<offset + 27 + count])
            let size = lacing.reduce(0) { $0 + Int($1) }
            let bodyStart = offset + 27 + count
            pages.append(Page(offset: offset, headerType: bytes[offset + 5], granule: le(offset + 6..<offset + 14),
                              sequence: UInt32(le(offset + 18..<offset + 22)), lacing: lacing,
                              body: Array(bytes[bodyStart..<bodyStart + size])))
            offset = bodyStart + size
        }
        return pages
    }

    /// The pages after the one on which header packet number `headerPackets` ends.
    static func audioPages(_ data: Data, headerPackets: Int) -> [Page] {
        let all = pages(data)
        var packets = 0
        for (index, page) in all.enumerated() {
            packets += page.lacing.filter { $0 < 255 }.count
            if packets >= headerPackets { return Array(all[(index + 1)...]) }
        }
        return []
    }

    static let fixtures = [("clean.ogg", 3), ("clean.opus", 2)]

    @Test(arguments: fixtures)
    func embedsAndReadsBackChapters(fixture: String, headerPackets: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let source = try EmbedFixtures.copy(fixture, to: folder)
        let output = folder.appendingPathComponent("chapters-" + fixture)
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: source, writingTo: output)

        let found = try ChapterEmbedder.read(output)
        #expect(found.container == (fixture.hasSuffix("opus") ? .opus : .oggVorbis))
        EmbedFixtures.expectSameChapters(found.chapters, EmbedFixtures.chapters)
        #expect(abs((found.duration ?? 0) - 46.67) < 0.05)

        let before = Self.audioPages(try Data(contentsOf: source), headerPackets: headerPackets)
        let after = Self.audioPages(try Data(contentsOf: output), headerPackets: headerPackets)
        #expect(after.flatMap(\.body) == before.flatMap(\.body))
        #expect(after.map(\.granule) == before.map(\.granule))
        #expect(try EmbedFixtures.audioMD5(output) == EmbedFixtures.audioMD5(source))
        // FFmpeg checks every page CRC while decoding.
        let decode = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), ["-v", "error", "-i", output.path, "-f", "null", "-"])
        #expect(decode.status == 0 && decode.stderr.isEmpty, "\(decode.stderr)")
        let probed = try EmbedFixtures.ffprobeChapters(output)
        #expect(probed.map(\.title) == EmbedFixtures.chapters.map(\.title))
        #expect(zip(probed, EmbedFixtures.chapters).allSatisfy { abs($0.start - $1.start) < 0.0005 })
    }

    @Test(arguments: fixtures)
    func keepsOtherCommentsAndHandlesMultiPageComments(fixture: String, headerPackets: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let tagged = folder.appendingPathComponent("tagged-" + fixture)
        try EmbedFixtures.ffmpeg(["-i", Repository.fixtures.appendingPathComponent(fixture).path, "-c", "copy",
                                  "-metadata", "title=Episode & \"one\"", "-metadata", "artist=Ada", tagged.path])
        // ~100 KB of titles: the comment packet spans several pages and page numbers shift.
        let many = (0..<300).map { Chapter(start: Double($0) * 0.15, title: "Chapter \($0) " + String(repeating: "ש🎙️", count: 40)) }
        let output = folder.appendingPathComponent("chapters-" + fixture)
        try ChapterEmbedder.embed(many, into: tagged, writingTo: output)

        let found = try ChapterEmbedder.read(output)
        EmbedFixtures.expectSameChapters(found.chapters, many)
        let tags = try EmbedFixtures.ffprobeTags(output)
        #expect(tags["title"] == "Episode & \"one\"")
        #expect(tags["artist"] == "Ada")

        let outputPages = Self.pages(try Data(contentsOf: output))
        #expect(outputPages.count > Self.pages(try Data(contentsOf: tagged)).count)
        #expect(outputPages.enumerated().allSatisfy { UInt32($0.offset) == $0.element.sequence })
        let before = Self.audioPages(try Data(contentsOf: tagged), headerPackets: headerPackets)
        let after = Self.audioPages(try Data(contentsOf: output), headerPackets: headerPackets)
        #expect(after.flatMap(\.body) == before.flatMap(\.body))
        let decode = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), ["-v", "error", "-i", output.path, "-f", "null", "-"])
        #expect(decode.status == 0 && decode.stderr.isEmpty, "\(decode.stderr)")
    }

    @Test(arguments: fixtures)
    func refusesExistingChaptersUnlessReplacing(fixture: String, headerPackets: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let file = try EmbedFixtures.copy(fixture, to: folder)
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: file, writingTo: file)
        let before = try Data(contentsOf: file)
        let error = EmbedFixtures.error { try ChapterEmbedder.embed(EmbedFixtures.chapters, into: file, writingTo: file) }
        #expect(error?.kind == .refused)
        #expect(error?.reason == "already has 4 chapters; use --replace to replace them")
        #expect(try Data(contentsOf: file) == before)

        let replacement = [Chapter(start: 2, title: "Only one", url: "https://example.net/")]
        try ChapterEmbedder.embed(replacement, into: file, writingTo: file, options: EmbedOptions(replace: true))
        EmbedFixtures.expectSameChapters(try ChapterEmbedder.read(file).chapters, replacement)
    }

    @Test(arguments: ["clean.ogg", "clean.opus"])
    func readsAndReplacesChaptersFFmpegWrote(fixture: String) throws {
        try EmbedFixtures.expectReadsAndReplacesFFmpegChapters(fixture)
    }

    @Test(arguments: ["clean.ogg", "clean.opus"])
    func survivesCorruptedFiles(fixture: String) throws {
        try EmbedFixtures.expectSurvivesCorruption(fixture, rounds: 60)
    }

    @Test(arguments: fixtures)
    func hostileFilesGiveClearErrors(fixture: String, headerPackets: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let original = [UInt8](try Data(contentsOf: Repository.fixtures.appendingPathComponent(fixture)))
        let pages = Self.pages(Data(original))

        // Cut in the middle of the header pages.
        let cut = folder.appendingPathComponent("cut-" + fixture)
        try Data(original.prefix(pages[1].offset + 40)).write(to: cut)
        #expect(EmbedFixtures.error { _ = try ChapterEmbedder.read(cut) }?.kind == .unreadable)
        try EmbedFixtures.expectEmbedFails(cut)

        // An audio page whose body was damaged: its CRC no longer matches.
        var damaged = original
        damaged[pages[pages.count / 2].offset + 60] ^= 0x55
        let damagedURL = folder.appendingPathComponent("damaged-" + fixture)
        try Data(damaged).write(to: damagedURL)
        try EmbedFixtures.expectEmbedFails(damagedURL)

        // A segment table that claims a body running past the end of the file.
        var lying = Array(original.prefix(pages[2].offset + 27 + pages[2].lacing.count + 10))
        lying[pages[2].offset + 27] = 255
        let lyingURL = folder.appendingPathComponent("lying-" + fixture)
        try Data(lying).write(to: lyingURL)
        try EmbedFixtures.expectEmbedFails(lyingURL)

        // Garbage after the last page.
        let garbage = folder.appendingPathComponent("garbage-" + fixture)
        try Data(original + Array("trailing junk".utf8)).write(to: garbage)
        let error = EmbedFixtures.error {
            try ChapterEmbedder.embed(EmbedFixtures.chapters, into: garbage,
                                      writingTo: folder.appendingPathComponent("out.ogg"))
        }
        #expect(error?.kind == .unreadable)
        #expect(error?.reason.contains("byte \(original.count)") == true)
    }
}
