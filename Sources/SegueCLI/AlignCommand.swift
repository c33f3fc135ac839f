import ArgumentParser
import Foundation
import SegueEngine

/// `segue align EPISODE --transcript FILE`: every turn and sentence of a transcript placed in the audio.
struct Align: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Place every transcript turn and sentence in the episode, and write captions.",
        discussion: """
            The transcript is any file `segue parse` reads: "Name: text" turns, an Otter or Descript export, \
            WebVTT, SRT, Podcasting 2.0 JSON, or a whole show-notes page with the transcript inside it. Its times, \
            if any, are not trusted.

            Segue reads the transcript with eSpeak NG and aligns that reference to the episode's audio, skipping \
            audio that has no text (music, adverts, off-script talk) and text that is not in the audio. It finds \
            the speakers (as many as the transcript names), maps them to the transcript's names, and moves each \
            turn's start onto the detected speaker change or speech onset when the evidence agrees.

            Writes, into the output folder (the current folder by default):
              NAME.vtt              WebVTT captions, a <v Speaker> voice per cue
              NAME.srt              SubRip captions, "Speaker: " prefix
              NAME.transcript.json  Podcasting 2.0 JSON transcript
              NAME.transcript.txt   [HH:MM:SS] Speaker: text (--format text)
              NAME.analysis.json    turns and sentences with times and confidences, unaligned audio, warnings
            One cue per sentence (default) or per turn (--granularity turn). Files are written only when the \
            whole alignment succeeded.

            Exit status: 0 success, 1 the transcript cannot be aligned to this audio (empty, another episode, \
            far longer than the audio), 2 an input cannot be read, 64 bad usage.

            Examples:
              segue align episode.mp3 --transcript transcript.txt
              segue align episode.m4a --transcript show-notes.txt -o out/ --granularity turn
              segue align episode.flac --transcript otter.txt --format vtt,json --language en-us
            """)

    enum Granularity: String, ExpressibleByArgument, CaseIterable { case sentence, turn }

    @Argument(help: "The episode's audio file.")
    var episode: String

    @Option(help: ArgumentHelp("The transcript (or a show-notes page that holds one).", valueName: "file"))
    var transcript: String

    @Option(name: .shortAndLong, help: "Folder for the output files (created if missing).")
    var output: String = "."

    @Option(help: "Comma-separated outputs: vtt, srt, transcript-json, text, json.")
    var format: String = "vtt,srt,transcript-json,json"

    @Option(help: "One caption per sentence or per turn.")
    var granularity: Granularity = .sentence

    @Option(help: ArgumentHelp("The transcript's language, for the reference voice (eSpeak NG names).",
                               valueName: "code"))
    var language: String = "en"

    @Flag(help: "Print the alignment as JSON on stdout instead of a table.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Print each stage's wall time on stderr.")
    var timings = false

    private func outputs() throws -> (captions: [TranscriptFormat], analysis: Bool) {
        var captions: [TranscriptFormat] = [], analysis = false
        for raw in format.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "json" { analysis = true } else if let format = TranscriptFormat(rawValue: name) {
                if !captions.contains(format) { captions.append(format) }
            } else {
                throw ValidationError("unknown format '\(name)'; choose from vtt, srt, transcript-json, text, json")
            }
        }
        return (captions, analysis)
    }

    func validate() throws { _ = try outputs() }

    func run() throws {
        let (captionFormats, writeAnalysis) = try outputs()
        // An unreadable episode is reported before anything about the transcript.
        do { _ = try AudioDecoder(path: episode) } catch { throw ExitCode(Terminal.report(error)) }
        let document = try ChapterInputs.read(transcript)
        guard !document.transcript.turns.isEmpty else {
            Terminal.error("\(transcript): no speaker turns found; nothing to align")
            throw ExitCode(ExitStatus.failure)
        }
        let name = URL(fileURLWithPath: episode).deletingPathExtension().lastPathComponent
        let result = try Self.align(episode, transcript: document.transcript, language: language, quiet: quiet)
        for warning in result.analysis.warnings + result.warnings { Terminal.warning(warning) }
        if timings {
            for (stage, seconds) in result.analysis.timings {
                Terminal.standardError.write(Data(String(format: "timing: %@ %.3f s\n", stage, seconds).utf8))
            }
        }

        let analysisDocument = AnalysisReport.document(for: result, minimumPause: TranscriptAligner().analyzer.pauseParameters.minimumPause)
        let segments = AnalysisReport.segments(for: result, perSentence: granularity == .sentence)
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        var files: [(url: URL, data: Data)] = []
        do {
            for format in captionFormats {
                files.append((folder.appendingPathComponent(name + format.fileSuffix),
                              Data(TranscriptWriter.render(segments, as: format).utf8)))
            }
            if writeAnalysis {
                files.append((folder.appendingPathComponent("\(name).analysis.json"), try analysisDocument.encoded()))
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.writeAll(files)
        } catch {
            throw ExitCode(Terminal.report(error))
        }

        if json {
            FileHandle.standardOutput.write(try JSONOutput.encode(analysisDocument.alignment))
            return
        }
        var rows = [["#", "START", "END", "CONF", "SPEAKER", "TEXT"]]
        for turn in result.turns {
            rows.append(["\(turn.index + 1)", turn.start.map(clockTime) ?? "missing", turn.end.map(clockTime) ?? "-",
                         String(format: "%.2f", turn.confidence),
                         (turn.speaker ?? "-") + (turn.overlap ? " (over)" : ""), Self.preview(turn.text)])
        }
        Terminal.print(Self.table(rows))
        for file in files { Terminal.print("wrote \(file.url.path)") }
    }

    static func preview(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 50 ? String(flat.prefix(49)) + "…" : flat
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension ProgressLine {
    /// The stages of an alignment on one bar: decoding is most of the work, the later stages share
    /// the last stretch.
    func update(_ stage: TranscriptAligner.Stage, fraction: Double) {
        switch stage {
        case .decoding: update(0.7 * fraction, stage: "decoding")
        case .speakers: update(0.8, stage: "reading the transcript aloud")
        case .reference: update(0.9, stage: "aligning")
        case .aligning: update(1.0, stage: "placing turns")
        }
    }
}

extension Align {
    /// `segue align`'s pipeline behind a progress line: a transcript that cannot belong to the audio
    /// is exit 1 with its diagnosis, any other error the exit code `Terminal.report` gives it.
    static func align(_ episode: String, transcript: Transcript, language: String, quiet: Bool) throws
        -> EpisodeAlignment {
        var aligner = TranscriptAligner()
        aligner.language = language
        let name = URL(fileURLWithPath: episode).deletingPathExtension().lastPathComponent
        let progress = ProgressLine(label: "aligning \(name)", enabled: !quiet)
        let result = Result { try aligner.align(path: episode, transcript: transcript) { progress.update($0, fraction: $1) } }
        progress.finish()
        do {
            return try result.get()
        } catch let failure as AlignmentFailure {
            Terminal.error("\(episode): \(failure.description)")
            throw ExitCode(ExitStatus.failure)
        } catch {
            throw ExitCode(Terminal.report(error))
        }
    }
}
