import Foundation
import SegueInputs
import Testing

@Suite struct TimelineNotationTests {
    static let notations: [(String, Double, String)] = [
        ("00:13 — Intro", 13, "Intro"),
        ("1:04:19 — Title", 3859, "Title"),
        ("(01:15) Title", 75, "Title"),
        ("[1:04:19] Title", 3859, "Title"),
        ("1:04:19 - Title", 3859, "Title"),
        ("01:15 Title", 75, "Title"),
        ("Title - 01:15", 75, "Title"),
        ("Title (01:15)", 75, "Title"),
        ("- 00:13 Intro", 13, "Intro"),
        ("* [00:13] Intro", 13, "Intro"),
        ("00:13.5 — Intro", 13.5, "Intro"),
        ("00:00-Introduction", 0, "Introduction"),
        ("3. 00:13 Intro", 13, "Intro"),
        ("[00:13](https://youtu.be/x?t=13) Intro", 13, "Intro"),
    ]

    @Test(arguments: notations)
    func readsNotation(_ line: String, _ time: Double, _ title: String) {
        // Two lines make a timeline block; the second one is a fixed reference.
        let doc = InputReader.parse(text: "\(line)\n59:00 — Outro\n", file: "t.txt")
        #expect(doc.timeline.headings.first?.time == time)
        #expect(doc.timeline.headings.first?.title == title)
        #expect(doc.timeline.headings.first?.line == 1)
    }

    @Test func proseWithTimesIsNotATimeline() {
        let doc = InputReader.parse(text: "We met at 10:30 for coffee.\nIt was 3:1 against us.\n", file: "p.txt")
        #expect(doc.timeline.headings.isEmpty)
    }

    @Test func malformedTimeNamesFileAndLine() {
        let doc = InputReader.parse(text: "Timeline\n00:00 Intro\n1:4:19 Broken\n10:00 Outro\n", file: "notes.txt")
        let error = doc.errors.first
        #expect(error?.line == 3)
        #expect(error?.file == "notes.txt")
        #expect(error?.message.contains("expected") == true)
    }

    @Test func strictTurnsWarningsIntoErrors() {
        let text = "Timeline\n00:00 Intro\n05:00 Middle\n02:00 Oops\n"
        #expect(InputReader.parse(text: text, file: "a").warnings.count == 1)
        let strict = InputReader.parse(text: text, file: "a", options: ParseOptions(strict: true))
        #expect(strict.warnings.isEmpty)
        #expect(strict.errors.count == 1)
    }
}

@Suite struct TranscriptNotationTests {
    @Test func explicitSpeakersOverrideEvidence() {
        let text = "Note: this is prose.\nAda: Hello.\nBob: Hi.\n"
        let doc = InputReader.parse(text: text, file: "t", options: ParseOptions(speakers: ["Ada", "Bob"]))
        #expect(doc.speakers.map(\.name) == ["Ada", "Bob"])
    }

    @Test func onceOnlyLabelIsProseWithAWarning() {
        let doc = InputReader.parse(text: "Some prose.\n\nReminder: tickets are on sale.\n", file: "t")
        #expect(doc.transcript.turns.isEmpty)
        #expect(doc.warnings.first?.line == 3)
    }

    @Test func backwardsTimeHintsAreKeptButFlagged() {
        let text = "[00:00:10] Ada: One.\n[00:00:05] Bob: Two.\n[00:00:20] Ada: Three.\n[00:00:30] Bob: Four.\n"
        let doc = InputReader.parse(text: text, file: "t")
        #expect(doc.transcript.turns.map(\.timeHint) == [10, 5, 20, 30])
        #expect(doc.warnings.contains { $0.line == 2 })
    }
}

@Suite struct AlignmentTextTests {
    @Test(arguments: [
        ("So ⁓ I paid $40 [laughter] for it.", "so i paid forty dollars for it"),
        ("Dr. Raman said 50% (inaudible) maybe.", "doctor raman said fifty percent maybe"),
        ("In 1999 and 2026, the 1st and 42nd.", "in nineteen ninety nine and twenty twenty six the first and forty second"),
        ("Visit https://www.example.com/ep42 now", "visit example dot com slash ep forty two now"),
        ("Mm-hmm, 3.5 dB & 1,000 people", "mm hmm three point five decibels and one thousand people"),
        ("The 1990s — “great”", "the nineteen nineties great"),
        // Canonically equal spellings are still spoken as written: the combining accent is not a letter.
        ("José or Jose\u{301}, José and Jose\u{301}.", "josé or jose josé and jose"),
    ])
    func normalises(_ input: String, _ expected: String) {
        #expect(AlignmentText.normalize(input) == expected)
    }
}

@Suite struct EncodingTests {
    @Test func readsLatin1() throws {
        let bytes: [UInt8] = Array("Caf".utf8) + [0xE9] + Array(": Bonjour.\n".utf8)
        let decoded = try InputReader.decode(Data(bytes), file: "x")
        #expect(decoded.encoding == .latin1)
        #expect(decoded.lines == ["Café: Bonjour."])
    }

    @Test func readsUTF16WithBOMAndCRLF() throws {
        var data = Data([0xFF, 0xFE])
        for unit in "Ünï\r\nTwo".utf16 { data.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let decoded = try InputReader.decode(data, file: "x")
        #expect(decoded.encoding == .utf16LittleEndian)
        #expect(decoded.lineEnding == .crlf)
        #expect(decoded.lines == ["Ünï", "Two"])
    }

    @Test func refusesUTF16WithoutBOM() {
        #expect(throws: InputReadError.self) {
            try InputReader.decode(Data("ab".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), file: "x")
        }
    }
}
