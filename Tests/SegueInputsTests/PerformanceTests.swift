import Foundation
import SegueInputs
import Testing

/// Big inputs are read whole and end: a 10 MB page, and a single multi-megabyte line.
@Suite struct PerformanceTests {
    static func page(bytes target: Int) -> Data {
        var text = "Episode 99\n\nTimeline\n\n00:00 — Intro\n12:30 — Middle\n1:02:11 — Wrap\n\nMusic: \"Theme\" - CC BY 4.0\n\n"
        let turns = [
            "Maya Okafor: Welcome back, this is a ⁓ long line with $40, 3.5 dB, Dr. Raman and https://example.com/ep99 in it.\n\n\u{A0}\n\n",
            "Jonas Lindqvist: Short reply [laughter] with 1999 in it.\nAnd a second line of the same paragraph.\n\n",
            "Priya Raman (00:01:02): A timed turn. Sentences end here. Another one? Yes!\n\n",
        ]
        var i = 0
        text.reserveCapacity(target + 200)
        while text.utf8.count < target {
            text += turns[i % turns.count]
            i += 1
        }
        return Data(text.utf8)
    }

    /// A 10 MB page is read whole. How long it takes, and that the time grows linearly, are measured
    /// by `Tools/bench-parse` (hyperfine medians), not here: a test run shares the CPU with other tests.
    @Test(.timeLimit(.minutes(1))) func tenMegabytePageIsReadWhole() throws {
        let document = try InputReader.parse(Self.page(bytes: 10_000_000), file: "big.txt")
        #expect(document.timeline.headings.count == 3)
        #expect(document.speakers.count == 3)
    }

    /// A 3.6 MB line with nothing but openers and separators ends (a quadratic scan would not, within the limit).
    @Test(.timeLimit(.minutes(1))) func singleHugeLineDoesNotHang() throws {
        let line = String(repeating: "Maya: [(00:13 — ⁓ ", count: 200_000)
        let document = InputReader.parse(text: line, file: "line.txt")
        #expect(document.speakers.count <= 1)
    }
}
