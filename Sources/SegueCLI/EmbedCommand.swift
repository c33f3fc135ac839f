import ArgumentParser
import Foundation
import SegueEngine

/// `segue embed EPISODE --chapters FILE`: chapters into the audio file's own tags.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write chapters into an MP3, MP4/M4A/M4B, FLAC, Ogg Vorbis or Opus file.",
        discussion: """
            MP3 gets ID3v2 CTOC and CHAP frames (with TIT2 titles and WXXX links; ID3v2.3 unless --id3v2 4, \
            an existing tag keeps its version); MP4/M4A/M4B gets Nero chpl chapters and a QuickTime chapter \
            text track; FLAC, Ogg Vorbis and Opus get CHAPTERxxx Vorbis comments.

            Every other tag and every audio byte stays as it was. The new file is written beside the \
            destination under a temporary name and renamed over it only when complete: the original is never \
            left half-written, even if segue is killed. Without --output the episode itself is updated.

            Chapters the file already has are replaced only with --replace. Chapters out of order or past \
            the end of the audio are refused.

            Exit status: 0 success, 1 refused (chapters with errors, existing chapters without --replace), \
            2 an input cannot be read (missing, truncated or corrupt audio, unreadable chapter file), 64 bad usage.

            Examples:
              segue embed episode.mp3 --chapters chapters.json
              segue embed episode.m4a --chapters show-notes.txt -o published/episode.m4a
              segue embed episode.flac --chapters chapters.txt --replace
              segue embed episode.mp3 --chapters chapters.psc.xml --id3v2 4
            """)

    @Argument(help: "The episode's audio file.")
    var episode: String

    @Option(help: ArgumentHelp("Chapters: any chapter file, a timed timeline, or another audio file's chapters.",
                               valueName: "file"))
    var chapters: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write a new file here instead of updating the episode.",
                                                    valueName: "file"))
    var output: String?

    @Flag(help: "Replace chapters the file already has.")
    var replace = false

    @Option(name: .customLong("id3v2"), help: ArgumentHelp("ID3v2 version for a new MP3 tag: 3 or 4.", valueName: "3|4"))
    var id3Version: Int = 3

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard id3Version == 3 || id3Version == 4 else { throw ValidationError("--id3v2 must be 3 or 4") }
    }

    func run() throws {
        let source = URL(fileURLWithPath: episode)
        let existing: EmbeddedChapters
        do {
            existing = try ChapterEmbedder.read(source)
        } catch {
            Terminal.error(error.description)
            throw ExitCode(error.kind == .unreadable ? ExitStatus.unreadableInput : ExitStatus.failure)
        }
        let length = try existing.duration ?? ChapterInputs.duration(of: episode)
        let document = try ChapterInputs.read(chapters)
        let list: [Chapter]
        do { list = try ChapterConversion.chapters(from: document) } catch {
            Terminal.error(error.description)
            throw ExitCode(ExitStatus.failure)
        }
        try ChapterInputs.check(list, duration: length, source: chapters)
        let destination = output.map { URL(fileURLWithPath: $0) } ?? source
        let warnings: [String]
        do {
            warnings = try ChapterEmbedder.embed(list, into: source, writingTo: destination,
                                                 options: EmbedOptions(replace: replace, id3Version: id3Version,
                                                                       duration: length))
        } catch {
            Terminal.error(error.description)
            throw ExitCode(error.kind == .unreadable ? ExitStatus.unreadableInput : ExitStatus.failure)
        }
        for warning in warnings { Terminal.warning("\(episode): \(warning)") }
        if json {
            struct Output: Encodable { var file: String; var container: String; var chapters: Int; var replaced: Int }
            FileHandle.standardOutput.write(try JSONOutput.encode(Output(
                file: destination.path, container: existing.container.rawValue, chapters: list.count,
                replaced: existing.chapters.count)))
        } else {
            Terminal.print("wrote \(list.count) chapter(s) into \(destination.path) (\(existing.container.rawValue))"
                + (existing.chapters.isEmpty ? "" : ", replacing \(existing.chapters.count)"))
        }
    }
}
