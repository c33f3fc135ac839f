import Foundation

/// Builds test signals and writes them as WAV files, so tests need no
/// external tool to make audio with known content.
public enum TestAudio {
    /// A sine of `frequency` Hz at `amplitude` (1 = full scale).
    public static func sine(frequency: Double, seconds: Double, rate: Int, amplitude: Double = 0.5) -> [Float] {
        (0..<Int(seconds * Double(rate))).map {
            Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate)))
        }
    }

    /// Deterministic white noise with RMS `rms`.
    public static func noise(seconds: Double, rate: Int, rms: Double, seed: UInt64 = 1) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<Int(seconds * Double(rate))).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let uniform = Double(state >> 11) / Double(1 << 53)      // 0..<1
            return Float((uniform * 2 - 1) * rms * 3.0.squareRoot())  // uniform has RMS 1/√3
        }
    }

    /// Speech-like bursts: a 150 Hz harmonic tone (harmonics to 4 kHz) with a
    /// 4 Hz syllable envelope. Real speech shape matters less here than
    /// energy in the speech band that comes and goes like syllables.
    public static func voiceLike(seconds: Double, rate: Int, amplitude: Double = 0.3) -> [Float] {
        let f0 = 150.0
        return (0..<Int(seconds * Double(rate))).map { i in
            let t = Double(i) / Double(rate)
            var x = 0.0
            var h = 1.0
            while h * f0 < min(4_000, Double(rate) / 2 - 100) {
                x += sin(2 * Double.pi * h * f0 * t) / h
                h += 1
            }
            let syllable = 0.65 + 0.35 * sin(2 * Double.pi * 4 * t)
            return Float(amplitude * 0.5 * x * syllable)
        }
    }

    /// Lag (in samples) of `b` against `a` that maximises their correlation.
    public static func bestLag(_ a: [Float], _ b: [Float], maxLag: Int) -> Int {
        var best = 0, bestScore = -Double.infinity
        let n = min(a.count, b.count) - maxLag
        for lag in -maxLag...maxLag {
            var score = 0.0
            var i = maxLag
            while i < n { score += Double(a[i]) * Double(b[i + lag]); i += 1 }
            if score > bestScore { bestScore = score; best = lag }
        }
        return best
    }

    public static func silence(seconds: Double, rate: Int) -> [Float] {
        [Float](repeating: 0, count: Int(seconds * Double(rate)))
    }

    /// Writes 16-bit PCM WAV. `channels` > 1 repeats the mono signal per
    /// channel unless `interleaved` is given.
    public static func writeWAV(_ samples: [Float], rate: Int, channels: Int = 1,
                                interleaved: [Float]? = nil, to url: URL, claimExtraBytes: UInt32 = 0) throws {
        let frames = interleaved.map { $0.count / channels } ?? samples.count
        var pcm = Data(capacity: frames * channels * 2)
        for i in 0..<frames {
            for c in 0..<channels {
                let x = interleaved?[i * channels + c] ?? samples[i]
                let v = Int16(max(-32768, min(32767, (Double(x) * 32767).rounded())))
                withUnsafeBytes(of: v.littleEndian) { pcm.append(contentsOf: $0) }
            }
        }
        var header = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        header.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + pcm.count) + claimExtraBytes)
        header.append(contentsOf: Array("WAVE".utf8))
        header.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(UInt16(channels))
        u32(UInt32(rate)); u32(UInt32(rate * channels * 2)); u16(UInt16(channels * 2)); u16(16)
        header.append(contentsOf: Array("data".utf8)); u32(UInt32(pcm.count) + claimExtraBytes)
        try (header + pcm).write(to: url)
    }

    /// A fresh empty folder under the system temporary directory.
    public static func temporaryFolder(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("segue-test-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Paths inside the repository, found from this file's location.
public enum Repository {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static var fixtures: URL { root.appendingPathComponent("Audio/fixtures") }
    public static var golden: URL { root.appendingPathComponent("Golden") }

    /// The `segue` binary under test: `SEGUE_BIN`, else the release build, else debug.
    public static var segueBinary: URL {
        if let path = ProcessInfo.processInfo.environment["SEGUE_BIN"] { return URL(fileURLWithPath: path) }
        let release = root.appendingPathComponent(".build/release/segue")
        if FileManager.default.isExecutableFile(atPath: release.path) { return release }
        return root.appendingPathComponent(".build/debug/segue")
    }
}

/// Runs a program and captures its exit status and output.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public func runProcess(_ executable: URL, _ arguments: [String]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}
