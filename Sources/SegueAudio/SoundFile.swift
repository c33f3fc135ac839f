import CSndFile

/// Thin owner of a libsndfile handle: open, describe, read interleaved floats.
/// All C interop with libsndfile stays in this file.
final class SoundFile {
    private let handle: OpaquePointer
    let info: AudioInfo

    /// Opens `path` for reading; the error is libsndfile's own reason.
    init(path: String) throws(AudioError) {
        var sfInfo = SF_INFO()
        DecoderActivity.opened()
        guard let handle = sf_open(path, Int32(SFM_READ), &sfInfo) else {
            DecoderActivity.closed()
            let reason = String(cString: sf_strerror(nil))
            throw AudioError(path: path, kind: .unsupported, reason: SoundFile.explain(reason))
        }
        self.handle = handle
        self.info = AudioInfo(
            container: SoundFile.formatName(sfInfo.format & Int32(SF_FORMAT_TYPEMASK)),
            encoding: SoundFile.formatName(sfInfo.format & Int32(SF_FORMAT_SUBMASK)),
            sampleRate: Int(sfInfo.samplerate),
            channels: Int(sfInfo.channels),
            frameCount: Int64(sfInfo.frames))
        // Integer formats are read as floats in [-1, 1).
        sf_command(handle, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_TRUE))
    }

    deinit {
        sf_close(handle)
        DecoderActivity.closed()
    }

    /// Reads up to `frames` interleaved frames; returns the count read (0 at end).
    func read(into buffer: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        Int(sf_readf_float(handle, buffer, sf_count_t(frames)))
    }

    /// The decoder's error after a short read, if any.
    var decodeError: String? {
        let code = sf_error(handle)
        return code == 0 ? nil : String(cString: sf_error_number(code))
    }

    /// libsndfile's name for a major (container) or minor (encoding) format.
    private static func formatName(_ format: Int32) -> String {
        var formatInfo = SF_FORMAT_INFO()
        formatInfo.format = format
        guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &formatInfo, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
              let name = formatInfo.name
        else { return String(format, radix: 16) }
        return String(cString: name)
    }

    /// libsndfile's messages are terse and sometimes misleading (an MP3 it
    /// cannot sync to is "not a regular file"); say what it means for a podcaster.
    private static func explain(_ reason: String) -> String {
        let expected = "not an audio file Segue can read (WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3 or M4A expected)"
        if reason.contains("Format not recognised") || reason.contains("not a regular file")
            || reason.contains("unknown format") {
            return expected
        }
        return "\(expected): \(reason)"
    }
}
