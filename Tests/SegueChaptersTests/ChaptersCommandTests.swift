import Foundation
import SegueTestSupport
import Testing

/// `segue chapters` and `segue verify` on bad inputs: exit 2 for unreadable files, 1 with file:line for
/// timelines that cannot be used, nothing written.
@Suite struct ChaptersCommandTests {
    /// The binary built beside these tests (same scratch path), else `SEGUE_BIN`, else the default build.
    static var segue: URL {
        if let path = ProcessInfo.processInfo.environment["SEGUE_BIN"] { return URL(fileURLWithPath: path) }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("segue")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let scratch = Repository.root.appendingPathComponent(".build-chapters/debug/segue")
        if FileManager.default.isExecutableFile(atPath: scratch.path) { return scratch }
        return Repository.segueBinary
    }

    static var episode: String { Repository.fixtures.appendingPathComponent("clean.flac").path }

    func run(_ arguments: [String], in folder: URL) throws -> ProcessResult {
        try runProcess(Self.segue, arguments + ["-q"])
    }

    func written(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)) ?? [])
    }

    @Test func malformedTimelineIsRefusedWithFileAndLine() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        // Out of order: the reader reports the line.
        try Data("Timeline\n\n00:00 — Intro\n00:20 — Middle\n00:10 — Back in time\n".utf8).write(to: timeline)
        let result = try run(["chapters", Self.episode, "--timeline", timeline.path, "-o",
                              folder.appendingPathComponent("out").path], in: folder)
        #expect(result.status == 1 || result.status == 2, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("timeline.txt:5"), "\(result.stderr)")
        #expect(written(folder).isEmpty)
    }

    @Test func timelineWithoutHeadingsIsRefused() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("notes.txt")
        try Data("Just some prose about the episode, with no timeline at all.\n".utf8).write(to: timeline)
        for command in ["chapters", "verify"] {
            let result = try run([command, Self.episode, "--timeline", timeline.path]
                + (command == "chapters" ? ["-o", folder.appendingPathComponent("out").path] : []), in: folder)
            #expect(result.status == 1, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("notes.txt"), "\(result.stderr)")
            #expect(result.stderr.contains("no timeline headings"), "\(result.stderr)")
        }
        #expect(written(folder).isEmpty)
    }

    @Test func timesPastTheEndAreRefusedWithoutATranscript() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        try Data("Timeline\n\n00:00 — Intro\n00:05 — Talk\n59:00 — Far too late\n".utf8).write(to: timeline)
        let result = try run(["chapters", Self.episode, "--timeline", timeline.path, "-o",
                              folder.appendingPathComponent("out").path], in: folder)
        #expect(result.status == 1, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("timeline.txt:5"), "\(result.stderr)")
        #expect(result.stderr.contains("past the episode's end"), "\(result.stderr)")
        #expect(written(folder).isEmpty)
    }

    @Test func unreadableInputsExitTwo() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        try Data("00:00 — Intro\n00:05 — Talk\n".utf8).write(to: timeline)
        let missingTimeline = try run(["verify", Self.episode, "--timeline", folder.appendingPathComponent("nope.txt").path],
                                      in: folder)
        #expect(missingTimeline.status == 2, "\(missingTimeline.stderr)")
        let missingAudio = try run(["verify", folder.appendingPathComponent("nope.flac").path, "--timeline", timeline.path],
                                   in: folder)
        #expect(missingAudio.status == 2, "\(missingAudio.stderr)")
    }

    @Test func verifyWithoutTranscriptPassesAGoodTimelineAndWritesChapters() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        try Data("Timeline\n\n00:00 — Intro\n".utf8).write(to: timeline)
        let verify = try run(["verify", Self.episode, "--timeline", timeline.path, "--json"], in: folder)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("\"status\" : \"ok\""), "\(verify.stdout)")
        let out = folder.appendingPathComponent("out")
        let chapters = try run(["chapters", Self.episode, "--timeline", timeline.path, "-o", out.path,
                                "--format", "podcast-json,mp4chaps"], in: folder)
        #expect(chapters.status == 0, "\(chapters.stderr)")
        #expect(Set(written(folder)) == ["clean.chapters.json", "clean.chapters.txt"])
    }

    /// A producer's pipeline gate, written as people write it: the show-notes page for both timeline and
    /// transcript, the tolerance with its unit. The sample's "Recording in ordinary rooms" is stated at 2:04
    /// and starts at 1:44.5 (Audio/sample/episode.truth.json): exit 1, and that heading misplaced.
    @Test func verifyTakesAShowNotesPageAndAToleranceWithItsUnit() throws {
        let folder = try TestAudio.temporaryFolder()
        let sample = Repository.root.appendingPathComponent("Audio/sample")
        let result = try run(["verify", sample.appendingPathComponent("episode.mp3").path,
                              "--notes", sample.appendingPathComponent("show-notes.txt").path, "--tolerance", "2s",
                              "--json"], in: folder)
        #expect(result.status == 1, "\(result.status) \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let headings = (json?["verification"] as? [String: Any])?["headings"] as? [[String: Any]] ?? []
        #expect(headings.map { $0["status"] as? String } == ["ok", "ok", "ok", "misplaced", "ok", "ok"], "\(headings)")
        let both = try run(["verify", sample.appendingPathComponent("episode.mp3").path, "--notes",
                            sample.appendingPathComponent("show-notes.txt").path, "--timeline", "x.txt"], in: folder)
        #expect(both.status == 64, "\(both.stderr)")
        let badTolerance = try run(["verify", Self.episode, "--timeline", "x.txt", "--tolerance", "two"], in: folder)
        #expect(badTolerance.status == 64 && badTolerance.stderr.contains("not a length of time"), "\(badTolerance.stderr)")
    }
}
