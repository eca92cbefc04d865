import Foundation
import Testing

@testable import Sandbox

/// The registry of simulated providers: what each brings (base URL, credentials, fault dialect) reaches the
/// environment, the server and the faults control route without the shared code naming it.
@Suite("Simulated provider registry", .serialized)
struct SimulatedProvidersTests {
    @Test("the environment has every registered base URL and credential, with its default, and nothing else")
    func environmentFromRegistry() async throws {
        try await withSandbox { sandbox in
            var expected: [String: String] = [:]
            for provider in SimulatedProviders.all {
                expected[provider.baseURLVariable] = sandbox.baseURL + provider.pathPrefix
                for credential in provider.credentials {
                    expected[credential.variable] = credential.defaultValue
                }
            }
            #expect(sandbox.environment == expected)
            #expect(!expected.isEmpty)
        }
    }

    @Test("no two simulated providers claim the same variable, path or fault key")
    func nothingClaimedTwice() {
        let variables = SimulatedProviders.all.flatMap { [$0.baseURLVariable] + $0.credentials.map(\.variable) }
        #expect(Set(variables).count == variables.count, "\(variables)")
        let paths = SimulatedProviders.all.flatMap { $0.init(SandboxConfiguration()).endpoints.map(\.path) }
        #expect(Set(paths).count == paths.count, "the server would route a shared path to one provider only")
        let keys = FaultRule.documentedKeys
        #expect(Set(keys).count == keys.count, "\(keys)")
    }

    @Test("a credential set by its variable name is what the environment prints and what the provider accepts")
    func credentialsByVariable() async throws {
        let configuration = SandboxConfiguration(credentials: ["AHREFS_API_TOKEN": "tok-by-name"])
        #expect(configuration.ahrefsV3Token == "tok-by-name")
        #expect(configuration.credentials["AHREFS_V2_TOKEN"] == SandboxConfiguration.defaultAhrefsV2Token)
        try await withSandbox(configuration) { sandbox in
            #expect(sandbox.environment["AHREFS_API_TOKEN"] == "tok-by-name")
            let path = "/v3/site-explorer/batch/metrics"
            let refused = try await call(sandbox, path, body: domainBody(["example.com"]))
            #expect(refused.status == 401)
            let served = try await call(sandbox, path, body: domainBody(["example.com"]), token: "tok-by-name")
            #expect(served.status == 200)
        }
    }

    @Test("every registered provider serves under its own path prefix")
    func endpointsUnderPrefix() {
        for provider in SimulatedProviders.all {
            let endpoints = provider.init(SandboxConfiguration()).endpoints
            #expect(!endpoints.isEmpty)
            #expect(endpoints.allSatisfy { $0.path.hasPrefix(provider.pathPrefix) }, "\(provider)")
        }
    }

    @Test("the faults control route keeps each dialect's keys in the rule's own JSON object")
    func dialectKeysRoundTrip() async throws {
        try await withSandbox { sandbox in
            let rules = #"""
                [{"endpoint": "backlinks/bulk_ranks/live", "count": 1, "dataforseo_task_status_code": 40501},
                 {"endpoint": "v2", "ahrefs_v2_error": "no credit", "seed": 3},
                 {"endpoint": "batch", "analytics_query_error": "internal_error", "analytics_query_id": "pages"}]
                """#
            let installed = try await call(sandbox, "/_sandbox/faults", body: rules, token: nil)
            #expect(installed.status == 200)
            let listed = try await call(sandbox, "/_sandbox/faults", method: "GET", token: nil, contentType: nil)
            let objects = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]])
            #expect(objects.count == 3)
            #expect(objects[0]["dataforseo_task_status_code"] as? Int == 40501)
            #expect(objects[0]["dataforseo_status_code"] == nil)
            #expect(objects[1]["ahrefs_v2_error"] as? String == "no credit")
            #expect(objects[2]["analytics_query_error"] as? String == "internal_error")
            #expect(objects[2]["analytics_query_id"] as? String == "pages")
            #expect(objects.allSatisfy { $0["status"] as? Int == 200 }, "a dialect's rule answers 200 unless told")
            #expect(
                try listed.decodeAsIs([FaultRule].self) == [
                    FaultRule(
                        endpoint: "backlinks/bulk_ranks/live", count: 1,
                        dialect: SimulatedDataForSEO.Fault(taskStatusCode: 40501)),
                    FaultRule(endpoint: "v2", dialect: SimulatedAhrefsV2.Fault(error: "no credit"), seed: 3),
                    FaultRule(
                        endpoint: "batch",
                        dialect: SimulatedAnalyticsBatch.Fault(queryError: "internal_error", queryID: "pages")),
                ])
        }
    }

    @Test("the faults control route's refusals name every registered dialect, as they always have")
    func refusalsNameDialects() async throws {
        try await withSandbox { sandbox in
            let malformed = try await call(sandbox, "/_sandbox/faults", body: #"[{"status":"soon"}]"#, token: nil)
            #expect(malformed.status == 400)
            // The message as it was before the registry, for today's providers; a later provider adds its keys last.
            let message = try #require(malformed.errorMessage)
            #expect(
                message.hasPrefix(
                    "Body must be a JSON array of fault rules ({\"endpoint\", \"from_request\", \"count\", \"status\", "
                        + "\"retry_after_seconds\", \"body\", \"dataforseo_status_code\", \"dataforseo_task_status_code\", "
                        + "\"ahrefs_v2_error\", \"analytics_query_error\", \"analytics_query_id\""),
                "\(message)")
            #expect(message.hasSuffix("}): wrong type at [0].status"), "\(message)")
            for key in SimulatedProviders.faultDialects.flatMap({ $0.keys }) {
                #expect(message.contains("\"\(key)\""), "\(key)")
            }

            let mixed = try await call(
                sandbox, "/_sandbox/faults", body: #"[{"analytics_query_error":"x","dataforseo_status_code":40202}]"#,
                token: nil)
            #expect(mixed.status == 400)
            let summaries = SimulatedProviders.faultDialects.map { $0.summary }
            let last = try #require(summaries.last)
            #expect(
                mixed.errorMessage
                    == "Fault rule 0: a rule carries one provider's in-body error only ("
                    + summaries.dropLast().joined(separator: ", ") + " or " + last + ")")
            #expect(summaries.prefix(3) == ["a DataForSEO status code", "ahrefs_v2_error", "analytics_query_error"])
        }
    }

    @Test("a rule in one provider's dialect is answered by that provider only, in its format")
    func dialectScope() async throws {
        try await withSandbox(SandboxConfiguration(today: "2026-03-18")) { sandbox in
            sandbox.setFaults([FaultRule(dialect: SimulatedAhrefsV2.Fault(error: "no credit"))])
            let v3 = try await call(sandbox, "/v3/site-explorer/batch/metrics", body: domainBody(["example.com"]))
            #expect(v3.status == 200)
            let v2 = try await callV2(sandbox, v2Query())
            #expect(v2.status == 200)
            #expect(v2.body == #"{"error":"no credit"}"#)
            #expect(sandbox.usage().requestLog.map(\.fault) == [nil, "ahrefs_v2 no credit"])
        }
    }
}
