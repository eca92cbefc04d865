import ArgumentParser
import Foundation
import Providers
import Sandbox
import SeopipeCore

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve simulated provider APIs on loopback (no token, no cost).",
        discussion: "Serves " + RunningSandbox.servedAPIs.joined(separator: ", ")
            + """
            , on 127.0.0.1, with the documented validation, auth, limits and error bodies, deterministic data per \
            (target, date), units and USD costs, and usage counters at GET /_sandbox/usage. It first prints the \
            environment lines that point the shipped pipelines at it:  seopipe sandbox > /tmp/sandbox.env &  \
            then  . /tmp/sandbox.env  and run any pipeline. Stop it with Ctrl-C (or kill).
            """)

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port = 8787

    @Option(
        help: ArgumentHelp(
            "The sandbox's today, YYYY-MM-DD (default: the real one, UTC).",
            discussion: "Endpoints without a date parameter ("
                + ProviderRegistry.builtin.currentOnlyNames.joined(separator: ", ")
                + ") answer with today's numbers, as the real ones do; fixing today makes their answers reproducible."))
    var today: String?

    func run() async throws {
        if let today, SnapshotDate(today) == nil {
            FileHandle.standardError.write(Data("error: --today \(today) is not a date; write YYYY-MM-DD\n".utf8))
            throw ExitCode(2)
        }
        var configuration = SandboxConfiguration(port: port)
        configuration.today = today
        let sandbox = try await RunningSandbox.start(configuration)
        var lines = sandbox.environment.sorted(by: { $0.key < $1.key }).map { "export \($0.key)=\($0.value)" }
        lines.append("# sandbox listening on \(sandbox.baseURL); usage at \(sandbox.baseURL)/_sandbox/usage")
        // Unbuffered, so `eval "$(...)"` and pipes see the lines while the server keeps running.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        // Serve until interrupted.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        await sandbox.stop()
    }
}
