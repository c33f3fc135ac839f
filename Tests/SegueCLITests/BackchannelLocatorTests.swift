import Foundation
import SegueTestSupport
import Testing
@testable import SegueEngine

/// The backchannels of the tuning fixture t_roundtable ("Okay.", "Sure.", "Exactly." 6 dB under
/// another speaker's sentence, flite and Festival voices), found from the two voices' own turns
/// as the truth places them. (The locator's settings were chosen on the tuning fixtures, this one
/// among them: a regression test, not a score; eval-align scores it on the scoring fixtures.)
@Suite struct BackchannelLocatorTests {
    struct Turn: Decodable {
        var speaker: String?
        var start: Double?
        var end: Double?
        var backchannel: Bool?
    }

    struct Truth: Decodable { var turns: [Turn] }

    @Test func findsEachListenersVoiceInsideTheSentence() throws {
        let folder = Repository.root.appendingPathComponent("Audio/align")
        let truth = try JSONDecoder().decode(
            Truth.self, from: Data(contentsOf: folder.appendingPathComponent("t_roundtable.align-truth.json")))
        let analysis = try EpisodeAnalyzer().analyze(path: folder.appendingPathComponent("t_roundtable.flac").path)
        let track = analysis.features
        let loud = TranscriptAligner.loudLevel(track)
        func spans(of name: String) -> [(Double, Double)] {
            truth.turns.compactMap { turn in
                guard turn.speaker == name, turn.backchannel != true, let start = turn.start, let end = turn.end
                else { return nil }
                return (start, end)
            }
        }
        var found = 0
        for (t, turn) in truth.turns.enumerated() where turn.backchannel == true {
            let start = try #require(turn.start)
            let interrupted = try #require(truth.turns[..<t].last { $0.start != nil && $0.speaker != turn.speaker })
            let result = try BackchannelLocator().locate(
                in: try #require(interrupted.start)..<(try #require(interrupted.end)),
                listener: spans(of: try #require(turn.speaker)), speaker: spans(of: try #require(interrupted.speaker)),
                track: track, loudLevel: loud)
            let located = try #require(result, "turn \(t)")
            #expect(abs(located.start - start) <= 0.5, "turn \(t): found \(located.start), truth \(start)")
            found += 1
        }
        #expect(found == 3)
    }
}
