import Foundation
import SegueFeatures
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

    /// t_roundtable's truth, features and loud-speech level.
    static func roundtable() throws -> (truth: Truth, track: FeatureTrack, loudLevel: Float) {
        let folder = Repository.root.appendingPathComponent("Audio/align")
        let truth = try JSONDecoder().decode(
            Truth.self, from: Data(contentsOf: folder.appendingPathComponent("t_roundtable.align-truth.json")))
        let analysis = try EpisodeAnalyzer().analyze(path: folder.appendingPathComponent("t_roundtable.flac").path)
        return (truth, analysis.features, TranscriptAligner.loudLevel(analysis.features))
    }

    @Test func findsEachListenersVoiceInsideTheSentence() throws {
        let (truth, track, loud) = try Self.roundtable()
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
            let locator = BackchannelLocator()
            let listener = try #require(turn.speaker), speaker = try #require(interrupted.speaker)
            let models = try locator.voices(listener: spans(of: listener), speaker: spans(of: speaker),
                                            track: track, loudLevel: loud)
            let voices = try #require(models)
            let result = try locator.locate(in: try #require(interrupted.start)..<(try #require(interrupted.end)),
                                            voices: voices, track: track, loudLevel: loud)
            let located = try #require(result, "turn \(t)")
            #expect(abs(located.start - start) <= 0.5, "turn \(t): found \(located.start), truth \(start)")
            found += 1
        }
        #expect(found == 3)
    }
}

extension BackchannelLocatorTests {
    /// Each speaker's turns in t_roundtable, away from any overlap, sound like that speaker and,
    /// with the two models swapped, not like the other: the check that stops an interjection being
    /// left over the interrupted speaker's next words.
    @Test func aTurnSoundsLikeItsOwnSpeaker() throws {
        let (truth, track, loud) = try Self.roundtable()
        let turns = truth.turns.enumerated().compactMap { i, turn -> (index: Int, speaker: String, span: Range<Double>)? in
            guard turn.backchannel != true, let speaker = turn.speaker, let start = turn.start, let end = turn.end,
                  end > start else { return nil }
            return (i, speaker, start..<end)
        }
        let overlapped = Set(truth.turns.indices.filter { truth.turns[$0].backchannel == true }.map { $0 - 1 })
        let locator = BackchannelLocator()
        var checked = 0
        for turn in turns where !overlapped.contains(turn.index) {
            for other in Set(turns.map(\.speaker)) where other != turn.speaker {
                // Models from every other turn, so the span judged is not in either model.
                func spans(of name: String) -> [(Double, Double)] {
                    turns.filter { $0.speaker == name && $0.index != turn.index }.map { ($0.span.lowerBound, $0.span.upperBound) }
                }
                let models = try locator.voices(listener: spans(of: turn.speaker), speaker: spans(of: other),
                                                track: track, loudLevel: loud)
                let voices = try #require(models)
                let own = try locator.soundsLikeListener(turn.span, voices: voices, track: track, loudLevel: loud)
                #expect(own == true, "turn \(turn.index) (\(turn.speaker)) against \(other)")
                let swapped = try locator.soundsLikeListener(turn.span, voices: .init(listener: voices.speaker, speaker: voices.listener, overlap: voices.overlap,
                                                                                           separation: voices.separation),
                                                             track: track, loudLevel: loud)
                #expect(swapped == false, "turn \(turn.index) (\(turn.speaker)) sounds like \(other)")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }
}

extension BackchannelLocatorTests {
    /// Festival's and flite's renderings of one talent ("kal", in the tuning fixture t_crosstalk2) are
    /// too alike for the overlap model, and are said to be; t_roundtable's three voices are not.
    @Test func voicesTooAlikeAreToldApart() throws {
        let folder = Repository.root.appendingPathComponent("Audio/align")
        func separations(_ name: String, pairs: [(String, String)]) throws -> [Double] {
            let truth = try JSONDecoder().decode(
                Truth.self, from: Data(contentsOf: folder.appendingPathComponent("\(name).align-truth.json")))
            let analysis = try EpisodeAnalyzer().analyze(path: folder.appendingPathComponent("\(name).flac").path)
            let loud = TranscriptAligner.loudLevel(analysis.features)
            func spans(of speaker: String) -> [(Double, Double)] {
                truth.turns.compactMap { turn in
                    guard turn.speaker == speaker, turn.backchannel != true, let start = turn.start, let end = turn.end
                    else { return nil }
                    return (start, end)
                }
            }
            return try pairs.map { listener, speaker in
                let voices = try BackchannelLocator().voices(listener: spans(of: listener), speaker: spans(of: speaker),
                                                             track: analysis.features, loudLevel: loud)
                return try #require(voices).separation
            }
        }
        let minimum = BackchannelLocator().minimumSeparation
        let alike = try separations("t_crosstalk2", pairs: [("Paul Mercer", "Tariq Aziz"), ("Tariq Aziz", "Paul Mercer")])
        #expect(alike.allSatisfy { $0 < minimum }, "\(alike)")
        let distinct = try separations("t_roundtable", pairs: [("Dana Whitfield", "Marcus Bell"),
                                                               ("Marcus Bell", "Ines Carvalho"),
                                                               ("Ines Carvalho", "Dana Whitfield")])
        #expect(distinct.allSatisfy { $0 > minimum }, "\(distinct)")
    }
}

extension BackchannelLocatorTests {
    /// The turns `segue align` placed in alignment fixture `name` (Audio/align), from its analysis JSON.
    func alignedTurns(_ name: String) throws -> [[String: Any]] {
        let folder = Repository.root.appendingPathComponent("Audio/align")
        let out = try TestAudio.temporaryFolder()
        let result = try AlignCommandTests.segue(["align", folder.appendingPathComponent("\(name).flac").path,
                                                  "--transcript", folder.appendingPathComponent("\(name).transcript.txt").path,
                                                  "-o", out.path, "--format", "json", "-q"])
        try #require(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(name).analysis.json")))
        return try #require(((json as? [String: Any])?["alignment"] as? [String: Any])?["turns"] as? [[String: Any]])
    }

    /// s_crosstalk's "Sure." (turn 10, Mei Chen over Ivan Petrov's "Thanks for listening, everyone.",
    /// two distinct voices; a scoring fixture, where the problem was seen): searched from the first
    /// frame of the sentence as the alignment placed it, the locator put it 0.14 s into the sentence,
    /// 0.9 s before it was said; from `reactionTime` on, it is found where it was said.
    @Test func aBackchannelIsNotPlacedOnTheSpeakersOnset() throws {
        let turns = try alignedTurns("s_crosstalk")
        let sure = turns[10]
        #expect(sure["speaker"] as? String == "Mei Chen" && sure["overlap"] as? Bool == true, "\(sure)")
        let start = try #require(sure["start"] as? Double)
        #expect(abs(start - 36.070) <= 0.5, "placed at \(start), said at 36.070 (s_crosstalk.align-truth.json)")
    }
}

extension BackchannelLocatorTests {
    /// t_crosstalk2's "Let's wrap up this segment." (turn 4, Paul Mercer after Tariq Aziz: one talent in two
    /// synthesisers). The diarization mixed their clusters, and the turn was moved 3.5 s back, onto a "change"
    /// into Paul inside Tariq's turn. Between voices too alike to tell apart, a speaker change is no evidence.
    @Test func aTurnIsNotMovedOntoAChangeBetweenVoicesTooAlike() throws {
        let turns = try alignedTurns("t_crosstalk2")
        let wrapUp = turns[4]
        #expect(wrapUp["speaker"] as? String == "Paul Mercer", "\(wrapUp)")
        let start = try #require(wrapUp["start"] as? Double)
        #expect(abs(start - 23.946) <= 0.5, "placed at \(start), said at 23.946 (t_crosstalk2.align-truth.json)")
    }
}

extension BackchannelLocatorTests {
    /// Every backchannel between two voices the models tell apart, in the tuning fixtures
    /// t_crosstalk and t_crosstalk2, starts within 0.25 s of the truth. t_crosstalk2's "Exactly."
    /// (50.04 s) stands out most on a later syllable, and was put there (0.28 s late here, 0.6 s in
    /// `segue align`) until the locator followed the overlap evidence back to where it began.
    @Test func aBackchannelStartsWithItsFirstSyllable() throws {
        let folder = Repository.root.appendingPathComponent("Audio/align")
        var checked = 0
        for name in ["t_crosstalk", "t_crosstalk2"] {
            let truth = try JSONDecoder().decode(
                Truth.self, from: Data(contentsOf: folder.appendingPathComponent("\(name).align-truth.json")))
            let analysis = try EpisodeAnalyzer().analyze(path: folder.appendingPathComponent("\(name).flac").path)
            let loud = TranscriptAligner.loudLevel(analysis.features)
            func spans(of speaker: String) -> [(Double, Double)] {
                truth.turns.compactMap { turn in
                    guard turn.speaker == speaker, turn.backchannel != true, let start = turn.start, let end = turn.end
                    else { return nil }
                    return (start, end)
                }
            }
            let locator = BackchannelLocator()
            for (t, turn) in truth.turns.enumerated() where turn.backchannel == true {
                let start = try #require(turn.start)
                let interrupted = try #require(truth.turns[..<t].last { $0.start != nil && $0.speaker != turn.speaker })
                let listener = try #require(turn.speaker), speaker = try #require(interrupted.speaker)
                let voices = try #require(try locator.voices(listener: spans(of: listener), speaker: spans(of: speaker),
                                                             track: analysis.features, loudLevel: loud))
                guard voices.separation >= locator.minimumSeparation else { continue }
                let window = (try #require(interrupted.start) + locator.reactionTime)..<(try #require(interrupted.end))
                let located = try #require(try locator.locate(in: window, voices: voices, track: analysis.features,
                                                              loudLevel: loud), "\(name) turn \(t)")
                #expect(abs(located.start - start) <= 0.25, "\(name) turn \(t): found \(located.start), truth \(start)")
                checked += 1
            }
        }
        #expect(checked >= 5)
    }
}
