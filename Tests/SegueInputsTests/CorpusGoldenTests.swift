import Foundation
import SegueInputs
import Testing

/// Every file in `Corpus/` is parsed and compared byte for byte with `Golden/parse/<file>.json`.
/// To accept a deliberate change: `SEGUE_UPDATE_GOLDEN=1 swift test --filter SegueInputsTests`, then read the diff.
@Suite struct CorpusGoldenTests {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let corpus = testsFolder.appendingPathComponent("Corpus")
    /// Goldens live with the others at the repository's top level.
    static let golden = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/parse")

    /// Options a corpus file needs, as a user would pass them on the command line.
    static let options: [String: ParseOptions] = [
        "speakers-once-each.txt": ParseOptions(speakers: ["Maya Okafor", "Jonas Lindqvist"]),
        "duration-past-end.txt": ParseOptions(episodeDuration: 3000),
        "non-monotonic.txt": ParseOptions(strict: true),
    ]

    static var corpusFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func corpusIsLargeEnough() {
        #expect(Self.corpusFiles.count >= 30)
    }

    @Test(arguments: corpusFiles)
    func matchesGolden(_ name: String) throws {
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
        let actual = try Self.goldenJSON(data: data, name: name, options: Self.options[name] ?? ParseOptions())
        let goldenURL = Self.golden.appendingPathComponent(name + ".json")
        if ProcessInfo.processInfo.environment["SEGUE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try actual.write(to: goldenURL)
            return
        }
        let expected = try Data(contentsOf: goldenURL)
        #expect(actual == expected, "\(name) no longer parses as Golden/parse/\(name).json; run with SEGUE_UPDATE_GOLDEN=1 and review the diff")
    }

    /// The `InputDocument` JSON, or `{"readError": …}` for files Segue refuses to read.
    static func goldenJSON(data: Data, name: String, options: ParseOptions) throws -> Data {
        let document: InputDocument
        do {
            document = try InputReader.parse(data, file: name, options: options)
        } catch {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            var json = try encoder.encode(["readError": error.description])
            json.append(0x0A)
            return json
        }
        return try document.jsonData()
    }
}
