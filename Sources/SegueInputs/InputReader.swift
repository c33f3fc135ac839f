import Foundation

/// Entry point for reading inputs: decodes bytes, detects the format and runs the matching parser.
public enum InputReader {
    /// Reads and parses a file. Throws only when the file cannot be read or decoded as text;
    /// problems in the content come back as diagnostics in the document.
    public static func read(contentsOf url: URL, options: ParseOptions = ParseOptions()) throws(InputReadError) -> InputDocument {
        let name = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw InputReadError(file: name, message: "cannot read file: \(describe(error))")
        }
        return try parse(data, file: name, options: options)
    }

    /// Parses raw bytes. `file` is used in diagnostics only.
    public static func parse(_ data: Data, file: String, options: ParseOptions = ParseOptions()) throws(InputReadError) -> InputDocument {
        let decoded = try decode(data, file: file)
        return parse(decoded, file: file, options: options)
    }

    /// Parses text that is already in memory.
    public static func parse(text: String, file: String, options: ParseOptions = ParseOptions()) -> InputDocument {
        // Decoding a Swift string's UTF-8 cannot fail; fall back to an empty document rather than trap.
        let decoded = (try? decode(Data(text.utf8), file: file))
            ?? DecodedText(lines: [], encoding: .utf8, lineEnding: .none)
        return parse(decoded, file: file, options: options)
    }

    public static func parse(_ decoded: DecodedText, file: String, options: ParseOptions = ParseOptions()) -> InputDocument {
        var log = DiagnosticLog(file: file)
        if let line = decoded.firstNonUTF8Line {
            log.note(line, "not valid UTF-8; read the file as Latin-1 (Windows-1252)")
        }
        let lines = decoded.lines
        let format = detectFormat(lines)
        var timeline = Timeline()
        var transcript = Transcript()
        switch format {
        case .text:
            (timeline, transcript) = PageParser.parse(lines: lines, options: options, log: &log)
            if timeline.headings.isEmpty && transcript.turns.isEmpty {
                log.warning(nil, "found no timeline headings and no speaker turns")
            }
        case .webVTT, .srt:
            transcript = CaptionTranscript.read(lines: lines, format: format, options: options, log: &log)
        case .podcastJSONTranscript:
            transcript = JSONTranscript.read(lines: lines, options: options, log: &log)
        default:
            timeline = Timeline(headings: ChapterReader.read(lines: lines, format: format, log: &log).chapters)
        }
        TimelineChecks.check(timeline, duration: options.episodeDuration, log: &log)
        TimelineChecks.checkHints(transcript, duration: options.episodeDuration, log: &log)
        var diagnostics = log.items
        if options.strict {
            for i in diagnostics.indices where diagnostics[i].severity == .warning { diagnostics[i].severity = .error }
        }
        return InputDocument(file: file, format: format, encoding: decoded.encoding, lineEnding: decoded.lineEnding,
                             timeline: timeline, transcript: transcript, diagnostics: diagnostics)
    }

    private static func describe(_ error: Error) -> String {
        let text = (error as NSError).localizedDescription
        return text.isEmpty ? String(describing: error) : text
    }
}
