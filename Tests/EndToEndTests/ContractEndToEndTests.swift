import Foundation
import Sandbox
import Testing

/// The shipped pipelines and the sandbox held to the providers' published contracts (contracts/*.json, derived from
/// Ahrefs' OpenAPI description and DataForSEO's official client), not to each other; and `seopipe check`.
@Suite("Published contracts, end to end", .serialized)
struct ContractEndToEndTests {
    static let today = "2026-11-20"

    static var recording: SandboxConfiguration {
        var configuration = SandboxConfiguration(today: today)
        configuration.recordsExchanges = true
        return configuration
    }

    /// A shipped pipeline with its target files beside it, at a rate the test need not wait for.
    static func shipped(_ name: String, into harness: Harness) throws -> String {
        let root = Harness.repositoryRoot.appendingPathComponent("pipelines")
        let targets = harness.directory.appendingPathComponent("targets")
        if !FileManager.default.fileExists(atPath: targets.path) {
            try FileManager.default.copyItem(at: root.appendingPathComponent("targets"), to: targets)
        }
        let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
            .replacingOccurrences(of: "rate_limit: 60/min", with: "rate_limit: 6000/min")
        return try harness.write(name, text)
    }

    /// Runs the published-contract validator over what the sandbox recorded; returns its output and exit code.
    static func validate(_ exchanges: [SandboxExchange], in harness: Harness) async throws -> Harness.Output {
        let lines = try exchanges.map { exchange -> String in
            let parse = { (text: String) -> Any in
                text.isEmpty ? NSNull() : (try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? text
            }
            let object: [String: Any] = [
                "api": exchange.api, "method": exchange.method, "path": exchange.path,
                "query": exchange.query ?? NSNull(), "request_body": parse(exchange.requestBody),
                "status": exchange.status, "response_body": parse(exchange.responseBody),
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let file = try harness.write("exchanges.jsonl", lines.joined(separator: "\n") + "\n")
        let root = Harness.repositoryRoot
        return try await Harness.launch(
            [
                "python3", root.appendingPathComponent("Tests/Contracts/check_exchanges.py").path,
                root.appendingPathComponent("contracts").path, file,
            ], environment: ProcessInfo.processInfo.environment, directory: harness.directory,
            executable: URL(fileURLWithPath: "/usr/bin/env")
        ).finished.value
    }

    @Test(
        "the shipped Ahrefs v3, DataForSEO and analytics pipelines, a night and a backfill, send and get only what is published"
    )
    func shippedPipelinesFollowTheContracts() async throws {
        try await withHarness(sandbox: Self.recording) { harness in
            let ahrefs = try Self.shipped("ahrefs-v3.yml", into: harness)
            let dataforseo = try Self.shipped("dataforseo.yml", into: harness)
            let night = try await harness.seopipe(["run", ahrefs, "--date", Self.today])
            #expect(night.exitCode == 0, "\(night.stderr)")
            let backfill = try await harness.seopipe(["run", ahrefs, "--from", "2026-11-01", "--to", "2026-11-05"])
            #expect(backfill.exitCode == 0, "\(backfill.stderr)")
            #expect(
                backfill.stdout.contains("site-explorer/domain-rating-history instead of site-explorer/domain-rating"))
            let backlinks = try await harness.seopipe(["run", dataforseo, "--date", Self.today])
            #expect(backlinks.exitCode == 0, "\(backlinks.stderr)")
            let analytics = try Self.shipped("analytics.yml", into: harness)
            let traffic = try await harness.seopipe(["run", analytics, "--date", Self.today])
            #expect(traffic.exitCode == 0, "\(traffic.stderr)")
            let check = try await harness.seopipe(["check", ahrefs])
            #expect(check.exitCode == 0, "\(check.stdout)\(check.stderr)")

            let exchanges = harness.sandbox.exchanges()
            let paths = Set(exchanges.map { "\($0.method) \($0.path)" })
            for published in [
                "POST /batch-analysis/batch-analysis", "GET /site-explorer/domain-rating",
                "GET /site-explorer/backlinks-stats", "GET /site-explorer/metrics",
                "GET /site-explorer/domain-rating-history", "GET /site-explorer/refdomains-history",
                "GET /site-explorer/metrics-history", "GET /keywords-explorer/overview",
                "GET /subscription-info/limits-and-usage", "POST /backlinks/bulk_new_lost_referring_domains/live",
                "POST /batch",
            ] {
                #expect(paths.contains(published), "the test exercises \(published)")
            }
            #expect(!paths.contains { $0.contains("/batch/") }, "the shipped pipelines use no reference-only path")
            // The shipped analytics accounts include a site with more than 100 pages: the contracts see page 2.
            #expect(
                exchanges.contains { $0.api == "analytics" && $0.requestBody.contains("\"page\":2") },
                "the analytics pipeline asks for a second page")
            let verdict = try await Self.validate(exchanges, in: harness)
            #expect(verdict.exitCode == 0, "\(verdict.stdout)\(verdict.stderr)")
            #expect(verdict.stdout.contains("\(exchanges.count) exchanges, 0 violations"), "\(verdict.stdout)")
        }
    }

    @Test("the validator catches what the contracts forbid (its own self-test)")
    func validatorSelfTest() async throws {
        try await withHarness { harness in
            let script = Harness.repositoryRoot.appendingPathComponent("Tests/Contracts/check_exchanges.py").path
            let output = try await Harness.launch(
                ["python3", script, "--self-test"], environment: ProcessInfo.processInfo.environment,
                directory: harness.directory, executable: URL(fileURLWithPath: "/usr/bin/env")
            ).finished.value
            #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
        }
    }

    @Test(
        "DataForSEO's official client (dataforseo-client) calls every bulk endpoint and user_data and reads every answer"
    )
    func officialDataForSEOClient() async throws {
        guard let python = ProcessInfo.processInfo.environment["SEOPIPE_CONTRACT_PYTHON"] else {
            #expect(
                ProcessInfo.processInfo.environment["SEOPIPE_REQUIRE_CONTRACT_PYTHON"] != "1",
                "dataforseo-client is not installed; scripts/test-tools.sh installs it with pip")
            return
        }
        try await withHarness(today: Self.today) { harness in
            var environment = ProcessInfo.processInfo.environment
            environment.merge(harness.sandbox.environment) { _, sandbox in sandbox }
            let script = Harness.repositoryRoot.appendingPathComponent("Tests/Contracts/dataforseo_official_client.py")
            let output = try await Harness.launch(
                [script.path], environment: environment, directory: harness.directory,
                executable: URL(fileURLWithPath: python)
            ).finished.value
            #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
            #expect(output.stdout.contains("15 calls, 0 failed"), "\(output.stdout)")
        }
    }

    @Test("check proves the credentials for free, shows what is left, and exits 1 when refused, 3 when short")
    func check() async throws {
        try await withHarness(today: Self.today) { harness in
            let demo = Harness.repositoryRoot.appendingPathComponent("pipelines/demo.yml").path
            let ok = try await harness.seopipe(["check", demo])
            #expect(ok.exitCode == 0, "\(ok.stdout)\(ok.stderr)")
            #expect(
                ok.stdout.contains(
                    "provider ahrefs (ahrefs-v3): credentials ok; Sandbox (simulated), 1000000 of 1000000 units left"))
            #expect(ok.stdout.contains("provider dataforseo (dataforseo): credentials ok;"))
            #expect(ok.stdout.contains("$50.00 balance"))
            #expect(!ok.stdout.contains(SandboxConfiguration.defaultDataForSEOLogin), "the login is not printed")
            #expect(ok.stdout.contains("provider ahrefs_v2 (ahrefs-v2): no free account call"))
            #expect(harness.sandbox.usage().totalChargedRequests == 0, "checking costs nothing")

            let refused = try await harness.seopipe(
                ["check", demo], environment: ["AHREFS_API_TOKEN": "sk-WRONG-TOKEN-123"])
            #expect(refused.exitCode == 1)
            #expect(refused.stdout.contains("provider ahrefs (ahrefs-v3): credentials REFUSED: HTTP 401"))
            #expect(!(refused.stdout + refused.stderr).contains("sk-WRONG-TOKEN-123"), "the token never appears")

            let plan = try await harness.seopipe(["plan", demo, "--check"])
            #expect(plan.exitCode == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains("credentials ok"))
        }
        var short = SandboxConfiguration(today: Self.today)
        short.ahrefsUnitsLimit = 100
        try await withHarness(sandbox: short) { harness in
            let demo = Harness.repositoryRoot.appendingPathComponent("pipelines/demo.yml").path
            let output = try await harness.seopipe(["check", demo])
            #expect(output.exitCode == 3, "\(output.stdout)\(output.stderr)")
            #expect(output.stdout.contains("100 of 100 units left this month"))
            #expect(output.stdout.contains("NOT ENOUGH LEFT for this plan"))
        }
    }
}
