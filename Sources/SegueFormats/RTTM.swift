import Foundation

/// NIST Rich Transcription Time Marked files (RTTM), the exchange format of
/// diarization scoring tools (NIST md-eval, pyannote.metrics, dscore): one
/// `SPEAKER` line per segment,
/// `SPEAKER <file> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>`,
/// times in seconds. Overlapping segments are simply two lines.
public enum RTTM {
    public struct Turn: Sendable, Equatable {
        public var file: String
        public var channel: Int
        public var start: Double
        public var duration: Double
        public var speaker: String

        public init(file: String, channel: Int = 1, start: Double, duration: Double, speaker: String) {
            self.file = file
            self.channel = channel
            self.start = start
            self.duration = duration
            self.speaker = speaker
        }

        public var end: Double { start + duration }
    }

    /// RTTM text; fields may not contain whitespace, so it is replaced by `_`.
    /// Times are rounded like the analysis JSON's, so both files agree to the digit.
    public static func render(_ turns: [Turn]) -> Data {
        var out = ""
        for turn in turns {
            out += String(format: "SPEAKER %@ %d %.3f %.3f <NA> <NA> %@ <NA> <NA>\n",
                          token(turn.file), turn.channel, Seconds.rounded(turn.start),
                          Seconds.rounded(max(0, turn.duration)), token(turn.speaker))
        }
        return Data(out.utf8)
    }

    /// Reads the `SPEAKER` lines of an RTTM file; other lines (comments,
    /// other record types) are skipped, and so are malformed lines.
    public static func parse(_ text: String) -> [Turn] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, fields[0] == "SPEAKER",
                  let start = Double(fields[3]), let duration = Double(fields[4]) else { return nil }
            return Turn(file: String(fields[1]), channel: Int(fields[2]) ?? 1, start: start, duration: duration,
                        speaker: String(fields[7]))
        }
    }

    private static func token(_ s: String) -> String {
        let t = s.split(whereSeparator: \.isWhitespace).joined(separator: "_")
        return t.isEmpty ? "<NA>" : t
    }
}
