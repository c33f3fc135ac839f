import Foundation
import SegueTestSupport
import Testing

/// The sample episode with a jittered timeline (eval-chapters seed 44): "Recording in ordinary rooms", stated
/// 43 s late, went onto the question "What about recording in the car?" 13 s before its stated time, which
/// says one of its words, instead of "Let's talk about rooms, because our listeners record everywhere.",
/// which says both. A strong boundary near a wrong time does not make the text ambiguous.
@Suite struct JitteredSampleTests {
    @Test func aHeadingStatedLateStaysWhereItsWordsAreSaid() throws {
        let times = ["00:00", "00:13.843", "01:16.261", "02:27.902", "02:27.902", "02:27.902"]
        let stated = zip(times, SampleChapters.titles).map { "\($0) — \($1)" }
        let starts = try SampleChapters.starts(timeline: "Timeline\n\n" + stated.joined(separator: "\n\n") + "\n")
        #expect(starts.count == 6 && abs(starts[3] - SampleChapters.truth[3]) < 1, "\(starts)")
    }
}
