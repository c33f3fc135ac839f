/// Reads a pasted show-notes page (prose, a timeline, credits, then a transcript) without being told
/// which part is which: speaker turns are decided on evidence first, then the timeline block is chosen
/// among the remaining timed lines, then turns are assembled around it.
enum PageParser {
    static func parse(lines: [String], options: ParseOptions, log: inout DiagnosticLog) -> (Timeline, Transcript) {
        let candidates = lines.parallelMap { $0.isBlankLine ? nil : TurnLine.read($0) }
        let decision = SpeakerEvidence.decide(lines: lines, candidates: candidates, explicit: options.speakers,
                                              isQuiet: { TimelineLine.read(lines[$0]) != .none }, log: &log)

        var timeline = TimelineBlocks.find(lines: lines, excluding: decision.starts, log: &log)
        if timeline.headings.isEmpty {
            timeline = UntimedHeadings.find(lines: lines, candidates: candidates, hasTurns: decision.hasTurns)
        }
        let timelineLines = Set(timeline.headings.map { $0.line - 1 })
        let transcript = TurnAssembler.assemble(lines: lines, starts: decision.starts, candidates: candidates,
                                                timelineLines: timelineLines, log: &log)
        return (timeline, transcript)
    }
}

/// Groups timed lines into blocks and picks the page's timeline.
enum TimelineBlocks {
    private struct Entry {
        var index: Int
        var reading: TimelineLine.Reading
    }

    static let headerWords: Set<String> = [
        "timeline", "chapters", "chapter", "chapter markers", "chapter marks", "timestamps", "time stamps", "contents",
        "table of contents", "topics", "in this episode", "outline", "agenda", "segments", "kapitel", "show notes",
        "shownotes", "episode chapters", "episode timeline", "highlights", "what we cover", "what we talk about",
    ]

    /// "## Chapters:" → true.
    static func isHeaderLine(_ line: String) -> Bool {
        guard line.utf8.count <= 200 else { return false }
        var t = line.trimmingBlanks().lowercased()
        while let c = t.first, "#*_>".contains(c) { t.removeFirst() }
        while let c = t.last, ":*_".contains(c) { t.removeLast() }
        return headerWords.contains(t.trimmingBlanks())
    }

    static func find(lines: [String], excluding turnStarts: [TurnLine.Start?], log: inout DiagnosticLog) -> Timeline {
        var entries: [Entry] = []
        var nonBlankBefore = [Int](repeating: 0, count: lines.count + 1)
        for (index, line) in lines.enumerated() {
            let blank = line.isBlankLine
            nonBlankBefore[index + 1] = nonBlankBefore[index] + (blank ? 0 : 1)
            guard !blank, turnStarts[index] == nil else { continue }
            let reading = TimelineLine.read(line)
            if reading != .none { entries.append(Entry(index: index, reading: reading)) }
        }

        // A block tolerates one short line between entries (a one-line description under a heading),
        // but not prose or a new section header.
        func isDescription(_ index: Int) -> Bool {
            let text = lines[index].trimmingBlanks()
            return text.count <= 80 && !text.hasSuffix(":") && !isHeaderLine(text)
        }
        var blocks: [[Entry]] = []
        for entry in entries {
            if let last = blocks.last?.last {
                let between = nonBlankBefore[entry.index] - nonBlankBefore[last.index + 1]
                let joins = between == 0
                    || (between == 1 && ((last.index + 1)..<entry.index).allSatisfy { lines[$0].isBlankLine || isDescription($0) })
                if joins {
                    blocks[blocks.count - 1].append(entry)
                    continue
                }
            }
            blocks.append([entry])
        }

        func headingCount(_ block: [Entry]) -> Int {
            block.filter { if case .heading = $0.reading { true } else { false } }.count
        }
        func hasHeader(_ block: [Entry]) -> Bool {
            guard let first = block.first else { return false }
            var i = first.index - 1
            while i >= 0, lines[i].isBlankLine { i -= 1 }
            return i >= 0 && isHeaderLine(lines[i])
        }
        let viable = blocks.filter { headingCount($0) >= 2 || (hasHeader($0) && headingCount($0) >= 1) }
        guard let chosen = viable.max(by: { a, b in
            let ka = (hasHeader(a) ? 1 : 0, headingCount(a), -(a.first?.index ?? 0))
            let kb = (hasHeader(b) ? 1 : 0, headingCount(b), -(b.first?.index ?? 0))
            return ka < kb
        }) else { return Timeline() }

        if viable.count > 1 {
            let spans = viable.map { span($0) }
            let why = hasHeader(chosen) ? "it follows a timeline heading" : "it has the most headings"
            log.warning(chosen.first.map { $0.index + 1 },
                        "\(viable.count) candidate timelines (\(spans.joined(separator: ", "))); using \(span(chosen)) because \(why)")
        }

        var headings: [TimelineHeading] = []
        for entry in chosen {
            switch entry.reading {
            case .heading(let title, let time, let endTime, let url):
                headings.append(TimelineHeading(title: title, time: time, endTime: endTime, url: url, line: entry.index + 1))
            case .malformed(let text, let reason):
                log.error(entry.index + 1, "malformed time '\(text)' in timeline: \(reason)")
            case .none:
                break
            }
        }
        // Lines inside the block that start with a digit but did not read as headings are probably broken ones.
        if let lo = chosen.first?.index, let hi = chosen.last?.index, lo < hi {
            let members = Set(chosen.map(\.index))
            for index in lo...hi where !members.contains(index) {
                let trimmed = lines[index].trimmingBlanks()
                if let c = trimmed.unicodeScalars.first, ClockTime.digit(c) != nil {
                    log.error(index + 1, "timeline line has no readable time: expected a heading like '12:34 Title' or '1:02:03 — Title'")
                }
            }
        }
        return Timeline(headings: headings)
    }

    private static func span(_ block: [Entry]) -> String {
        guard let first = block.first?.index, let last = block.last?.index else { return "" }
        return first == last ? "line \(first + 1)" : "lines \(first + 1)–\(last + 1)"
    }
}

/// A timeline with headings but no times: a list under a "Chapters"/"Timeline" heading,
/// or a file that is nothing but a short list.
enum UntimedHeadings {
    static func find(lines: [String], candidates: [TurnLine.Start?], hasTurns: Bool) -> Timeline {
        for (index, line) in lines.enumerated() where TimelineBlocks.isHeaderLine(line) {
            let headings = list(after: index, lines: lines, candidates: candidates)
            if headings.count >= 2 { return Timeline(headings: headings) }
        }
        guard !hasTurns, candidates.allSatisfy({ $0 == nil }) else { return Timeline() }
        // A whole file of short lines, none a sentence: an outline.
        let items = lines.enumerated().filter { !$0.element.isBlankLine }
        guard items.count >= 2, items.count <= 300 else { return Timeline() }
        for item in items {
            let text = item.element.trimmingBlanks()
            if text.count > 80 || text.hasSuffix(".") || text.hasSuffix("?") && text.count > 60 { return Timeline() }
        }
        return Timeline(headings: items.map { TimelineHeading(title: itemTitle($0.element), time: nil, line: $0.offset + 1) })
    }

    private static func list(after header: Int, lines: [String], candidates: [TurnLine.Start?]) -> [TimelineHeading] {
        var headings: [TimelineHeading] = []
        var blankRun = 0
        var index = header + 1
        while index < lines.count {
            let line = lines[index]
            defer { index += 1 }
            if line.isBlankLine {
                blankRun += 1
                if blankRun >= 2 && !headings.isEmpty { break }
                continue
            }
            blankRun = 0
            let text = line.trimmingBlanks()
            if candidates[index] != nil || text.count > 100 || text.hasSuffix(":") || TimelineBlocks.isHeaderLine(text) { break }
            headings.append(TimelineHeading(title: itemTitle(text), time: nil, line: index + 1))
        }
        return headings
    }

    private static func itemTitle(_ line: String) -> String {
        let s = scalars(of: line)
        let start = TimelineLine.skipBullet(s, TimelineLine.skipBlanks(s, 0))
        return TimelineLine.stripEmphasis(makeString(s[start...]).trimmingBlanks())
    }
}
