import Foundation
import Providers
import SeopipeCore
import Testing

@Suite("DataForSEO requests")
struct DataForSEORequestTests {
    let driver = DataForSEOProvider()

    func request(
        _ endpoint: DataForSEOProvider.Endpoint, _ targets: [String], params: [String: ParamValue] = [:],
        stageID: String = "strong_refdomains", index: Int = 0, login: String = DataForSEOFixtures.login,
        password: String = DataForSEOFixtures.password
    ) throws -> ProviderRequest {
        try driver.makeRequest(
            for: Fixtures.chunk(targets, index: index), endpoint: DataForSEOFixtures.spec(endpoint),
            context: DataForSEOFixtures.context(
                endpoint, params: params, stageID: stageID, login: login, password: password))
    }

    /// The body's one task: the body must be a JSON array holding exactly one object (Live endpoints).
    func task(_ request: ProviderRequest) throws -> [String: JSONValue] {
        guard case .array(let tasks) = try JSONValue.parse(request.http.body) else {
            Issue.record("the body must be a JSON array of tasks")
            return [:]
        }
        try #require(tasks.count == 1, "a Live endpoint takes exactly one task per POST")
        guard case .object(let task) = tasks[0] else {
            Issue.record("the task must be a JSON object")
            return [:]
        }
        return task
    }

    func header(_ name: String, in request: ProviderRequest) -> [String] {
        request.http.headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    func tag(_ request: ProviderRequest) throws -> String {
        try #require(task(request)["tag"]?.string)
    }

    @Test(
        "sends a POST to base_url/endpoint with Basic base64(login:password) and a JSON content type",
        arguments: DataForSEOProvider.Endpoint.allCases)
    func envelope(endpoint: DataForSEOProvider.Endpoint) throws {
        let request = try request(endpoint, ["dataforseo.com"])
        #expect(request.http.method == "POST")
        #expect(request.http.url == "https://api.dataforseo.com/v3/" + endpoint.rawValue)
        let authorization = header("Authorization", in: request)
        try #require(authorization.count == 1)
        let scheme = "Basic "
        try #require(authorization[0].hasPrefix(scheme))
        let decoded = try #require(Data(base64Encoded: String(authorization[0].dropFirst(scheme.count))))
        #expect(String(decoding: decoded, as: UTF8.self) == "seo-team@example.com:pw-FIXTURE-4d2e7b")
        #expect(header("Content-Type", in: request) == ["application/json"])
    }

    @Test(
        "sends exactly one task with only targets and tag when no parameter is set",
        arguments: DataForSEOProvider.Endpoint.allCases)
    func minimalTask(endpoint: DataForSEOProvider.Endpoint) throws {
        let targets = ["dataforseo.com", "https://dataforseo.com/about-us", "blog.example.org"]
        let task = try task(request(endpoint, targets))
        #expect(Set(task.keys) == ["targets", "tag"])
        #expect(task["targets"] == .array(targets.map { .string($0) }))
        #expect(task["tag"]?.string?.isEmpty == false)
    }

    @Test(
        "sends include_subdomains on bulk_pages_summary as a JSON boolean when set",
        arguments: [
            ("false", false), ("true", true), ("no", false), ("yes", true), ("FALSE", false),
        ])
    func includeSubdomains(value: String, expected: Bool) throws {
        let task = try task(request(.pagesSummary, ["dataforseo.com"], params: ["include_subdomains": .string(value)]))
        #expect(Set(task.keys) == ["targets", "tag", "include_subdomains"])
        #expect(task["include_subdomains"] == .bool(expected))
    }

    @Test("sends rank_scale on bulk_ranks when set", arguments: ["one_hundred", "one_thousand"])
    func rankScale(scale: String) throws {
        let task = try task(request(.ranks, ["dataforseo.com"], params: ["rank_scale": .string(scale)]))
        #expect(Set(task.keys) == ["targets", "tag", "rank_scale"])
        #expect(task["rank_scale"] == .string(scale))
    }

    @Test("sends date_from on bulk_new_lost_backlinks when set")
    func dateFrom() throws {
        let task = try task(
            request(.newLostBacklinks, ["dataforseo.com"], params: ["date_from": .string("2026-01-18")]))
        #expect(Set(task.keys) == ["targets", "tag", "date_from"])
        #expect(task["date_from"] == .string("2026-01-18"))
    }

    @Test(
        "sends each optional field only to the endpoint that documents it",
        arguments: DataForSEOProvider.Endpoint.allCases)
    func optionalFieldsPerEndpoint(endpoint: DataForSEOProvider.Endpoint) throws {
        let params: [String: ParamValue] = [
            "include_subdomains": .string("false"), "rank_scale": .string("one_hundred"),
            "date_from": .string("2026-01-18"),
        ]
        let task = try task(request(endpoint, ["dataforseo.com"], params: params))
        let expected: Set<String> =
            switch endpoint {
            case .pagesSummary: ["targets", "tag", "include_subdomains", "rank_scale"]
            case .ranks: ["targets", "tag", "rank_scale"]
            case .newLostBacklinks, .newLostReferringDomains: ["targets", "tag", "date_from"]
            case .backlinks, .referringDomains, .spamScore: ["targets", "tag"]
            }
        #expect(Set(task.keys) == expected)
    }

    @Test("sends the chunk's normalized targets in the chunk's order, not the originals")
    func normalizedTargetsInOrder() throws {
        let chunk = Fixtures.chunk([
            (original: "www.Moz.com", normalized: "moz.com"),
            (original: "https://DataForSEO.com/about-us", normalized: "https://dataforseo.com/about-us"),
            (original: "Ahrefs.com", normalized: "ahrefs.com"),
        ])
        let request = try driver.makeRequest(
            for: chunk, endpoint: DataForSEOFixtures.spec(.pagesSummary),
            context: DataForSEOFixtures.context(.pagesSummary))
        #expect(
            try task(request)["targets"]
                == .array([
                    .string("moz.com"), .string("https://dataforseo.com/about-us"), .string("ahrefs.com"),
                ]))
    }

    @Test("names the stage and the chunk in the tag")
    func tagNamesStageAndChunk() throws {
        let seventh = try tag(request(.pagesSummary, ["dataforseo.com"], stageID: "strong_refdomains", index: 6))
        let eighth = try tag(request(.pagesSummary, ["dataforseo.com"], stageID: "strong_refdomains", index: 7))
        #expect(seventh.contains("strong_refdomains"))
        // Index 6 is chunk 7 counted from 1; either numbering names it.
        #expect(seventh.contains("6") || seventh.contains("7"))
        #expect(seventh != eighth, "two chunks of one stage must be told apart in DataForSEO's logs")
        #expect(seventh.count <= 255)
    }

    @Test("keeps the tag within DataForSEO's 255 characters for any valid stage id")
    func tagLength() throws {
        // The pipeline loader accepts a stage id of any length (letters, digits, `_`); the seed caps `tag` at 255.
        let longID = String(repeating: "competitor_refdomains_", count: 15)  // 330 characters
        let first = try tag(request(.pagesSummary, ["dataforseo.com"], stageID: longID, index: 0))
        let second = try tag(request(.pagesSummary, ["dataforseo.com"], stageID: longID, index: 1))
        #expect(first != second, "the chunk must still be named when the stage id is shortened")
        #expect(first.count <= 255)
        #expect(second.count <= 255)
    }

    @Test("never puts the login or password in the body or the request hash")
    func credentialsOnlyInHeader() throws {
        let request = try request(.pagesSummary, ["dataforseo.com"])
        let body = String(decoding: request.http.body, as: UTF8.self)
        let basic = Data("\(DataForSEOFixtures.login):\(DataForSEOFixtures.password)".utf8).base64EncodedString()
        for secret in [DataForSEOFixtures.password, DataForSEOFixtures.login, basic] {
            #expect(!body.contains(secret))
            #expect(!request.requestHash.contains(secret))
        }
    }

    @Test("gives equal chunks the same request hash")
    func stableHash() throws {
        let params: [String: ParamValue] = ["include_subdomains": .string("false")]
        let first = try request(.pagesSummary, ["dataforseo.com", "https://moz.com/blog"], params: params)
        let second = try request(.pagesSummary, ["dataforseo.com", "https://moz.com/blog"], params: params)
        #expect(first.requestHash == second.requestHash)
        #expect(!first.requestHash.isEmpty)
    }

    @Test("keeps the request hash when only the password or the login changes")
    func hashWithoutCredentials() throws {
        let base = try request(.ranks, ["dataforseo.com"])
        let newPassword = try request(.ranks, ["dataforseo.com"], password: "rotated-password-9")
        let newLogin = try request(.ranks, ["dataforseo.com"], login: "other@example.com")
        #expect(newPassword.requestHash == base.requestHash)
        #expect(newLogin.requestHash == base.requestHash)
        // The credentials did change what is sent: only the hash ignores them.
        #expect(header("Authorization", in: newPassword) != header("Authorization", in: base))
    }

    @Test("gives different targets, endpoints or parameters different request hashes")
    func hashDistinguishes() throws {
        let base = try request(.pagesSummary, ["dataforseo.com"])
        #expect(try request(.pagesSummary, ["moz.com"]).requestHash != base.requestHash)
        #expect(try request(.pagesSummary, ["dataforseo.com", "moz.com"]).requestHash != base.requestHash)
        #expect(try request(.pagesSummary, ["https://dataforseo.com/"]).requestHash != base.requestHash)
        // Same targets, another endpoint: another answer, so another checkpoint.
        #expect(try request(.backlinks, ["dataforseo.com"]).requestHash != base.requestHash)
        let withSubdomains = try request(
            .pagesSummary, ["dataforseo.com"], params: ["include_subdomains": .string("true")])
        let withoutSubdomains = try request(
            .pagesSummary, ["dataforseo.com"], params: ["include_subdomains": .string("false")])
        #expect(withSubdomains.requestHash != withoutSubdomains.requestHash)
        let hundred = try request(.ranks, ["dataforseo.com"], params: ["rank_scale": .string("one_hundred")])
        let thousand = try request(.ranks, ["dataforseo.com"], params: ["rank_scale": .string("one_thousand")])
        #expect(hundred.requestHash != thousand.requestHash)
    }

    @Test("refuses to build a request for an endpoint it does not offer")
    func unknownEndpoint() {
        let spec = EndpointSpec(
            name: "backlinks/summary/live", targetKind: .domainOrURL, table: "x", parameters: [], maxBatchSize: 1000)
        #expect(throws: ProviderDecodingError.self) {
            try driver.makeRequest(
                for: Fixtures.chunk(["dataforseo.com"]), endpoint: spec,
                context: DataForSEOFixtures.context(.pagesSummary))
        }
    }

    @Test(
        "estimates USD 0.02 a task plus 0.00003 a target",
        arguments: [
            (1, 0.02003), (2, 0.02006), (100, 0.023), (1000, 0.05),
        ])
    func estimatedCost(targets: Int, usd: Double) {
        for endpoint in DataForSEOProvider.Endpoint.allCases {
            let estimate = driver.estimatedCostUSD(targetCount: targets, endpoint: DataForSEOFixtures.spec(endpoint))
            #expect(abs(estimate - usd) < 1e-12, "\(endpoint.rawValue): \(estimate)")
        }
    }

    @Test("offers the seven bulk Live endpoints, 1000 domains or URLs each, each into its own table")
    func endpoints() {
        #expect(
            Set(driver.endpoints.map(\.name)) == [
                "backlinks/bulk_pages_summary/live", "backlinks/bulk_ranks/live", "backlinks/bulk_backlinks/live",
                "backlinks/bulk_referring_domains/live", "backlinks/bulk_spam_score/live",
                "backlinks/bulk_new_lost_backlinks/live", "backlinks/bulk_new_lost_referring_domains/live",
            ])
        #expect(driver.endpoints.allSatisfy { $0.maxBatchSize == 1000 && $0.targetKind == .domainOrURL })
        #expect(DataForSEOFixtures.spec(.pagesSummary).table == "dataforseo_page_summary")
        #expect(Set(driver.endpoints.map(\.table)).count == 7)
    }
}

@Suite("DataForSEO response classification")
struct DataForSEOClassifyTests {
    let driver = DataForSEOProvider()

    @Test("treats top-level 20000 with a task 20000 as success")
    func success() {
        let body = DataForSEOFixtures.success(items: [
            #"{"type": "backlinks_page_summary", "url": "dataforseo.com", "rank": 1}"#
        ])
        #expect(driver.classify(Fixtures.response(body)) == .success)
    }

    @Test("treats the seed's full example response as success")
    func seedSuccess() {
        #expect(driver.classify(Fixtures.response(DataForSEODecodeTests.seedResponse)) == .success)
    }

    @Test("retries a top-level 40202 rate limit, keeping the code and the message")
    func rateLimited() {
        let response = Fixtures.response(DataForSEOFixtures.topLevelError(40202, "Rate limit per minute exceeded."))
        guard case .retryable(let message, _) = driver.classify(response) else {
            Issue.record("40202 must be retryable")
            return
        }
        #expect(message.contains("40202"))
        #expect(message.contains("Rate limit per minute exceeded."))
    }

    @Test(
        "stops spending on a top-level 40200 or 40203, keeping the code and the message",
        arguments: [
            (40200, "Payment Required."), (40203, "Cost limit exceeded."),
        ])
    func exhausted(code: Int, apiMessage: String) {
        let response = Fixtures.response(DataForSEOFixtures.topLevelError(code, apiMessage))
        guard case .exhausted(let message) = driver.classify(response) else {
            Issue.record("\(code) must exhaust the provider")
            return
        }
        #expect(message.contains("\(code)"))
        #expect(message.contains(apiMessage))
    }

    @Test("stops spending on a task-level 40200 too")
    func taskExhausted() {
        let response = Fixtures.response(DataForSEOFixtures.taskError(40200, "Payment Required."))
        guard case .exhausted(let message) = driver.classify(response) else {
            Issue.record("a task-level 40200 must exhaust the provider")
            return
        }
        #expect(message.contains("40200"))
        #expect(message.contains("Payment Required."))
    }

    @Test(
        "retries the transient top-level codes",
        arguments: [
            (50000, "Internal Server Error."), (50301, "Service Temporarily Unavailable."),
            (50303, "Backlinks database is temporarily unavailable."), (50401, "Gateway Timeout."),
            (40103, "Your account's authorization is in progress."),
        ])
    func transient(code: Int, apiMessage: String) {
        let response = Fixtures.response(DataForSEOFixtures.topLevelError(code, apiMessage))
        guard case .retryable(let message, _) = driver.classify(response) else {
            Issue.record("\(code) must be retryable")
            return
        }
        #expect(message.contains("\(code)"))
        #expect(message.contains(apiMessage))
    }

    @Test(
        "retries a task-level rate limit or server error",
        arguments: [
            (40202, "Rate limit per minute exceeded."), (50000, "Internal Server Error."),
        ])
    func taskTransient(code: Int, apiMessage: String) {
        let response = Fixtures.response(DataForSEOFixtures.taskError(code, apiMessage))
        guard case .retryable(let message, _) = driver.classify(response) else {
            Issue.record("a task-level \(code) must be retryable")
            return
        }
        #expect(message.contains("\(code)"))
        #expect(message.contains(apiMessage))
    }

    @Test("rejects the task (not the stage) on a task-level 40501, with the API's message")
    func invalidField() {
        let response = Fixtures.response(DataForSEOFixtures.taskError(40501, "Invalid Field: 'targets'."))
        guard case .rejected(let message) = driver.classify(response) else {
            Issue.record("a task-level 40501 must reject the task")
            return
        }
        #expect(message.contains("40501"))
        #expect(message.contains("Invalid Field: 'targets'."))
    }

    @Test("never retries a top-level 40100 sent with HTTP 401, and keeps the message")
    func unauthorized() {
        let response = Fixtures.response(
            status: 401, DataForSEOFixtures.topLevelError(40100, "You are not authorized to access this resource."))
        guard case .fatal(let message) = driver.classify(response) else {
            Issue.record("40100 must be fatal")
            return
        }
        #expect(message.contains("40100"))
        #expect(message.contains("You are not authorized to access this resource."))
    }

    @Test("retries an HTTP 500 whose body is not JSON")
    func serverErrorText() {
        let response = Fixtures.response(status: 500, "<html><body>502 Bad Gateway</body></html>")
        guard case .retryable(let message, _) = driver.classify(response) else {
            Issue.record("HTTP 500 must be retryable")
            return
        }
        #expect(message.contains("500"))
    }

    @Test(
        "retries an HTTP 200 with a truncated or empty body instead of calling it success",
        arguments: [
            String(DataForSEODecodeTests.seedResponse.prefix(600)),
            String(DataForSEODecodeTests.seedResponse.dropLast(3)),
            #"{"version": "0.1.20240422", "status_code": 20000, "status_message": "Ok.", "tasks": [{"status_code": 2"#,
            "",
        ])
    func truncated(body: String) {
        let result = driver.classify(Fixtures.response(body))
        guard case .retryable = result else {
            Issue.record("a truncated 200 must be retryable, got \(result)")
            return
        }
    }
}

@Suite("DataForSEO target normalization")
struct DataForSEONormalizeTests {
    let driver = DataForSEOProvider()

    func normalize(_ raw: String) -> Result<String, TargetFailure> {
        driver.normalize(raw, for: DataForSEOFixtures.spec(.pagesSummary))
    }

    @Test(
        "lower-cases domains and drops a scheme-less www.",
        arguments: [
            ("www.Moz.com", "moz.com"),
            ("WWW.DATAFORSEO.COM", "dataforseo.com"),
            ("Ahrefs.com", "ahrefs.com"),
            ("  www.example.org ", "example.org"),
            ("Blog.Example.com", "blog.example.com"),
        ])
    func domains(raw: String, expected: String) throws {
        for endpoint in DataForSEOProvider.Endpoint.allCases {
            #expect(try driver.normalize(raw, for: DataForSEOFixtures.spec(endpoint)).get() == expected)
        }
    }

    @Test(
        "keeps a page URL's path and query and lower-cases its host",
        arguments: [
            ("https://DataForSEO.com/About-Us?ref=Nav", "https://dataforseo.com/About-Us?ref=Nav"),
            ("https://dataforseo.com/", "https://dataforseo.com/"),
            ("https://dataforseo.com/solutions", "https://dataforseo.com/solutions"),
            ("http://Blog.Example.ORG/a/b?x=1&y=2", "http://blog.example.org/a/b?x=1&y=2"),
        ])
    func urls(raw: String, expected: String) throws {
        #expect(try normalize(raw).get() == expected)
    }

    @Test(
        "refuses a page without a scheme and suggests the https:// form",
        arguments: [("example.com/page", "https://example.com/page"), ("www.moz.com/blog", "https://www.moz.com/blog")])
    func pageWithoutScheme(raw: String, suggestion: String) {
        guard case .failure(let failure) = normalize(raw) else {
            Issue.record("\(raw) must be refused")
            return
        }
        #expect(failure.target == raw)
        #expect(failure.message.contains(suggestion))
    }

    @Test(
        "refuses what is not a domain name",
        arguments: [
            "", "   ", "localhost", "exa mple.com", "-example.com", "example-.com", "example..com", "ex_ample.com",
        ])
    func invalidDomains(raw: String) {
        guard case .failure = normalize(raw) else {
            Issue.record("\(raw) must be refused")
            return
        }
    }

    @Test(
        "reports a refused target exactly as the user wrote it",
        arguments: [
            "localhost", "ex_ample.com", "ftp://example.com/file",
        ])
    func refusedAsWritten(raw: String) {
        guard case .failure(let failure) = normalize(raw) else {
            Issue.record("\(raw) must be refused")
            return
        }
        #expect(failure.target == raw)
    }

    @Test(
        "reports a refused target with surrounding spaces exactly as the user wrote it, like the Ahrefs provider",
        arguments: ["   ", " ex_ample.com ", " ftp://example.com/file"])
    func refusedAsWrittenWithSpaces(raw: String) {
        guard case .failure(let failure) = normalize(raw) else {
            Issue.record("`\(raw)` must be refused")
            return
        }
        #expect(failure.target == raw)
    }

    @Test(
        "refuses a URL that is not an absolute http(s) URL",
        arguments: ["ftp://example.com/file", "https://", "https:///page"])
    func invalidURLs(raw: String) {
        guard case .failure(let failure) = normalize(raw) else {
            Issue.record("\(raw) must be refused")
            return
        }
        #expect(failure.target == raw)
    }
}

@Suite("DataForSEO chunking")
struct DataForSEOChunkTests {
    let driver = DataForSEOProvider()

    func targets(_ texts: [String]) -> [Target] {
        texts.map { Target(original: $0, normalized: $0) }
    }

    /// The distinct hosts of a chunk's page URLs (bare domains count none).
    func hosts(_ chunk: Chunk) -> Set<String> {
        Set(
            chunk.targets.compactMap {
                $0.normalized.contains("://") ? URLComponents(string: $0.normalized)?.host : nil
            })
    }

    @Test("splits page URLs from 101 hosts into 2 chunks of at most 100 hosts each")
    func hostLimit() {
        let pages = (0..<101).flatMap { host in (0..<3).map { "https://site\(host).com/page-\($0)" } }
        let chunks = driver.chunks(targets(pages), size: 1000, endpoint: DataForSEOFixtures.spec(.pagesSummary))
        #expect(chunks.count == 2)
        #expect(chunks.allSatisfy { hosts($0).count <= 100 && $0.targets.count <= 1000 })
        #expect(chunks.map(\.index) == [0, 1])
        let sent = chunks.flatMap(\.targets).map(\.normalized)
        #expect(sent.count == pages.count)
        #expect(Set(sent) == Set(pages))
    }

    @Test("keeps 1000 bare domains in one chunk")
    func bareDomains() {
        let domains = (0..<1000).map { "domain\($0).com" }
        let chunks = driver.chunks(targets(domains), size: 1000, endpoint: DataForSEOFixtures.spec(.pagesSummary))
        #expect(chunks.count == 1)
        #expect(chunks.first?.targets.count == 1000)
        #expect(Set(chunks.first?.targets.map(\.normalized) ?? []) == Set(domains))
    }

    @Test("honours a batch size of 300", arguments: [false, true])
    func batchSize(pagesToo: Bool) {
        var texts = (0..<1000).map { "domain\($0).com" }
        if pagesToo { texts += (0..<150).map { "https://host\($0).org/p" } }
        let chunks = driver.chunks(targets(texts), size: 300, endpoint: DataForSEOFixtures.spec(.ranks))
        #expect(chunks.count == (texts.count + 299) / 300)
        #expect(chunks.allSatisfy { $0.targets.count <= 300 && hosts($0).count <= 100 })
        let sent = chunks.flatMap(\.targets).map(\.normalized)
        #expect(sent.count == texts.count)
        #expect(Set(sent) == Set(texts))
    }
}
