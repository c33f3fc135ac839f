import ArgumentParser
import Foundation
import SegueEngine

/// `segue convert INPUT --to FORMAT[,FORMAT…]`: between every chapter format Segue reads and writes,
/// and between timed transcript formats.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert chapters or a timed transcript from one format to others.",
        discussion: """
            INPUT is any chapter file Segue reads (Podcasting 2.0 JSON, Podlove Simple Chapters, FFmpeg \
            ffmetadata, WebVTT chapters, mp4chaps, Vorbis comments, CUE, Matroska XML), a show-notes page or \
            description with a timed timeline, an audio file with embedded chapters (MP3, MP4/M4A, FLAC, Ogg), \
            or a timed transcript (WebVTT, SRT, Podcasting 2.0 JSON, time-stamped exports).

            Chapter formats: \(ChapterFormat.allCases.map(\.rawValue).joined(separator: ", ")), or all.
            Transcript formats: \(TranscriptFormat.allCases.map(\.rawValue).joined(separator: ", ")).

            Output files are named after the input (its extension, or a suffix Segue writes such as \
            .chapters.json, removed) with one suffix per format, in the --output folder:
            \(ChapterFormat.allCases.map { "  \($0.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) NAME\($0.fileSuffix)" }.joined(separator: "\n"))
            \(TranscriptFormat.allCases.map { "  \($0.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) NAME\($0.fileSuffix)" }.joined(separator: "\n"))
            Files are written only when every one of them could be made.

            Some formats need the episode's length for the last chapter's end (ffmetadata, chapters-vtt; \
            transcripts whose last turn has no end): give --episode or --duration.

            Exit status: 0 success, 1 the chapters have errors (out of order, past the end) or a format \
            cannot be made, 2 the input cannot be read, 64 bad usage.

            Examples:
              segue convert chapters.json --to psc,mp4chaps,ffmetadata --duration 3725
              segue convert show-notes.txt --to youtube --fit-platform-rules
              segue convert episode.mp3 --to podcast-json -o out/
              segue convert episode.vtt --to srt,transcript-json,text
              segue convert chapters.txt --to all --episode episode.mp3 -o chapters/
            """)

    @Argument(help: "The chapter file, page, transcript or audio file to convert.")
    var input: String

    @Option(help: ArgumentHelp("Comma-separated output formats, or all.", valueName: "formats"))
    var to: String

    @Option(name: .shortAndLong, help: "Folder for the output files (created if missing).")
    var output: String = "."

    @Option(help: ArgumentHelp("The episode's audio: its length ends the last chapter and it names the CUE FILE.",
                               valueName: "file"))
    var episode: String?

    @Option(help: ArgumentHelp("The episode's length, when the audio is not at hand.", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("The episode's title, for formats that carry one (JSON, CUE, ffmetadata).",
                               valueName: "text"))
    var title: String?

    @Flag(help: "For youtube: move the first chapter to 0:00 and merge chapters under 10 s instead of only warning.")
    var fitPlatformRules = false

    @Flag(help: "Print the written files as JSON.")
    var json = false

    func validate() throws {
        if let duration, !(duration > 0 && duration.isFinite) {
            throw ValidationError("--duration must be a positive number of seconds")
        }
        if episode != nil, duration != nil { throw ValidationError("give --episode or --duration, not both") }
        _ = try formats()
    }

    private func formats() throws -> (chapters: [ChapterFormat], transcripts: [TranscriptFormat]) {
        var chapters: [ChapterFormat] = [], transcripts: [TranscriptFormat] = []
        for raw in to.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "all" { chapters += ChapterFormat.allCases.filter { !chapters.contains($0) }; continue }
            if let format = ChapterFormat(rawValue: name) { if !chapters.contains(format) { chapters.append(format) } }
            else if let format = TranscriptFormat(rawValue: name) {
                if !transcripts.contains(format) { transcripts.append(format) }
            } else {
                throw ValidationError("unknown format '\(name)': expected one of "
                    + (ChapterFormat.allCases.map(\.rawValue) + TranscriptFormat.allCases.map(\.rawValue))
                        .joined(separator: ", ") + " or all")
            }
        }
        if chapters.isEmpty && transcripts.isEmpty { throw ValidationError("--to needs at least one format") }
        return (chapters, transcripts)
    }

    func run() throws {
        let (chapterFormats, transcriptFormats) = try formats()
        let document = try ChapterInputs.read(input)
        let length = try duration ?? episode.map(ChapterInputs.duration(of:))
        let name = ChapterConversion.baseName(of: input)
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        var files: [(url: URL, data: Data)] = []

        if !chapterFormats.isEmpty {
            let chapters: [Chapter]
            do { chapters = try ChapterConversion.chapters(from: document) } catch {
                Terminal.error(error.description + (document.transcript.turns.isEmpty ? ""
                    : "; it is a transcript: convert it --to \(TranscriptFormat.allCases.map(\.rawValue).joined(separator: ","))"))
                throw ExitCode(ExitStatus.failure)
            }
            try ChapterInputs.check(chapters, duration: length, source: input)
            let options = ChapterWriterOptions(duration: length,
                                               audioFileName: episode.map { URL(fileURLWithPath: $0).lastPathComponent },
                                               title: title, fitPlatformRules: fitPlatformRules)
            files += try ChapterInputs.render(chapters, as: chapterFormats, options: options, name: name,
                                              folder: folder, source: input)
        }
        if !transcriptFormats.isEmpty {
            let segments: [TranscriptSegment]
            do { segments = try ChapterConversion.segments(from: document, duration: length) } catch {
                Terminal.error(error.description)
                throw ExitCode(ExitStatus.failure)
            }
            for format in transcriptFormats {
                files.append((folder.appendingPathComponent(name + format.fileSuffix),
                              Data(TranscriptWriter.render(segments, as: format).utf8)))
            }
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.writeAll(files)
        } catch {
            throw ExitCode(Terminal.report(error))
        }
        if json {
            FileHandle.standardOutput.write(try JSONOutput.encode(["written": files.map(\.url.path)]))
        } else {
            for file in files { Terminal.print("wrote \(file.url.path)") }
        }
    }
}
