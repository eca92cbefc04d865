import Foundation
import Sandbox
import Testing

/// Every shipped pipeline, run with distinctive credentials at debug log level while the providers misbehave:
/// no credential appears in anything a user or a BI tool can see.
@Suite("Secrets, end to end")
struct SecretsEndToEndTests {
    static let pipelines = ["demo.yml", "ahrefs-v3.yml", "dataforseo.yml", "ahrefs-v2.yml", "analytics.yml"]

    @Test(
        "no token, login or password in output, logs, errors, JSON results or the warehouse, faults on",
        arguments: Backend.available, pipelines)
    func noCredentialAnywhere(backend: Backend, pipeline: String) async throws {
        let id = UUID().uuidString.prefix(8).lowercased()
        var configuration = SandboxConfiguration()
        configuration.ahrefsV3Token = "tokV3-\(id)-Zq9"
        configuration.dataForSEOLogin = "login-\(id)@example.com"
        configuration.dataForSEOPassword = "pw-\(id)-Xk4"
        configuration.ahrefsV2Token = "tokV2-\(id)-Wm7"
        configuration.analyticsAPIKey = "key-\(id)-Rt2"
        let secrets = [
            configuration.ahrefsV3Token, configuration.dataForSEOLogin, configuration.dataForSEOPassword,
            configuration.ahrefsV2Token, configuration.analyticsAPIKey,
            // DataForSEO's Basic credentials as they travel.
            Data("\(configuration.dataForSEOLogin):\(configuration.dataForSEOPassword)".utf8).base64EncodedString(),
        ]
        try await withHarness(backend, sandbox: configuration) { harness in
            // Each endpoint's first request fails (retried, logged), its second comes back truncated, its third
            // loses its connection, and Ahrefs v2 says "internal error" once: the error paths print what they know.
            harness.sandbox.setFaults([
                FaultRule(fromRequest: 1, count: 1, status: 500),
                FaultRule(fromRequest: 2, count: 1, truncateBody: true),
                FaultRule(fromRequest: 3, count: 1, dropConnection: true),
                FaultRule(count: 1, dialect: SimulatedAhrefsV2.Fault(error: "internal error")),
            ])
            let file = Harness.repositoryRoot.appendingPathComponent("pipelines/\(pipeline)").path
            var outputs: [Harness.Output] = []
            outputs.append(try await harness.seopipe(["plan", file]))
            let run = try await harness.seopipe(["run", file, "--log-level", "trace", "--json"])
            #expect([0, 3].contains(run.exitCode), "\(run.stderr.suffix(3000))")
            #expect(run.stderr.contains("retry 1/"), "the error paths ran: \(run.stderr.suffix(1500))")
            outputs.append(run)
            // A wrong credential too: its error message must not quote it either.
            outputs.append(
                try await harness.seopipe(
                    ["run", file, "--log-level", "trace", "--refresh"],
                    environment: [
                        "AHREFS_API_TOKEN": "wrong-\(secrets[0])", "AHREFS_V2_TOKEN": "wrong-\(secrets[3])",
                        "DATAFORSEO_PASSWORD": "wrong-\(secrets[2])", "ANALYTICS_API_KEY": "wrong-\(secrets[4])",
                    ]))
            outputs.append(try await harness.seopipe(["runs", "--json"]))
            #expect(harness.sandbox.usage().totalRequests > 0)

            let warehouse = pipeline == "demo.yml" && backend == .sqlite ? "sqlite:demo.db" : harness.warehouse
            let stored = try await harness.everyValue(in: warehouse)
            #expect(!stored.isEmpty, "the warehouse holds the run")
            var files = ""
            for name in (try? FileManager.default.contentsOfDirectory(atPath: harness.directory.path)) ?? [] {
                let data = (try? Data(contentsOf: harness.directory.appendingPathComponent(name))) ?? Data()
                files += String(decoding: data, as: UTF8.self)
            }
            for secret in secrets {
                for output in outputs {
                    #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret), "\(pipeline): output")
                }
                #expect(!stored.contains(secret), "\(pipeline): the warehouse")
                #expect(!files.contains(secret), "\(pipeline): a file beside the warehouse (db, WAL, lock)")
            }
        }
    }
}
