import Foundation
import Testing
import SegueTestSupport

/// `segue align` as a user runs it: captions with voices, one cue per turn when asked, and a clear
/// diagnosis (exit 1, nothing written) when the transcript cannot belong to the audio.
@Suite struct AlignCommandTests {
    static let sample = Repository.root.appendingPathComponent("Audio/sample")

    static func segue(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(Repository.segueBinary, arguments)
    }

    /// The sample episode's transcript as "Name: text" turns, from its truth file.
    static func sampleTurns() throws -> [(speaker: String, start: Double, text: String)] {
        let data = try Data(contentsOf: sample.appendingPathComponent("episode.truth.json"))
        let truth = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let turns = truth?["turns"] as? [[String: Any]] ?? []
        return turns.compactMap { turn in
            guard let speaker = turn["speaker"] as? String, let start = turn["start"] as? Double,
                  let text = turn["text"] as? String else { return nil }
            return (speaker, start, text)
        }
    }

    static func transcript(_ turns: [(speaker: String, start: Double, text: String)]) -> String {
        turns.map { "\($0.speaker): \($0.text)" }.joined(separator: "\n\n") + "\n"
    }

    @Test func alignsTheSampleEpisodeAndWritesCaptions() throws {
        let folder = try TestAudio.temporaryFolder()
        let turns = try Self.sampleTurns()
        let text = folder.appendingPathComponent("episode.txt")
        try Data(Self.transcript(turns).utf8).write(to: text)
        let result = try Self.segue(["align", Self.sample.appendingPathComponent("episode.mp3").path,
                                     "--transcript", text.path, "-o", folder.path, "--format", "vtt,json",
                                     "--granularity", "turn"])
        #expect(result.status == 0, "\(result.stderr)")
        let vtt = try String(contentsOf: folder.appendingPathComponent("episode.vtt"), encoding: .utf8)
        #expect(vtt.components(separatedBy: " --> ").count - 1 == turns.count)  // one cue per turn
        #expect(vtt.contains("<v Dana Whitfield>Welcome to Room Tone"))
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("episode.analysis.json"))) as? [String: Any]
        let placed = ((json?["alignment"] as? [String: Any])?["turns"] as? [[String: Any]]) ?? []
        #expect(placed.count == turns.count)
        let within = zip(placed, turns).filter { turn, truth in
            (turn["start"] as? Double).map { abs($0 - truth.start) <= 0.5 } ?? false
        }.count
        // A sanity floor here; the accuracy bars are enforced on the alignment fixtures by Tools/eval-align.
        #expect(Double(within) >= 0.9 * Double(turns.count), "\(within) of \(turns.count) turns within 0.5 s")
    }

    /// Podcasts ship as MP3: in a 64 kbit/s copy of t_segments the content path reached the first
    /// sentence from the file's start, and the first turn began in the 0.6 s of silence before it.
    @Test func anMP3CopyStartsTheFirstTurnWithItsWords() throws {
        let folder = try TestAudio.temporaryFolder()
        let align = Repository.root.appendingPathComponent("Audio/align")
        let mp3 = folder.appendingPathComponent("t_segments.mp3")
        let encode = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-nostdin", "-v", "error", "-i", align.appendingPathComponent("t_segments.flac").path,
            "-b:a", "64k", mp3.path])
        try #require(encode.status == 0, "\(encode.stderr)")
        let result = try Self.segue(["align", mp3.path, "--transcript", align.appendingPathComponent("t_segments.transcript.txt").path,
                                     "-o", folder.path, "--format", "json", "-q"])
        try #require(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("t_segments.analysis.json"))) as? [String: Any]
        let first = ((json?["alignment"] as? [String: Any])?["turns"] as? [[String: Any]])?.first
        let start = try #require(first?["start"] as? Double)
        // Truth: 0.600 s (Audio/align/t_segments.align-truth.json); the MP3's encoder delay is trimmed.
        #expect(abs(start - 0.6) <= 0.1, "first turn starts at \(start)")
    }

    struct BadCase: Sendable, CustomStringConvertible {
        var name: String
        var audio: @Sendable (URL) throws -> URL
        var transcript: @Sendable () throws -> String
        var message: String
        var description: String { name }
    }

    static let sampleAudio: @Sendable (URL) throws -> URL = { _ in sample.appendingPathComponent("episode.mp3") }

    static let badCases: [BadCase] = [
        BadCase(name: "empty transcript", audio: sampleAudio, transcript: { "\n\n" }, message: "no speaker turns"),
        BadCase(name: "transcript of another episode", audio: sampleAudio, transcript: {
            let data = try Data(contentsOf: Repository.fixtures.appendingPathComponent("spk4.truth.json"))
            let turns = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["turns"] as? [[String: Any]] ?? []
            return turns.compactMap { turn in
                guard let speaker = turn["speaker"] as? String, let text = turn["text"] as? String else { return nil }
                return "Speaker \(speaker): \(text)"
            }.joined(separator: "\n\n")
        }, message: "does not match the audio"),
        BadCase(name: "transcript in another language", audio: sampleAudio, transcript: {
            ["Dana: Bienvenidos a Tono de Sala, el programa sobre cómo suenan las cosas. Soy Dana.",
             "Marcus: Y yo soy Marcus. Hoy tenemos una invitada que construye micrófonos a mano.",
             "Dana: Inés, bienvenida al programa.",
             "Ines: Gracias, Dana. Hola, Marcus. Es un placer estar aquí.",
             "Marcus: Empecemos por el principio: ¿cómo terminaste fabricando micrófonos?",
             "Ines: Empezó con una radio rota, de verdad. La abrí y encontré un altavoz diminuto.",
             "Dana: Qué buena historia de origen. ¿Cuántos años tenías?",
             "Ines: Once, quizá doce. A mis padres no les hizo ninguna gracia el soldador."]
                .joined(separator: "\n\n")
        }, message: "looks like Spanish, not English"),
        BadCase(name: "10-second clip with an hour of transcript", audio: { folder in
            let clip = folder.appendingPathComponent("clip.wav")
            let cut = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
                "-nostdin", "-v", "error", "-i", sample.appendingPathComponent("episode.mp3").path, "-t", "10", clip.path])
            guard cut.status == 0 else { throw CocoaError(.fileWriteUnknown) }
            return clip
        }, transcript: {
            let one = transcript(try sampleTurns())
            return String(repeating: one, count: 20)   // about an hour read aloud
        }, message: "far longer than the audio"),
    ]

    @Test(arguments: 0..<4)
    func badInputGetsADiagnosisAndNoFiles(_ index: Int) throws {
        let bad = Self.badCases[index]
        let folder = try TestAudio.temporaryFolder()
        let audio = try bad.audio(folder)
        let text = folder.appendingPathComponent("transcript.txt")
        try Data(try bad.transcript().utf8).write(to: text)
        let out = folder.appendingPathComponent("out")
        let result = try Self.segue(["align", audio.path, "--transcript", text.path, "-o", out.path])
        #expect(result.status == 1, "\(bad.name): \(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("segue: error:") }
        #expect(errors.count == 1 && errors[0].contains(bad.message), "\(bad.name): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(bad.name): wrote output")
    }

    @Test func unreadableAudioIsExitTwo() throws {
        let folder = try TestAudio.temporaryFolder()
        let text = folder.appendingPathComponent("t.txt")
        try Data("Ada: Hello there.\n\nBob: Hi.\n\nAda: How are you?\n\nBob: Fine.\n".utf8).write(to: text)
        let result = try Self.segue(["align", folder.appendingPathComponent("nope.mp3").path, "--transcript", text.path])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
