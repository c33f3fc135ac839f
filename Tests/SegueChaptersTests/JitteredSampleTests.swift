import Foundation
import SegueTestSupport
import Testing

/// The sample episode with a jittered timeline (eval-chapters seed 44): "Recording in ordinary rooms", stated
/// 43 s late, went onto the question "What about recording in the car?" 13 s before its stated time, which
/// says one of its words, instead of "Let's talk about rooms, because our listeners record everywhere.",
/// which says both. A strong boundary near a wrong time does not make the text ambiguous.
@Suite struct JitteredSampleTests {
    @Test func aHeadingStatedLateStaysWhereItsWordsAreSaid() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        let lines = ["00:00 — Cold open", "00:13.843 — How Ines started building microphones",
                     "01:16.261 — Handmade versus factory microphones", "02:27.902 — Recording in ordinary rooms",
                     "02:27.902 — Listener question from Lisbon", "02:27.902 — Wrap-up"]
        try Data(("Timeline\n\n" + lines.joined(separator: "\n\n") + "\n").utf8).write(to: timeline)
        let sample = Repository.root.appendingPathComponent("Audio/sample")
        let result = try runProcess(ChaptersCommandTests.segue, [
            "chapters", sample.appendingPathComponent("episode.mp3").path, "--timeline", timeline.path,
            "--transcript", sample.appendingPathComponent("show-notes.txt").path,
            "-o", folder.appendingPathComponent("out").path, "--json", "-q"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let starts = (document?["chapters"] as? [[String: Any]] ?? []).compactMap { ($0["start"] as? String).flatMap(Double.init) }
        // Truth (episode.truth.json): 0, 24.82, 71.22, 104.46, 147.63, 177.58.
        #expect(starts.count == 6)
        #expect(starts.count == 6 && abs(starts[3] - 104.46) < 1, "\(starts)")
    }
}
