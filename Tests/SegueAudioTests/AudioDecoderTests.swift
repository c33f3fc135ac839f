import Foundation
import Testing
import SegueAudio
import SegueTestSupport

private func decodeAll(_ path: String) throws -> (info: AudioInfo, samples: [Float]) {
    let decoder = try AudioDecoder(path: path)
    var out: [Float] = []
    var block = [Float](repeating: 0, count: 4_096)
    while true {
        let n = try block.withUnsafeMutableBufferPointer { try decoder.readMono(into: $0) }
        if n == 0 { break }
        out.append(contentsOf: block[0..<n])
    }
    return (decoder.info, out)
}

@Suite struct AudioDecoderTests {
    @Test func monoWAVDecodesSampleExactly() throws {
        let folder = try TestAudio.temporaryFolder()
        let url = folder.appendingPathComponent("tone.wav")
        let tone = TestAudio.sine(frequency: 440, seconds: 0.5, rate: 16_000)
        try TestAudio.writeWAV(tone, rate: 16_000, to: url)
        let (info, samples) = try decodeAll(url.path)
        #expect(info.sampleRate == 16_000 && info.channels == 1 && info.frameCount == 8_000)
        #expect(samples.count == tone.count)
        let worst = zip(samples, tone).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1.0 / 16_000)
    }

    @Test func stereoIsMixedToTheMeanOfChannels() throws {
        let folder = try TestAudio.temporaryFolder()
        let url = folder.appendingPathComponent("stereo.wav")
        // Left +0.5, right -0.25 everywhere: the mono mix is 0.125.
        let interleaved = (0..<2_000).flatMap { _ in [Float(0.5), Float(-0.25)] }
        try TestAudio.writeWAV([], rate: 44_100, channels: 2, interleaved: interleaved, to: url)
        let (info, samples) = try decodeAll(url.path)
        #expect(info.channels == 2 && samples.count == 2_000)
        #expect(samples.allSatisfy { abs($0 - 0.125) < 1e-3 })
    }

    @Test(arguments: [(8_000, 1), (96_000, 6), (22_050, 2), (192_000, 2)])
    func unusualRatesAndChannelCountsDecode(rate: Int, channels: Int) throws {
        let folder = try TestAudio.temporaryFolder()
        let url = folder.appendingPathComponent("f.wav")
        let tone = TestAudio.sine(frequency: 300, seconds: 0.25, rate: rate)
        try TestAudio.writeWAV(tone, rate: rate, channels: channels, to: url)
        let (info, samples) = try decodeAll(url.path)
        #expect(info.sampleRate == rate && info.channels == channels)
        #expect(samples.count == tone.count)
        #expect(abs((samples.max() ?? 0) - 0.5) < 0.01)
    }

    @Test func missingFileIsReportedAsMissing() {
        #expect(throws: AudioError.self) { try AudioDecoder(path: "/nonexistent/episode.mp3") }
        do { _ = try AudioDecoder(path: "/nonexistent/episode.mp3") } catch {
            #expect(error.kind == .missing)
            #expect(error.description == "/nonexistent/episode.mp3: no such file")
        }
    }

    @Test func directoryEmptyAndTextFilesAreRefusedWithAReason() throws {
        let folder = try TestAudio.temporaryFolder()
        let empty = folder.appendingPathComponent("empty.mp3")
        #expect(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        let text = folder.appendingPathComponent("notes.wav")
        try Data("00:13 — Intro\n".utf8).write(to: text)
        let cases: [(String, AudioError.Kind)] = [(folder.path, .notAFile), (empty.path, .empty), (text.path, .unsupported)]
        for (path, kind) in cases {
            do {
                _ = try AudioDecoder(path: path)
                Issue.record("\(path) should not open")
            } catch {
                #expect(error.kind == kind)
                #expect(error.description.hasPrefix(path + ": "))
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func wavWhoseHeaderClaimsMoreDataDecodesWhatIsThere() throws {
        let folder = try TestAudio.temporaryFolder()
        let url = folder.appendingPathComponent("short.wav")
        try TestAudio.writeWAV(TestAudio.sine(frequency: 440, seconds: 0.5, rate: 16_000), rate: 16_000,
                               to: url, claimExtraBytes: 64_000)
        let (_, samples) = try decodeAll(url.path)
        #expect(samples.count == 8_000)
    }
}
