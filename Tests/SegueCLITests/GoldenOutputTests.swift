import Foundation
import Testing
import SegueTestSupport

/// `segue analyze` output on a committed fixture, speaker stage included,
/// compared byte for byte with `Golden/analyze/`. A deliberate change is accepted with
/// `SEGUE_UPDATE_GOLDEN=1 Tools/test`, then by reading the diff.
@Suite struct GoldenOutputTests {
    @Test(arguments: ["clean", "music_bed", "spk3"])
    func analysisMatchesGolden(fixture: String) throws {
        let folder = try TestAudio.temporaryFolder(fixture)
        let input = Repository.fixtures.appendingPathComponent("\(fixture).flac")
        let result = try runProcess(Repository.segueBinary,
                                    ["analyze", input.path, "-o", folder.path, "-q", "--format", "json,labels,rttm"])
        try #require(result.status == 0, "\(result.stderr)")
        let goldenFolder = Repository.golden.appendingPathComponent("analyze")
        for file in ["\(fixture).analysis.json", "\(fixture).pauses.txt", "\(fixture).speakers.txt", "\(fixture).rttm"] {
            let actual = try Data(contentsOf: folder.appendingPathComponent(file))
            let golden = goldenFolder.appendingPathComponent(file)
            if ProcessInfo.processInfo.environment["SEGUE_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
                try actual.write(to: golden)
            }
            let expected = try Data(contentsOf: golden)
            #expect(actual == expected, "\(file) differs from Golden/analyze/\(file)")
        }
    }
}
