import Foundation
import SegueTestSupport
import Testing

/// `segue chapters` on the 3-minute sample episode, with its show-notes page as the transcript.
enum SampleChapters {
    static let titles = ["Cold open", "How Ines started building microphones", "Handmade versus factory microphones",
                         "Recording in ordinary rooms", "Listener question from Lisbon", "Wrap-up"]
    /// Truth (Audio/sample/episode.truth.json): the turns that open each topic.
    static let truth = [0, 24.819, 71.224, 104.458, 147.633, 177.583]

    /// The chapter starts placed with `timeline` (a timeline file's text).
    static func starts(timeline text: String) throws -> [Double] {
        let folder = try TestAudio.temporaryFolder()
        let timeline = folder.appendingPathComponent("timeline.txt")
        try Data(text.utf8).write(to: timeline)
        let sample = Repository.root.appendingPathComponent("Audio/sample")
        let result = try runProcess(ChaptersCommandTests.segue, [
            "chapters", sample.appendingPathComponent("episode.mp3").path, "--timeline", timeline.path,
            "--transcript", sample.appendingPathComponent("show-notes.txt").path,
            "-o", folder.appendingPathComponent("out").path, "--json", "-q"])
        try #require(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return (json["chapters"] as? [[String: Any]] ?? []).compactMap { ($0["start"] as? String).flatMap(Double.init) }
    }

    /// Every chapter within 1 s of its topic's first turn.
    static func expectTruth(_ starts: [Double]) {
        #expect(starts.count == truth.count)
        for (placed, expected) in zip(starts, truth) {
            #expect(abs(placed - expected) <= 1, "placed \(starts), truth \(truth)")
        }
    }
}
