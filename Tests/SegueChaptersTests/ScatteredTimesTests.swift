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
        SampleChapters.expectTruth(try SampleChapters.starts(timeline: Self.timeline))
    }
}
