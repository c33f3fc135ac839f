import ArgumentParser
import SegueEngine

@main
struct Segue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segue",
        abstract: "Find pauses, speakers and chapters in podcast episodes.",
        discussion: """
        Exit codes: 0 success, 1 the work failed, 2 an input could not be read \
        (missing, empty, corrupt or unsupported file), 64 bad command-line usage.
        """,
        version: SegueVersion.string,
        subcommands: [Analyze.self, Probe.self, Features.self, Parse.self]
    )
}
