import ArgumentParser
import Foundation
import SegueChapters
import SegueEngine

/// `segue chapters EPISODE`: a timeline's headings placed where their topics begin, or chapters proposed
/// from the audio (and transcript) alone.
struct Chapters: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Place a timeline's headings where their topics begin, or propose chapters from the audio.",
        discussion: """
            With --timeline (a show-notes page, a chapter file, an audio file with chapters) every heading is \
            placed at the start of the turn or sentence where its topic begins: one order-preserving \
            optimisation over all headings that weighs the heading's words against the transcript text that \
            follows each boundary, the pause, speaker change or music before it, and the stated time (a prior \
            corrected for a common offset or rate difference fitted on the confident matches). Without a \
            transcript, headings snap to the strongest pause end, speaker change or music end near their stated \
            time (± 10 s, ± 60 s when nothing is near). The first chapter starts at 0.

            Without a timeline, chapters are proposed from music, long pauses, changes in who speaks and, with a \
            transcript, shifts of topic in the text; titled from the chapter's own words (else "Chapter N").

            A show-notes page holding both a timeline and a transcript may be passed to both options, or as \
            --notes PAGE. Chapters end where the next begins; the last at the episode's end.

            Exit status: 0 success, 1 the work failed (no headings, a heading past the end with no transcript, \
            a transcript that does not fit the audio), 2 an input cannot be read, 64 bad usage.

            Examples:
              segue chapters episode.mp3 --notes show-notes.txt
              segue chapters episode.mp3 --timeline timeline.txt --transcript transcript.txt -o out/
              segue chapters episode.mp3 --transcript transcript.txt --count 8 --format podcast-json,youtube
              segue chapters episode.mp3 --min-length 120
            """)

    @Argument(help: "The episode's audio file.")
    var episode: String

    @Option(help: ArgumentHelp("Timeline: a show-notes page, chapter file or audio file with chapters.", valueName: "file"))
    var timeline: String?

    @Option(help: ArgumentHelp("Transcript (or a show-notes page holding one).", valueName: "file"))
    var transcript: String?

    @Option(help: ArgumentHelp("A show-notes page used as both timeline and transcript.", valueName: "page"))
    var notes: String?

    @Option(name: .shortAndLong, help: "Folder for the output files (created if missing).")
    var output: String = "."

    @Option(help: ArgumentHelp("Comma-separated chapter formats, or all.", valueName: "formats"))
    var format: String = "podcast-json"

    @Option(help: ArgumentHelp("Shortest chapter when proposing chapters from the audio: 60, 90s, 2min (default: 60 s).", valueName: "seconds"),
            transform: SecondsArgument.parse)
    var minLength: Double = 60

    @Option(help: ArgumentHelp("How many chapters to propose from the audio (default: one per ~6 minutes).",
                               valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("The transcript's language (eSpeak NG names).", valueName: "code"))
    var language: String = "en"

    @Flag(help: "Print the chapters as JSON on stdout instead of a table.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        _ = try ChapterFormats.parse(format)
        if !(minLength >= 0 && minLength.isFinite) { throw ValidationError("--min-length must be ≥ 0 seconds") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if notes != nil, timeline != nil || transcript != nil {
            throw ValidationError("give --notes, or --timeline and --transcript, not both")
        }
    }

    func run() throws {
        let formats = try ChapterFormats.parse(format)
        let inputs = try ChapterJob.read(episode: episode, timeline: notes ?? timeline, transcript: notes ?? transcript,
                                         timelineRequired: timeline != nil)
        let evidence = try ChapterJob.evidence(episode: episode, transcript: inputs.transcript, language: language,
                                               quiet: quiet)
        try ChapterJob.checkTimes(inputs.headings, duration: evidence.duration, source: inputs.timelineFile,
                                  fatal: !evidence.hasTranscript)
        var chapters: [Chapter]
        var rows = [["#", "HEADING", "STATED", "PLACED", "CONF", "EVIDENCE"]]
        var report: [[String: String]] = []
        if !inputs.headings.isEmpty {
            let placement = HeadingPlacer().place(inputs.headings, evidence: evidence)
            chapters = placement.headings.map { placed in
                let heading = inputs.headings[placed.index]
                return Chapter(start: placed.placed, title: heading.title, url: heading.url, image: heading.image,
                               listed: heading.toc ?? true)
            }
            for p in placement.headings {
                rows.append(["\(p.index + 1)", Align.preview(p.title), p.stated.map(clockTime) ?? "-", clockTime(p.placed),
                             String(format: "%.2f", p.confidence), p.evidence])
                report.append(["title": p.title, "start": String(format: "%.3f", p.placed),
                               "stated": p.stated.map { String(format: "%.3f", $0) } ?? "",
                               "confidence": String(format: "%.2f", p.confidence), "evidence": p.evidence])
            }
            if let mapping = placement.mapping, let first = mapping.knots.first, let last = mapping.knots.last {
                Terminal.warning(String(format: "stated times drift from the audio by a growing amount, %+.1f s at %@ to "
                                        + "%+.1f s at %@ (followed through %d headings)", first.placed - first.stated,
                                        clockTime(first.stated), last.placed - last.stated, clockTime(last.stated),
                                        mapping.knots.count))
            } else if let mapping = placement.mapping, mapping.support >= 2,
                      abs(mapping.offset) >= 1 || abs(mapping.rate - 1) >= 0.002 {
                Terminal.warning(String(format: "stated times differ from the audio by about %+.1f s%@ (fitted on %d headings)",
                                        mapping.offset, abs(mapping.rate - 1) >= 0.002
                                            ? String(format: " and a rate of %.4f", mapping.rate) : "", mapping.support))
            }
        } else {
            var proposer = AudioChapterProposer()
            proposer.minimumLength = minLength
            proposer.targetCount = count
            let proposed = proposer.propose(evidence: evidence)
            chapters = proposed.map { Chapter(start: $0.start, title: $0.title) }
            for (n, p) in proposed.enumerated() {
                rows.append(["\(n + 1)", Align.preview(p.title), "-", clockTime(p.start), String(format: "%.2f", p.confidence),
                             p.evidence])
                report.append(["title": p.title, "start": String(format: "%.3f", p.start),
                               "confidence": String(format: "%.2f", p.confidence), "evidence": p.evidence])
            }
        }
        for n in chapters.indices {
            chapters[n].end = n + 1 < chapters.count ? chapters[n + 1].start : evidence.duration
        }
        let name = URL(fileURLWithPath: episode).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        try ChapterInputs.check(chapters, duration: evidence.duration, source: episode)
        let options = ChapterWriterOptions(duration: evidence.duration,
                                           audioFileName: URL(fileURLWithPath: episode).lastPathComponent)
        let files = try ChapterInputs.render(chapters, as: formats, options: options, name: name,
                                             folder: folder, source: episode)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.writeAll(files)
        } catch {
            throw ExitCode(Terminal.report(error))
        }
        if json {
            FileHandle.standardOutput.write(try JSONOutput.encode(["chapters": report]))
            return
        }
        Terminal.print(Align.table(rows))
        for file in files { Terminal.print("wrote \(file.url.path)") }
    }
}

enum ChapterFormats {
    static func parse(_ list: String) throws -> [ChapterFormat] {
        var formats: [ChapterFormat] = []
        for raw in list.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "all" { formats += ChapterFormat.allCases.filter { !formats.contains($0) }; continue }
            guard let format = ChapterFormat(rawValue: name) else {
                throw ValidationError("unknown format '\(name)': expected one of "
                    + ChapterFormat.allCases.map(\.rawValue).joined(separator: ", ") + " or all")
            }
            if !formats.contains(format) { formats.append(format) }
        }
        if formats.isEmpty { throw ValidationError("--format needs at least one format") }
        return formats
    }
}

/// What `chapters` and `verify` share: reading the timeline and transcript, and the evidence from the audio.
enum ChapterJob {
    struct Inputs {
        var headings: [TimelineHeading]
        var timelineFile: String
        var transcript: Transcript?
    }

    static func read(episode: String, timeline: String?, transcript: String?, timelineRequired: Bool) throws -> Inputs {
        // An unreadable episode is reported before anything about the text inputs.
        do { _ = try AudioDecoder(path: episode) } catch { throw ExitCode(Terminal.report(error)) }
        var headings: [TimelineHeading] = []
        if let timeline {
            let document = try ChapterInputs.read(timeline)
            headings = document.timeline.headings
            if headings.isEmpty && timelineRequired {
                Terminal.error("\(timeline): no timeline headings or chapters found")
                throw ExitCode(ExitStatus.failure)
            }
        }
        var turns: Transcript?
        if let transcript {
            let document = try ChapterInputs.read(transcript)
            if document.transcript.turns.isEmpty {
                if transcript != timeline {
                    Terminal.error("\(transcript): no speaker turns found")
                    throw ExitCode(ExitStatus.failure)
                }
            } else {
                turns = document.transcript
            }
        }
        return Inputs(headings: headings, timelineFile: timeline ?? "", transcript: turns)
    }

    /// Stated times past the episode's end: an error without a transcript (nothing else can place them),
    /// a warning with one (a timeline written against a longer cut).
    static func checkTimes(_ headings: [TimelineHeading], duration: Double, source: String, fatal: Bool) throws {
        var failed = false
        for heading in headings {
            guard let time = heading.time, time > duration else { continue }
            let message = "\(source):\(heading.line): heading '\(heading.title)' at \(clockTime(time)) is past the "
                + "episode's end (\(clockTime(duration)))"
            if fatal { Terminal.error(message); failed = true } else { Terminal.warning(message) }
        }
        // Without a transcript nothing can put stated times that run backwards in order.
        var previous: TimelineHeading?
        for heading in headings {
            guard let time = heading.time else { continue }
            if fatal, let last = previous, let lastTime = last.time, time < lastTime {
                Terminal.error("\(source):\(heading.line): heading '\(heading.title)' at \(clockTime(time)) comes before "
                    + "'\(last.title)' at \(clockTime(lastTime)) (line \(last.line)); give a transcript (--transcript) "
                    + "to place headings whose times are out of order")
                failed = true
            }
            previous = heading
        }
        if failed { throw ExitCode(ExitStatus.failure) }
        let untimed = headings.filter { $0.time == nil }
        if fatal, !untimed.isEmpty, untimed.count == headings.count {
            Terminal.error("\(source):\(untimed[0].line): the headings have no times; give a transcript (--transcript) "
                + "to place them by their words")
            throw ExitCode(ExitStatus.failure)
        }
    }

    static func evidence(episode: String, transcript: Transcript?, language: String, quiet: Bool) throws -> ChapterEvidence {
        let name = URL(fileURLWithPath: episode).deletingPathExtension().lastPathComponent
        if let transcript {
            return ChapterEvidence(alignment: try Align.align(episode, transcript: transcript, language: language,
                                                              quiet: quiet))
        }
        let progress = ProgressLine(label: "analysing \(name)", enabled: !quiet)
        do {
            var analyzer = EpisodeAnalyzer()
            analyzer.findSpeakers = true
            let analysis = try analyzer.analyze(path: episode) { progress.update($0) }
            progress.finish()
            return ChapterEvidence(analysis: analysis)
        } catch {
            progress.finish()
            throw ExitCode(Terminal.report(error))
        }
    }
}
