import Foundation
import SegueTestSupport
import Testing

/// A show-notes timeline whose times are each off by up to a minute, drawn at random (as
/// `Tools/eval-chapters` draws its jittered timelines; this one is its seed 11 on the sample episode).
/// Two of its times happen to agree on an offset of −7.4 s, and "Recording in ordinary rooms" is stated
/// 51 s late: the offset fitted on the first two must not pull the others off the topics their words open.
@Suite struct ScatteredTimesTests {
    static let timeline = """
        Timeline

        00:00 — Cold open
        00:19.105 — How Ines started building microphones
        01:18.397 — Handmade versus factory microphones
        02:35.363 — Recording in ordinary rooms
        02:35.363 — Listener question from Lisbon
        02:58.524 — Wrap-up
        """

    @Test func aStatedTimeTheWordsContradictDoesNotPullTheOthers() throws {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        try Data(Self.timeline.utf8).write(to: timeline)
        let sample = Repository.root.appendingPathComponent("Audio/sample")
        let result = try runProcess(ChaptersCommandTests.segue, [
            "chapters", sample.appendingPathComponent("episode.mp3").path, "--timeline", timeline.path,
            "--transcript", sample.appendingPathComponent("show-notes.txt").path,
            "-o", folder.appendingPathComponent("out").path, "--json", "-q"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let starts = (json["chapters"] as? [[String: Any]] ?? []).compactMap { ($0["start"] as? String).flatMap(Double.init) }
        // Truth (Audio/sample/episode.truth.json): the turns that open each topic.
        let truth = [0, 24.819, 71.224, 104.458, 147.633, 177.583]
        #expect(starts.count == truth.count)
        for (placed, expected) in zip(starts, truth) {
            #expect(abs(placed - expected) <= 1, "placed \(starts), truth \(truth)")
        }
    }
}
