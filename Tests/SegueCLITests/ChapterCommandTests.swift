import Foundation
import Testing
import SegueTestSupport

/// `segue convert`, `segue embed` and `segue parse EPISODE` as a user runs them: what they write, and
/// what they refuse with one line, a stable exit code and nothing written or changed.
@Suite struct ChapterCommandTests {
    static func segue(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(Repository.segueBinary, arguments)
    }

    static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func copyFixture(_ name: String, to folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Repository.fixtures.appendingPathComponent(name), to: url)
        return url
    }

    static let timeline = "0:00 Intro\n0:12 Interview with Ada & Bob\n0:30 Outro\n"

    static func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func convertWritesEveryFormatNamedAfterTheInput() throws {
        let folder = try TestAudio.temporaryFolder()
        let input = try Self.write(Self.timeline, "ep12.txt", in: folder)
        let out = folder.appendingPathComponent("out")
        let result = try Self.segue(["convert", input, "--to", "all", "--duration", "46.5", "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.contents(out) == ["ep12.chapters.json", "ep12.chapters.txt", "ep12.chapters.vtt", "ep12.cue",
                                           "ep12.ffmetadata.txt", "ep12.matroska.xml", "ep12.psc.xml",
                                           "ep12.vorbis.txt", "ep12.youtube.txt"])
        // Converting our own output again names it after the episode, not after the file.
        let again = try Self.segue(["convert", out.appendingPathComponent("ep12.chapters.json").path,
                                    "--to", "psc", "-o", folder.path])
        #expect(again.status == 0)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ep12.psc.xml").path))
    }

    @Test func convertRefusesBadChaptersAndWritesNothing() throws {
        let folder = try TestAudio.temporaryFolder()
        let out = folder.appendingPathComponent("out")
        let outOfOrder = try Self.write("0:00 Intro\n0:40 Second\n0:20 Third\n", "order.txt", in: folder)
        var result = try Self.segue(["convert", outOfOrder, "--to", "podcast-json", "-o", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("must be in time order"))

        let timeline = try Self.write(Self.timeline, "late.txt", in: folder)
        result = try Self.segue(["convert", timeline, "--to", "psc", "--duration", "20", "-o", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("past the end"))

        // One format that cannot be made stops the others too: no partial set of files.
        result = try Self.segue(["convert", timeline, "--to", "psc,ffmetadata", "-o", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--duration"))
        let written = FileManager.default.fileExists(atPath: out.path) ? try Self.contents(out) : []
        #expect(written.isEmpty)

        result = try Self.segue(["convert", timeline, "--to", "psc,json", "-o", out.path])
        #expect(result.status == 64)
        result = try Self.segue(["convert", folder.appendingPathComponent("nope.txt").path, "--to", "psc"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func convertTranscripts() throws {
        let folder = try TestAudio.temporaryFolder()
        let captions = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ada>Hello &amp; welcome.\n\n"
            + "00:00:04.000 --> 00:00:06.500\n<v Bob>Thanks.\n"
        let input = try Self.write(captions, "talk.vtt", in: folder)
        let result = try Self.segue(["convert", input, "--to", "srt,transcript-json,text", "-o", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let srt = try String(contentsOf: folder.appendingPathComponent("talk.srt"), encoding: .utf8)
        #expect(srt == "1\n00:00:01,000 --> 00:00:04,000\nAda: Hello & welcome.\n\n2\n00:00:04,000 --> 00:00:06,500\nBob: Thanks.\n")
        // A transcript has no chapters: the error says what to do instead.
        let wrong = try Self.segue(["convert", input, "--to", "podcast-json", "-o", folder.path])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("--to vtt,srt"))
    }

    @Test(arguments: ["clean.mp3", "clean.m4a", "clean.flac", "clean.ogg", "clean.opus"])
    func embedThenParseListsTheChapters(_ fixture: String) throws {
        let folder = try TestAudio.temporaryFolder()
        let episode = try Self.copyFixture(fixture, to: folder)
        let chapters = try Self.write(Self.timeline, "chapters.txt", in: folder)
        var result = try Self.segue(["embed", episode.path, "--chapters", chapters])
        #expect(result.status == 0, "\(result.stderr)")
        result = try Self.segue(["parse", episode.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let listed = (json?["chapters"] as? [[String: Any]]) ?? []
        #expect(listed.map { $0["title"] as? String } == ["Intro", "Interview with Ada & Bob", "Outro"])
        #expect(listed.map { $0["start"] as? Double } == [0, 12, 30])

        // Again without --replace: refused, file unchanged. With it: replaced, not added.
        let before = try Data(contentsOf: episode)
        result = try Self.segue(["embed", episode.path, "--chapters", chapters])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--replace"))
        #expect(try Data(contentsOf: episode) == before)
        let two = try Self.write("0:00 Start\n0:20 End\n", "two.txt", in: folder)
        result = try Self.segue(["embed", episode.path, "--chapters", two, "--replace"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try Self.segue(["parse", episode.path])
        #expect(result.stdout.contains("Chapters (2)"))

        // The embedded chapters convert like any chapter file.
        result = try Self.segue(["convert", episode.path, "--to", "mp4chaps", "-o", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let name = episode.deletingPathExtension().lastPathComponent
        let text = try String(contentsOf: folder.appendingPathComponent("\(name).chapters.txt"), encoding: .utf8)
        #expect(text == "00:00:00.000 Start\n00:00:20.000 End\n")
    }

    @Test func embedRefusesBadChaptersAndLeavesTheFileAlone() throws {
        let folder = try TestAudio.temporaryFolder()
        let episode = try Self.copyFixture("clean.mp3", to: folder)
        let before = try Data(contentsOf: episode)
        let pastEnd = try Self.write("0:00 Intro\n0:30 Middle\n2:00 After the end\n", "late.txt", in: folder)
        var result = try Self.segue(["embed", episode.path, "--chapters", pastEnd])
        #expect(result.status == 1)
        #expect(result.stderr.contains("past the end"))
        let disordered = try Self.write("0:00 Intro\n0:30 Middle\n0:10 Back\n", "order.txt", in: folder)
        result = try Self.segue(["embed", episode.path, "--chapters", disordered])
        #expect(result.status == 1)
        #expect(try Data(contentsOf: episode) == before)
        #expect(try Self.contents(folder) == ["clean.mp3", "late.txt", "order.txt"])
    }

    static let hostileAudio: [(name: String, make: @Sendable (Data) -> Data)] = [
        ("truncated.mp3", { data in data.prefix(40) }),
        ("third.mp3", { data in data.prefix(data.count / 3) }),
        ("lying-id3.mp3", { _ in
            // An ID3v2.3 tag header whose (synchsafe) size claims 100 MB, then a little audio.
            Data([0x49, 0x44, 0x33, 0x03, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00]) + Data(repeating: 0, count: 500)
        }),
        ("huge-box.m4a", { data in
            // ftyp, then a moov box that claims far more bytes than the file has.
            var bytes = Data(data.prefix(32))
            bytes += Data([0x7F, 0xFF, 0xFF, 0xFF]) + Data("moov".utf8) + Data(repeating: 0, count: 64)
            return bytes
        }),
        ("empty.flac", { _ in Data() }),
    ]

    @Test(arguments: 0..<5)
    func embedOnHostileAudioFailsCleanly(_ index: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let (name, make) = Self.hostileAudio[index]
        let sourceName = name.hasSuffix(".m4a") ? "clean.m4a" : "clean.mp3"
        let source = try Data(contentsOf: Repository.fixtures.appendingPathComponent(sourceName))
        let episode = folder.appendingPathComponent(name)
        let bytes = make(source)
        try bytes.write(to: episode)
        let chapters = try Self.write("0:00 Intro\n0:10 Next\n", "chapters.txt", in: folder)
        let result = try Self.segue(["embed", episode.path, "--chapters", chapters])
        #expect(result.status == 2, "\(name): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
        #expect(result.stderr.contains(name))
        #expect(try Data(contentsOf: episode) == bytes)
        #expect(try Self.contents(folder) == ["chapters.txt", name].sorted())
    }
}

/// Killing `segue embed` at any moment leaves the episode either as it was or completely written:
/// never a half-written file (the new file is renamed over it only once complete).
@Suite struct KilledEmbedTests {
    @Test(arguments: [2, 15, 40, 80])
    func killMidWriteLeavesOriginalOrComplete(afterMilliseconds delay: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        // A long MP3 (MPEG frames concatenate), so that the kill lands while the copy is under way.
        let clean = try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.mp3"))
        var long = Data()
        for _ in 0..<60 { long.append(clean) }
        let episode = folder.appendingPathComponent("long.mp3")
        try long.write(to: episode)
        let chapters = folder.appendingPathComponent("chapters.txt")
        try Data("0:00 Intro\n0:30 Middle\n1:00 End\n".utf8).write(to: chapters)

        let process = Process()
        process.executableURL = Repository.segueBinary
        process.arguments = ["embed", episode.path, "--chapters", chapters.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let after = try Data(contentsOf: episode)
        if after != long {
            // Complete: the whole original audio follows the new tag.
            #expect(after.count > long.count)
            #expect(after.suffix(long.count - 10) == long.suffix(long.count - 10))
        }
        let visible = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        #expect(visible.sorted() == ["chapters.txt", "long.mp3"])
    }
}
