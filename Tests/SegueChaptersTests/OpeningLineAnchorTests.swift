import Foundation
import SegueTestSupport
import Testing

/// On the 3-minute sample, "How Ines started building microphones" is named by its topic's opening line ("how
/// did you end up making microphones?") more than by the words that follow; counted as the placement counts it,
/// it is a fourth anchor for the time mapping besides the three said outright. Three anchors alone can line up
/// by chance or hide a drift. Timelines drawn by `Tools/eval-chapters` on the sample episode:
/// - scattered (jitter, seed 20): the three happen to line up at 0.75 s per stated second, as a drift would;
///   followed, it pulled "How Ines…" 33 s late. Ines's turn, 49 s before its stated time, shows it is scatter.
/// - unedited cut (seed 26): the three look like a −10 s offset with one outlier, so "Wrap-up", which has no
///   words of its own, went 8.7 s late; with Ines's turn the growing drift (−5, −10, −11, −15 s) is plain.
@Suite struct OpeningLineAnchorTests {
    @Test(arguments: [
        ["00:00", "01:13.496", "01:33.574", "02:16.439", "03:16.187", "03:16.187"],   // scattered ± 60 s
        ["00:00", "00:29.701", "01:20.928", "01:55.370", "02:42.962", "03:16.426"],   // longer unedited cut
    ])
    func theOpeningLineMakesAnAnchor(stated: [String]) throws {
        let lines = zip(stated, SampleChapters.titles).map { "\($0) — \($1)" }
        SampleChapters.expectTruth(try SampleChapters.starts(timeline: "Timeline\n\n" + lines.joined(separator: "\n") + "\n"))
    }
}
