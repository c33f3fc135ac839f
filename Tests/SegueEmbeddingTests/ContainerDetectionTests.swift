import Foundation
import Testing
import SegueEmbedding
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
