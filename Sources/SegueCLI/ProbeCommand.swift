import ArgumentParser
import Foundation
import SegueEngine

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an audio file's format, duration, sample rate and channels.",
        discussion: """
        Reads only the file's header; nothing is decoded or written.

        Examples:
          segue probe episode.mp3
          segue probe --json episode.flac
          segue probe episode.m4a      # format  MP4, AAC LC
        """)

    @Argument(help: "The audio file (WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3 or M4A/AAC).")
    var episode: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let info: AudioInfo
        do {
            info = try AudioDecoder(path: episode).info
        } catch {
            throw ExitCode(Terminal.report(error))
        }
        if json {
            struct Output: Encodable {
                var file: String, container: String, encoding: String
                var sampleRate: Int, channels: Int, frames: Int64, duration: Double
            }
            let output = Output(file: episode, container: info.container, encoding: info.encoding,
                                sampleRate: info.sampleRate, channels: info.channels, frames: info.frameCount,
                                duration: Seconds.rounded(info.duration))
            FileHandle.standardOutput.write(try JSONOutput.encode(output))
        } else {
            Terminal.print("""
            file         \(episode)
            format       \(info.container), \(info.encoding)
            duration     \(clockTime(info.duration)) (\(String(format: "%.3f", info.duration)) s)
            sample rate  \(info.sampleRate) Hz
            channels     \(info.channels)
            """)
        }
    }
}
