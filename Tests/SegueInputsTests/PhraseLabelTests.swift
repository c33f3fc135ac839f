import Foundation
import SegueInputs
import Testing

/// A paragraph that opens with a phrase and a colon inside a transcript of named speakers is prose of the
/// current turn, not a speaker who talks once.
@Suite struct PhraseLabelTests {
    static func transcript(aside: String) -> String {
        """
        Maya Okafor: Welcome back. Today is about sleep and dreams.

        Jonas Lindqvist: I keep a notebook by the bed.

        Maya Okafor: So do I, and I have two rules for it.

        \(aside)

        Jonas Lindqvist: And the second rule?

        Maya Okafor: Read it in the morning.

        """
    }

    @Test func ruleOneIsTextOfMayasTurn() {
        let doc = InputReader.parse(text: Self.transcript(aside: "Rule one: write it down before you sleep."), file: "t.txt")
        #expect(doc.speakers.map(\.name) == ["Maya Okafor", "Jonas Lindqvist"])
        #expect(doc.transcript.turns.map { $0.speaker ?? "" }
                == ["Maya Okafor", "Jonas Lindqvist", "Maya Okafor", "Jonas Lindqvist", "Maya Okafor"])
        let turn = doc.transcript.turns[2]
        #expect(turn.text == "So do I, and I have two rules for it.\n\nRule one: write it down before you sleep.")
        #expect(turn.firstLine == 5 && turn.lastLine == 7)
        #expect(turn.normalizedText.hasSuffix("rule one write it down before you sleep"))
        let note = doc.diagnostics.first { $0.line == 7 }
        #expect(note?.severity == .note)
        #expect(note?.message.contains("'Rule one:'") == true)
        #expect(doc.warnings.isEmpty && doc.errors.isEmpty)
    }

    @Test(arguments: ["Rule one", "Step two", "The bottom line", "My advice", "Tip", "What we learned",
                      "Remember this", "Lesson number three", "Here is the thing"])
    func phraseLabelsStayInTheTurn(_ label: String) {
        let doc = InputReader.parse(text: Self.transcript(aside: "\(label): write it down before you sleep."), file: "t.txt")
        #expect(doc.speakers.map(\.name) == ["Maya Okafor", "Jonas Lindqvist"], "\(label)")
        #expect(doc.transcript.turns.count == 5)
        #expect(doc.transcript.turns[2].text.hasSuffix("\(label): write it down before you sleep."))
        #expect(doc.diagnostics.contains { $0.severity == .note && $0.line == 7 })
    }

    /// Names that speak once are still speakers: a caller, a name with a particle, a numbered role.
    @Test(arguments: ["Priya Raman", "Ludwig van Beethoven", "Dr. Chen", "Speaker Three", "Caller 2", "Ana de Armas"])
    func onceOnlyNamesAreStillSpeakers(_ label: String) {
        let doc = InputReader.parse(text: Self.transcript(aside: "\(label): write it down before you sleep."), file: "t.txt")
        #expect(doc.speakers.map(\.name).contains(label), "\(label)")
        #expect(doc.transcript.turns.count == 6)
        #expect(doc.transcript.turns[3].speaker == label)
        #expect(!doc.diagnostics.contains { $0.line == 7 })
    }
}
