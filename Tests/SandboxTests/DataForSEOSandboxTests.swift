import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

@Suite("DataForSEO sandbox", .serialized)
struct DataForSEOSandboxTests {
    static let today = "2026-02-18"
    static let configuration = SandboxConfiguration(today: today)

    // MARK: - bulk_pages_summary

    @Test("a valid bulk_pages_summary task returns every documented field with values equal to DataForSEOData")
    func pagesSummary() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = [
                "dataforseo.com", "blog.dataforseo.com", "https://dataforseo.com/about-us",
                "http://example.co.uk/a?b=1",
                "nothing-here.invalid",
            ]
            let answer = try await callDataForSEO(
                sandbox, "bulk_pages_summary",
                body: dataForSEOBody(targets, extra: #""tag":"run-42","include_subdomains":false"#))
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let response = try answer.decodeAsIs(DataForSEOResponse<DataForSEOPageSummary>.self)
            #expect(response.version == "0.1.20240422")
            #expect(response.statusCode == 20000)
            #expect(response.statusMessage == "Ok.")
            #expect(response.time.hasSuffix(" sec."))
            #expect(response.tasksCount == 1)
            #expect(response.tasksError == 0)
            let task = try #require(response.tasks.first)
            #expect(task.statusCode == 20000)
            #expect(task.statusMessage == "Ok.")
            #expect(task.resultCount == 1)
            #expect(task.path == ["v3", "backlinks", "bulk_pages_summary", "live"])
            #expect(
                task.id.range(
                    of: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", options: .regularExpression)
                    != nil)
            let result = try #require(task.result?.first)
            #expect(result.totalCount == targets.count)
            #expect(result.itemsCount == targets.count)
            #expect(result.items == targets.map { DataForSEOData.pageSummary(target: $0, date: Self.today) })

            // Exactly the documented keys, in every item, nulls written out.
            for item in try #require(answer.itemObjects) {
                #expect(Set(item.keys) == Set(DataForSEOPageSummary.fieldNames))
                #expect(item["type"] as? String == "backlinks_page_summary")
            }
            #expect(DataForSEOPageSummary.fieldNames.count == 24)

            // The task's data echoes what was sent, plus api and function.
            let data = try #require(answer.firstTask?["data"] as? [String: Any])
            #expect(data["api"] as? String == "backlinks")
            #expect(data["function"] as? String == "bulk_pages_summary")
            #expect(data["tag"] as? String == "run-42")
            #expect(data["include_subdomains"] as? Bool == false)
            #expect(data["targets"] as? [String] == targets)

            // The same body gets the same task id.
            let again = try await callDataForSEO(
                sandbox, "bulk_pages_summary",
                body: dataForSEOBody(targets, extra: #""tag":"run-42","include_subdomains":false"#))
            #expect(try again.decodeAsIs(DataForSEOResponse<DataForSEOPageSummary>.self).tasks.first?.id == task.id)
        }
    }

    @Test("nested maps are string-to-integer objects, null where there is no data, and the seed's not-in-index item")
    func nestedMaps() async throws {
        let candidates = (0..<400).map { "site\($0).com" }
        let summaries = candidates.map { DataForSEOData.pageSummary(target: $0, date: Self.today) }
        let withNullCountries = try #require(
            summaries.first { $0.backlinks > 0 && $0.referringLinksCountries == nil })
        let withEmptyLocation = try #require(
            summaries.first { $0.referringLinksSemanticLocations?[""] != nil && $0.referringLinksCountries?[""] != nil }
        )
        let full = try #require(
            summaries.first {
                $0.backlinks > 100 && $0.referringLinksAttributes != nil && $0.referringLinksPlatformTypes != nil
                    && $0.referringLinksSemanticLocations != nil && $0.referringLinksCountries != nil
            })

        try await withSandbox(Self.configuration) { sandbox in
            let targets = [withNullCountries.url, withEmptyLocation.url, full.url, "gone.invalid"]
            let answer = try await callDataForSEO(sandbox, "bulk_pages_summary", body: dataForSEOBody(targets))
            let items = try #require(answer.itemObjects)
            #expect(items.count == 4)

            #expect(items[0]["referring_links_countries"] is NSNull)
            let locations = try #require(items[1]["referring_links_semantic_locations"] as? [String: Int])
            #expect(locations[""] != nil)
            let countries = try #require(items[1]["referring_links_countries"] as? [String: Int])
            #expect(countries[""] != nil)

            let backlinks = try #require(items[2]["backlinks"] as? Int)
            for key in [
                "referring_links_tld", "referring_links_types", "referring_links_platform_types",
                "referring_links_semantic_locations", "referring_links_countries",
            ] {
                let map = try #require(items[2][key] as? [String: Int], "\(key)")
                #expect(map.values.reduce(0, +) == backlinks, "\(key) sums to backlinks")
                #expect(map.values.allSatisfy { $0 > 0 })
            }
            let tld = try #require(items[2]["referring_links_tld"] as? [String: Int])
            #expect(tld["com"] != nil)
            let types = try #require(items[2]["referring_links_types"] as? [String: Int])
            #expect(types["anchor"] != nil)
            let attributes = try #require(items[2]["referring_links_attributes"] as? [String: Int])
            #expect(attributes["nofollow"].map { $0 <= backlinks } == true)

            // Not in the index: zeros, null dates, null maps, like the seed's first item.
            let gone = items[3]
            #expect(gone["url"] as? String == "gone.invalid")
            for key in ["rank", "main_domain_rank", "backlinks", "referring_domains", "referring_pages"] {
                #expect(gone[key] as? Int == 0, "\(key)")
            }
            for key in DataForSEOPageSummary.fieldNames where key.hasPrefix("referring_links_") {
                #expect(gone[key] is NSNull, "\(key)")
            }
            #expect(gone["first_seen"] is NSNull)
            #expect(gone["lost_date"] is NSNull)
        }
    }

    @Test("first_seen and lost_date are written as yyyy-mm-dd hh:mm:ss +00:00, never after today")
    func dateFormat() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = (0..<60).map { "https://site\($0).com/page" } + (0..<60).map { "site\($0).org" }
            let answer = try await callDataForSEO(sandbox, "bulk_pages_summary", body: dataForSEOBody(targets))
            let pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \\+00:00$"
            var seen = 0
            var lost = 0
            for item in try #require(answer.itemObjects) {
                for key in ["first_seen", "lost_date"] {
                    guard let text = item[key] as? String else {
                        #expect(item[key] is NSNull)
                        continue
                    }
                    #expect(text.range(of: pattern, options: .regularExpression) != nil, "\(key): \(text)")
                    #expect(String(text.prefix(10)) <= Self.today)
                    if key == "first_seen" { seen += 1 } else { lost += 1 }
                }
                if let first = item["first_seen"] as? String, let last = item["lost_date"] as? String {
                    #expect(first < last)
                }
            }
            #expect(seen > 60)
            #expect(lost > 0)
        }
    }

    // MARK: - Cost and usage

    @Test("cost equals taskCost in the task and the envelope, and usage records the charge")
    func costAndUsage() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = [
                "https://dataforseo.com/", "https://www.dataforseo.com/about-us", "https://blog.example.co.uk/x",
                "example.org",
            ]
            let answer = try await callDataForSEO(sandbox, "bulk_pages_summary", body: dataForSEOBody(targets))
            let response = try answer.decodeAsIs(DataForSEOResponse<DataForSEOPageSummary>.self)
            #expect(DataForSEOData.taskCost(targets: 2) == 0.02006)
            #expect(DataForSEOData.taskCost(targets: 4) == 0.02012)
            #expect(response.cost == DataForSEOData.taskCost(targets: 4))
            #expect(response.tasks.first?.cost == DataForSEOData.taskCost(targets: 4))
            #expect(answer.body.contains("\"cost\":0.02012,"))

            _ = try await callDataForSEO(sandbox, "bulk_ranks", body: dataForSEOBody(["example.org"]))
            let usage = sandbox.usage()
            #expect(
                usage.endpoints["backlinks/bulk_pages_summary/live"]
                    == EndpointUsage(requests: 1, chargedRequests: 1, units: 0, targets: 4, costUSD: 0.02012))
            #expect(usage.endpoints["backlinks/bulk_ranks/live"]?.costUSD == 0.02003)
            #expect(usage.totalCostUSD == 0.04015)
            #expect(usage.totalUnits == 0)
            let logged = try #require(usage.requestLog.first)
            #expect(logged.endpoint == "backlinks/bulk_pages_summary/live")
            #expect(logged.status == 200)
            #expect(logged.charged)
            #expect(logged.targetCount == 4)
            #expect(logged.taskCount == 1)
            #expect(logged.distinctDomains == 2)  // dataforseo.com (with and without www.), example.co.uk

            // The control route reports the same, with snake_case keys.
            let report = try await call(sandbox, "/_sandbox/usage", method: "GET", token: nil, contentType: nil)
            for key in ["\"cost_usd\"", "\"total_cost_usd\"", "\"task_count\"", "\"distinct_domains\""] {
                #expect(report.body.contains(key), "missing \(key)")
            }
            let decoded = try report.decodeAsIs(SandboxUsage.self)
            #expect(decoded.endpoints == usage.endpoints)
            #expect(decoded.requestLog.map(\.distinctDomains) == [2, 0])
            #expect(decoded.requestLog.map(\.taskCount) == [1, 1])
        }
    }

    // MARK: - Top-level errors

    @Test(
        "answers 401 with status_code 40100 for missing or wrong Basic credentials and charges nothing",
        arguments: [
            nil, basicAuthorization(SandboxConfiguration.defaultDataForSEOLogin, "wrong"),
            basicAuthorization("someone", SandboxConfiguration.defaultDataForSEOPassword),
            "Bearer \(SandboxConfiguration.defaultAhrefsV3Token)", "Basic !!!not-base64!!!",
        ] as [String?]
    )
    func rejectsBadCredentials(authorization: String?) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callDataForSEO(
                sandbox, "bulk_pages_summary", body: dataForSEOBody(["example.com"]), authorization: authorization)
            #expect(answer.status == 401)
            let response = try answer.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == 40100)
            #expect(response.statusMessage == "You are not authorized to access this resource.")
            #expect(response.tasks.isEmpty)
            #expect(response.tasksCount == 0)
            #expect(response.cost == 0)
            let usage = sandbox.usage()
            #expect(usage.totalChargedRequests == 0)
            #expect(usage.totalCostUSD == 0)
            #expect(usage.requestLog.first?.status == 401)
        }
    }

    @Test("accepts only the configured credentials and points the environment at itself")
    func customCredentials() async throws {
        let configuration = SandboxConfiguration(
            credentials: ["DATAFORSEO_LOGIN": "me@example.com", "DATAFORSEO_PASSWORD": "s3cr:t"])
        try await withSandbox(configuration) { sandbox in
            #expect(sandbox.environment["DATAFORSEO_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v3")
            #expect(sandbox.environment["DATAFORSEO_LOGIN"] == "me@example.com")
            #expect(sandbox.environment["DATAFORSEO_PASSWORD"] == "s3cr:t")
            #expect(sandbox.environment["AHREFS_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v3")
            let refused = try await callDataForSEO(sandbox, "bulk_ranks", body: dataForSEOBody(["example.com"]))
            #expect(refused.status == 401)
            let served = try await callDataForSEO(
                sandbox, "bulk_ranks", body: dataForSEOBody(["example.com"]),
                authorization: basicAuthorization("me@example.com", "s3cr:t"))
            #expect(served.status == 200)
            #expect(try served.decodeAsIs(DataForSEOResponse<BulkItem>.self).tasks.first?.statusCode == 20000)
        }
        #expect(SandboxConfiguration().dataForSEOLogin == "sandbox-dataforseo-login")
        #expect(SandboxConfiguration().dataForSEOPassword == "sandbox-dataforseo-password")
        #expect(SandboxConfiguration().today == nil)
    }

    struct TopLevelCase: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String?
        var contentType: String? = "application/json"
        var statusCode: Int
        var message: String
        var testDescription: String { self.name }
    }

    static let topLevelCases: [TopLevelCase] = [
        .init(
            name: "two tasks", body: #"[{"targets":["a.com"]},{"targets":["b.com"]}]"#, statusCode: 40006,
            message: "You can set only one task at a time."),
        .init(
            name: "text/plain", body: dataForSEOBody(["a.com"]), contentType: "text/plain", statusCode: 40503,
            message: "POST data is invalid"),
        .init(
            name: "no Content-Type", body: dataForSEOBody(["a.com"]), contentType: nil, statusCode: 40503,
            message: "POST data is invalid"),
        .init(
            name: "a task object instead of an array", body: #"{"targets":["a.com"]}"#, statusCode: 40503,
            message: "POST data is invalid"),
        .init(name: "an empty array", body: "[]", statusCode: 40503, message: "POST data is invalid"),
        .init(name: "no body", body: nil, statusCode: 40503, message: "POST data is invalid"),
        .init(name: "not JSON", body: "targets=a.com", statusCode: 40503, message: "POST data is invalid"),
        .init(
            name: "a task that is not an object", body: #"["a.com"]"#, statusCode: 40503,
            message: "POST data is invalid"),
    ]

    @Test(
        "answers a malformed POST with HTTP 200 and a top-level error code, no tasks, nothing charged",
        arguments: topLevelCases)
    func topLevelErrors(_ bad: TopLevelCase) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callDataForSEO(
                sandbox, "bulk_pages_summary", body: bad.body, contentType: bad.contentType)
            #expect(answer.status == 200)
            let response = try answer.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == bad.statusCode)
            #expect(response.statusMessage == bad.message)
            #expect(response.tasks.isEmpty)
            #expect(response.tasksCount == 0)
            #expect(response.cost == 0)
            let usage = sandbox.usage()
            #expect(usage.totalChargedRequests == 0)
            #expect(usage.totalCostUSD == 0)
        }
    }

    @Test("accepts a charset parameter on the Content-Type")
    func charset() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callDataForSEO(
                sandbox, "bulk_backlinks", body: dataForSEOBody(["a.com"]),
                contentType: "application/json; charset=utf-8")
            #expect(try answer.decodeAsIs(DataForSEOResponse<BulkItem>.self).tasks.first?.statusCode == 20000)
        }
    }

    @Test("answers a wrong method with 405 and an unknown path with 404")
    func methodAndPath() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let get = try await callDataForSEO(sandbox, "bulk_pages_summary", method: "GET", body: nil)
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
            #expect(get.object?["status_code"] as? Int == 40500)

            let unknown = try await callDataForSEO(sandbox, "bulk_pagez_summary", body: dataForSEOBody(["a.com"]))
            #expect(unknown.status == 404)
            let task = try await callDataForSEO(
                sandbox, path: "/v3/backlinks/bulk_pages_summary/task_post", body: dataForSEOBody(["a.com"]))
            #expect(task.status == 404)
        }
    }

    // MARK: - Task errors

    struct BadTask: Sendable, CustomTestStringConvertible {
        var name: String
        var function: String = "bulk_pages_summary"
        var body: String
        /// The field the status message names.
        var field: String
        /// A fragment the message must contain beyond the field.
        var detail: String? = nil
        var testDescription: String { self.name }
    }

    static let badTasks: [BadTask] = [
        .init(name: "unknown field", body: dataForSEOBody(["a.com"], extra: #""limit":10"#), field: "limit"),
        .init(name: "missing targets", body: #"[{"tag":"x"}]"#, field: "targets"),
        .init(name: "targets as a string", body: #"[{"targets":"a.com"}]"#, field: "targets"),
        .init(name: "empty targets", body: dataForSEOBody([]), field: "targets"),
        .init(name: "a number among targets", body: #"[{"targets":["a.com",7]}]"#, field: "targets"),
        .init(
            name: "1001 targets", body: dataForSEOBody((0...1000).map { "d\($0).com" }), field: "targets",
            detail: "Maximum 1000 targets."),
        .init(
            name: "a www. domain", body: dataForSEOBody(["a.com", "www.example.com"]), field: "targets",
            detail: "'www.example.com'"),
        .init(
            name: "a page without scheme", body: dataForSEOBody(["example.com/about"]), field: "targets",
            detail: "'example.com/about'"),
        .init(name: "an ftp URL", body: dataForSEOBody(["ftp://example.com/x"]), field: "targets", detail: "ftp://"),
        .init(name: "a URL without host", body: dataForSEOBody(["https://"]), field: "targets"),
        .init(name: "a domain with a space", body: dataForSEOBody(["exa mple.com"]), field: "targets"),
        .init(name: "a bare word", body: dataForSEOBody(["localhost"]), field: "targets", detail: "'localhost'"),
        .init(name: "an empty target", body: dataForSEOBody([""]), field: "targets"),
        .init(name: "a numeric tag", body: dataForSEOBody(["a.com"], extra: #""tag":5"#), field: "tag"),
        .init(
            name: "a 256-character tag",
            body: dataForSEOBody(["a.com"], extra: "\"tag\":\"\(String(repeating: "t", count: 256))\""), field: "tag",
            detail: "255"),
        .init(
            name: "include_subdomains as a string",
            body: dataForSEOBody(["a.com"], extra: #""include_subdomains":"yes""#), field: "include_subdomains"),
        .init(
            name: "include_subdomains on bulk_ranks", function: "bulk_ranks",
            body: dataForSEOBody(["a.com"], extra: #""include_subdomains":true"#), field: "include_subdomains"),
        .init(
            name: "an unknown rank_scale", function: "bulk_ranks",
            body: dataForSEOBody(["a.com"], extra: #""rank_scale":"one_million""#), field: "rank_scale"),
        .init(
            name: "rank_scale on bulk_backlinks", function: "bulk_backlinks",
            body: dataForSEOBody(["a.com"], extra: #""rank_scale":"one_hundred""#), field: "rank_scale"),
        .init(
            name: "date_from in the future", function: "bulk_new_lost_backlinks",
            body: dataForSEOBody(["a.com"], extra: #""date_from":"2026-02-19""#), field: "date_from",
            detail: "2026-02-18"),
        .init(
            name: "date_from not a real date", function: "bulk_new_lost_backlinks",
            body: dataForSEOBody(["a.com"], extra: #""date_from":"2026-02-30""#), field: "date_from"),
        .init(
            name: "date_from in another format", function: "bulk_new_lost_backlinks",
            body: dataForSEOBody(["a.com"], extra: #""date_from":"2026/01/01""#), field: "date_from"),
        .init(
            name: "date_from as a number", function: "bulk_new_lost_backlinks",
            body: dataForSEOBody(["a.com"], extra: #""date_from":20260101"#), field: "date_from"),
        .init(
            name: "date_from on bulk_spam_score", function: "bulk_spam_score",
            body: dataForSEOBody(["a.com"], extra: #""date_from":"2026-01-01""#), field: "date_from"),
    ]

    @Test(
        "answers a task that breaks the contract with task status 40501 naming the field, and charges nothing",
        arguments: badTasks)
    func rejectsBadTasks(_ bad: BadTask) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callDataForSEO(sandbox, bad.function, body: bad.body)
            #expect(answer.status == 200)
            let response = try answer.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == 20000)
            #expect(response.tasksCount == 1)
            #expect(response.tasksError == 1)
            #expect(response.cost == 0)
            let task = try #require(response.tasks.first)
            #expect(task.statusCode == 40501)
            #expect(task.statusMessage.hasPrefix("Invalid Field: '\(bad.field)'."), "message: \(task.statusMessage)")
            if let detail = bad.detail {
                #expect(task.statusMessage.contains(detail), "message: \(task.statusMessage)")
            }
            #expect(task.cost == 0)
            #expect(task.result == nil)
            #expect(task.resultCount == 0)
            #expect(answer.firstTask?["result"] is NSNull)
            #expect(task.path.last == "live")

            let usage = sandbox.usage()
            let endpoint = try #require(usage.endpoints["backlinks/\(bad.function)/live"])
            #expect(endpoint.requests == 1)
            #expect(endpoint.chargedRequests == 0)
            #expect(endpoint.targets == 0)
            #expect(endpoint.costUSD == 0)
            #expect(usage.requestLog.first?.charged == false)
        }
    }

    @Test("an unknown field gives exactly Invalid Field: '<name>'. and the data echoes it")
    func unknownFieldMessage() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callDataForSEO(
                sandbox, "bulk_pages_summary", body: dataForSEOBody(["a.com"], extra: #""limit":10"#))
            let task = try #require(try answer.decodeAsIs(DataForSEOResponse<NoItem>.self).tasks.first)
            #expect(task.statusMessage == "Invalid Field: 'limit'.")
            let data = try #require(answer.firstTask?["data"] as? [String: Any])
            #expect(data["limit"] as? Int == 10)
            #expect(data["function"] as? String == "bulk_pages_summary")
        }
    }

    @Test("page URLs of 101 registrable domains are refused while 1000 bare domains and 100 URL domains pass")
    func domainLimit() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let tooMany = (0...100).map { "https://site\($0).com/page" }
            let refused = try await callDataForSEO(sandbox, "bulk_pages_summary", body: dataForSEOBody(tooMany))
            let refusedTask = try #require(try refused.decodeAsIs(DataForSEOResponse<NoItem>.self).tasks.first)
            #expect(refusedTask.statusCode == 40501)
            #expect(refusedTask.statusMessage.hasPrefix("Invalid Field: 'targets'."))
            #expect(refusedTask.statusMessage.contains("cannot belong to more than 100 different domains"))

            // 100 registrable domains, each through www., a subdomain and two pages; plus bare domains.
            var within: [String] = []
            for index in 0..<100 {
                within += [
                    "https://site\(index).co.uk/", "https://www.site\(index).co.uk/a",
                    "http://blog.site\(index).co.uk/b",
                ]
            }
            within += (0..<700).map { "bare\($0).com" }
            let accepted = try await callDataForSEO(sandbox, "bulk_pages_summary", body: dataForSEOBody(within))
            let acceptedResponse = try accepted.decodeAsIs(DataForSEOResponse<DataForSEOPageSummary>.self)
            #expect(acceptedResponse.tasks.first?.statusCode == 20000)
            #expect(acceptedResponse.items?.count == 1000)
            #expect(acceptedResponse.cost == DataForSEOData.taskCost(targets: 1000))

            let bare = (0..<1000).map { "domain\($0).example.com" }
            let bareAnswer = try await callDataForSEO(sandbox, "bulk_pages_summary", body: dataForSEOBody(bare))
            let bareResponse = try bareAnswer.decodeAsIs(DataForSEOResponse<DataForSEOPageSummary>.self)
            #expect(bareResponse.tasks.first?.statusCode == 20000)
            #expect(bareResponse.items?.map(\.url) == bare)

            let log = sandbox.usage().requestLog
            #expect(log.map(\.distinctDomains) == [101, 100, 0])
            #expect(log.map(\.targetCount) == [101, 1000, 1000])
            #expect(log.map(\.charged) == [false, true, true])
            #expect(sandbox.usage().endpoints["backlinks/bulk_pages_summary/live"]?.targets == 2000)
        }
    }

    // MARK: - Sibling endpoints

    struct Sibling: Sendable, CustomTestStringConvertible {
        var function: String
        /// The item's `type`, nil where the official client's model has no such field.
        var type: String?
        var keys: [String]
        var testDescription: String { self.function }
    }

    static let siblings: [Sibling] = [
        .init(function: "bulk_ranks", type: nil, keys: ["rank"]),
        .init(function: "bulk_backlinks", type: nil, keys: ["backlinks"]),
        .init(
            function: "bulk_referring_domains", type: nil,
            keys: [
                "referring_domains", "referring_domains_nofollow", "referring_main_domains",
                "referring_main_domains_nofollow",
            ]),
        .init(function: "bulk_spam_score", type: "backlinks_bulk_spam_score", keys: ["spam_score"]),
        .init(function: "bulk_new_lost_backlinks", type: nil, keys: ["new_backlinks", "lost_backlinks"]),
        .init(
            function: "bulk_new_lost_referring_domains", type: nil,
            keys: [
                "new_referring_domains", "lost_referring_domains", "new_referring_main_domains",
                "lost_referring_main_domains",
            ]),
    ]

    @Test(
        "each sibling bulk endpoint answers exactly its official model's item fields, values equal to DataForSEOData",
        arguments: siblings)
    func siblingEndpoints(_ sibling: Sibling) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = ["dataforseo.com", "https://dataforseo.com/about-us", "docs.example.org", "nope.invalid"]
            let answer = try await callDataForSEO(sandbox, sibling.function, body: dataForSEOBody(targets))
            #expect(answer.status == 200)
            let response = try answer.decodeAsIs(DataForSEOResponse<BulkItem>.self)
            let task = try #require(response.tasks.first)
            #expect(task.statusCode == 20000)
            #expect(task.path == ["v3", "backlinks", sibling.function, "live"])
            #expect(task.cost == DataForSEOData.taskCost(targets: 4))
            #expect(
                answer.firstTask.flatMap { $0["data"] as? [String: Any] }?["function"] as? String == sibling.function)

            for item in try #require(answer.itemObjects) {
                #expect(Set(item.keys) == Set(["target"] + sibling.keys + (sibling.type == nil ? [] : ["type"])))
            }
            let result = try #require(answer.firstTask.flatMap { ($0["result"] as? [[String: Any]])?.first })
            #expect(result["total_count"] == nil, "only bulk_pages_summary's result model has total_count")
            let items = try #require(response.items)
            #expect(items.map(\.target) == targets)
            #expect(items.allSatisfy { $0.type == sibling.type })
            for item in items {
                let date = Self.today
                switch sibling.function {
                case "bulk_ranks":
                    #expect(item.rank == DataForSEOData.rank(target: item.target, date: date, scale: .oneThousand))
                case "bulk_backlinks":
                    #expect(item.backlinks == DataForSEOData.backlinks(target: item.target, date: date))
                case "bulk_referring_domains":
                    let expected = DataForSEOData.referringDomains(target: item.target, date: date)
                    #expect(item.referringDomains == expected.referringDomains)
                    #expect(item.referringMainDomains == expected.referringMainDomains)
                case "bulk_spam_score":
                    #expect(item.spamScore == DataForSEOData.spamScore(target: item.target, date: date))
                case "bulk_new_lost_referring_domains":
                    let expected = DataForSEOData.newLostReferringDomains(target: item.target, date: date)
                    #expect(item.newReferringDomains == expected.newReferringDomains)
                    #expect(item.lostReferringDomains == expected.lostReferringDomains)
                    #expect(item.newReferringMainDomains == expected.newReferringMainDomains)
                    #expect(item.lostReferringMainDomains == expected.lostReferringMainDomains)
                    let referring = DataForSEOData.referringDomains(target: item.target, date: date).referringDomains
                    #expect((item.newReferringDomains ?? 0) <= referring)
                    #expect((item.newReferringMainDomains ?? 0) <= (item.newReferringDomains ?? 0))
                default:
                    let expected = DataForSEOData.newLost(target: item.target, date: date, dateFrom: nil)
                    #expect(item.newBacklinks == expected.newBacklinks)
                    #expect(item.lostBacklinks == expected.lostBacklinks)
                }
            }
            // Not in the index: zeros.
            let last = try #require(answer.itemObjects?.last)
            for key in sibling.keys {
                #expect(last[key] as? Int == 0, "\(key)")
            }
        }
    }

    @Test("rank_scale one_hundred divides the rank by ten, one_thousand is the default")
    func rankScale() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = (0..<30).map { "site\($0).com" }
            func ranks(_ extra: String) async throws -> [Int] {
                let answer = try await callDataForSEO(
                    sandbox, "bulk_ranks", body: dataForSEOBody(targets, extra: extra))
                return try #require(try answer.decodeAsIs(DataForSEOResponse<BulkItem>.self).items).compactMap(\.rank)
            }
            let byDefault = try await ranks("")
            let thousand = try await ranks(#""rank_scale":"one_thousand""#)
            let hundred = try await ranks(#""rank_scale":"one_hundred""#)
            #expect(byDefault == thousand)
            #expect(byDefault.count == 30)
            #expect(hundred == targets.map { DataForSEOData.rank(target: $0, date: Self.today, scale: .oneHundred) })
            #expect(zip(hundred, thousand).allSatisfy { $0 == Int((Double($1) / 10).rounded()) })
            #expect(hundred.allSatisfy { (0...100).contains($0) })
            #expect(thousand.contains { $0 > 100 })
        }
    }

    /// Every task field of each bulk endpoint, as DataForSEO's official client (`dataforseo-client`) declares it.
    static let officialTaskFields: [(function: String, optional: [String])] = [
        ("bulk_pages_summary", ["include_subdomains", "rank_scale", "tag"]),
        ("bulk_ranks", ["rank_scale", "tag"]),
        ("bulk_backlinks", ["tag"]),
        ("bulk_spam_score", ["tag"]),
        ("bulk_referring_domains", ["tag"]),
        ("bulk_new_lost_backlinks", ["date_from", "tag"]),
        ("bulk_new_lost_referring_domains", ["date_from", "tag"]),
    ]

    @Test(
        "a task as the official client sends it, every optional field null when unset, is served as if they were absent",
        arguments: officialTaskFields.map(\.function))
    func officialClientNulls(_ function: String) async throws {
        let optional = try #require(Self.officialTaskFields.first { $0.function == function }?.optional)
        try await withSandbox(Self.configuration) { sandbox in
            let targets = ["dataforseo.com", "example.com"]
            let nulls = optional.map { "\"\($0)\":null" }.joined(separator: ",")
            let withNulls = try await callDataForSEO(sandbox, function, body: dataForSEOBody(targets, extra: nulls))
            let without = try await callDataForSEO(sandbox, function, body: dataForSEOBody(targets))
            #expect(withNulls.firstTask?["status_code"] as? Int == 20000, "\(withNulls.firstTask ?? [:])")
            let served = try #require(withNulls.itemObjects)
            let plain = try #require(without.itemObjects)
            #expect(served.count == 2)
            #expect(served.map { $0.keys.sorted() } == plain.map { $0.keys.sorted() })
            #expect(
                served.map { $0["target"] as? String ?? $0["url"] as? String }
                    == plain.map { $0["target"] as? String ?? $0["url"] as? String })
            // A set tag next to the nulls is kept and echoed.
            let tagged = try await callDataForSEO(
                sandbox, function,
                body: dataForSEOBody(
                    targets,
                    extra: optional.map { $0 == "tag" ? #""tag":"night-1""# : "\"\($0)\":null" }
                        .joined(separator: ",")))
            #expect(tagged.firstTask?["status_code"] as? Int == 20000)
            #expect((tagged.firstTask?["data"] as? [String: Any])?["tag"] as? String == "night-1")
        }
    }

    @Test("rank_scale one_hundred on bulk_pages_summary divides rank and main_domain_rank by ten")
    func pagesSummaryRankScale() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = (0..<20).map { "https://site\($0).com/page" }
            func ranks(_ extra: String) async throws -> [(rank: Int, main: Int)] {
                let answer = try await callDataForSEO(
                    sandbox, "bulk_pages_summary", body: dataForSEOBody(targets, extra: extra))
                #expect(answer.firstTask?["status_code"] as? Int == 20000)
                return try #require(answer.itemObjects).map {
                    ($0["rank"] as? Int ?? -1, $0["main_domain_rank"] as? Int ?? -1)
                }
            }
            let thousand = try await ranks("")
            let hundred = try await ranks(#""rank_scale":"one_hundred""#)
            #expect(thousand.count == 20 && hundred.count == 20)
            for (small, large) in zip(hundred, thousand) {
                #expect(small.rank == Int((Double(large.rank) / 10).rounded()))
                #expect(small.main == Int((Double(large.main) / 10).rounded()))
            }
            #expect(thousand.contains { $0.rank > 100 || $0.main > 100 })
        }
    }

    @Test("date_from sets the window of new and lost backlinks and may be today")
    func dateFrom() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let targets = ["dataforseo.com", "example.com"]
            for dateFrom in ["2025-02-18", "2026-01-01", Self.today] {
                let answer = try await callDataForSEO(
                    sandbox, "bulk_new_lost_backlinks",
                    body: dataForSEOBody(targets, extra: "\"date_from\":\"\(dateFrom)\""))
                let response = try answer.decodeAsIs(DataForSEOResponse<BulkItem>.self)
                #expect(response.tasks.first?.statusCode == 20000, "\(dateFrom)")
                for item in try #require(response.items) {
                    let expected = DataForSEOData.newLost(target: item.target, date: Self.today, dateFrom: dateFrom)
                    #expect(item.newBacklinks == expected.newBacklinks)
                    #expect(item.lostBacklinks == expected.lostBacklinks)
                }
                #expect((answer.firstTask?["data"] as? [String: Any])?["date_from"] as? String == dateFrom)
            }
        }
    }

    // MARK: - Faults

    @Test("a dataforseo_status_code fault answers HTTP 200 with top-level 40202, no tasks, uncharged; then serves")
    func topLevelFault() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([
                FaultRule(
                    endpoint: "backlinks/bulk_pages_summary/live", count: 1,
                    dialect: SimulatedDataForSEO.Fault(statusCode: 40202))
            ])
            let body = dataForSEOBody(["example.com"])
            let limited = try await callDataForSEO(sandbox, "bulk_pages_summary", body: body)
            #expect(limited.status == 200)
            let response = try limited.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == 40202)
            #expect(response.statusMessage == "Rate limit exceeded.")
            #expect(response.tasks.isEmpty)
            #expect(response.tasksCount == 0)
            #expect(response.cost == 0)

            let served = try await callDataForSEO(sandbox, "bulk_pages_summary", body: body)
            #expect(try served.decodeAsIs(DataForSEOResponse<NoItem>.self).statusCode == 20000)

            let usage = sandbox.usage()
            #expect(usage.requestLog.map(\.status) == [200, 200])
            #expect(usage.requestLog.map(\.charged) == [false, true])
            #expect(usage.requestLog.map(\.taskCount) == [1, 1])
            #expect(
                usage.endpoints["backlinks/bulk_pages_summary/live"]
                    == EndpointUsage(requests: 2, chargedRequests: 1, targets: 1, costUSD: 0.02003))
        }
    }

    @Test(
        "top-level fault codes carry their documented messages",
        arguments: [
            (40200, "Payment required."), (40203, "Cost limit exceeded."), (50000, "Internal error."),
        ])
    func topLevelFaultMessages(code: Int, message: String) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([FaultRule(dialect: SimulatedDataForSEO.Fault(statusCode: code))])
            let answer = try await callDataForSEO(sandbox, "bulk_spam_score", body: dataForSEOBody(["a.com"]))
            #expect(answer.status == 200)
            let response = try answer.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == code)
            #expect(response.statusMessage == message)
            #expect(sandbox.usage().totalChargedRequests == 0)
        }
    }

    @Test(
        "a dataforseo_task_status_code fault answers top-level 20000 with the task failed, uncharged; Ahrefs unaffected"
    )
    func taskLevelFault() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([
                FaultRule(endpoint: "*", count: 1, dialect: SimulatedDataForSEO.Fault(taskStatusCode: 50000))
            ])
            let ahrefs = try await call(sandbox, "/v3/site-explorer/batch/metrics", body: domainBody(["example.com"]))
            #expect(ahrefs.status == 200)

            let answer = try await callDataForSEO(
                sandbox, "bulk_backlinks", body: dataForSEOBody(["example.com", "b.com"], extra: #""tag":"t1""#))
            #expect(answer.status == 200)
            let response = try answer.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == 20000)
            #expect(response.tasksCount == 1)
            #expect(response.tasksError == 1)
            #expect(response.cost == 0)
            let task = try #require(response.tasks.first)
            #expect(task.statusCode == 50000)
            #expect(task.statusMessage == "Internal error.")
            #expect(task.result == nil)
            #expect(task.cost == 0)
            let data = try #require(answer.firstTask?["data"] as? [String: Any])
            #expect(data["tag"] as? String == "t1")
            #expect(data["targets"] as? [String] == ["example.com", "b.com"])

            let next = try await callDataForSEO(sandbox, "bulk_backlinks", body: dataForSEOBody(["example.com"]))
            #expect(try next.decodeAsIs(DataForSEOResponse<NoItem>.self).tasks.first?.statusCode == 20000)

            let usage = sandbox.usage()
            #expect(usage.endpoints["backlinks/bulk_backlinks/live"]?.chargedRequests == 1)
            #expect(usage.endpoints["backlinks/bulk_backlinks/live"]?.targets == 1)
            #expect(usage.endpoints["backlinks/bulk_backlinks/live"]?.costUSD == 0.02003)
            #expect(usage.requestLog.map(\.charged) == [true, false, true])
            #expect(usage.requestLog[1].targetCount == 2)
        }
    }

    @Test("a plain HTTP status fault answers that status with a DataForSEO envelope")
    func plainStatusFault() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "backlinks/bulk_ranks/live", count: 1, status: 500)])
            let answer = try await callDataForSEO(sandbox, "bulk_ranks", body: dataForSEOBody(["a.com"]))
            #expect(answer.status == 500)
            let response = try answer.decodeAsIs(DataForSEOResponse<NoItem>.self)
            #expect(response.statusCode == 50000)
            #expect(response.tasks.isEmpty)
            #expect(sandbox.usage().totalChargedRequests == 0)
        }
    }

    @Test("the faults control route takes dataforseo_status_code and dataforseo_task_status_code")
    func faultsOverHTTP() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let install = try await call(
                sandbox, "/_sandbox/faults",
                body:
                    #"[{"endpoint":"backlinks/bulk_ranks/live","count":1,"dataforseo_status_code":40200},{"endpoint":"backlinks/bulk_backlinks/live","dataforseo_task_status_code":40501}]"#,
                token: nil)
            #expect(install.status == 200)
            let installed = try await call(sandbox, "/_sandbox/faults", method: "GET", token: nil, contentType: nil)
            #expect(
                try installed.decodeAsIs([FaultRule].self) == [
                    FaultRule(
                        endpoint: "backlinks/bulk_ranks/live", count: 1,
                        dialect: SimulatedDataForSEO.Fault(statusCode: 40200)),
                    FaultRule(
                        endpoint: "backlinks/bulk_backlinks/live",
                        dialect: SimulatedDataForSEO.Fault(taskStatusCode: 40501)),
                ])
            let payment = try await callDataForSEO(sandbox, "bulk_ranks", body: dataForSEOBody(["a.com"]))
            #expect(try payment.decodeAsIs(DataForSEOResponse<NoItem>.self).statusCode == 40200)
            let invalid = try await callDataForSEO(sandbox, "bulk_backlinks", body: dataForSEOBody(["a.com"]))
            #expect(try invalid.decodeAsIs(DataForSEOResponse<NoItem>.self).tasks.first?.statusCode == 40501)

            let bad = try await call(
                sandbox, "/_sandbox/faults", body: #"[{"dataforseo_status_code":404}]"#, token: nil)
            #expect(bad.status == 400)
            #expect(bad.errorMessage?.contains("dataforseo_status_code") == true)
            let missingStatus = try await call(sandbox, "/_sandbox/faults", body: #"[{"count":1}]"#, token: nil)
            #expect(missingStatus.status == 400)
        }
    }

    // MARK: - Dates

    @Test("the same target on two today dates gives different values, the same date the same ones")
    func todayChangesValues() async throws {
        func fetch(_ today: String) async throws -> [DataForSEOPageSummary] {
            try await withSandbox(SandboxConfiguration(today: today)) { sandbox in
                let answer = try await callDataForSEO(
                    sandbox, "bulk_pages_summary", body: dataForSEOBody(["dataforseo.com", "https://example.com/a"]))
                return try #require(try answer.decodeAsIs(DataForSEOResponse<DataForSEOPageSummary>.self).items)
            }
        }
        let first = try await fetch("2026-02-18")
        let again = try await fetch("2026-02-18")
        let nextDay = try await fetch("2026-02-19")
        #expect(first == again)
        #expect(first != nextDay)
        #expect(first.map(\.backlinks) != nextDay.map(\.backlinks))
        #expect(
            nextDay
                == ["dataforseo.com", "https://example.com/a"].map {
                    DataForSEOData.pageSummary(target: $0, date: "2026-02-19")
                })
    }

    @Test("without a configured today the sandbox answers with the current UTC date's data")
    func defaultToday() async throws {
        try await withSandbox { sandbox in
            let before = Self.utcToday()
            let answer = try await callDataForSEO(sandbox, "bulk_backlinks", body: dataForSEOBody(["dataforseo.com"]))
            let after = Self.utcToday()
            let served = try #require(try answer.decodeAsIs(DataForSEOResponse<BulkItem>.self).items?.first?.backlinks)
            let expected = Set([before, after].map { DataForSEOData.backlinks(target: "dataforseo.com", date: $0) })
            #expect(expected.contains(served))
        }
    }

    @Test("refuses to start with a today that is not a real date")
    func invalidToday() async throws {
        await #expect(throws: SandboxStartError.self) {
            let sandbox = try await RunningSandbox.start(SandboxConfiguration(today: "2026-02-30"))
            await sandbox.stop()
        }
    }

    static func utcToday() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
