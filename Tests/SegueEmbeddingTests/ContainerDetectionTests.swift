import Foundation
import Testing
import SegueEmbedding
import SegueFormats
import SegueTestSupport

@Suite struct ContainerDetectionTests {
    @Test(arguments: [("clean.mp3", ChapterContainer.mp3), ("clean.flac", .flac),
                      ("clean.ogg", .oggVorbis), ("clean.opus", .opus)])
    func detectsFixtureContainers(name: String, expected: ChapterContainer) throws {
        #expect(try ChapterEmbedder.container(of: Repository.fixtures.appendingPathComponent(name)) == expected)
    }

    @Test func refusesTextAndEmptyFiles() throws {
        let folder = try TestAudio.temporaryFolder()
        let empty = folder.appendingPathComponent("empty.mp3")
        let text = folder.appendingPathComponent("notes.mp3")
        try Data().write(to: empty)
        try Data("00:00 Intro\n".utf8).write(to: text)
        #expect(throws: EmbedError.self) { try ChapterEmbedder.container(of: empty) }
        #expect(throws: EmbedError.self) { try ChapterEmbedder.container(of: text) }
    }
}

/// Chapters read back from a file embed into the original as the same bytes: write → read → write.
@Suite struct EmbeddedRoundTripTests {
    @Test(arguments: ["clean.mp3", "clean.m4a", "clean.flac", "clean.ogg", "clean.opus"])
    func embedReadEmbedIsByteIdentical(_ name: String) throws {
        let folder = try TestAudio.temporaryFolder()
        let source = Repository.fixtures.appendingPathComponent(name)
        let chapters = [Chapter(start: 0, title: "Cold open: \"quotes\" & <more>"),
                        Chapter(start: 12.345, title: "Emoji 🎙️ and שלום", url: "https://example.com/x?a=1&b=2"),
                        Chapter(start: 30, title: "Outro")]
        let first = folder.appendingPathComponent("first-" + name)
        let second = folder.appendingPathComponent("second-" + name)
        try ChapterEmbedder.embed(chapters, into: source, writingTo: first)
        let readBack = try ChapterEmbedder.read(first)
        #expect(readBack.chapters.map(\.title) == chapters.map(\.title))
        #expect(zip(readBack.chapters, chapters).allSatisfy { abs($0.start - $1.start) < 0.0005 })
        try ChapterEmbedder.embed(readBack.chapters, into: source, writingTo: second)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    }
}
