import Foundation
import Testing
import SegueTestSupport

/// `segue analyze` on broken or unusual files: either it works, or it fails
/// with one line naming the file, exit code 2, and no file written.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var make: @Sendable (URL) throws -> String   // builds the input in a folder, returns its path
        var works: Bool
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "truncated MP3", make: { folder in
            let data = try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.mp3"))
            let url = folder.appendingPathComponent("truncated.mp3")
            try data.prefix(data.count / 3).write(to: url)
            return url.path
        }, works: true),
        Case(name: "zero-length file", make: { folder in
            let url = folder.appendingPathComponent("empty.mp3")
            try Data().write(to: url)
            return url.path
        }, works: false),
        Case(name: "WAV header claiming more data than present", make: { folder in
            let url = folder.appendingPathComponent("short.wav")
            try TestAudio.writeWAV(TestAudio.voiceLike(seconds: 2, rate: 16_000), rate: 16_000, to: url,
                                   claimExtraBytes: 200_000)
            return url.path
        }, works: true),
        Case(name: "non-audio file", make: { folder in
            let url = folder.appendingPathComponent("notes.mp3")
            try Data("00:13 — Intro\n01:02 — Guests\n".utf8).write(to: url)
            return url.path
        }, works: false),
        Case(name: "M4A/AAC (libsndfile cannot read it; FFmpeg decodes it)", make: { folder in
            // A real AAC file, made by ffmpeg (installed by Tools/setup).
            let url = folder.appendingPathComponent("episode.m4a")
            let ffmpeg = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
                "-nostdin", "-v", "error", "-i", Repository.fixtures.appendingPathComponent("clean.flac").path,
                "-t", "3", "-c:a", "aac", url.path])
            guard ffmpeg.status == 0 else { throw CocoaError(.fileWriteUnknown) }
            return url.path
        }, works: true),
        Case(name: "truncated M4A (its index was at the end)", make: { folder in
            let data = try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.m4a"))
            let url = folder.appendingPathComponent("truncated.m4a")
            try data.prefix(data.count / 3).write(to: url)
            return url.path
        }, works: false),
        Case(name: "M4A with its audio overwritten", make: { folder in
            var bytes = [UInt8](try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.m4a")))
            for i in 100..<(bytes.count - 4_000) { bytes[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
            let url = folder.appendingPathComponent("garbled.m4a")
            try Data(bytes).write(to: url)
            return url.path
        }, works: false),
        Case(name: "missing file", make: { folder in folder.appendingPathComponent("nope.flac").path }, works: false),
        Case(name: "directory", make: { folder in
            let url = folder.appendingPathComponent("episode.wav")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url.path
        }, works: false),
        Case(name: "8 kHz mono", make: { folder in
            let url = folder.appendingPathComponent("phone.wav")
            let speech = TestAudio.voiceLike(seconds: 1.5, rate: 8_000)
            try TestAudio.writeWAV(speech + TestAudio.silence(seconds: 1, rate: 8_000) + speech, rate: 8_000, to: url)
            return url.path
        }, works: true),
        Case(name: "96 kHz 6 channels", make: { folder in
            let url = folder.appendingPathComponent("surround.wav")
            let speech = TestAudio.voiceLike(seconds: 1.5, rate: 96_000)
            try TestAudio.writeWAV(speech + TestAudio.silence(seconds: 1, rate: 96_000) + speech, rate: 96_000,
                                   channels: 6, to: url)
            return url.path
        }, works: true),
    ]

    @Test(arguments: cases)
    func analyzeWorksOrFailsCleanly(_ testCase: Case) throws {
        let folder = try TestAudio.temporaryFolder(testCase.name)
        let input = try testCase.make(folder)
        let out = folder.appendingPathComponent("out")
        let result = try runProcess(Repository.segueBinary, ["analyze", input, "-o", out.path, "-q"])
        let written = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        if testCase.works {
            #expect(result.status == 0, "\(result.stderr)")
            let name = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
            #expect(written.contains("\(name).analysis.json"))
            #expect(written.contains("\(name).pauses.txt"))
        } else {
            #expect(result.status == 2)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "expected one line, got: \(result.stderr)")
            #expect(lines.first?.hasPrefix("segue: error: \(input): ") == true, "\(result.stderr)")
            #expect(written.isEmpty, "left behind: \(written)")
            #expect(!result.stderr.contains("Fatal") && !result.stderr.contains("crash"))
        }
    }

    @Test func truncatedMP3SaysSoOrDecodesWhatIsThere() throws {
        let folder = try TestAudio.temporaryFolder()
        let data = try Data(contentsOf: Repository.fixtures.appendingPathComponent("clean.mp3"))
        let url = folder.appendingPathComponent("cut.mp3")
        try data.prefix(data.count / 2).write(to: url)
        let result = try runProcess(Repository.segueBinary, ["analyze", url.path, "-o", folder.path, "-q", "--json"])
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let audio = json?["audio"] as? [String: Any]
        let duration = audio?["duration"] as? Double ?? 0
        #expect(duration > 15 && duration < 32, "half of a 46.7 s file, got \(duration)")
    }

    @Test func probeAndUsageErrorsHaveStableExitCodes() throws {
        let missing = try runProcess(Repository.segueBinary, ["probe", "/nonexistent.wav"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "segue: error: /nonexistent.wav: no such file\n")
        let usage = try runProcess(Repository.segueBinary, ["analyze", "x.wav", "--format", "pdf"])
        #expect(usage.status == 64)
        let probe = try runProcess(Repository.segueBinary,
                                   ["probe", "--json", Repository.fixtures.appendingPathComponent("stereo44k.flac").path])
        #expect(probe.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any]
        #expect(json?["sampleRate"] as? Int == 44_100 && json?["channels"] as? Int == 2)
    }
}
