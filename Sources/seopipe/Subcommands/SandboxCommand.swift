import ArgumentParser
import Foundation
import Sandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve simulated provider APIs on loopback (no token, no cost).",
        discussion: """
            Serves the Ahrefs v3 batch endpoints under /v3 on 127.0.0.1 with the documented validation, \
            auth, limits and error bodies, deterministic data per (target, date), a units header, and usage \
            counters at GET /_sandbox/usage. It prints the environment lines that point the shipped \
            pipelines at it:  eval "$(seopipe sandbox --port 8787 &)"  or copy them into your shell. \
            Stop it with Ctrl-C.
            """)

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port = 8787

    func run() async throws {
        let sandbox = try await RunningSandbox.start(SandboxConfiguration(port: port))
        for (name, value) in sandbox.environment.sorted(by: { $0.key < $1.key }) {
            print("export \(name)=\(value)")
        }
        print("# sandbox listening on \(sandbox.baseURL); usage at \(sandbox.baseURL)/_sandbox/usage")
        FileHandle.standardOutput.synchronizeFile()
        // Serve until interrupted.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        await sandbox.stop()
    }
}
