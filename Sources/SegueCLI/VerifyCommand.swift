import ArgumentParser
import Foundation
import SegueChapters
import SegueEngine

/// `segue verify EPISODE --timeline FILE`: is every stated timestamp where its topic starts?
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a timeline's (or chapter file's) stated times against the audio.",
        discussion: """
            Every heading is placed where its topic begins (as `segue chapters` does, best with --transcript) \
            and compared with its stated time. Per heading: stated, placed, difference (placed − stated), \
            confidence, the evidence (pause, speaker change, matched words) and a status: ok (within \
            --tolerance), drift (explained by a shared offset or rate difference), misplaced, or not found. \
            A common offset (an advert or intro inserted or cut) and a constant rate difference are reported \
            once, as a finding, not as one error per heading.

            --chapters may be a chapter file or an audio file with embedded chapters.

            Exit status: 0 every heading within tolerance, 1 not (or the work failed), 2 an input cannot be \
            read, 64 bad usage: usable as a gate in a publishing pipeline.

            Examples:
              segue verify episode.mp3 --notes show-notes.txt --tolerance 2s
              segue verify episode.mp3 --chapters episode.mp3 --transcript transcript.txt --json
              segue verify episode.mp3 --chapters chapters.json --tolerance 5
            """)

    @Argument(help: "The episode's audio file.")
    var episode: String

    @Option(help: ArgumentHelp("Timeline: a show-notes page or chapter file.", valueName: "file"))
    var timeline: String?

    @Option(help: ArgumentHelp("Chapters: a chapter file or an audio file with embedded chapters.", valueName: "file"))
    var chapters: String?

    @Option(help: ArgumentHelp("Transcript (or a show-notes page holding one).", valueName: "file"))
    var transcript: String?

    @Option(help: ArgumentHelp("A show-notes page used as both timeline and transcript.", valueName: "page"))
    var notes: String?

    @Option(help: ArgumentHelp("Largest difference that is still ok: 2, 2s, 500ms, 1:30 (default: 2 s).", valueName: "seconds"),
            transform: SecondsArgument.parse)
    var tolerance: Double = 2

    @Option(help: ArgumentHelp("The transcript's language (eSpeak NG names).", valueName: "code"))
    var language: String = "en"

    @Flag(help: "Print the verification as JSON on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if notes != nil, timeline != nil || chapters != nil || transcript != nil {
            throw ValidationError("give --notes, or --timeline/--chapters and --transcript, not both")
        }
        if notes == nil, (timeline == nil) == (chapters == nil) {
            throw ValidationError("give --timeline FILE, --chapters FILE or --notes PAGE")
        }
        if !(tolerance >= 0 && tolerance.isFinite) { throw ValidationError("--tolerance must be ≥ 0 seconds") }
    }

    func run() throws {
        let source = notes ?? timeline ?? chapters!
        let inputs = try ChapterJob.read(episode: episode, timeline: source, transcript: notes ?? transcript,
                                         timelineRequired: true)
        if !inputs.headings.contains(where: { $0.time != nil }) {
            Terminal.error("\(source): the headings have no times: nothing to verify")
            throw ExitCode(ExitStatus.failure)
        }
        let evidence = try ChapterJob.evidence(episode: episode, transcript: inputs.transcript, language: language,
                                               quiet: quiet)
        try ChapterJob.checkTimes(inputs.headings, duration: evidence.duration, source: source, fatal: false)
        let placement = HeadingPlacer().place(inputs.headings, evidence: evidence, keepWithin: tolerance)
        let report = TimelineVerifier(tolerance: tolerance).verify(placement)
        if json {
            struct Output: Encodable {
                var episode: String
                var verification: TimelineVerification
                var ok: Bool
            }
            FileHandle.standardOutput.write(try JSONOutput.encode(Output(episode: episode, verification: report,
                                                                         ok: report.allWithinTolerance)))
        } else {
            var rows = [["#", "HEADING", "STATED", "PLACED", "DIFF", "CONF", "STATUS", "EVIDENCE"]]
            for h in report.headings {
                rows.append(["\(h.index + 1)", Align.preview(h.title), h.stated.map(clockTime) ?? "-", clockTime(h.placed),
                             h.difference.map { String(format: "%+.1f", $0) } ?? "-", String(format: "%.2f", h.confidence),
                             h.status.rawValue, h.evidence])
            }
            Terminal.print(Align.table(rows))
            for finding in report.findings { Terminal.print("finding: \(finding.message)") }
            let bad = report.headings.filter { $0.status != .ok }.count
            Terminal.print(bad == 0 ? "all \(report.headings.count) headings within \(tolerance) s"
                                    : "\(bad) of \(report.headings.count) headings off by more than \(tolerance) s")
        }
        if !report.allWithinTolerance { throw ExitCode(ExitStatus.failure) }
    }
}
