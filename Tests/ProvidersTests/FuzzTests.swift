import Foundation
import Providers
import SeopipeCore
import Testing

/// A small, seeded mutator: byte flips, deletions, duplications, insertions of characters that matter to YAML
/// and JSON, truncation, and line swaps. Deterministic per seed, so a failure names the seed that reproduces it.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }

    static let significant = Array(":-[]{}\"'#&*!|>%@`,\n\t\\ 0\u{0}é\u{FEFF}".utf8)

    /// 1-4 mutations of `text`.
    mutating func mutate(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        for _ in 0...below(4) {
            guard !bytes.isEmpty else { break }
            let at = below(bytes.count)
            switch below(7) {
            case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << below(8))
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(12)))
            case 2: bytes.insert(Self.significant[below(Self.significant.count)], at: at)
            case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + below(20))], at: below(bytes.count))
            case 4: bytes.removeSubrange(at...)
            case 5:
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if lines.count > 1 { lines.swapAt(below(lines.count), below(lines.count)) }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            default: bytes[at] = Self.significant[below(Self.significant.count)]
            }
        }
        return bytes
    }
}

@Suite("Fuzzed inputs")
struct FuzzTests {
    static let token = "sk-FUZZ-LEAK-91c2"

    static let pipeline = """
        name: fuzzed
        schedule: "15 3 * * *"
        warehouse: sqlite:fuzz.db
        providers:
          ahrefs:
            kind: ahrefs-v3
            base_url: https://api.ahrefs.com/v3
            token: ${AHREFS_API_TOKEN}
            rate_limit: 60/min
            retry: { max_attempts: 5, base_delay: 1s, max_delay: 60s }
            budget: { max_units: 20000 }
          dfs:
            kind: dataforseo
            base_url: https://api.dataforseo.com/v3
            login: me@example.com
            password: ${AHREFS_API_TOKEN}
        options: { fail_fast: false, parallel_limit: 5, include_timing: true }
        stages:
          - id: metrics
            provider: ahrefs
            endpoint: site-explorer/batch/metrics
            targets: [a.com, b.com]
            params: { select: "org_keywords,org_traffic,domain_rating" }
          - id: pages
            depends_on: [metrics]
            provider: dfs
            endpoint: backlinks/bulk_pages_summary/live
            targets: { from_sql: "SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot" }
            load: { raw_responses: true }

        """

    @Test("mutated pipeline files load or are refused with located errors; never a crash, never the token")
    func pipelineParser() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("fuzzed.yml")
        let loader = PipelineLoader(registry: .builtin, environment: ["AHREFS_API_TOKEN": Self.token])
        #expect(throws: Never.self) { try loader.load(yaml: Self.pipeline, file: file) }
        var refused = 0
        var mutator = Mutator(seed: 20_261_125)
        for round in 0..<3000 {
            let text = String(decoding: mutator.mutate(Self.pipeline), as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                _ = try loader.load(yaml: text, file: file)
            } catch {
                refused += 1
                #expect(!error.errors.isEmpty, "round \(round)")
                for problem in error.errors {
                    let place = problem.location
                    #expect(
                        place.line >= 1 && place.line <= lines + 1 && place.column >= 1,
                        "round \(round): \(problem) points outside the file (\(lines) lines)")
                    #expect(!problem.message.isEmpty, "round \(round)")
                    #expect(!"\(problem)".contains(Self.token), "round \(round): the token leaked: \(problem)")
                }
            }
        }
        #expect(refused > 1500, "most mutations break the file (\(refused) of 3000 refused)")
    }

    @Test("mutated Ahrefs v3 and DataForSEO answers decode or fail with ProviderDecodingError; never a crash")
    func decoders() throws {
        let ahrefs = AhrefsV3Provider()
        let ahrefsChunk = Fixtures.chunk(["example.com", "competitor1.com"])
        let ahrefsBody = """
            {"results": [
              {"target": "example.com", "metrics": {"org_keywords": 6926, "org_traffic": 38707, "domain_rating": 65}},
              {"target": "competitor1.com", "metrics": {"org_keywords": 14573, "org_traffic": 67088, "domain_rating": 72}}
            ]}
            """
        let dataForSEO = DataForSEOProvider()
        var mutator = Mutator(seed: 7)
        var failures = 0
        for round in 0..<2000 {
            do {
                _ = try ahrefs.decode(
                    HTTPResponseData(status: 200, headers: [], body: mutator.mutate(ahrefsBody)), chunk: ahrefsChunk,
                    endpoint: Fixtures.spec(.batchMetrics),
                    context: Fixtures.context(.batchMetrics), stamp: Fixtures.stamp)
            } catch {
                failures += 1
                #expect(error is ProviderDecodingError, "round \(round): \(type(of: error)) \(error)")
            }
            do {
                _ = try dataForSEO.decode(
                    HTTPResponseData(
                        status: 200, headers: [], body: mutator.mutate(DataForSEODecodeTests.seedResponse)),
                    chunk: DataForSEODecodeTests.seedChunk, endpoint: DataForSEOFixtures.spec(.pagesSummary),
                    context: DataForSEOFixtures.context(.pagesSummary), stamp: Fixtures.stamp)
            } catch {
                failures += 1
                #expect(error is ProviderDecodingError, "round \(round): \(type(of: error)) \(error)")
            }
        }
        #expect(failures > 0)
    }

    @Test("mutated Ahrefs v2 refdomains answers decode or fail with ProviderDecodingError; never a crash")
    func ahrefsV2Decoder() throws {
        let driver = AhrefsV2Provider()
        let endpoint = try #require(driver.endpoint(named: "refdomains"))
        let stage = Stage(
            id: "refdomains", dependsOn: [], provider: "ahrefs_v2", endpoint: "refdomains", targets: .list([]),
            params: ["mode": .string("domain"), "limit": .string("2")], table: endpoint.table,
            location: Fixtures.location)
        let provider = ProviderConfig(
            name: "ahrefs_v2", kind: "ahrefs-v2", baseURL: "https://apiv2.ahrefs.com",
            credentials: ["token": Secret("t")],
            rateLimit: RateLimit(requests: 60, per: .seconds(60)), retry: RetryPolicy(), budget: Budget())
        let context = RequestContext(stage: stage, provider: provider, snapshotDate: SnapshotDate("2026-11-20")!)
        let chunk = Fixtures.chunk(["ahrefs.com"])
        let body = """
            {"refdomains": [
              {"refdomain": "moz.com", "backlinks": 120, "refpages": 40, "first_seen": "2019-03-02T10:00:00Z",
               "last_visited": "2026-11-18T08:12:00Z", "domain_rating": 91},
              {"refdomain": "semrush.com", "backlinks": 33, "refpages": 12, "first_seen": "2020-01-05T00:00:00Z",
               "last_visited": "2026-11-19T01:00:00Z", "domain_rating": 90}],
             "stats": {"refdomains": 2, "ips": 2, "class_c": 2}}
            """
        _ = try driver.decode(
            HTTPResponseData(status: 200, headers: [], body: Array(body.utf8)), chunk: chunk, endpoint: endpoint,
            context: context, stamp: Fixtures.stamp)
        var mutator = Mutator(seed: 13)
        var refused = 0
        for round in 0..<2000 {
            do {
                _ = try driver.decode(
                    HTTPResponseData(status: 200, headers: [], body: mutator.mutate(body)), chunk: chunk,
                    endpoint: endpoint, context: context, stamp: Fixtures.stamp)
            } catch {
                refused += 1
                #expect(error is ProviderDecodingError, "round \(round): \(type(of: error)) \(error)")
            }
        }
        #expect(refused > 0)
    }
}
