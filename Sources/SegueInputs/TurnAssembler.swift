/// Builds speaker turns from the lines the evidence step marked as turn starts. A turn runs until the next
/// turn, the timeline block, or a prose label (`Music:`, `Credits:`) that interrupts the transcript.
/// Blank and whitespace-only lines (NBSP separators included) split paragraphs inside a turn.
enum TurnAssembler {
    private struct Draft {
        var start: TurnLine.Start
        var firstLine: Int
        var lastLine: Int
        var paragraphs: [[String]]
    }

    static func assemble(lines: [String], starts: [Int: TurnLine.Start], candidates: [Int: TurnLine.Start],
                         timelineLines: Set<Int>, log: inout DiagnosticLog) -> Transcript {
        guard let first = starts.keys.min() else { return Transcript() }
        var turns: [SpeakerTurn] = []
        var current: Draft?
        var skipping = false

        func close() {
            guard let draft = current else { return }
            current = nil
            let paragraphs = draft.paragraphs.filter { !$0.isEmpty }
            guard !paragraphs.isEmpty else {
                log.warning(draft.firstLine, "turn for '\(draft.start.label)' has no text")
                return
            }
            turns.append(makeTurn(speaker: draft.start.label, paragraphs: paragraphs, firstLine: draft.firstLine,
                                  lastLine: draft.lastLine, timeHint: draft.start.timeHint))
        }

        for index in first..<lines.count {
            if let start = starts[index] {
                close()
                skipping = false
                current = Draft(start: start, firstLine: index + 1, lastLine: index + 1,
                                paragraphs: [start.text.isEmpty ? [] : [start.text]])
                continue
            }
            if timelineLines.contains(index) {
                close()
                skipping = true
                continue
            }
            let line = lines[index]
            if line.isBlankLine {
                if let last = current?.paragraphs.last, !last.isEmpty { current?.paragraphs.append([]) }
                continue
            }
            if let label = candidates[index]?.label, SpeakerEvidence.isProseLabel(label) {
                close()
                skipping = true
                continue
            }
            guard !skipping, var draft = current else { continue }
            current = nil  // keep the draft uniquely referenced so appending stays O(1)
            draft.paragraphs[draft.paragraphs.count - 1].append(line.trimmingBlanks())
            draft.lastLine = index + 1
            current = draft
        }
        close()
        return Transcript(turns: turns)
    }

    static func makeTurn(speaker: String?, paragraphs: [[String]], firstLine: Int, lastLine: Int,
                         timeHint: Double?, endTimeHint: Double? = nil) -> SpeakerTurn {
        let text = paragraphs.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
        return SpeakerTurn(speaker: speaker, text: text, normalizedText: AlignmentText.normalize(text),
                           sentences: Sentences.split(text), firstLine: firstLine, lastLine: lastLine,
                           timeHint: timeHint, endTimeHint: endTimeHint)
    }
}
