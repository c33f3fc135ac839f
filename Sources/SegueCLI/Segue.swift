import ArgumentParser
import SegueEngine

@main
struct Segue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segue",
        abstract: "Find pauses, speakers and chapters in podcast episodes.",
        discussion: """
        Exit codes: 0 success, 1 the work failed, 2 an input could not be read \
        (missing, empty, corrupt or unsupported file), 64 bad command-line usage.
        """,
        version: SegueVersion.string,
        subcommands: [Analyze.self, Probe.self, Features.self, Parse.self, Convert.self, Embed.self, Align.self, Chapters.self, Verify.self]
    )

    /// Decoder libraries must not print to the user's terminal; every message
    /// comes from Segue itself (see `QuietDecoderOutput`).
    static func main() {
        QuietDecoderOutput.enable()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
