import ArgumentParser
import Foundation
import SegueEngine

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print per-frame features as CSV, for inspection and plotting.",
        discussion: """
        One row per 10 ms frame: time (s), energy and speech-band level (dBFS), \
        spectral flux (dB), centroid (Hz), flatness (0–1), the speech/pause \
        decision, and with --mel the 40 mel band levels (dB) or with --mfcc the \
        13 cepstral coefficients.

        Examples:
          segue features episode.mp3 --from 60 --to 75 > frames.csv
          segue features episode.wav --mfcc | head
        """)

    @Argument(help: "The audio file.")
    var episode: String

    @Option(help: "First second to print.")
    var from: Double = 0

    @Option(help: "Last second to print.")
    var to: Double = .infinity

    @Flag(help: "Add the mel band levels.")
    var mel = false

    @Flag(help: "Add the cepstral coefficients.")
    var mfcc = false

    func run() throws {
        // Only features and the speech/pause decision are printed.
        var analyzer = EpisodeAnalyzer()
        analyzer.findSpeakers = false
        let analysis: EpisodeAnalysis
        do {
            analysis = try analyzer.analyze(path: episode)
        } catch {
            throw ExitCode(Terminal.report(error))
        }
        let track = analysis.features
        let clock = track.clock
        let first = clock.frame(at: from), last = min(track.frameCount, to.isFinite ? clock.frame(at: to) + 1 : track.frameCount)
        guard first < last else { return }
        var header = "time,energy_db,speech_band_db,flux_db,centroid_hz,flatness,speech"
        if mel { header += (0..<track.layout.melBandCount).map { ",mel\($0)" }.joined() }
        if mfcc { header += (0..<track.layout.cepstralCount).map { ",c\($0)" }.joined() }
        var out = header + "\n"
        var spans = analysis.activity.speechFrames.makeIterator()
        var span = spans.next()
        try track.forEachBlock(in: first..<last) { block in
            for i in 0..<block.count {
                let frame = block.firstFrame + i
                while let s = span, s.upperBound <= frame { span = spans.next() }
                let speech = span.map { $0.contains(frame) } ?? false
                out += String(format: "%.3f,%.2f,%.2f,%.2f,%.0f,%.4f,%d", clock.time(ofFrame: frame),
                              block.value(.logEnergy, at: i), block.value(.speechBandLevel, at: i),
                              block.value(.spectralFlux, at: i), block.value(.spectralCentroid, at: i),
                              block.value(.spectralFlatness, at: i), speech ? 1 : 0)
                if mel { for b in 0..<track.layout.melBandCount { out += String(format: ",%.2f", block.mel(b, at: i)) } }
                if mfcc { for k in 0..<track.layout.cepstralCount { out += String(format: ",%.3f", block.cepstrum(k, at: i)) } }
                out += "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            out = ""
        }
    }
}
