import Foundation

/// Streams an audio file as mono float blocks, whatever its format, rate and
/// channel count. Memory is one block, however long the episode.
///
/// Mixdown is the plain mean of all channels (ITU-R BS.775 downmix weights
/// would favour a centre channel, but podcast stems rarely carry one).
public final class AudioDecoder {
    public let path: String
    public let info: AudioInfo
    /// Mono frames delivered so far.
    public private(set) var framesDecoded: Int64 = 0

    /// libsndfile first; FFmpeg for what it cannot open (M4A/AAC).
    private enum Source {
        case sndfile(SoundFile)
        case ffmpeg(FFmpegFile)
    }

    private let source: Source
    private var interleaved: [Float] = []

    /// Opens `path`; fails with one clear reason for missing, empty,
    /// non-audio or unsupported files.
    public init(path: String) throws(AudioError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioError(path: path, kind: .missing, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw AudioError(path: path, kind: .notAFile, reason: "is a directory, not an audio file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw AudioError(path: path, kind: .readFailed, reason: "permission denied")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if size == 0 {
            throw AudioError(path: path, kind: .empty, reason: "file is empty (0 bytes)")
        }
        do {
            source = .sndfile(try SoundFile(path: path))
        } catch {
            guard let decoded = try FFmpegFile.open(path: path) else { throw error }
            source = .ffmpeg(decoded)
        }
        switch source {
        case .sndfile(let file): info = file.info
        case .ffmpeg(let file): info = file.info
        }
        guard info.sampleRate >= 8_000, info.sampleRate <= 384_000 else {
            throw AudioError(path: path, kind: .unsupported,
                             reason: "unsupported sample rate \(info.sampleRate) Hz (8 kHz to 384 kHz expected)")
        }
        guard info.channels >= 1, info.channels <= 64 else {
            throw AudioError(path: path, kind: .unsupported, reason: "unsupported channel count \(info.channels)")
        }
    }

    /// Fills `block` with up to `block.count` mono samples and returns how many
    /// were written; 0 means the end of the audio.
    public func readMono(into block: UnsafeMutableBufferPointer<Float>) throws(AudioError) -> Int {
        guard let out = block.baseAddress, block.count > 0 else { return 0 }
        let file: SoundFile
        switch source {
        case .sndfile(let sndfile): file = sndfile
        case .ffmpeg(let ffmpeg):
            let read = try ffmpeg.readMono(into: out, frames: block.count)
            framesDecoded += Int64(read)
            return read
        }
        let channels = info.channels
        let read: Int
        if channels == 1 {
            read = file.read(into: out, frames: block.count)
        } else {
            if interleaved.count < block.count * channels {
                interleaved = [Float](repeating: 0, count: block.count * channels)
            }
            read = interleaved.withUnsafeMutableBufferPointer { buffer in
                let n = file.read(into: buffer.baseAddress!, frames: block.count)
                Self.mixDown(buffer.baseAddress!, frames: n, channels: channels, into: out)
                return n
            }
        }
        if read == 0, framesDecoded == 0, let error = file.decodeError {
            throw AudioError(path: path, kind: .corrupt, reason: "no decodable audio: \(error)")
        }
        framesDecoded += Int64(read)
        return read
    }

    private static func mixDown(_ source: UnsafePointer<Float>, frames: Int, channels: Int,
                                into out: UnsafeMutablePointer<Float>) {
        let scale = 1 / Float(channels)
        if channels == 2 {
            for i in 0..<frames { out[i] = (source[2 * i] + source[2 * i + 1]) * scale }
            return
        }
        for i in 0..<frames {
            var sum: Float = 0
            let frame = source + i * channels
            for c in 0..<channels { sum += frame[c] }
            out[i] = sum * scale
        }
    }
}
