import Foundation
import Testing
import SegueEmbedding
import SegueFormats
import SegueTestSupport

/// Chapters in M4A: Segue's reader, ffprobe and FFmpeg's demuxer must agree, and
/// the audio and tags must come through untouched.
@Suite struct MP4ChaptersTests {
    /// Titles with quotes, an ampersand, a newline, an emoji and right-to-left text.
    static let chapters = [
        Chapter(start: 0, title: "Intro \"quoted\" & 'more'"),
        Chapter(start: 12.345, title: "Line one\nline two"),
        Chapter(start: 25.5, title: "Emoji 🎙️ time"),
        Chapter(start: 40.001, title: "שלום עולם"),
    ]

    @Test(arguments: [false, true])
    func embedsChaptersReadableEverywhere(faststart: Bool) throws {
        let folder = try TestAudio.temporaryFolder()
        let source = try MP4TestFiles.fixture(in: folder, faststart: faststart)
        let output = folder.appendingPathComponent("chapters.m4a")
        let warnings = try ChapterEmbedder.embed(Self.chapters, into: source, writingTo: output)
        #expect(warnings.isEmpty)

        let found = try ChapterEmbedder.read(output)
        #expect(found.container == .mp4)
        #expect(abs((found.duration ?? 0) - 46.673) < 0.01)
        MP4TestFiles.expectSame(found.chapters.map { ($0.start, $0.title) }, Self.chapters)
        MP4TestFiles.expectSame(try MP4TestFiles.ffprobeChapters(output), Self.chapters)
        // Both kinds are there: ffprobe without the QuickTime track reads chpl alone.
        #expect(try MP4TestFiles.audioMD5(output) == MP4TestFiles.audioMD5(source))
        let tags = try MP4TestFiles.ffprobeTags(output)
        #expect(tags["title"] == "Clean fixture")
        #expect(tags["artist"] == "Segue")
        // The file is the original plus the new boxes: a small, bounded growth.
        let grown = try MP4TestFiles.size(output) - MP4TestFiles.size(source)
        #expect(grown > 0 && grown < 2_000)
        // Every byte before moov is unchanged (with moov last that includes the audio), and
        // the tag box (udta/meta) is copied verbatim.
        let before = try [UInt8](Data(contentsOf: source)), after = try [UInt8](Data(contentsOf: output))
        let moov = MP4TestFiles.topLevel(before).first { $0.type == "moov" }?.offset ?? 0
        #expect(moov > 0 && before[..<moov] == after[..<moov])
        if let meta = MP4TestFiles.find(before, "meta", from: moov) {
            let size = Int(before[meta - 4]) << 24 | Int(before[meta - 3]) << 16 | Int(before[meta - 2]) << 8 | Int(before[meta - 1])
            let box = Array(before[meta - 4..<meta - 4 + size])
            #expect((0...(after.count - box.count)).contains { Array(after[$0..<$0 + box.count]) == box })
        } else {
            Issue.record("no meta box in the fixture")
        }
    }

    @Test func embedsBothNeroAndQuickTimeChapters() throws {
        let folder = try TestAudio.temporaryFolder()
        let source = try MP4TestFiles.fixture(in: folder, faststart: false)
        let output = folder.appendingPathComponent("chapters.m4a")
        try ChapterEmbedder.embed(Self.chapters, into: source, writingTo: output)

        // Hide one kind at a time by renaming its box (same size), so each is checked alone
        // with ffprobe and with Segue's reader.
        let bytes = try [UInt8](Data(contentsOf: output))
        let moov = MP4TestFiles.topLevel(bytes).first { $0.type == "moov" }?.offset ?? 0
        for hidden in ["chpl", "chap"] {
            var patched = bytes
            guard let at = MP4TestFiles.find(bytes, hidden, from: moov) else {
                Issue.record("no '\(hidden)' box written")
                continue
            }
            patched.replaceSubrange(at..<at + 4, with: Array("skip".utf8))
            let file = folder.appendingPathComponent("without-\(hidden).m4a")
            try Data(patched).write(to: file)
            MP4TestFiles.expectSame(try MP4TestFiles.ffprobeChapters(file), Self.chapters)
            MP4TestFiles.expectSame(try ChapterEmbedder.read(file).chapters.map { ($0.start, $0.title) }, Self.chapters)
        }
        #expect(MP4TestFiles.contains(bytes, "encd"))
    }

    @Test func readsChaptersFFmpegWrote() throws {
        let folder = try TestAudio.temporaryFolder()
        let metadata = folder.appendingPathComponent("meta.txt")
        try Data("""
            ;FFMETADATA1
            [CHAPTER]
            TIMEBASE=1/1000
            START=0
            END=10000
            title=Opening & "hello"
            [CHAPTER]
            TIMEBASE=1/1000
            START=10000
            END=46000
            title=Closing 🎧

            """.utf8).write(to: metadata)
        let file = folder.appendingPathComponent("ffmpeg.m4a")
        try MP4TestFiles.ffmpeg(["-i", Repository.fixtures.appendingPathComponent("clean.m4a").path, "-i", metadata.path,
                                 "-map", "0", "-map_chapters", "1", "-c", "copy", file.path])
        let found = try ChapterEmbedder.read(file)
        MP4TestFiles.expectSame(found.chapters.map { ($0.start, $0.title) },
                                [Chapter(start: 0, title: "Opening & \"hello\""), Chapter(start: 10, title: "Closing 🎧")])
        #expect(found.chapters.first?.end == 10)
    }

    @Test func refusesExistingChaptersUnlessReplacing() throws {
        let folder = try TestAudio.temporaryFolder()
        let file = try MP4TestFiles.fixture(in: folder, faststart: true)
        try ChapterEmbedder.embed(Self.chapters, into: file, writingTo: file)
        let before = try Data(contentsOf: file)

        let refused = MP4TestFiles.error { try ChapterEmbedder.embed(Self.chapters, into: file, writingTo: file) }
        #expect(refused?.kind == .refused)
        #expect(refused?.reason.contains("already has 4 chapters") == true)
        #expect(try Data(contentsOf: file) == before)

        let replacement = [Chapter(start: 0, title: "Only one"), Chapter(start: 30, title: "And two")]
        try ChapterEmbedder.embed(replacement, into: file, writingTo: file, options: EmbedOptions(replace: true))
        MP4TestFiles.expectSame(try ChapterEmbedder.read(file).chapters.map { ($0.start, $0.title) }, replacement)
        MP4TestFiles.expectSame(try MP4TestFiles.ffprobeChapters(file), replacement)
        let size = try MP4TestFiles.size(file)

        // Replacing again drops the earlier titles' mdat instead of piling them up.
        try ChapterEmbedder.embed(replacement, into: file, writingTo: file, options: EmbedOptions(replace: true))
        #expect(try MP4TestFiles.size(file) == size)
        MP4TestFiles.expectSame(try MP4TestFiles.ffprobeChapters(file), replacement)
        #expect(try MP4TestFiles.audioMD5(file) == MP4TestFiles.audioMD5(Repository.fixtures.appendingPathComponent("clean.m4a")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasSuffix(".tmp") })
    }

    @Test func replacesChaptersFFmpegWrote() throws {
        let folder = try TestAudio.temporaryFolder()
        let first = folder.appendingPathComponent("first.m4a")
        try ChapterEmbedder.embed(Self.chapters, into: Repository.fixtures.appendingPathComponent("clean.m4a"),
                                  writingTo: first)
        // FFmpeg rewrites the file with its own chapter track (titles inside the audio mdat).
        let remuxed = folder.appendingPathComponent("remuxed.m4a")
        try MP4TestFiles.ffmpeg(["-i", first.path, "-map", "0:a", "-c", "copy", remuxed.path])
        #expect(try ChapterEmbedder.read(remuxed).chapters.count == 4)

        let replacement = [Chapter(start: 5, title: "Late start")]
        let output = folder.appendingPathComponent("replaced.m4a")
        try ChapterEmbedder.embed(replacement, into: remuxed, writingTo: output, options: EmbedOptions(replace: true))
        MP4TestFiles.expectSame(try ChapterEmbedder.read(output).chapters.map { ($0.start, $0.title) }, replacement)
        #expect(try MP4TestFiles.ffprobeChapters(output).map(\.title) == ["Late start"])
        #expect(try MP4TestFiles.audioMD5(output) == MP4TestFiles.audioMD5(remuxed))
    }

    @Test func shortensLongTitlesAtACharacterBoundary() throws {
        let folder = try TestAudio.temporaryFolder()
        let output = folder.appendingPathComponent("long.m4a")
        let title = String(repeating: "é", count: 100) + String(repeating: "🎙", count: 30)  // 200 + 120 bytes
        let warnings = try ChapterEmbedder.embed([Chapter(start: 0, title: title)],
                                                 into: Repository.fixtures.appendingPathComponent("clean.m4a"),
                                                 writingTo: output)
        #expect(warnings.count == 1)
        let read = try ChapterEmbedder.read(output).chapters.first?.title ?? ""
        #expect(read == String(repeating: "é", count: 100) + String(repeating: "🎙", count: 13))
        #expect(read.utf8.count == 252)
    }

    @Test func refusesChaptersOutsideTheAudio() throws {
        let folder = try TestAudio.temporaryFolder()
        let output = folder.appendingPathComponent("out.m4a")
        let source = Repository.fixtures.appendingPathComponent("clean.m4a")
        for bad in [[Chapter(start: 0, title: "A"), Chapter(start: 50, title: "After the end")],
                    [Chapter(start: 10, title: "B"), Chapter(start: 5, title: "Backwards")]] {
            let error = MP4TestFiles.error { try ChapterEmbedder.embed(bad, into: source, writingTo: output) }
            #expect(error?.kind == .refused)
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
    }

    /// Damaged files: each must fail with a one-line `.unreadable` reason and leave no output.
    @Test(arguments: ["mdat size past end", "truncated", "no moov", "size below header", "trak overruns moov",
                      "stco count past end"])
    func rejectsHostileFiles(damage: String) throws {
        let folder = try TestAudio.temporaryFolder()
        var bytes = try [UInt8](Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.m4a")))
        // clean.m4a is ftyp, free, mdat, moov; search for inner boxes only inside moov.
        let boxes = MP4TestFiles.topLevel(bytes)
        guard let mdat = boxes.first(where: { $0.type == "mdat" }).map({ $0.offset + 4 }),
              let moov = boxes.first(where: { $0.type == "moov" }).map({ $0.offset + 4 }),
              let trak = MP4TestFiles.find(bytes, "trak", from: moov), let stco = MP4TestFiles.find(bytes, "stco", from: moov) else {
            Issue.record("fixture layout not as expected")
            return
        }
        switch damage {
        case "mdat size past end": MP4TestFiles.put(UInt32(bytes.count), at: mdat - 4, in: &bytes)
        case "truncated": bytes.removeLast(bytes.count - moov - 500)
        case "no moov": bytes.removeLast(bytes.count - (moov - 4))
        case "size below header": MP4TestFiles.put(UInt32(5), at: moov - 4, in: &bytes)
        case "trak overruns moov": MP4TestFiles.put(UInt32(100_000), at: trak - 4, in: &bytes)
        default: MP4TestFiles.put(UInt32(1_000_000), at: stco + 8, in: &bytes)
        }
        let source = folder.appendingPathComponent("damaged.m4a")
        try Data(bytes).write(to: source)
        let output = folder.appendingPathComponent("out.m4a")

        let readError = MP4TestFiles.error { _ = try ChapterEmbedder.read(source) }
        let embedError = MP4TestFiles.error { try ChapterEmbedder.embed(Self.chapters, into: source, writingTo: output) }
        // Reading needs only the chapter boxes, so it does not look at the audio's chunk table.
        for error in damage.hasPrefix("stco") ? [embedError] : [readError, embedError] {
            #expect(error?.kind == .unreadable)
            #expect(error?.reason.contains("byte") == true, "\(String(describing: error))")
            #expect(error?.description.contains("\n") == false)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["damaged.m4a"])
    }

    /// Random damage to the boxes of a chaptered file never crashes: each try either
    /// works or ends in an EmbedError, and a failed embed leaves no file behind.
    @Test func survivesRandomDamage() throws {
        let folder = try TestAudio.temporaryFolder()
        let tiny = folder.appendingPathComponent("tiny.m4a")
        try MP4TestFiles.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "aac", "-b:a", "32k",
                                 "-metadata", "title=Tiny", tiny.path])
        try ChapterEmbedder.embed([Chapter(start: 0, title: "One"), Chapter(start: 1.5, title: "Two")], into: tiny, writingTo: tiny)
        let original = try [UInt8](Data(contentsOf: tiny))
        let moov = MP4TestFiles.topLevel(original).first { $0.type == "moov" }?.offset ?? 0
        var state: UInt64 = 0x5EED
        func random(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let damaged = folder.appendingPathComponent("damaged.m4a")
        let output = folder.appendingPathComponent("out.m4a")
        var failures = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0...random(3) {
                let at = moov + random(bytes.count - moov)
                bytes[at] = [0, 0xFF, 1, 8, UInt8(random(256))][random(5)]
            }
            if random(8) == 0 { bytes.removeLast(random(bytes.count - moov)) }
            try Data(bytes).write(to: damaged)
            do {
                _ = try ChapterEmbedder.read(damaged)
                try ChapterEmbedder.embed([Chapter(start: 0, title: "A"), Chapter(start: 1, title: "B")], into: damaged,
                                          writingTo: output, options: EmbedOptions(replace: true))
                try FileManager.default.removeItem(at: output)
            } catch is EmbedError {
                failures += 1
                #expect(!FileManager.default.fileExists(atPath: output.path))
            }
        }
        #expect(failures > 0)
    }
}

/// File helpers for the MP4 tests.
enum MP4TestFiles {
    static let ffmpegTool = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    static let ffprobeTool = URL(fileURLWithPath: "/usr/bin/ffprobe")

    /// clean.m4a (moov after mdat, as FFmpeg writes it) or a +faststart copy (moov first).
    static func fixture(in folder: URL, faststart: Bool) throws -> URL {
        let clean = Repository.fixtures.appendingPathComponent("clean.m4a")
        let url = folder.appendingPathComponent(faststart ? "faststart.m4a" : "clean.m4a")
        if faststart {
            try ffmpeg(["-i", clean.path, "-map", "0", "-c", "copy", "-movflags", "+faststart", url.path])
            let types = topLevel(try [UInt8](Data(contentsOf: url))).map(\.type)
            #expect((types.firstIndex(of: "moov") ?? .max) < (types.firstIndex(of: "mdat") ?? 0))
        } else {
            try FileManager.default.copyItem(at: clean, to: url)
        }
        return url
    }

    static func expectSame(_ found: [(start: Double, title: String)], _ expected: [Chapter],
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(found.count == expected.count, sourceLocation: sourceLocation)
        for (a, b) in zip(found, expected) {
            #expect(abs(a.start - b.start) < 0.0005, "\(a.start) vs \(b.start)", sourceLocation: sourceLocation)
            #expect(a.title == b.title, sourceLocation: sourceLocation)
        }
    }

    static func error(_ body: () throws -> Void) -> EmbedError? {
        do { try body() } catch let error as EmbedError { return error } catch { return nil }
        return nil
    }

    static func size(_ url: URL) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
    }

    /// Index of the first occurrence of a box type's four bytes.
    static func find(_ bytes: [UInt8], _ type: String, from start: Int = 0) -> Int? {
        let needle = Array(type.utf8)
        return (start..<max(start, bytes.count - 3)).first { Array(bytes[$0..<$0 + 4]) == needle }
    }

    /// Type and offset of each top-level box (32-bit sizes only, as in the fixtures).
    static func topLevel(_ bytes: [UInt8]) -> [(type: String, offset: Int)] {
        var boxes: [(type: String, offset: Int)] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            boxes.append((String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self), offset))
            guard size >= 8 else { break }
            offset += size
        }
        return boxes
    }

    static func contains(_ bytes: [UInt8], _ type: String) -> Bool { find(bytes, type) != nil }

    static func put(_ value: UInt32, at index: Int, in bytes: inout [UInt8]) {
        for shift in 0..<4 { bytes[index + shift] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(shift))) }
    }

    static func ffmpeg(_ arguments: [String]) throws {
        let result = try runProcess(ffmpegTool, ["-v", "error", "-y"] + arguments)
        #expect(result.status == 0, "ffmpeg: \(result.stderr)")
    }

    static func audioMD5(_ url: URL) throws -> String {
        let result = try runProcess(ffmpegTool, ["-v", "error", "-i", url.path, "-map", "0:a", "-c", "copy", "-f", "md5", "-"])
        #expect(result.status == 0, "ffmpeg: \(result.stderr)")
        return result.stdout
    }

    static func ffprobeChapters(_ url: URL) throws -> [(start: Double, title: String)] {
        let result = try runProcess(ffprobeTool, ["-v", "error", "-show_chapters", "-of", "json", url.path])
        #expect(result.stderr.isEmpty, "ffprobe: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (json?["chapters"] as? [[String: Any]] ?? []).map { chapter in
            let tags = chapter["tags"] as? [String: Any]
            return (Double(chapter["start_time"] as? String ?? "") ?? -1, tags?["title"] as? String ?? "")
        }
    }

    /// Format-level tags, keys lowercased.
    static func ffprobeTags(_ url: URL) throws -> [String: String] {
        let result = try runProcess(ffprobeTool, ["-v", "error", "-show_entries", "format_tags", "-of", "json", url.path])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let tags = (json?["format"] as? [String: Any])?["tags"] as? [String: String] ?? [:]
        return Dictionary(tags.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
