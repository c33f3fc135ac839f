import Foundation
import SegueInputs
import Testing

/// `InputDocument.jsonData()` writes JSON by hand for speed; it must stay byte-identical to `JSONEncoder`
/// with the options the goldens were made with, including fields the corpus never sets.
@Suite struct DocumentJSONTests {
    static func encoderJSON(_ document: InputDocument) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(document)
        data.append(0x0A)
        return data
    }

    /// Every optional set, awkward strings and numbers, and empty containers.
    static let everything = InputDocument(
        file: "dir/with \"quotes\"\\and\ttabs.txt", format: .podcastJSONChapters, encoding: .utf16LittleEndian,
        lineEnding: .mixed,
        timeline: Timeline(headings: [
            TimelineHeading(title: "Intro / «Café» \u{1}\u{1F}\u{7F} 🎙️", time: 0, endTime: 0.1, url: "https://a.b/c?d=1&e", line: 1),
            TimelineHeading(title: "Big", time: 1e21, endTime: 123456789012.25, line: 2),
            TimelineHeading(title: "Small", time: 1e-7, endTime: -0.0, line: 3),
            TimelineHeading(title: "Untimed\r\n\u{8}\u{C}", time: nil, line: 4),
        ]),
        transcript: Transcript(turns: [
            SpeakerTurn(speaker: "Maya Okafor", text: "Hello \"there\".\n\nSecond.", normalizedText: "hello there second",
                        sentences: ["Hello \"there\".", "Second."], firstLine: 5, lastLine: 7, timeHint: 3859.5,
                        endTimeHint: 3861.25),
            SpeakerTurn(speaker: nil, text: "", normalizedText: "", sentences: [], firstLine: 8, lastLine: 8),
        ]),
        diagnostics: [
            InputDiagnostic(severity: .warning, file: "x", line: 3, message: "time 0:00 is past the end"),
            InputDiagnostic(severity: .note, file: "x", line: nil, message: "read as Latin-1"),
        ])

    @Test func everyFieldMatchesJSONEncoder() throws {
        let document = Self.everything
        let actual = try document.jsonData()
        let expected = try Self.encoderJSON(document)
        #expect(actual == expected, "\(String(decoding: actual, as: UTF8.self))")
    }

    @Test func emptyDocumentMatchesJSONEncoder() throws {
        let document = InputDocument(file: "", format: .text, encoding: .utf8, lineEnding: .none,
                                     timeline: Timeline(), transcript: Transcript(), diagnostics: [])
        #expect(try document.jsonData() == Self.encoderJSON(document))
    }

    @Test(arguments: CorpusGoldenTests.corpusFiles)
    func corpusMatchesJSONEncoder(_ name: String) throws {
        let data = try Data(contentsOf: CorpusGoldenTests.corpus.appendingPathComponent(name))
        guard let document = try? InputReader.parse(data, file: name) else { return }
        #expect(try document.jsonData() == Self.encoderJSON(document))
    }

    @Test func nonFiniteTimesThrowAsBefore() {
        var document = Self.everything
        document.timeline.headings[0].time = .infinity
        #expect(throws: EncodingError.self) { try document.jsonData() }
    }
}
