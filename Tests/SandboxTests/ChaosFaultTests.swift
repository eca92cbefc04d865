import Foundation
import Testing

@testable import Sandbox

/// The chaos faults: a seeded rate, slow answers, truncated bodies and dropped connections.
@Suite("Sandbox chaos faults", .serialized)
struct ChaosFaultTests {
    static let path = "/v3/site-explorer/batch/metrics"

    @Test("a rate rule hits about that fraction of requests, the same ones for the same seed")
    func seededRate() {
        func hits(seed: UInt64) -> [Int] {
            let rule = FaultRule(endpoint: "*", status: 503, rate: 0.2, seed: seed)
            return (1...2000).filter { rule.fires(atRequest: $0, usageKey: "site-explorer/batch/metrics") }
        }
        let first = hits(seed: 7)
        #expect(first == hits(seed: 7), "a seed replays its faults")
        #expect(first != hits(seed: 8))
        #expect((340...460).contains(first.count), "\(first.count) of 2000 at rate 0.2")
        #expect(FaultRule(status: 503, rate: 0).problems.isEmpty)
        #expect(FaultRule(status: 503, rate: 1.5).problems == ["rate must be between 0 and 1, got 1.5"])
        #expect(!FaultRule(dialect: SimulatedAhrefsV2.Fault(error: "no credit"), truncateBody: true).problems.isEmpty)
    }

    @Test("a truncated answer is the real answer cut in half, uncharged, and logged as such")
    func truncated() async throws {
        try await withSandbox { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "site-explorer/batch/metrics", count: 1, truncateBody: true)])
            let spoiled = try await call(sandbox, Self.path, body: domainBody(["example.com", "ahrefs.com"]))
            let real = try await call(sandbox, Self.path, body: domainBody(["example.com", "ahrefs.com"]))
            #expect(spoiled.status == 200)
            #expect(real.body.hasPrefix(spoiled.body) && spoiled.body.utf8.count == real.body.utf8.count / 2)
            #expect((try? JSONSerialization.jsonObject(with: Data(spoiled.body.utf8))) == nil, "not valid JSON")
            let log = sandbox.usage().requestLog
            #expect(log.map(\.fault) == ["truncated", nil])
            #expect(log.map(\.charged) == [false, true])
        }
    }

    @Test("a dropped connection fails the client mid-body and charges nothing")
    func dropped() async throws {
        try await withSandbox { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "*", count: 1, dropConnection: true)])
            await #expect(throws: (any Error).self) {
                _ = try await call(sandbox, Self.path, body: domainBody(["example.com"]))
            }
            let retried = try await call(sandbox, Self.path, body: domainBody(["example.com"]))
            #expect(retried.status == 200)
            let log = sandbox.usage().requestLog
            #expect(log.map(\.fault) == ["dropped", nil])
            #expect(sandbox.usage().totalChargedRequests == 1)
        }
    }

    @Test("a slow fault answers only after its delay, with its status")
    func slow() async throws {
        try await withSandbox { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "*", count: 1, status: 503, delaySeconds: 0.3)])
            let start = ContinuousClock.now
            let answer = try await call(sandbox, Self.path, body: domainBody(["example.com"]))
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            #expect(answer.status == 503)
            #expect(sandbox.usage().requestLog.map(\.fault) == ["slow 503"])
        }
    }

    @Test("the chaos keys round-trip through the control route's JSON")
    func json() throws {
        let text = #"{"endpoint":"*","rate":0.2,"seed":42,"delay_seconds":1.5,"status":503}"#
        let rule = try JSONDecoder().decode(FaultRule.self, from: Data(text.utf8))
        #expect(rule.rate == 0.2 && rule.seed == 42 && rule.delaySeconds == 1.5 && rule.status == 503)
        let dropped = try JSONDecoder().decode(FaultRule.self, from: Data(#"{"drop_connection":true}"#.utf8))
        #expect(dropped.dropConnection && dropped.status == 200 && dropped.kind == "dropped")
        let again = try JSONDecoder().decode(FaultRule.self, from: JSONEncoder().encode(rule))
        #expect(again == rule)
    }
}
