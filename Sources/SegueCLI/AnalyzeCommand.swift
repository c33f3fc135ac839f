import ArgumentParser
import Foundation
import SegueEngine

/// The files `segue analyze` can write.
enum AnalysisOutput: String, CaseIterable {
    /// `NAME.analysis.json`: everything, for programs.
    case json
    /// `NAME.pauses.txt`, `NAME.speakers.txt` (and `NAME.music.txt` when there
    /// is music): Audacity label tracks.
    case labels
    /// `NAME.rttm`: speaker segments as NIST RTTM, for diarization scoring tools.
    case rttm
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find every pause, music stretch and speaker change in an episode.",
        discussion: """
        Decodes the episode once, computes its spectral features and finds the \
        pauses between speech (with an adaptive noise floor, so hum, hiss and \
        music beds do not count as speech) and stretches of music without speech. \
        Then finds who speaks when (no model files: change detection, clustering \
        and resegmentation on the episode's own cepstra); speakers are labelled \
        S1, S2, … in order of first appearance. Give --speakers N when the number \
        of speakers is known; otherwise it is estimated.

        Writes, into the output folder (the current folder by default):
          NAME.analysis.json   duration, format, pauses, music and speech spans
          NAME.pauses.txt      pauses as an Audacity label track
          NAME.music.txt       music spans as an Audacity label track (if any)
          NAME.speakers.txt    speaker segments as an Audacity label track
                               (label = speaker; overlap segments end in "+")
          NAME.rttm            speaker segments as NIST RTTM (--format rttm)
        Files are written only when the whole analysis succeeded.

        Examples:
          segue analyze episode.mp3
          segue analyze episode.flac -o out/ --format json
          segue analyze episode.wav --min-pause 0.5 --json | jq '.pauses | length'
          segue analyze episode.mp3 --speakers 3 --format json,rttm
          segue analyze episode.flac --json | jq '.speakers.changes'
        """)

    @Argument(help: "The episode's audio file (WAV, AIFF, FLAC, Ogg Vorbis, Opus or MP3).")
    var episode: String

    @Option(name: .shortAndLong, help: "Folder for the output files (created if missing).")
    var output: String = "."

    @Option(help: "Comma-separated outputs: \(AnalysisOutput.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String = "json,labels"

    @Option(help: ArgumentHelp("Shortest pause to report: 0.3, 300ms (default: 0.3 s).", valueName: "seconds"), transform: SecondsArgument.parse)
    var minPause: Double = 0.3

    @Option(help: "Number of speakers, when known (estimated otherwise).")
    var speakers: Int?

    @Flag(help: "Print the analysis as JSON on stdout instead of a summary.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Skip the speaker stage (pauses and music only).")
    var noSpeakers = false

    @Flag(help: "Print each stage's wall time on stderr.")
    var timings = false

    var outputs: [AnalysisOutput] {
        format.split(separator: ",").compactMap { AnalysisOutput(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        for name in format.split(separator: ",") where AnalysisOutput(rawValue: name.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("unknown format '\(name)'; choose from \(AnalysisOutput.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard minPause > 0, minPause <= 60 else {
            throw ValidationError("--min-pause must be between 0 and 60 seconds")
        }
        if let speakers, !(1...64).contains(speakers) {
            throw ValidationError("--speakers must be between 1 and 64")
        }
    }

    func run() throws {
        var analyzer = EpisodeAnalyzer()
        analyzer.pauseParameters.minimumPause = minPause
        analyzer.speakerCount = speakers
        analyzer.findSpeakers = !noSpeakers
        let name = URL(fileURLWithPath: episode).deletingPathExtension().lastPathComponent
        let progress = ProgressLine(label: "analysing \(name)", enabled: !quiet)
        let analysis: EpisodeAnalysis
        do {
            analysis = try analyzer.analyze(path: episode, progress: progress.update)
            progress.finish()
        } catch {
            progress.finish()
            throw ExitCode(Terminal.report(error))
        }
        for warning in analysis.warnings { Terminal.warning(warning) }
        if timings {
            for (stage, seconds) in analysis.timings {
                Terminal.standardError.write(Data(String(format: "timing: %@ %.3f s\n", stage, seconds).utf8))
            }
        }

        let document = AnalysisReport.document(for: analysis, minimumPause: minPause)
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        var files: [(url: URL, data: Data)] = []
        do {
            for kind in outputs {
                switch kind {
                case .json:
                    files.append((folder.appendingPathComponent("\(name).analysis.json"), try document.encoded()))
                case .labels:
                    files.append((folder.appendingPathComponent("\(name).pauses.txt"),
                                  AudacityLabels.render(analysis.activity.pauses.map {
                                      .init(start: $0.start, end: $0.end, text: "pause")
                                  })))
                    files.append((folder.appendingPathComponent("\(name).speakers.txt"),
                                  AudacityLabels.render(analysis.speakers.segments.map {
                                      .init(start: $0.start, end: $0.end, text: $0.overlap ? $0.speaker + "+" : $0.speaker)
                                  })))
                    if !analysis.activity.music.isEmpty {
                        files.append((folder.appendingPathComponent("\(name).music.txt"),
                                      AudacityLabels.render(analysis.activity.music.map {
                                          .init(start: $0.start, end: $0.end, text: "music")
                                      })))
                    }
                case .rttm:
                    files.append((folder.appendingPathComponent("\(name).rttm"),
                                  RTTM.render(analysis.speakers.segments.map {
                                      .init(file: name, start: $0.start, duration: $0.end - $0.start, speaker: $0.speaker)
                                  })))
                }
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.writeAll(files)
        } catch {
            throw ExitCode(Terminal.report(error))
        }

        if json {
            FileHandle.standardOutput.write(try document.encoded())
        } else {
            let audio = analysis.audio
            let pauses = analysis.activity.pauses
            let longest = pauses.map(\.duration).max() ?? 0
            Terminal.print("""
            \(name)  \(audio.container), \(audio.sampleRate) Hz, \(audio.channels) ch, \(clockTime(audio.duration))
              pauses   \(pauses.count) (≥ \(minPause) s), longest \(String(format: "%.2f", longest)) s
              music    \(analysis.activity.music.count) span(s), \(String(format: "%.1f", analysis.activity.music.reduce(0) { $0 + $1.duration })) s
              speakers \(analysis.speakers.speakerCount)\(analysis.speakers.countGiven ? "" : " (estimated)"), \(analysis.speakers.changes.count) change(s), \(analysis.speakers.segments.count) segment(s)
              level    speech \(String(format: "%.1f", analysis.activity.speechLevel)) dBFS, noise floor \(String(format: "%.1f", analysis.activity.noiseFloor)) dBFS
            """)
            for file in files { Terminal.print("  wrote    \(file.url.path)") }
        }
    }
}
