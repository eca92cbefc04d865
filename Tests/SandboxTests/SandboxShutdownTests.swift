import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

/// `RunningSandbox.stop()` closes what it opened, without cutting an answer short: hundreds of tests start and stop
/// sandboxes in one process, and connections left open there once exhausted the process's descriptors.
@Suite("Sandbox shutdown")
struct SandboxShutdownTests {
    @Test("after stop, no socket of this process is left on a sandbox's port, over 30 sandboxes")
    func noSocketOutlivesItsSandbox() async throws {
        var ports: [Int] = []
        var openBeforeStop = 0
        for round in 0..<30 {
            let sandbox = try await RunningSandbox.start()
            ports.append(sandbox.port)
            try await withThrowingTaskGroup(of: Int.self) { requests in
                for index in 0..<6 {
                    requests.addTask {
                        try await call(
                            sandbox, "/v3/site-explorer/batch/domain-rating",
                            body: domainBody(["r\(round)-\(index).example"])
                        ).status
                    }
                }
                for try await status in requests { #expect(status == 200) }
            }
            openBeforeStop = max(openBeforeStop, SocketTable.sockets(onPorts: [sandbox.port]))
            await sandbox.stop()
        }
        // The pool keeps connections to a live server, so there was something to close.
        #expect(openBeforeStop > 0)
        // The server side is closed when stop() returns; the client notices the close a moment later.
        let left = await SocketTable.settle { SocketTable.sockets(onPorts: Set(ports)) }
        #expect(left == 0, "sockets still open on stopped sandboxes' ports")
    }

    @Test("an answer being written when stop() is called arrives in full")
    func answerInProgressIsNotCut() async throws {
        let sandbox = try await RunningSandbox.start()
        sandbox.holdResponses()
        let pending = Task {
            try await call(
                sandbox, "/v3/site-explorer/batch/domain-rating",
                body: domainBody((0..<100).map { "held-\($0).example" }))
        }
        while sandbox.arrivedRequests == 0 { try await Task.sleep(for: .milliseconds(10)) }
        await sandbox.stop()
        let answer = try await pending.value
        #expect(answer.status == 200)
        let rows = try #require(answer.object?["results"] as? [Any], "answer: \(answer.body.prefix(200))")
        #expect(rows.count == 100)
        let left = await SocketTable.settle { SocketTable.sockets(onPorts: [sandbox.port]) }
        #expect(left == 0)
    }

    @Test("a connection still busy after the grace period is closed, and stop() returns")
    func busyConnectionIsClosedAfterGrace() async throws {
        let sandbox = try await RunningSandbox.start()
        // An answer that would come in 10 minutes: only closing its connection lets stop() return.
        sandbox.setFaults([FaultRule(endpoint: "*", status: 503, delaySeconds: 600)])
        let pending = Task {
            try await call(sandbox, "/v3/site-explorer/batch/domain-rating", body: domainBody(["slow.example"]))
        }
        while sandbox.arrivedRequests == 0 { try await Task.sleep(for: .milliseconds(10)) }
        await sandbox.stop()
        await #expect(throws: (any Error).self) { _ = try await pending.value }
        let left = await SocketTable.settle { SocketTable.sockets(onPorts: [sandbox.port]) }
        #expect(left == 0)
    }
}

/// The TCP sockets this process holds, from /proc (Linux).
enum SocketTable {
    /// Inodes of the sockets among this process's open descriptors.
    static func socketInodes() -> Set<Substring> {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        var inodes: Set<Substring> = []
        for descriptor in descriptors {
            guard
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
                target.hasPrefix("socket:[")
            else { continue }
            inodes.insert(Substring(target.dropFirst(8).dropLast()))
        }
        return inodes
    }

    /// Sockets of this process whose local or remote port is one of `ports` (either end of a loopback connection).
    static func sockets(onPorts ports: Set<Int>) -> Int {
        let mine = socketInodes()
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, mine.contains(fields[9]) else { continue }
                let local = fields[1].split(separator: ":").last.flatMap { Int($0, radix: 16) }
                let remote = fields[2].split(separator: ":").last.flatMap { Int($0, radix: 16) }
                if local.map(ports.contains) == true || remote.map(ports.contains) == true { count += 1 }
            }
        }
        return count
    }

    /// `count()` once it is 0, or its value after 5 seconds of asking.
    static func settle(_ count: () -> Int) async -> Int {
        let deadline = ContinuousClock.now + .seconds(5)
        var value = count()
        while value > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            value = count()
        }
        return value
    }
}
