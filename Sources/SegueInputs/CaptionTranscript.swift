/// WebVTT and SRT captions as speaker turns. Speakers come from `<v Name>` voice spans, or from a `Name:`
/// prefix that recurs (the Podcasting 2.0 SRT convention: a new cue with `Name:` on each speaker change).
/// A cue without a speaker continues the previous speaker; consecutive cues of one speaker form one turn.
enum CaptionTranscript {
    private struct Piece {
        var speaker: String?
        var text: String
        var cue: Cue
    }

    static func read(lines: [String], format: InputFormat, options: ParseOptions, log: inout DiagnosticLog) -> Transcript {
        let cues = CueFile.read(lines: lines, log: &log)
        var pieces: [Piece] = []
        var labelled = [TurnLine.Start?](repeating: nil, count: cues.count)
        for (n, cue) in cues.enumerated() {
            let raw = cue.payload.joined(separator: "\n")
            let voice = CueFile.voice(raw)
            let text = CueFile.plainText(raw).trimmingBlanks()
            if voice == nil, let start = TurnLine.read(text), !start.isHeaderLine { labelled[n] = start }
            pieces.append(Piece(speaker: voice, text: text, cue: cue))
        }
        // Decide `Name:` prefixes on evidence, exactly as on a page.
        let decision = SpeakerEvidence.decide(lines: pieces.map(\.text), candidates: labelled,
                                              explicit: options.speakers, log: &log)
        var current: String?
        for n in pieces.indices {
            if let start = decision.starts[n] {
                pieces[n].speaker = start.label
                pieces[n].text = start.text
            }
            if let speaker = pieces[n].speaker { current = speaker } else { pieces[n].speaker = current }
        }

        var turns: [SpeakerTurn] = []
        var group: [Piece] = []
        func flush() {
            guard let first = group.first, let last = group.last else { return }
            let text = group.map(\.text).filter { !$0.isEmpty }
            group = []
            guard !text.isEmpty else { return }
            turns.append(TurnAssembler.makeTurn(speaker: first.speaker, paragraphs: [text], firstLine: first.cue.line,
                                                lastLine: last.cue.lastLine, timeHint: first.cue.start,
                                                endTimeHint: last.cue.end))
        }
        for piece in pieces {
            if let previous = group.last, previous.speaker == nil || previous.speaker != piece.speaker { flush() }
            group.append(piece)
        }
        flush()
        return Transcript(turns: turns)
    }
}

/// Podcasting 2.0 JSON transcripts: `{"version": "1.0.0", "segments": [{speaker, startTime, endTime, body}]}`.
/// Segments may be single words; consecutive segments of one speaker are joined into one turn.
enum JSONTranscript {
    static func read(lines: [String], options: ParseOptions, log: inout DiagnosticLog) -> Transcript {
        guard let object = parseJSONObject(lines, log: &log) else { return Transcript() }
        guard let segments = object["segments"]?.array else {
            log.error(nil, "expected a \"segments\" array")
            return Transcript()
        }
        let bodyLines = jsonObjectLines(lines, depth: 2)
        struct Group { var speaker: String?; var text: String; var first: Int; var last: Int; var start: Double?; var end: Double? }
        var groups: [Group] = []
        for (n, item) in segments.enumerated() {
            let line = n < bodyLines.count ? bodyLines[n] : 1
            guard let segment = item.object, let body = segment["body"]?.string else {
                log.error(line, "segment \(n + 1): expected an object with a \"body\" string")
                continue
            }
            let speaker = segment["speaker"]?.string.map { $0.trimmingBlanks() }.flatMap { $0.isEmpty ? nil : $0 }
            let start = segment["startTime"]?.number
            if start == nil { log.warning(line, "segment \(n + 1) has no numeric \"startTime\"") }
            if let last = groups.last, speaker == last.speaker || speaker == nil {
                var text = last.text
                if !text.isEmpty, !(text.last?.isWhitespace ?? true), !(body.first?.isWhitespace ?? true) { text += " " }
                text += body
                groups[groups.count - 1].text = text
                groups[groups.count - 1].last = line
                groups[groups.count - 1].end = segment["endTime"]?.number ?? start ?? last.end
            } else {
                groups.append(Group(speaker: speaker, text: body, first: line, last: line, start: start,
                                    end: segment["endTime"]?.number))
            }
        }
        if let names = options.speakers, !names.isEmpty {
            let known = Set(names.map { $0.lowercased() })
            for group in groups where group.speaker.map({ !known.contains($0.lowercased()) }) ?? false {
                log.warning(group.first, "speaker '\(group.speaker ?? "")' is not in the --speakers list")
            }
        }
        let turns = groups.compactMap { group -> SpeakerTurn? in
            // A body ending in "\n" marks a paragraph end.
            let paragraphs = group.text.components(separatedBy: "\n")
                .map { $0.trimmingBlanks() }.filter { !$0.isEmpty }.map { [$0] }
            guard !paragraphs.isEmpty else { return nil }
            return TurnAssembler.makeTurn(speaker: group.speaker, paragraphs: paragraphs, firstLine: group.first,
                                          lastLine: group.last, timeHint: group.start, endTimeHint: group.end)
        }
        return Transcript(turns: turns)
    }
}
