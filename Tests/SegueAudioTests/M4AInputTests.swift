import Foundation
import Testing
import SegueAudio
import SegueEngine
import SegueTestSupport

/// M4A/AAC, which libsndfile cannot read, is decoded through FFmpeg: same
/// times as the lossless original, clear errors for damaged files.
@Suite struct M4AInputTests {
    private static let ffmpeg = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    private static let ffprobe = URL(fileURLWithPath: "/usr/bin/ffprobe")

    private func fixture(_ name: String) -> String { Repository.fixtures.appendingPathComponent(name).path }

    /// Decodes `path` to mono (all of it unless `seconds` is given).
    private func decode(_ path: String, seconds: Double? = nil) throws -> (info: AudioInfo, samples: [Float]) {
        let decoder = try AudioDecoder(path: path)
        var samples: [Float] = []
        var block = [Float](repeating: 0, count: 4_096)
        let wanted = seconds.map { Int($0 * Double(decoder.info.sampleRate)) } ?? Int.max
        while samples.count < wanted {
            let n = try block.withUnsafeMutableBufferPointer { try decoder.readMono(into: $0) }
            if n == 0 { break }
            samples += block[0..<min(n, wanted - samples.count)]
        }
        #expect(seconds != nil || decoder.framesDecoded == Int64(samples.count))
        return (decoder.info, samples)
    }


    private func offsetMilliseconds(_ original: String, _ copy: String) throws -> Double {
        let a = try decode(original, seconds: 8), b = try decode(copy, seconds: 8)
        try #require(a.info.sampleRate == b.info.sampleRate, "the copy should keep the original's rate")
        let lag = TestAudio.bestLag(a.samples, b.samples, maxLag: a.info.sampleRate / 20)   // ±50 ms search
        return Double(lag) / Double(a.info.sampleRate) * 1000
    }

    private func ffprobeDuration(_ path: String) throws -> Double {
        let probe = try runProcess(Self.ffprobe, ["-v", "error", "-show_entries", "format=duration",
                                                  "-of", "default=noprint_wrappers=1:nokey=1", path])
        try #require(probe.status == 0, "ffprobe: \(probe.stderr)")
        return try #require(Double(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Converts a fixture with ffmpeg into a temporary folder.
    private func convert(_ name: String, to file: String, _ options: [String]) throws -> String {
        let out = try TestAudio.temporaryFolder(file).appendingPathComponent(file).path
        let result = try runProcess(Self.ffmpeg, ["-nostdin", "-v", "error", "-y", "-i", fixture(name)] + options + [out])
        try #require(result.status == 0, "ffmpeg: \(result.stderr)")
        return out
    }

    @Test func committedM4AHasFFprobesDurationAndNamesItsCodec() throws {
        let (info, samples) = try decode(fixture("clean.m4a"))
        #expect(info.container == "MP4" && info.encoding == "AAC LC")
        #expect(info.sampleRate == 16_000 && info.channels == 1)
        #expect(info.frameCount == Int64(samples.count), "declared and decoded lengths differ")
        let seconds = Double(samples.count) / Double(info.sampleRate)
        let expected = try ffprobeDuration(fixture("clean.m4a"))
        #expect(abs(seconds - expected) <= 0.001, "decoded \(seconds) s, ffprobe says \(expected) s")
    }

    @Test func committedM4AIsAlignedWithTheFLACWithinOneMillisecond() throws {
        let milliseconds = try offsetMilliseconds(fixture("clean.flac"), fixture("clean.m4a"))
        #expect(abs(milliseconds) <= 1.0, "clean.m4a is offset by \(milliseconds) ms")
    }

    @Test func stereo44kAACIsMixedDownAndAligned() throws {
        let m4a = try convert("stereo44k.flac", to: "stereo.m4a", ["-c:a", "aac", "-b:a", "128k"])
        let (info, samples) = try decode(m4a)
        #expect(info.sampleRate == 44_100 && info.channels == 2)
        let seconds = Double(samples.count) / Double(info.sampleRate)
        let expected = try ffprobeDuration(m4a)
        #expect(abs(seconds - expected) <= 0.001, "decoded \(seconds) s, ffprobe says \(expected) s")
        let milliseconds = try offsetMilliseconds(fixture("stereo44k.flac"), m4a)
        #expect(abs(milliseconds) <= 1.0, "offset by \(milliseconds) ms")
    }

    @Test func appleLosslessInMP4DecodesSampleForSample() throws {
        let m4a = try convert("stereo44k.flac", to: "alac.m4a", ["-c:a", "alac"])
        let original = try decode(fixture("stereo44k.flac")).samples
        let (info, copy) = try decode(m4a)
        #expect(info.container == "MP4" && info.encoding.hasPrefix("ALAC"))
        #expect(copy.count == original.count)
        #expect(zip(original, copy).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func pausesOnTheM4AAgreeWithTheFLAC() throws {
        var analyzer = EpisodeAnalyzer()
        analyzer.findSpeakers = false
        let flac = try analyzer.analyze(path: fixture("clean.flac")).activity.pauses
        let m4a = try analyzer.analyze(path: fixture("clean.m4a")).activity.pauses
        try #require(!flac.isEmpty)
        var unmatched = Array(flac.indices)
        var matched = 0
        for pause in m4a {
            if let k = unmatched.firstIndex(where: {
                abs(flac[$0].start - pause.start) <= 0.2 && abs(flac[$0].end - pause.end) <= 0.2
            }) {
                unmatched.remove(at: k)
                matched += 1
            }
        }
        let precision = m4a.isEmpty ? 0 : Double(matched) / Double(m4a.count)
        let recall = Double(matched) / Double(flac.count)
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        #expect(f1 >= 0.98, "F1 \(f1): m4a \(m4a.map { ($0.start, $0.end) }) vs flac \(flac.map { ($0.start, $0.end) })")
    }

    struct Damage: Sendable, CustomStringConvertible {
        var description: String
        var make: @Sendable (Data) -> Data
    }

    static let damages: [Damage] = [
        // ffmpeg writes the sample index (moov) after the audio: a cut loses it.
        Damage(description: "cut in half, index at the end") { $0.prefix($0.count / 2) },
        Damage(description: "only the ftyp box") { $0.prefix(36) },
        Damage(description: "audio overwritten with noise") { data in
            var bytes = [UInt8](data)
            var state: UInt64 = 42
            for i in 100..<(bytes.count - 4_000) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
            }
            return Data(bytes)
        },
    ]

    @Test(arguments: damages)
    func damagedM4AFailsWithOneLineReason(_ damage: Damage) throws {
        let url = try TestAudio.temporaryFolder().appendingPathComponent("damaged.m4a")
        try damage.make(try Data(contentsOf: URL(fileURLWithPath: fixture("clean.m4a")))).write(to: url)
        do {
            _ = try decode(url.path)
            Issue.record("decoding should have failed")
        } catch let error as AudioError {
            #expect(error.kind == .corrupt, "\(error)")
            #expect(!error.reason.isEmpty && !error.description.contains("\n"), "\(error)")
            #expect(error.description.hasPrefix(url.path + ": "))
        }
    }

    @Test func cutShortWithTheIndexFirstDecodesWhatIsThere() throws {
        let fast = try convert("clean.m4a", to: "fast.m4a", ["-c", "copy", "-movflags", "+faststart"])
        let data = try Data(contentsOf: URL(fileURLWithPath: fast))
        let cut = URL(fileURLWithPath: fast).deletingLastPathComponent().appendingPathComponent("cut.m4a")
        try data.prefix(data.count / 2).write(to: cut)
        let (info, samples) = try decode(cut.path)
        let seconds = Double(samples.count) / Double(info.sampleRate)
        #expect(seconds > 15 && seconds < 32, "half of a 46.7 s file, got \(seconds)")
    }

    @Test func textNamedM4AKeepsTheUsualMessage() throws {
        let url = try TestAudio.temporaryFolder().appendingPathComponent("notes.m4a")
        try Data("00:13 Intro\n01:02 Guests\n".utf8).write(to: url)
        #expect {
            try AudioDecoder(path: url.path)
        } throws: { error in
            guard let error = error as? AudioError else { return false }
            return error.kind == .unsupported && error.reason.hasPrefix("not an audio file Segue can read")
        }
    }
}
