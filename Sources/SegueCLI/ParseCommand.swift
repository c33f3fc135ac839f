import ArgumentParser
import Foundation
import SegueEngine

/// `segue parse FILE`: shows what Segue understood from a timeline, transcript or chapter file,
/// so a user can fix their input before a long alignment run.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the headings, speakers and problems Segue finds in a timeline, transcript or chapter file.",
        discussion: """
            FILE may be a whole show-notes page (prose, a timeline, credits and a transcript pasted together), \
            a transcript export (plain "Name: text", Otter/Descript, WebVTT, SRT, Podcasting 2.0 JSON) or a \
            chapter file (Podcasting 2.0 JSON, Podlove Simple Chapters, FFmpeg ffmetadata, WebVTT chapters, \
            mp4chaps, CUE, Matroska XML). The format and text encoding (UTF-8, UTF-16 with BOM, Latin-1) are \
            detected from the content.

            FILE may also be an audio file (MP3, MP4/M4A, FLAC, Ogg Vorbis, Opus): then the chapters embedded \
            in it are listed (ID3 CHAP frames, MP4 chapters, CHAPTERxxx Vorbis comments).

            Speakers are told apart from prose labels such as "Music:" or "About:" by evidence: a label must \
            start at least two turns. Use --speakers to name them yourself.

            Exit status: 0 when the input is fine, 1 when it has errors (or warnings with --strict), \
            2 when the file cannot be read or decoded.

            Examples:
              segue parse show-notes.txt
              segue parse show-notes.txt --json > understood.json
              segue parse transcript.txt --speakers "Maya Okafor,Jonas Lindqvist,Priya Raman"
              segue parse chapters.json --duration 3725 --strict
              segue parse episode.mp3 --json
            """)

    @Argument(help: "The timeline, transcript or chapter file to read.")
    var file: String

    @Flag(help: "Print the parse as JSON (sorted keys) instead of a table.")
    var json = false

    @Flag(help: "Treat warnings (ambiguous input) as errors.")
    var strict = false

    @Option(help: ArgumentHelp("Comma-separated speaker names; only these labels start turns.", valueName: "names"))
    var speakers: String?

    @Option(help: ArgumentHelp("Episode length in seconds, to flag times past the end.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0 && duration.isFinite) {
            throw ValidationError("--duration must be a positive number of seconds")
        }
    }

    func run() throws {
        if (try? ChapterEmbedder.container(of: URL(fileURLWithPath: file))) != nil {
            return try listEmbeddedChapters()
        }
        let names = speakers?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let options = ParseOptions(speakers: names, episodeDuration: duration, strict: strict)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            printError("segue: error: \(file): cannot read file: \((error as NSError).localizedDescription)")
            throw ExitCode(2)
        }
        let document: InputDocument
        do {
            // Diagnostics name the file as the user typed it.
            document = try InputReader.parse(data, file: file, options: options)
        } catch {
            printError("segue: error: \(error.description)")
            throw ExitCode(2)
        }
        if json {
            FileHandle.standardOutput.write(try document.jsonData())
        } else {
            print(ParseReport.table(document), terminator: "")
        }
        for diagnostic in document.diagnostics {
            printError("segue: \(diagnostic.severity.rawValue): \(diagnostic)")
        }
        if document.hasErrors { throw ExitCode(1) }
    }

    /// The chapters inside an audio file, as a table or JSON.
    private func listEmbeddedChapters() throws {
        let embedded: EmbeddedChapters
        do {
            embedded = try ChapterEmbedder.read(URL(fileURLWithPath: file))
        } catch {
            printError("segue: error: \(error.description)")
            throw ExitCode(error.kind == .unreadable ? 2 : 1)
        }
        if json {
            struct Output: Encodable {
                var file: String, container: String, duration: Double?, chapters: [Chapter]
            }
            let chapters = embedded.chapters.map { chapter in
                var c = chapter
                c.start = Seconds.rounded(c.start)
                c.end = c.end.map { Seconds.rounded($0) }
                return c
            }
            FileHandle.standardOutput.write(try JSONOutput.encode(Output(
                file: file, container: embedded.container.rawValue,
                duration: embedded.duration.map { Seconds.rounded($0) }, chapters: chapters)))
            return
        }
        var out = "\(file): \(embedded.container.rawValue)"
        if let duration = embedded.duration { out += ", \(formatClock(duration))" }
        out += "\n\nChapters (\(embedded.chapters.count))\n"
        for chapter in embedded.chapters {
            out += "  \(formatClock(chapter.start))  \(chapter.end.map(formatClock) ?? "-")  "
                + (chapter.listed ? "" : "(unlisted) ") + chapter.title.replacingOccurrences(of: "\n", with: " ")
                + (chapter.url.map { "  <\($0)>" } ?? "") + "\n"
        }
        print(out, terminator: "")
    }

    private func printError(_ line: String) {
        Terminal.standardError.write(Data((line + "\n").utf8))
    }
}

/// The human-readable report: headings, speakers, turns and diagnostics as aligned tables.
enum ParseReport {
    static func table(_ doc: InputDocument) -> String {
        var out = "\(doc.file): \(doc.format.rawValue), \(doc.encoding.rawValue), \(doc.lineEnding.rawValue) line ends\n"
        let headings = doc.timeline.headings
        out += "\nHeadings (\(headings.count))\n"
        if !headings.isEmpty {
            out += render([["LINE", "TIME", "TITLE"]] + headings.map {
                [String($0.line), $0.time.map(formatClock) ?? "-", $0.title]
            }, rightAligned: [0, 1])
        }
        out += "\nSpeakers (\(doc.speakers.count))\n"
        if !doc.speakers.isEmpty {
            out += render([["NAME", "TURNS", "WORDS"]] + doc.speakers.map { [$0.name, String($0.turns), String($0.words)] },
                          rightAligned: [1, 2])
        }
        let turns = doc.transcript.turns
        out += "\nTurns (\(turns.count))\n"
        if !turns.isEmpty {
            out += render([["LINES", "HINT", "SPEAKER", "TEXT"]] + turns.map {
                [$0.firstLine == $0.lastLine ? "\($0.firstLine)" : "\($0.firstLine)-\($0.lastLine)",
                 $0.timeHint.map(formatClock) ?? "-", $0.speaker ?? "-", preview($0.text)]
            }, rightAligned: [0, 1])
        }
        let counts = Dictionary(grouping: doc.diagnostics, by: \.severity).mapValues(\.count)
        out += "\n\(counts[.error] ?? 0) errors, \(counts[.warning] ?? 0) warnings, \(counts[.note] ?? 0) notes\n"
        return out
    }

    /// The text on one line (line breaks become spaces), cut to 60 characters.
    private static func preview(_ text: String) -> String {
        let flat = flattenedStart(of: text, characters: 61)
        return flat.count > 60 ? String(flat.prefix(59)) + "…" : flat
    }

    /// The start of `text.split(whereSeparator: \.isNewline).joined(separator: " ")`: all of it, or a prefix of
    /// at least `minimum` characters. Turns can be long and the preview shows only their start. Line breaks
    /// are characters of their own (CR LF is one character, and both its scalars are breaks), so dropping
    /// line-break scalars matches splitting on newline characters.
    private static func flattenedStart(of text: String, characters minimum: Int) -> String {
        var flat: [UInt8] = [], scalars = 0, pendingSpace = false, nextCheck = minimum
        for scalar in text.unicodeScalars {
            if isLineBreak(scalar) {
                pendingSpace = !flat.isEmpty
                continue
            }
            // There are never more characters than scalars, so count characters only once there are
            // enough scalars (doubling the next check keeps a run of combining marks linear).
            if scalars >= nextCheck {
                if String(decoding: flat, as: UTF8.self).count >= minimum { break }
                nextCheck *= 2
            }
            if pendingSpace {
                flat.append(0x20)
                scalars += 1
                pendingSpace = false
            }
            flat.append(contentsOf: scalar.utf8)
            scalars += 1
        }
        return String(decoding: flat, as: UTF8.self)
    }

    /// The scalars of `Character.isNewline`: LF, VT, FF, CR, NEL, line and paragraph separators.
    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `cell.count`, without grapheme breaking for the usual ASCII cell (one character per byte; CR LF is the
    /// one ASCII pair that forms a single character).
    private static func width(_ cell: String) -> Int {
        cell.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } ? cell.utf8.count : cell.count
    }

    /// Rows as aligned columns, two spaces apart and indented by two; the last column is not padded
    /// unless it is right-aligned. Written into one string: a transcript has a row per turn.
    private static func render(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? width($0[c]) : 0 }.max() ?? 0 }
        var out = ""
        out.reserveCapacity(rows.reduce(0) { total, row in total + row.reduce(4) { $0 + $1.utf8.count + 2 } })
        for (r, row) in rows.enumerated() {
            if r > 0 { out += "\n" }
            out += "  "
            for (c, cell) in row.enumerated() {
                if c > 0 { out += "  " }
                let pad = String(repeating: " ", count: widths[c] - width(cell))
                if c == row.count - 1 && !rightAligned.contains(c) {
                    out += cell
                } else if rightAligned.contains(c) {
                    out += pad
                    out += cell
                } else {
                    out += cell
                    out += pad
                }
            }
        }
        out += "\n"
        return out
    }
}
