import Foundation
import SegueInputs
import Testing

/// Parsing must stay linear on big inputs: a 10 MB page, and a single multi-megabyte line.
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

    /// Linear, not quadratic: 4x the input may cost at most ~6x the time (noise on a shared machine).
    /// The absolute 2 s budget for 10 MB is measured by `Tools/bench-parse` (hyperfine, median of runs),
    /// because a test-suite run shares the CPU with other tests.
    @Test func tenMegabytesParseLinearly() throws {
        let small = Self.page(bytes: 2_500_000), large = Self.page(bytes: 10_000_000)
        let clock = ContinuousClock()
        var document: InputDocument?
        let smallTime = try clock.measure { _ = try InputReader.parse(small, file: "small.txt") }
        let largeTime = try clock.measure { document = try InputReader.parse(large, file: "big.txt") }
        #expect(document?.timeline.headings.count == 3)
        #expect(document?.speakers.count == 3)
        #expect(largeTime < smallTime * 6 + .milliseconds(200), "2.5 MB: \(smallTime), 10 MB: \(largeTime)")
        #if !DEBUG
        #expect(largeTime < .seconds(15), "10 MB took \(largeTime)")
        #endif
    }

    @Test func singleHugeLineDoesNotHang() throws {
        let line = String(repeating: "Maya: [(00:13 — ⁓ ", count: 200_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = InputReader.parse(text: line, file: "line.txt") }
        #if !DEBUG
        #expect(elapsed < .seconds(2), "one 3.6 MB line took \(elapsed)")
        #endif
    }
}
