/// What a decoder knows about an audio file before decoding it.
public struct AudioInfo: Sendable, Codable, Equatable {
    /// Container, as libsndfile names it ("WAV (Microsoft)", "MPEG-1/2 Audio", …),
    /// or "MP4" / "ADTS" when FFmpeg decodes it.
    public var container: String
    /// Sample encoding inside the container ("Signed 16 bit PCM", "Opus", "AAC LC", …).
    public var encoding: String
    public var sampleRate: Int
    public var channels: Int
    /// Sample frames the file declares; the decoded count is authoritative.
    public var frameCount: Int64

    public init(container: String, encoding: String, sampleRate: Int, channels: Int, frameCount: Int64) {
        self.container = container
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
        self.frameCount = frameCount
    }

    /// Duration in seconds implied by `frameCount`.
    public var duration: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }
}
