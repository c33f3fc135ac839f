import Foundation
import Testing
import SegueAudio
import SegueTestSupport

/// MP3, Ogg and Opus copies of a fixture must give the same times as the
/// lossless original: libsndfile's decoders drop encoder delay and padding.
@Suite struct CompressedTimingTests {
    private func samples(_ name: String, seconds: Double = 20) throws -> (rate: Int, samples: [Float]) {
        let decoder = try AudioDecoder(path: Repository.fixtures.appendingPathComponent(name).path)
        let wanted = Int(seconds * Double(decoder.info.sampleRate))
        var out = [Float](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let n = try out.withUnsafeMutableBufferPointer {
                try decoder.readMono(into: UnsafeMutableBufferPointer(rebasing: $0[filled..<wanted]))
            }
            if n == 0 { break }
            filled += n
        }
        return (decoder.info.sampleRate, Array(out[0..<filled]))
    }


    @Test(arguments: ["clean.mp3", "clean.ogg", "clean.opus"])
    func compressedCopyIsAlignedWithinOneMillisecond(copy: String) throws {
        let original = try samples("clean.flac", seconds: 8)
        let compressed = try samples(copy, seconds: 8)
        try #require(original.rate == compressed.rate, "the copy should keep the original's rate")
        let maxLag = original.rate / 20   // ±50 ms search
        let lag = TestAudio.bestLag(original.samples, compressed.samples, maxLag: maxLag)
        let milliseconds = Double(lag) / Double(original.rate) * 1000
        #expect(abs(milliseconds) <= 1.0, "\(copy) is offset by \(milliseconds) ms")
    }
}

/// Every container libsndfile reads gives the same samples, at the same
/// times, as the WAV it was converted from (sox does the converting).
@Suite struct ContainerTests {
    @Test(arguments: ["aiff", "flac", "caf", "w64"])
    func losslessContainersDecodeIdentically(container: String) throws {
        let folder = try TestAudio.temporaryFolder(container)
        let wav = folder.appendingPathComponent("tone.wav")
        let signal = TestAudio.voiceLike(seconds: 0.75, rate: 48_000)
        try TestAudio.writeWAV(signal, rate: 48_000, channels: 2, to: wav)
        let converted = folder.appendingPathComponent("tone.\(container)")
        let sox = try runProcess(URL(fileURLWithPath: "/usr/bin/sox"), [wav.path, converted.path])
        try #require(sox.status == 0, "sox: \(sox.stderr)")

        func decode(_ url: URL) throws -> [Float] {
            let decoder = try AudioDecoder(path: url.path)
            var out: [Float] = [], block = [Float](repeating: 0, count: 1_000)
            while true {
                let n = try block.withUnsafeMutableBufferPointer { try decoder.readMono(into: $0) }
                if n == 0 { break }
                out += block[0..<n]
            }
            return out
        }
        let original = try decode(wav), copy = try decode(converted)
        #expect(copy.count == original.count)
        #expect(zip(original, copy).allSatisfy { abs($0 - $1) < 1e-4 })
    }
}
