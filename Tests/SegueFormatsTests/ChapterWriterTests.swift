import Foundation
import Testing
import SegueFormats
import SegueInputs

/// The chapter and transcript writers: goldens compared byte for byte, write → read → write
/// round trips, and what each format does with text it cannot hold.
/// To accept a deliberate change: `SEGUE_UPDATE_GOLDEN=1 swift test --filter SegueFormatsTests`, then read the diff.
@Suite struct ChapterWriterTests {
    static let inputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Inputs")
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Golden/formats")
    /// The length of Audio/fixtures/clean.*, which Tools/check-formats muxes these chapters with.
    static let duration = 46.673
    static let options = ChapterWriterOptions(duration: duration, audioFileName: "clean.flac", title: "Hostile titles")

    /// Quotes, ampersands, a newline, emoji, right-to-left text, a link, artwork and an unlisted chapter.
    static func hostileChapters() throws -> [Chapter] {
        let document = try InputReader.read(contentsOf: inputs.appendingPathComponent("hostile.chapters.json"))
        return document.timeline.headings.compactMap(Chapter.init)
    }

    static func chapters(in text: String) -> [Chapter] {
        InputReader.parse(text: text, file: "written").timeline.headings.compactMap(Chapter.init)
    }

    static func checkGolden(_ text: String, name: String) throws {
        let url = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SEGUE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from Golden/formats/\(name); run with SEGUE_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test(arguments: ChapterFormat.allCases)
    func matchesGolden(_ format: ChapterFormat) throws {
        let rendered = try ChapterWriter.render(try Self.hostileChapters(), as: format, options: Self.options)
        try Self.checkGolden(rendered.text, name: "hostile" + format.fileSuffix)
    }

    /// write → read → write is byte-identical, and times survive to the format's precision.
    @Test(arguments: ChapterFormat.allCases)
    func roundTripIsByteIdentical(_ format: ChapterFormat) throws {
        let source = try Self.hostileChapters()
        let first = try ChapterWriter.render(source, as: format, options: Self.options).text
        let readBack = Self.chapters(in: first)
        let second = try ChapterWriter.render(readBack, as: format, options: Self.options).text
        #expect(first == second)

        let kept = format == .podcastJSON || format == .matroska ? source : source.filter(\.listed)
        #expect(readBack.count == kept.count)
        let precision: Double = switch format {
        case .cue: 1.0 / 75
        case .youtube: 1
        default: 0.0005
        }
        for (read, original) in zip(readBack, kept) {
            #expect(abs(read.start - original.start) <= precision, "\(format): \(read.start) for \(original.start)")
            #expect(read.start <= original.start + 0.0005 || format != .youtube, "descriptions round down")
        }
    }

    @Test func titlesSurviveWhereTheFormatCanHoldThem() throws {
        let source = try Self.hostileChapters()
        for format in [ChapterFormat.podcastJSON, .psc, .ffmetadata, .matroska] {
            let text = try ChapterWriter.render(source, as: format, options: Self.options).text
            let titles = Self.chapters(in: text).map(\.title)
            let expected = (format.rawValue == "psc" || format == .ffmetadata ? source.filter(\.listed) : source).map(\.title)
            #expect(titles == expected, "\(format)")
        }
        // Line-based formats flatten a line break to one space and keep everything else.
        for format in [ChapterFormat.chaptersVTT, .mp4chaps, .vorbis, .cue, .youtube] {
            let text = try ChapterWriter.render(source, as: format, options: Self.options).text
            #expect(Self.chapters(in: text).map(\.title).contains("Line one line two; a=b #hash \\ back"), "\(format)")
            #expect(Self.chapters(in: text).map(\.title).contains("שלום עולם — right to left"), "\(format)")
        }
    }

    @Test func linksArtworkAndHiddenChaptersSurviveJSON() throws {
        let text = try ChapterWriter.render(try Self.hostileChapters(), as: .podcastJSON).text
        let chapters = Self.chapters(in: text)
        #expect(chapters[2].url == "https://example.com/a?x=1&y=2")
        #expect(chapters[3].image == "https://example.com/art.png")
        #expect(chapters.map(\.listed) == [true, true, true, true, false, true])
    }

    @Test func formatsThatNeedAnEndSayWhatIsMissing() throws {
        let chapters = [Chapter(start: 0, title: "A"), Chapter(start: 20, title: "B")]
        for format in [ChapterFormat.ffmetadata, .chaptersVTT] {
            #expect(throws: ChapterWriterError.self) { try ChapterWriter.render(chapters, as: format) }
        }
        for format in [ChapterFormat.podcastJSON, .psc, .mp4chaps, .vorbis, .cue, .matroska, .youtube] {
            _ = try ChapterWriter.render(chapters, as: format)
        }
    }

    @Test func timesRoundPerFormat() throws {
        let chapters = [Chapter(start: 0, title: "A"), Chapter(start: 59.9996, title: "B"),
                        Chapter(start: 3859.5067, title: "C"), Chapter(start: 360_061.25, title: "D")]
        let options = ChapterWriterOptions(duration: 400_000)
        let mp4chaps = try ChapterWriter.render(chapters, as: .mp4chaps, options: options).text
        #expect(mp4chaps == "00:00:00.000 A\n00:01:00.000 B\n01:04:19.507 C\n100:01:01.250 D\n")
        let cue = try ChapterWriter.render(chapters, as: .cue, options: options).text
        #expect(cue.contains("INDEX 01 64:19:38"))  // 0.5067 s = 38.0 frames of 1/75 s; minutes not wrapped
        let json = try ChapterWriter.render(chapters, as: .podcastJSON, options: options).text
        #expect(json.contains("\"startTime\": 3859.507") && json.contains("\"startTime\": 60,"))
        let vtt = try ChapterWriter.render(chapters, as: .chaptersVTT, options: options).text
        #expect(vtt.contains("01:04:19.507 --> 100:01:01.250"))
        let srtLike = try ChapterWriter.render(chapters, as: .ffmetadata, options: options).text
        #expect(srtLike.contains("START=3859507\nEND=360061250"))
    }

    @Test func youtubeRulesWarnAndFitOnlyWhenAsked() throws {
        let chapters = [Chapter(start: 2, title: "Hello"), Chapter(start: 8, title: "Too short"),
                        Chapter(start: 30, title: "Main"), Chapter(start: 3700.9, title: "Late")]
        let plain = try ChapterWriter.render(chapters, as: .youtube, options: ChapterWriterOptions(duration: 3800))
        #expect(plain.text == "0:02 Hello\n0:08 Too short\n0:30 Main\n1:01:40 Late\n")
        #expect(plain.warnings.contains { $0.contains("first chapter at 0:00") })
        #expect(plain.warnings.contains { $0.contains("'Hello' is 6 s long") })

        let fitted = try ChapterWriter.render(chapters, as: .youtube,
                                              options: ChapterWriterOptions(duration: 3800, fitPlatformRules: true))
        #expect(fitted.text == "0:00 Hello\n0:30 Main\n1:01:40 Late\n")
        #expect(!fitted.warnings.contains { $0.contains("needs at least 10 s") })

        let two = try ChapterWriter.render(Array(chapters.prefix(2)), as: .youtube, options: ChapterWriterOptions(fitPlatformRules: true))
        #expect(two.warnings.contains { $0.contains("at least 3 chapters") })
    }

    @Test func checksRefuseOrderAndTimesPastTheEnd() {
        let outOfOrder = [Chapter(start: 0, title: "A"), Chapter(start: 50, title: "B"), Chapter(start: 20, title: "C")]
        #expect(ChapterChecks.check(outOfOrder, duration: nil).errors.count == 1)
        let pastEnd = [Chapter(start: 0, title: "A"), Chapter(start: 120, title: "B")]
        #expect(ChapterChecks.check(pastEnd, duration: 100).errors.first?.contains("past the end") == true)
        #expect(ChapterChecks.check(pastEnd, duration: 200).errors.isEmpty)
        let late = [Chapter(start: 5, title: "A")]
        #expect(ChapterChecks.check(late, duration: nil).warnings.first?.contains("not at 0:00") == true)
        #expect(!ChapterChecks.check([], duration: nil).errors.isEmpty)
        #expect(!ChapterChecks.check([Chapter(start: .nan, title: "A")], duration: nil).errors.isEmpty)
    }

    @Test func formatNamesParse() throws {
        #expect(try ChapterFormat.list("psc, mp4chaps,psc") == [.psc, .mp4chaps])
        #expect(try ChapterFormat.list("all") == ChapterFormat.allCases)
        #expect(throws: FormatListError.self) { try ChapterFormat.list("psc,json") }
        #expect(try TranscriptFormat.list("vtt,text") == [.vtt, .text])
    }
}

@Suite struct TranscriptWriterTests {
    static let segments = [
        TranscriptSegment(speaker: "Maya Okafor", start: 0.5, end: 4.2, body: "Welcome back & \"friends\" <3."),
        TranscriptSegment(speaker: "Jonas Lindqvist", start: 4.2, end: 9, body: "Thanks.\n\nשלום 🎙️"),
        TranscriptSegment(speaker: "Maya Okafor", start: 9, end: 3723.25, body: "Let's start."),
    ]

    @Test(arguments: TranscriptFormat.allCases)
    func matchesGolden(_ format: TranscriptFormat) throws {
        try ChapterWriterTests.checkGolden(TranscriptWriter.render(Self.segments, as: format),
                                           name: "voices" + format.fileSuffix)
    }

    /// write → read → write is byte-identical (the readers join a speaker's consecutive cues into one turn,
    /// so these segments alternate speakers as turns do).
    @Test(arguments: TranscriptFormat.allCases)
    func roundTripIsByteIdentical(_ format: TranscriptFormat) throws {
        let first = TranscriptWriter.render(Self.segments, as: format)
        let turns = InputReader.parse(text: first, file: "written").transcript.turns
        #expect(turns.map(\.speaker) == Self.segments.map(\.speaker))
        let readBack = turns.enumerated().map { n, turn in
            TranscriptSegment(speaker: turn.speaker, start: turn.timeHint ?? -1,
                              end: turn.endTimeHint ?? (n + 1 < turns.count ? turns[n + 1].timeHint! : 3723.25),
                              body: turn.text)
        }
        #expect(TranscriptWriter.render(readBack, as: format) == first)
        let precision = format == .text ? 1.0 : 0.0005
        for (read, original) in zip(readBack, Self.segments) {
            #expect(abs(read.start - original.start) <= precision)
        }
    }

    @Test func captionsCarryVoicesAndEscapes() {
        let vtt = TranscriptWriter.render(Self.segments, as: .vtt)
        #expect(vtt.hasPrefix("WEBVTT\n\n00:00:00.500 --> 00:00:04.200\n<v Maya Okafor>Welcome back &amp; \"friends\" &lt;3.\n"))
        #expect(vtt.contains("<v Jonas Lindqvist>Thanks.\nשלום 🎙️\n"))
        #expect(vtt.contains("01:02:03.250"))
        let srt = TranscriptWriter.render(Self.segments, as: .srt)
        #expect(srt.hasPrefix("1\n00:00:00,500 --> 00:00:04,200\nMaya Okafor: Welcome back & \"friends\" <3.\n\n2\n"))
        let text = TranscriptWriter.render(Self.segments, as: .text)
        #expect(text.contains("[00:00:04] Jonas Lindqvist: Thanks. שלום 🎙️\n"))
    }
}
