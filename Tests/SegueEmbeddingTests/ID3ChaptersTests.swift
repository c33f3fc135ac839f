import Foundation
import Testing
import SegueEmbedding
import SegueFormats
import SegueTestSupport

/// Chapters and file helpers shared by the container tests.
enum EmbedFixtures {
    /// Titles with quotes, an ampersand, a newline, an emoji and right-to-left text.
    static let chapters = [
        Chapter(start: 0, title: "Intro \"quoted\" & 'more'"),
        Chapter(start: 12.345, title: "Line one\nline two", url: "https://example.com/a?b=1&c=2"),
        Chapter(start: 25.5, title: "Emoji 🎙️ time"),
        Chapter(start: 40.001, title: "שלום עולם", url: "https://example.org/"),
    ]

    static func copy(_ fixture: String, to folder: URL, as name: String? = nil) throws -> URL {
        let url = folder.appendingPathComponent(name ?? fixture)
        try FileManager.default.copyItem(at: Repository.fixtures.appendingPathComponent(fixture), to: url)
        return url
    }

    static func expectSameChapters(_ found: [Chapter], _ expected: [Chapter],
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(found.count == expected.count, sourceLocation: sourceLocation)
        for (a, b) in zip(found, expected) {
            #expect(abs(a.start - b.start) < 0.0005, sourceLocation: sourceLocation)
            #expect(a.title == b.title, sourceLocation: sourceLocation)
            #expect(a.url == b.url, sourceLocation: sourceLocation)
        }
    }

    /// The EmbedError `body` throws, or nil.
    static func error(_ body: () throws -> Void) -> EmbedError? {
        do { try body() } catch let error as EmbedError { return error } catch { return nil }
        return nil
    }

    /// The MD5 of the audio packets as FFmpeg demuxes them: equal before and after means the audio is untouched.
    static func audioMD5(_ url: URL) throws -> String {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"),
                                    ["-v", "error", "-i", url.path, "-map", "0:a", "-c", "copy", "-f", "md5", "-"])
        #expect(result.status == 0, "ffmpeg: \(result.stderr)")
        return result.stdout
    }

    /// Chapter start times and titles as ffprobe reads them.
    static func ffprobeChapters(_ url: URL) throws -> [(start: Double, title: String)] {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffprobe"),
                                    ["-v", "error", "-show_chapters", "-of", "json", url.path])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let chapters = json?["chapters"] as? [[String: Any]] ?? []
        return chapters.map { chapter in
            let start = Double(chapter["start_time"] as? String ?? "") ?? -1
            let tags = chapter["tags"] as? [String: Any]
            return (start, tags?["title"] as? String ?? "")
        }
    }

    /// Format- and stream-level tags as ffprobe reads them, keys lowercased.
    static func ffprobeTags(_ url: URL) throws -> [String: String] {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffprobe"),
                                    ["-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", url.path])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        var tags: [String: String] = [:]
        let format = (json?["format"] as? [String: Any])?["tags"] as? [String: String] ?? [:]
        let streams = (json?["streams"] as? [[String: Any]] ?? []).compactMap { $0["tags"] as? [String: String] }
        for (key, value) in ([format] + streams).flatMap({ $0 }) { tags[key.lowercased()] = value }
        return tags
    }

    /// A copy of `fixture` with two chapters written by FFmpeg: ID3 CHAP/CTOC from an ffmetadata
    /// file for MP3; FFmpeg 5 writes no chapters into FLAC or Ogg, so there they are given as
    /// comments in FFmpeg's own style (numbered from 000).
    static func chapteredByFFmpeg(_ fixture: String, in folder: URL) throws -> URL {
        let output = folder.appendingPathComponent("ffmpeg-" + fixture)
        let input = Repository.fixtures.appendingPathComponent(fixture).path
        guard fixture.hasSuffix(".mp3") else {
            try ffmpeg(["-i", input, "-c", "copy", "-metadata", "title=Show",
                        "-metadata", "CHAPTER000=00:00:00.000", "-metadata", "CHAPTER000NAME=Intro",
                        "-metadata", "CHAPTER001=00:00:13.000", "-metadata", "CHAPTER001NAME=Interview & more",
                        output.path])
            return output
        }
        let metadata = folder.appendingPathComponent("chapters.ffmeta")
        try Data("""
            ;FFMETADATA1
            title=Show

            [CHAPTER]
            TIMEBASE=1/1000
            START=0
            END=13000
            title=Intro

            [CHAPTER]
            TIMEBASE=1/1000
            START=13000
            END=30500
            title=Interview & more

            """.utf8).write(to: metadata)
        try ffmpeg(["-i", input, "-i", metadata.path, "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                    "-c", "copy", output.path])
        return output
    }

    /// Reads FFmpeg's chapters, then replaces them.
    static func expectReadsAndReplacesFFmpegChapters(_ fixture: String,
                                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let folder = try TestAudio.temporaryFolder()
        let file = try chapteredByFFmpeg(fixture, in: folder)
        let found = try ChapterEmbedder.read(file).chapters
        #expect(found.map(\.title) == ["Intro", "Interview & more"], sourceLocation: sourceLocation)
        #expect(found.map(\.start) == [0, 13], sourceLocation: sourceLocation)
        #expect(error { try ChapterEmbedder.embed(chapters, into: file, writingTo: file) }?.kind == .refused,
                sourceLocation: sourceLocation)
        try ChapterEmbedder.embed(chapters, into: file, writingTo: file, options: EmbedOptions(replace: true))
        expectSameChapters(try ChapterEmbedder.read(file).chapters, chapters, sourceLocation: sourceLocation)
        #expect(try ffprobeChapters(file).map(\.title) == chapters.map(\.title), sourceLocation: sourceLocation)
        #expect(try ffprobeTags(file)["title"] == "Show", sourceLocation: sourceLocation)
    }

    /// Damages a chaptered copy of `fixture` in `rounds` deterministic ways (flipped bytes in the
    /// metadata, truncation) and expects every read and embed to succeed or throw an EmbedError,
    /// never crash; a failed embed leaves no file behind.
    static func expectSurvivesCorruption(_ fixture: String, rounds: Int = 150,
                                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let folder = try TestAudio.temporaryFolder()
        let chaptered = folder.appendingPathComponent("chaptered-" + fixture)
        try ChapterEmbedder.embed(chapters, into: Repository.fixtures.appendingPathComponent(fixture),
                                  writingTo: chaptered)
        let original = [UInt8](try Data(contentsOf: chaptered))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let damaged = folder.appendingPathComponent("damaged-" + fixture)
        let output = folder.appendingPathComponent("out-" + fixture)
        for round in 0..<rounds {
            var bytes = original
            if round % 5 == 4 {
                bytes.removeLast(bytes.count - random(min(bytes.count, 8192)))
            } else {
                for _ in 0...random(4) { bytes[random(min(bytes.count, 4096))] = UInt8(random(256)) }
            }
            try Data(bytes).write(to: damaged)
            let readFailure = error { _ = try ChapterEmbedder.read(damaged) }
            let embedFailure = error {
                try ChapterEmbedder.embed(chapters, into: damaged, writingTo: output, options: EmbedOptions(replace: true))
            }
            if embedFailure != nil {
                #expect(!FileManager.default.fileExists(atPath: output.path), sourceLocation: sourceLocation)
            }
            let failure = embedFailure ?? readFailure
            #expect(failure.map { !$0.reason.isEmpty && !$0.reason.contains("\n") } ?? true, sourceLocation: sourceLocation)
            try? FileManager.default.removeItem(at: output)
        }
    }

    static func ffmpeg(_ arguments: [String]) throws {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), ["-v", "error", "-y"] + arguments)
        #expect(result.status == 0, "ffmpeg: \(result.stderr)")
    }

    /// Expects embedding to fail with `kind`, leaving no destination and an unchanged source
    /// when writing in place.
    static func expectEmbedFails(_ source: URL, kind: EmbedError.Kind = .unreadable,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let destination = source.deletingLastPathComponent().appendingPathComponent("out-" + source.lastPathComponent)
        let error = error { try ChapterEmbedder.embed(chapters, into: source, writingTo: destination) }
        #expect(error?.kind == kind, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: destination.path), sourceLocation: sourceLocation)
        let before = try Data(contentsOf: source)
        _ = self.error { try ChapterEmbedder.embed(chapters, into: source, writingTo: source) }
        #expect(try Data(contentsOf: source) == before, sourceLocation: sourceLocation)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: source.deletingLastPathComponent().path)
            .filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, sourceLocation: sourceLocation)
    }
}

@Suite struct ID3ChaptersTests {
    /// Bytes after the ID3 tag at the start of `data`.
    static func afterTag(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        guard bytes.starts(with: Array("ID3".utf8)) else { return data }
        let size = bytes[6..<10].reduce(0) { $0 << 7 | Int($1) }
        return data.subdata(in: (10 + size)..<data.count)
    }

    @Test(arguments: [3, 4])
    func embedsAndReadsBackChapters(version: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let source = try EmbedFixtures.copy("clean.mp3", to: folder)
        let output = folder.appendingPathComponent("chapters.mp3")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: source, writingTo: output,
                                  options: EmbedOptions(id3Version: version))

        let found = try ChapterEmbedder.read(output)
        #expect(found.container == .mp3)
        EmbedFixtures.expectSameChapters(found.chapters, EmbedFixtures.chapters)
        #expect(found.chapters.allSatisfy { $0.listed })
        // Ends: the next start, and for the last one the duration from the Info header.
        #expect(found.chapters[0].end == 12.345)
        let duration = try #require(found.duration)
        #expect(abs(duration - 46.67) < 0.1)
        #expect(abs((found.chapters[3].end ?? 0) - duration) < 0.001)

        let data = try Data(contentsOf: output)
        #expect(data[3] == UInt8(version))
        #expect(Self.afterTag(data) == (try Data(contentsOf: source)))
        #expect(try EmbedFixtures.audioMD5(output) == EmbedFixtures.audioMD5(source))

        let probed = try EmbedFixtures.ffprobeChapters(output)
        #expect(probed.map(\.title) == EmbedFixtures.chapters.map(\.title))
        #expect(zip(probed, EmbedFixtures.chapters).allSatisfy { abs($0.start - $1.start) < 0.0005 })
    }

    @Test func keepsExistingFramesAndVersion() throws {
        let folder = try TestAudio.temporaryFolder()
        let tagged = folder.appendingPathComponent("tagged.mp3")
        try EmbedFixtures.ffmpeg(["-i", Repository.fixtures.appendingPathComponent("clean.mp3").path,
                                  "-c", "copy", "-id3v2_version", "4", "-metadata", "title=Episode 1 & \"more\"",
                                  "-metadata", "artist=Ada", tagged.path])
        let output = folder.appendingPathComponent("chapters.mp3")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: tagged, writingTo: output)

        let before = [UInt8](try Data(contentsOf: tagged))
        let after = [UInt8](try Data(contentsOf: output))
        #expect(after[3] == 4)  // the existing tag's version wins over the default 3
        // Every original frame is in the new tag byte for byte.
        var position = 10
        let tagEnd = 10 + before[6..<10].reduce(0) { $0 << 7 | Int($1) }
        var frameCount = 0
        while position + 10 <= tagEnd, before[position] != 0 {
            let size = before[position + 4..<position + 8].reduce(0) { $0 << 7 | Int($1) }
            let frame = before[position..<position + 10 + size]
            #expect(after.firstRange(of: frame) != nil, "frame \(String(decoding: frame.prefix(4), as: UTF8.self))")
            position += 10 + size
            frameCount += 1
        }
        #expect(frameCount >= 2)
        let tags = try EmbedFixtures.ffprobeTags(output)
        #expect(tags["title"] == "Episode 1 & \"more\"")
        #expect(tags["artist"] == "Ada")
        #expect(Self.afterTag(Data(after)) == Self.afterTag(Data(before)))
        EmbedFixtures.expectSameChapters(try ChapterEmbedder.read(output).chapters, EmbedFixtures.chapters)
    }

    @Test func refusesExistingChaptersUnlessReplacing() throws {
        let folder = try TestAudio.temporaryFolder()
        let file = try EmbedFixtures.copy("clean.mp3", to: folder)
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: file, writingTo: file)
        let before = try Data(contentsOf: file)

        let error = EmbedFixtures.error { try ChapterEmbedder.embed(EmbedFixtures.chapters, into: file, writingTo: file) }
        #expect(error?.kind == .refused)
        #expect(error?.reason == "already has 4 chapters; use --replace to replace them")
        #expect(try Data(contentsOf: file) == before)

        let replacement = [Chapter(start: 0, title: "Only"), Chapter(start: 5, title: "Two", listed: false)]
        try ChapterEmbedder.embed(replacement, into: file, writingTo: file, options: EmbedOptions(replace: true))
        let found = try ChapterEmbedder.read(file).chapters
        EmbedFixtures.expectSameChapters(found, replacement)
        #expect(found.map(\.listed) == [true, false])
        // Padding of the first tag absorbed the smaller one: the audio did not move.
        #expect(try Data(contentsOf: file).count == before.count)
    }

    @Test func readsAndReplacesChaptersFFmpegWrote() throws {
        try EmbedFixtures.expectReadsAndReplacesFFmpegChapters("clean.mp3")
    }

    @Test func survivesCorruptedFiles() throws {
        try EmbedFixtures.expectSurvivesCorruption("clean.mp3")
    }

    @Test func refusesMoreThan255ListedChapters() throws {
        let folder = try TestAudio.temporaryFolder()
        let file = try EmbedFixtures.copy("clean.mp3", to: folder)
        let many = (0..<256).map { Chapter(start: Double($0) * 0.1, title: "C\($0)") }
        let error = EmbedFixtures.error { try ChapterEmbedder.embed(many, into: file, writingTo: file) }
        #expect(error?.kind == .refused)
        #expect(error?.reason.contains("255") == true)
    }

    /// A tag-less MP3 with a hand-made ID3 header and body in front.
    static func withTag(_ header: [UInt8], _ body: [UInt8], folder: URL, name: String) throws -> URL {
        let audio = try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.mp3"))
        let url = folder.appendingPathComponent(name)
        try (Data(header + body) + audio).write(to: url)
        return url
    }

    @Test func hostileTagsGiveClearErrors() throws {
        let folder = try TestAudio.temporaryFolder()
        // Tag size claims ~256 MiB.
        let lying = folder.appendingPathComponent("lying.mp3")
        try Data(Array("ID3".utf8) + [3, 0, 0, 0x7F, 0x7F, 0x7F, 0x7F] + [UInt8](repeating: 0, count: 100)).write(to: lying)
        let readError = EmbedFixtures.error { _ = try ChapterEmbedder.read(lying) }
        #expect(readError?.kind == .unreadable)
        #expect(readError?.reason.contains("byte 0") == true)
        try EmbedFixtures.expectEmbedFails(lying)

        // A frame that runs past the end of its tag.
        let tit2 = Array("TIT2".utf8) + [0, 0, 0x10, 0, 0, 0] + Array("Hi".utf8)
        let overrun = try Self.withTag(Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, UInt8(tit2.count)], tit2,
                                       folder: folder, name: "overrun.mp3")
        let frameError = EmbedFixtures.error { _ = try ChapterEmbedder.read(overrun) }
        #expect(frameError?.kind == .unreadable)
        #expect(frameError?.reason.contains("byte 10") == true)
        try EmbedFixtures.expectEmbedFails(overrun)

        // Only a tag header; and a real tag cut in the middle.
        let headerOnly = folder.appendingPathComponent("header-only.mp3")
        try Data(Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, 0]).write(to: headerOnly)
        #expect(EmbedFixtures.error { _ = try ChapterEmbedder.read(headerOnly) }?.kind == .unreadable)
        try EmbedFixtures.expectEmbedFails(headerOnly)

        let full = try EmbedFixtures.copy("clean.mp3", to: folder, as: "full.mp3")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: full, writingTo: full)
        let cut = folder.appendingPathComponent("cut.mp3")
        try Data(try Data(contentsOf: full).prefix(60)).write(to: cut)
        #expect(EmbedFixtures.error { _ = try ChapterEmbedder.read(cut) }?.kind == .unreadable)
        try EmbedFixtures.expectEmbedFails(cut)

        // Garbage where frames should be.
        let garbage = try Self.withTag(Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 20],
                                       Array("tit2\u{1}\u{2}garbage!!garbage".utf8), folder: folder, name: "garbage.mp3")
        #expect(EmbedFixtures.error { _ = try ChapterEmbedder.read(garbage) }?.kind == .unreadable)
        try EmbedFixtures.expectEmbedFails(garbage)
    }

    @Test func refusesWhatItCannotRewrite() throws {
        let folder = try TestAudio.temporaryFolder()
        let v22 = try Self.withTag(Array("ID3".utf8) + [2, 0, 0, 0, 0, 0, 0], [], folder: folder, name: "v22.mp3")
        try EmbedFixtures.expectEmbedFails(v22, kind: .refused)
        #expect(try ChapterEmbedder.read(v22).chapters.isEmpty)
        let unsynchronised = try Self.withTag(Array("ID3".utf8) + [3, 0, 0x80, 0, 0, 0, 0], [],
                                              folder: folder, name: "unsync.mp3")
        try EmbedFixtures.expectEmbedFails(unsynchronised, kind: .refused)
    }

    @Test(arguments: [3, 4])
    func dropsExtendedHeaderAndFooterButKeepsFrames(version: UInt8) throws {
        let tit2 = Array("TIT2".utf8) + [0, 0, 0, 6, 0, 0, 0] + Array("Hello".utf8)
        let header: [UInt8]
        let body: [UInt8]
        if version == 3 {
            // Extended header of 6 bytes (flags and padding size) after its own size field.
            body = [0, 0, 0, 6, 0, 0, 0, 0, 0, 0] + tit2 + [0, 0, 0, 0]
            header = Array("ID3".utf8) + [3, 0, 0x40, 0, 0, 0, UInt8(body.count)]
        } else {
            // A footer repeats the header with "3DI"; it is not counted in the size.
            let size = UInt8(tit2.count)
            body = tit2 + Array("3DI".utf8) + [4, 0, 0x10, 0, 0, 0, size]
            header = Array("ID3".utf8) + [4, 0, 0x10, 0, 0, 0, size]
        }
        let folder = try TestAudio.temporaryFolder()
        let url = try Self.withTag(header, body, folder: folder, name: "special.mp3")
        #expect(try ChapterEmbedder.read(url).chapters.isEmpty)
        let output = folder.appendingPathComponent("chapters.mp3")
        try ChapterEmbedder.embed(EmbedFixtures.chapters, into: url, writingTo: output)
        let data = try Data(contentsOf: output)
        #expect(data[3] == version && data[5] == 0)
        #expect(Self.afterTag(data) == (try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.mp3"))))
        EmbedFixtures.expectSameChapters(try ChapterEmbedder.read(output).chapters, EmbedFixtures.chapters)
        #expect(try EmbedFixtures.ffprobeTags(output)["title"] == "Hello")
    }

    @Test func readsHandMadeV24TagWithUTF16AndHiddenChapter() throws {
        // CTOC lists ch0 only; ch1 is hidden. ch1's title is UTF-16 with BOM (encoding 1).
        let ctoc = Array("CTOC".utf8) + [0, 0, 0, 10, 0, 0] + Array("toc".utf8) + [0, 3, 1] + Array("ch0".utf8) + [0]
        func chap(_ id: String, _ start: UInt32, _ end: UInt32, _ title: [UInt8]) -> [UInt8] {
            let tit2 = Array("TIT2".utf8) + [0, 0, 0, UInt8(title.count), 0, 0] + title
            var body = Array(id.utf8) + [0]
            for value in [start, end] { body += withUnsafeBytes(of: value.bigEndian) { Array($0) } }
            body += [UInt8](repeating: 0xFF, count: 8) + tit2
            return Array("CHAP".utf8) + [0, 0, 0, UInt8(body.count), 0, 0] + body
        }
        let frames = ctoc + chap("ch0", 0, 13000, [3] + Array("Intro".utf8))
            + chap("ch1", 13000, 20000, [1, 0xFF, 0xFE, 0xE9, 0x05, 0xDC, 0x05, 0, 0])
        let url = try Self.withTag(Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, UInt8(frames.count)], frames,
                                   folder: try TestAudio.temporaryFolder(), name: "hand.mp3")
        let chapters = try ChapterEmbedder.read(url).chapters
        #expect(chapters.map(\.title) == ["Intro", "של"])
        #expect(chapters.map(\.listed) == [true, false])
        #expect(chapters.map(\.end) == [13, 20])
    }
}
