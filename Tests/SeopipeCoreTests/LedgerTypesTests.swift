import Foundation
import Testing

@testable import SeopipeCore

@Suite("Ledger types")
struct LedgerTypesTests {
    @Test("a run's ledger status is spelled once: running, then RunResult's statuses")
    func runStatusRawValues() {
        #expect(RunStatus.allCases.map(\.rawValue) == ["running", "succeeded", "partial", "failed", "interrupted"])
        for status in RunStatus.allCases { #expect(RunStatus(rawValue: status.rawValue) == status) }
        #expect(RunStatus(rawValue: "success") == nil)
        #expect(RunStatus.finished(.interrupted).description == "interrupted")
    }

    @Test("ledger times are whole seconds and round-trip through their ISO-8601 text")
    func timestamps() throws {
        let now = Timestamp.current()
        #expect(now.timeIntervalSince1970 == now.timeIntervalSince1970.rounded(.down))
        #expect(Timestamp.parse(Timestamp.text(now)) == now)
        #expect(Timestamp.text(try #require(Timestamp.parse("2026-11-20T03:15:00Z"))) == "2026-11-20T03:15:00Z")
        let fraction = try #require(Timestamp.parse("2026-11-20T03:15:00.250Z"))
        #expect(fraction.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) == 0.25)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test("a run resolves its providers once and leaves out one whose kind the registry lacks, instead of crashing")
    func providerRuntimes() {
        let config = ProviderConfig(
            name: "ahrefs", kind: "no-such-kind", baseURL: "http://127.0.0.1", credentials: [:],
            rateLimit: RateLimit(requests: 60, per: .seconds(60)), retry: RetryPolicy(), budget: Budget())
        let pipeline = Pipeline(
            name: "p", schedule: nil, warehouse: .sqlite(path: "/tmp/x.db"), snapshot: .today,
            providers: ["ahrefs": config], options: RunOptions(), stages: [],
            file: URL(fileURLWithPath: "/tmp/p.yml"))
        let shared = SharedRunState(pipeline: pipeline, registry: ProviderRegistry([]))
        #expect(shared.providers.isEmpty)
    }
}
