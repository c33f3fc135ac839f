import Foundation
import Testing
import SegueFormats
import SegueTestSupport

@Suite struct AudacityLabelTests {
    @Test func labelsUseTabsAndSixDecimals() {
        let data = AudacityLabels.render([.init(start: 1.5, end: 2.25, text: "pause"),
                                          .init(start: 3, end: 3.0000004, text: "odd\ttext\nhere")])
        #expect(String(decoding: data, as: UTF8.self) == "1.500000\t2.250000\tpause\n3.000000\t3.000000\todd text here\n")
    }

    @Test func labelsReadBack() {
        let labels: [AudacityLabels.Label] = [.init(start: 0.25, end: 1.125, text: "S1"), .init(start: 7, end: 8, text: "")]
        let text = String(decoding: AudacityLabels.render(labels), as: UTF8.self)
        #expect(AudacityLabels.parse(text) == labels)
    }
}

@Suite struct AtomicFileTests {
    @Test func writeReplacesAndLeavesNoTemporaryFiles() throws {
        let folder = try TestAudio.temporaryFolder()
        let url = folder.appendingPathComponent("a.json")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("new".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.json"])
    }

    @Test func failedBatchRemovesWhatItWrote() throws {
        let folder = try TestAudio.temporaryFolder()
        let good = folder.appendingPathComponent("one.txt")
        let bad = folder.appendingPathComponent("missing-folder/two.txt")
        #expect(throws: (any Error).self) {
            try AtomicFile.writeAll([(good, Data("1".utf8)), (bad, Data("2".utf8))])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func jsonOutputIsStable() throws {
        struct Sample: Encodable { var b = 1.5, a = "x/y" }
        #expect(String(decoding: try JSONOutput.encode(Sample()), as: UTF8.self) == "{\n  \"a\" : \"x/y\",\n  \"b\" : 1.5\n}\n")
        #expect(Seconds.rounded(1.23449) == 1.234 && Seconds.rounded(0.1 + 0.2) == 0.3)
    }
}

@Suite struct StagedWriteTests {
    /// A batch that fails on a later file leaves every earlier file's previous version in place.
    @Test func failedBatchKeepsPreviousVersions() throws {
        let folder = try TestAudio.temporaryFolder()
        let first = folder.appendingPathComponent("one.txt")
        try AtomicFile.write(Data("previous".utf8), to: first)
        let bad = folder.appendingPathComponent("missing-folder/two.txt")
        #expect(throws: (any Error).self) {
            try AtomicFile.writeAll([(first, Data("new".utf8)), (bad, Data("2".utf8))])
        }
        #expect(try String(contentsOf: first, encoding: .utf8) == "previous")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["one.txt"])
    }
}
