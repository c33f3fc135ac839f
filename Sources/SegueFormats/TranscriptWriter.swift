import Foundation

/// Writes timed transcripts: WebVTT captions with `<v Speaker>` voices, SRT with a `Speaker: ` prefix,
/// Podcasting 2.0 JSON (`{"version":"1.0.0","segments":[…]}`) and plain text with `[HH:MM:SS]` times.
/// A cue cannot hold a blank line, so paragraph breaks inside a segment become single line breaks.
public enum TranscriptWriter {
    public static func render(_ segments: [TranscriptSegment], as format: TranscriptFormat) -> String {
        switch format {
        case .vtt: vtt(segments)
        case .srt: srt(segments)
        case .transcriptJSON: json(segments)
        case .text: text(segments)
        }
    }

    private static func vtt(_ segments: [TranscriptSegment]) -> String {
        var out = "WEBVTT\n"
        for segment in segments {
            out += "\n\(TimeText.clock(segment.start)) --> \(TimeText.clock(segment.end))\n"
            let body = lines(segment.body).map(Escape.vtt).joined(separator: "\n")
            if let speaker = segment.speaker {
                out += "<v \(Escape.vtt(Escape.oneLine(speaker)))>\(body)\n"
            } else {
                out += body + "\n"
            }
        }
        return out
    }

    private static func srt(_ segments: [TranscriptSegment]) -> String {
        var out = ""
        for (n, segment) in segments.enumerated() {
            if n > 0 { out += "\n" }
            out += "\(n + 1)\n\(TimeText.clock(segment.start, separator: ",")) --> "
                + "\(TimeText.clock(segment.end, separator: ","))\n"
            let body = lines(segment.body).joined(separator: "\n")
            out += (segment.speaker.map { Escape.oneLine($0) + ": " } ?? "") + body + "\n"
        }
        return out
    }

    private static func json(_ segments: [TranscriptSegment]) -> String {
        var out = "{\n  \"version\": \"1.0.0\",\n  \"segments\": ["
        for (n, segment) in segments.enumerated() {
            out += n == 0 ? "\n" : ",\n"
            var fields: [String] = []
            if let speaker = segment.speaker { fields.append("\"speaker\": \"\(Escape.json(speaker))\"") }
            fields.append("\"startTime\": \(TimeText.decimalSeconds(segment.start))")
            fields.append("\"endTime\": \(TimeText.decimalSeconds(segment.end))")
            fields.append("\"body\": \"\(Escape.json(segment.body))\"")
            out += "    {\n" + fields.map { "      " + $0 }.joined(separator: ",\n") + "\n    }"
        }
        return out + "\n  ]\n}\n"
    }

    private static func text(_ segments: [TranscriptSegment]) -> String {
        segments.map { segment in
            let clock = TimeText.clock(segment.start).prefix(8)
            let speaker = segment.speaker.map { Escape.oneLine($0) + ": " } ?? ""
            return "[\(clock)] \(speaker)\(Escape.oneLine(segment.body))\n"
        }.joined()
    }

    /// The non-empty lines of a body, each trimmed of spaces.
    private static func lines(_ body: String) -> [String] {
        body.split(whereSeparator: \.isNewline).map { Escape.trimmingSpaces(String($0)) }.filter { !$0.isEmpty }
    }
}
