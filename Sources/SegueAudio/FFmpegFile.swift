import CFFmpeg
import Foundation

/// Thin owner of an FFmpeg demuxer and decoder for what libsndfile cannot
/// read: MP4/M4A/M4B (AAC, ALAC, …) and raw ADTS AAC. Streams one packet at
/// a time and delivers mono floats (the mean of the channels, as for
/// libsndfile), at the file's own rate. All C interop with FFmpeg stays in
/// this file.
///
/// Timing: the MP4 edit list's encoder delay reaches the decoder as
/// `skip_samples` side data on the first packet, which libavcodec drops
/// itself (`AV_CODEC_FLAG2_SKIP_MANUAL` stays off); the trailing padding is
/// cut at the stream's declared duration. A packet that fails to decode is
/// replaced by silence of the same length, so later times stay in place.
final class FFmpegFile {
    /// Demuxers tried; anything else keeps libsndfile's verdict.
    private static let formats = "mov,mp4,m4a,3gp,3g2,mj2,aac"
    /// Undecodable audio in a row (seconds, or packets when their length is
    /// unknown) before the file counts as damaged rather than scratched.
    private static let maxLostSeconds = 5
    private static let maxConsecutiveFailures = 500

    let info: AudioInfo
    private let path: String
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private let streamIndex: Int32
    private let timeBase: AVRational
    /// Frames the container declares exactly (edit list); nil when estimated.
    private let exactFrames: Int64?

    private var pending: [Float] = []
    private var pendingStart = 0
    private var pendingCount = 0
    private var delivered: Int64 = 0
    private var draining = false
    private var finished = false
    private var decodedFrames: Int64 = 0
    private var consecutiveFailures = 0
    private var consecutiveLost: Int64 = 0
    private var lastFailure: String?
    private var lastPacketDuration: Int64 = 0

    /// Opens `path` with FFmpeg. Returns nil when FFmpeg does not recognise
    /// it as MP4/M4A or AAC either (the caller keeps libsndfile's reason);
    /// throws when it is one, but damaged.
    static func open(path: String) throws(AudioError) -> FFmpegFile? {
        _ = quietLogging
        var context: UnsafeMutablePointer<AVFormatContext>?
        var options: OpaquePointer?
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "format_whitelist", formats, 0)
        // "file:" so that a colon in the name is never read as a protocol.
        let opened = avformat_open_input(&context, "file:" + path, nil, &options)
        av_dict_free(&options)
        guard opened >= 0, let context else {
            if looksLikeMP4(path) {
                throw AudioError(path: path, kind: .corrupt,
                                 reason: "damaged or incomplete M4A/MP4 file (\(message(opened)); was it cut short?)")
            }
            return nil
        }
        return try FFmpegFile(path: path, context: context)
    }

    private init(path: String, context: UnsafeMutablePointer<AVFormatContext>) throws(AudioError) {
        self.path = path
        format = context
        var failure: AudioError?
        var decoder: UnsafePointer<AVCodec>?
        var index: Int32 = -1
        if avformat_find_stream_info(context, nil) < 0 {
            failure = AudioError(path: path, kind: .corrupt, reason: "damaged M4A/AAC file: its streams cannot be read")
        } else {
            index = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0)
            if index < 0 {
                failure = AudioError(path: path, kind: .unsupported, reason: index == cffmpeg_error_decoder_not_found()
                                     ? "no decoder for its audio codec" : "no audio stream in this MP4/M4A file")
            }
        }
        streamIndex = index
        guard failure == nil, let decoder, let stream = context.pointee.streams[Int(index)] else {
            timeBase = AVRational(num: 0, den: 1); exactFrames = nil; info = AudioInfo.none
            close()
            throw failure ?? AudioError(path: path, kind: .corrupt, reason: "damaged M4A/AAC file: no audio stream")
        }
        timeBase = stream.pointee.time_base
        codec = avcodec_alloc_context3(decoder)
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        var status: Int32 = -1
        if let codec, packet != nil, frame != nil {
            status = avcodec_parameters_to_context(codec, stream.pointee.codecpar)
            if status >= 0 {
                codec.pointee.pkt_timebase = stream.pointee.time_base
                status = avcodec_open2(codec, decoder, nil)
            }
        }
        let rate = Int(codec?.pointee.sample_rate ?? 0)
        let channels = Int(codec?.pointee.ch_layout.nb_channels ?? 0)
        var declared: Int64 = 0
        var exact: Int64?
        if rate > 0 {
            let perSample = AVRational(num: 1, den: Int32(rate))
            if stream.pointee.duration != cffmpeg_nopts_value(), stream.pointee.duration > 0 {
                declared = av_rescale_q(stream.pointee.duration, stream.pointee.time_base, perSample)
                if context.pointee.duration_estimation_method == AVFMT_DURATION_FROM_STREAM { exact = declared }
            } else if context.pointee.duration > 0 {
                declared = context.pointee.duration * Int64(rate) / Int64(AV_TIME_BASE)
            }
        }
        exactFrames = exact
        info = AudioInfo(container: Self.containerName(context), encoding: Self.encodingName(stream, decoder),
                         sampleRate: rate, channels: channels, frameCount: declared)
        guard status >= 0 else {
            close()
            throw AudioError(path: path, kind: .unsupported,
                             reason: "cannot decode its \(info.encoding) audio (\(Self.message(status)))")
        }
    }

    deinit { close() }

    private func close() {
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        avformat_close_input(&format)
    }

    /// Writes up to `frames` mono samples; returns the count (0 at the end).
    func readMono(into out: UnsafeMutablePointer<Float>, frames: Int) throws(AudioError) -> Int {
        var written = 0
        while written < frames {
            if pendingStart == pendingCount {
                guard try decodeNext() else { break }
                continue
            }
            var n = min(frames - written, pendingCount - pendingStart)
            if let exactFrames { n = Int(min(Int64(n), max(0, exactFrames - delivered))) }
            if n == 0 { finished = true; pendingStart = pendingCount; break }
            pending.withUnsafeBufferPointer { source in
                (out + written).update(from: source.baseAddress! + pendingStart, count: n)
            }
            pendingStart += n
            written += n
            delivered += Int64(n)
        }
        return written
    }

    /// Decodes until one frame (or one stretch of silence for a lost packet)
    /// is pending; false at the end of the stream.
    private func decodeNext() throws(AudioError) -> Bool {
        guard !finished, let format, let codec, let packet, let frame else { return false }
        while true {
            let received = avcodec_receive_frame(codec, frame)
            if received >= 0 {
                defer { av_frame_unref(frame) }
                try take(frame)
                consecutiveFailures = 0
                consecutiveLost = 0
                if pendingCount > 0 { return true }
                continue
            }
            if received == cffmpeg_error_eof() { break }
            if received != cffmpeg_error_eagain() {
                try failed(received, silence: lastPacketDuration)
                if pendingCount > 0 { return true }
                continue
            }
            if draining { break }
            let read = av_read_frame(format, packet)
            if read < 0 {
                // The end, or a file cut short: decode what is there.
                avcodec_send_packet(codec, nil)
                draining = true
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            lastPacketDuration = samplesInside(packet.pointee)
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0, sent != cffmpeg_error_eagain() {
                try failed(sent, silence: lastPacketDuration)
                if pendingCount > 0 { return true }
            }
        }
        finished = true
        if decodedFrames == 0, let lastFailure {
            throw AudioError(path: path, kind: .corrupt, reason: "no decodable audio: \(lastFailure)")
        }
        return false
    }

    /// Samples of `packet` that belong to the timeline (not the priming
    /// before time 0, which the decoder would have dropped).
    private func samplesInside(_ packet: AVPacket) -> Int64 {
        guard packet.duration > 0, info.sampleRate > 0 else { return 0 }
        var duration = packet.duration
        if packet.pts != cffmpeg_nopts_value(), packet.pts < 0 { duration = max(0, packet.pts + duration) }
        return av_rescale_q(duration, timeBase, AVRational(num: 1, den: Int32(info.sampleRate)))
    }

    /// A packet that did not decode: keep the timeline with silence, and
    /// give up on a file that is damaged throughout.
    private func failed(_ code: Int32, silence: Int64) throws(AudioError) {
        lastFailure = Self.message(code)
        consecutiveFailures += 1
        consecutiveLost += silence
        if consecutiveFailures >= Self.maxConsecutiveFailures
            || consecutiveLost >= Int64(Self.maxLostSeconds * info.sampleRate) {
            let lostFrom = max(0, delivered - consecutiveLost + silence)
            let seconds = info.sampleRate > 0 ? Int(lostFrom / Int64(info.sampleRate)) : 0
            let at = String(format: "%d:%02d", seconds / 60, seconds % 60)
            throw AudioError(path: path, kind: .corrupt, reason:
                "damaged audio from \(at) on (\(consecutiveFailures) packets in a row do not decode: "
                    + "\(lastFailure ?? "invalid data"))")
        }
        let count = Int(min(silence, 1 << 20))
        reserve(count)
        pending.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: 0, count: count) }
        pendingStart = 0
        pendingCount = count
    }

    private func reserve(_ count: Int) {
        if pending.count < count { pending = [Float](repeating: 0, count: count) }
    }

    /// Mixes a decoded frame, whatever its sample format, into `pending`.
    private func take(_ frame: UnsafeMutablePointer<AVFrame>) throws(AudioError) {
        let n = Int(frame.pointee.nb_samples)
        let channels = Int(frame.pointee.ch_layout.nb_channels)
        pendingStart = 0
        pendingCount = 0
        guard n > 0, channels > 0, let planes = frame.pointee.extended_data else { return }
        let rate = Int(frame.pointee.sample_rate)
        if rate > 0, rate != info.sampleRate {
            throw AudioError(path: path, kind: .unsupported,
                             reason: "sample rate changes from \(info.sampleRate) Hz to \(rate) Hz mid-stream")
        }
        let sampleFormat = AVSampleFormat(rawValue: frame.pointee.format)
        let planar = av_sample_fmt_is_planar(sampleFormat) != 0
        let packed = av_get_packed_sample_fmt(sampleFormat)
        let supported = [AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_U8,
                         AV_SAMPLE_FMT_DBL, AV_SAMPLE_FMT_S64]
        guard supported.contains(packed) else {
            throw AudioError(path: path, kind: .unsupported, reason: "unsupported decoded sample format")
        }
        reserve(n)
        decodedFrames += Int64(n)
        pendingCount = n
        pending.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            out.update(repeating: 0, count: n)
            for c in 0..<channels {
                guard let plane = planar ? planes[c] : planes[0] else { continue }
                let stride = planar ? 1 : channels, offset = planar ? 0 : c
                switch packed {
                case AV_SAMPLE_FMT_FLT: Self.add(plane, Float.self, n, stride, offset, out) { $0 }
                case AV_SAMPLE_FMT_S16: Self.add(plane, Int16.self, n, stride, offset, out) { Float($0) / 32_768 }
                case AV_SAMPLE_FMT_S32: Self.add(plane, Int32.self, n, stride, offset, out) { Float($0) / 2_147_483_648 }
                case AV_SAMPLE_FMT_U8: Self.add(plane, UInt8.self, n, stride, offset, out) { (Float($0) - 128) / 128 }
                case AV_SAMPLE_FMT_DBL: Self.add(plane, Double.self, n, stride, offset, out) { Float($0) }
                default: Self.add(plane, Int64.self, n, stride, offset, out) { Float(Double($0) / 0x1p63) }
                }
            }
            if channels > 1 {
                let scale = 1 / Float(channels)
                for i in 0..<n { out[i] *= scale }
            }
        }
    }

    @inline(__always)
    private static func add<T>(_ plane: UnsafeMutablePointer<UInt8>, _: T.Type, _ n: Int, _ stride: Int,
                               _ offset: Int, _ out: UnsafeMutablePointer<Float>, _ convert: (T) -> Float) {
        let samples = UnsafeRawPointer(plane).assumingMemoryBound(to: T.self)
        for i in 0..<n { out[i] += convert(samples[i * stride + offset]) }
    }

    // MARK: Names and messages

    /// FFmpeg prints warnings about damaged packets to stderr; Segue reports
    /// one line itself, so FFmpeg stays quiet.
    private static let quietLogging: Void = av_log_set_level(AV_LOG_QUIET)

    private static func containerName(_ context: UnsafeMutablePointer<AVFormatContext>) -> String {
        let name = context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? ""
        if name.split(separator: ",").contains("mp4") { return "MP4" }
        if name == "aac" { return "ADTS" }
        return context.pointee.iformat?.pointee.long_name.map { String(cString: $0) } ?? name
    }

    private static func encodingName(_ stream: UnsafeMutablePointer<AVStream>, _ decoder: UnsafePointer<AVCodec>)
        -> String {
        let parameters = stream.pointee.codecpar.pointee
        let name = String(cString: avcodec_get_name(parameters.codec_id)).uppercased()
        if let profile = avcodec_profile_name(parameters.codec_id, parameters.profile) {
            return "\(name) \(String(cString: profile))"
        }
        return decoder.pointee.long_name.map { String(cString: $0) } ?? name
    }

    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        if av_strerror(code, &buffer, buffer.count) < 0 { return "FFmpeg error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An ISO base media file starts with an `ftyp` box.
    private static func looksLikeMP4(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return head.count == 8 && head.suffix(4).elementsEqual("ftyp".utf8)
    }
}

extension AudioInfo {
    static let none = AudioInfo(container: "", encoding: "", sampleRate: 0, channels: 0, frameCount: 0)
}
