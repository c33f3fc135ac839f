import Foundation
import PropertyBased
import SegueInputs
import Testing

/// Random inputs built from the pieces real pages are made of: the parsers must never crash,
/// and everything they report must point at lines that exist.
@Suite struct FuzzTests {
    static let fragments = [
        "00:13", "1:04:19", "1:4:19", "00:75", "00:13.5", " — ", " - ", "-", "–", "(", ")", "[", "]", "<", ">", "\n",
        "\r\n", "\r", "\n\n", "\u{A0}", "\t", " ", "Maya Okafor:", "Music:", "About:", "Priya Raman (00:01:02):",
        "[00:01:02] Jonas:", "Jonas  0:03\n", "WEBVTT\n\n", "-->", "00:00:01.000 --> 00:00:02.000\n", "<v Ana>",
        "</v>", "{", "}", "\"segments\"", "\"chapters\"", "[CHAPTER]\n", ";FFMETADATA1\n", "START=", "TRACK 01 AUDIO\n",
        "INDEX 01 00:13:00\n", "<psc:chapter start=\"", "\" title=\"x\"/>", "<ChapterAtom>", "⁓", "$40", "1,000",
        "Dr.", "e.g.", "https://example.com/a", "&amp;", "&#", "Timeline\n", "Chapters:\n", "* ", "1. ", "...",
        "Hello world.", "é", "🎙", "\u{FEFF}", ":", "12", "CHAPTER01=", "NAME=",
    ]

    @Test func pagesNeverCrashAndPointAtRealLines() async {
        let page = Gen<String?>.element(of: Self.fragments).array(of: 0...120).map { $0.compactMap { $0 }.joined() }
        await propertyCheck(count: 300, input: page) { text in
            let doc = InputReader.parse(text: text, file: "fuzz.txt")
            let lineCount = text.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count + 1
            for heading in doc.timeline.headings {
                #expect(heading.line >= 1 && heading.line <= lineCount)
            }
            for turn in doc.transcript.turns {
                #expect(turn.firstLine >= 1 && turn.firstLine <= turn.lastLine)
            }
            for diagnostic in doc.diagnostics {
                #expect((diagnostic.line ?? 1) >= 1)
            }
            #expect((try? doc.jsonData()) != nil)
        }
    }

    @Test func randomBytesAreReadOrRefusedCleanly() async {
        let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...400)
        await propertyCheck(count: 300, input: bytes) { raw in
            do {
                _ = try InputReader.parse(Data(raw), file: "bytes.bin")
            } catch {
                #expect((error as? InputReadError)?.message.isEmpty == false)
            }
        }
    }

    @Test func normalisationNeverCrashes() async {
        let text = Gen<String?>.element(of: Self.fragments).array(of: 0...60).map { $0.compactMap { $0 }.joined(separator: " ") }
        await propertyCheck(count: 300, input: text) { text in
            let normalized = AlignmentText.normalize(text)
            #expect(normalized == normalized.lowercased())
            #expect(!normalized.contains("  "))
        }
    }
}
