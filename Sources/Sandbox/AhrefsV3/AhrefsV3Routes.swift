import Foundation
import Hummingbird

/// The five batch endpoints and their documented parameters.
enum AhrefsV3Endpoint: String, CaseIterable, Sendable {
    case metrics = "site-explorer/batch/metrics"
    case backlinksStats = "site-explorer/batch/backlinks-stats"
    case domainRating = "site-explorer/batch/domain-rating"
    case keywordsOverview = "keywords-explorer/batch/overview"
    case urlMetrics = "site-explorer/batch/url-metrics"

    /// Most entries a batch takes.
    static let maxTargets = 100

    /// Fields `select` may name on batch/metrics, in response order.
    static let metricsFields = ["org_keywords", "org_traffic", "domain_rating"]

    /// The list parameter holding the batch.
    var listField: String {
        switch self {
        case .metrics, .backlinksStats, .domainRating: "targets"
        case .keywordsOverview: "keywords"
        case .urlMetrics: "urls"
        }
    }

    /// Every documented body field, in documentation order.
    var fields: [String] {
        switch self {
        case .metrics: ["targets", "date", "select"]
        case .backlinksStats, .domainRating: ["targets", "date"]
        case .keywordsOverview: ["keywords", "country"]
        case .urlMetrics: ["urls", "date"]
        }
    }

    /// Best-effort length of the batch list in a body, for the request log.
    func countTargets(in body: [UInt8]) -> Int {
        guard case .object(let object)? = JSONInput.parse(body), case .array(let items)? = object[listField] else {
            return 0
        }
        return items.count
    }
}

/// A request that breaks the documented contract; answered 400 with the message.
struct AhrefsV3BadRequest: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Validates and answers one request to one endpoint.
struct AhrefsV3Handler: Sendable {
    let endpoint: AhrefsV3Endpoint
    let token: String

    static func error(_ status: Int, _ message: String) -> SandboxResponse {
        SandboxResponse(status: status, body: JSONOutput.error(message))
    }

    func respond(to request: SandboxRequest) -> SandboxResponse {
        if let rejection = authorizationProblem(request.headers) {
            return Self.error(401, rejection)
        }
        do {
            try Self.checkContentType(request.headers)
            let object = try parseObject(request.body)
            return try answer(object)
        } catch let error as AhrefsV3BadRequest {
            return Self.error(400, error.message)
        } catch {
            return Self.error(500, "Internal error: \(error)")
        }
    }

    // MARK: - Transport checks

    private func authorizationProblem(_ headers: HTTPFields) -> String? {
        Self.authorizationProblem(headers, token: token)
    }

    /// Why the `Authorization` header is refused; nil when it carries `Bearer <token>`.
    static func authorizationProblem(_ headers: HTTPFields, token: String) -> String? {
        guard let value = headers[.authorization] else {
            return "Missing Authorization header; send \"Authorization: Bearer <API token>\""
        }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return "Authorization header must be \"Bearer <API token>\""
        }
        guard parts[1] == token else {
            return "Invalid API token"
        }
        return nil
    }

    static func checkContentType(_ headers: HTTPFields) throws {
        guard let value = headers[.contentType] else {
            throw AhrefsV3BadRequest("Missing Content-Type header; send \"Content-Type: application/json\"")
        }
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
            .lowercased()
        guard mediaType == "application/json" else {
            throw AhrefsV3BadRequest("Content-Type must be application/json, got \"\(value)\"")
        }
    }

    private func parseObject(_ body: [UInt8]) throws -> [String: JSONInput] {
        guard !body.isEmpty else {
            throw AhrefsV3BadRequest("Request body is empty; send a JSON object with the parameters")
        }
        guard let value = JSONInput.parse(body) else {
            throw AhrefsV3BadRequest("Request body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw AhrefsV3BadRequest("Request body must be a JSON object, got \(value.typeName)")
        }
        let unknown = object.keys.filter { !endpoint.fields.contains($0) }.sorted()
        if !unknown.isEmpty {
            let names = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
            throw AhrefsV3BadRequest(
                "Unknown field\(unknown.count == 1 ? "" : "s") \(names) for \(endpoint.rawValue); documented fields: \(endpoint.fields.joined(separator: ", "))"
            )
        }
        return object
    }

    // MARK: - Parameters

    private func list(_ object: [String: JSONInput]) throws -> [String] {
        let name = endpoint.listField
        guard let value = object[name] else {
            throw AhrefsV3BadRequest(
                "Missing required field \"\(name)\" (an array of 1-\(AhrefsV3Endpoint.maxTargets) strings)")
        }
        guard case .array(let items) = value else {
            throw AhrefsV3BadRequest("Field \"\(name)\" must be an array of strings, got \(value.typeName)")
        }
        guard !items.isEmpty else {
            throw AhrefsV3BadRequest("Field \"\(name)\" must not be empty")
        }
        guard items.count <= AhrefsV3Endpoint.maxTargets else {
            throw AhrefsV3BadRequest(
                "Field \"\(name)\" has \(items.count) entries; a batch request takes at most \(AhrefsV3Endpoint.maxTargets)"
            )
        }
        return try items.enumerated().map { index, item in
            guard case .string(let text) = item else {
                throw AhrefsV3BadRequest("\(name)[\(index)] must be a string, got \(item.typeName)")
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw AhrefsV3BadRequest("\(name)[\(index)] is empty")
            }
            return text
        }
    }

    private func date(_ object: [String: JSONInput]) throws -> String {
        guard let value = object["date"] else {
            throw AhrefsV3BadRequest("Missing required field \"date\" (YYYY-MM-DD)")
        }
        guard case .string(let text) = value else {
            throw AhrefsV3BadRequest("Field \"date\" must be a string in YYYY-MM-DD format, got \(value.typeName)")
        }
        guard CalendarDate(text) != nil else {
            let shaped =
                text.utf8.count == 10
                && text.enumerated().allSatisfy { index, character in
                    index == 4 || index == 7 ? character == "-" : character.isASCII && character.isNumber
                }
            throw AhrefsV3BadRequest(
                shaped
                    ? "Field \"date\" is not a real calendar date: \"\(text)\""
                    : "Field \"date\" must be in YYYY-MM-DD format, got \"\(text)\""
            )
        }
        return text
    }

    private func selectedMetrics(_ object: [String: JSONInput]) throws -> [String] {
        guard let value = object["select"] else { return AhrefsV3Endpoint.metricsFields }
        guard case .string(let text) = value else {
            throw AhrefsV3BadRequest("Field \"select\" must be a comma-separated string, got \(value.typeName)")
        }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var selected: Set<String> = []
        for name in names {
            guard AhrefsV3Endpoint.metricsFields.contains(name) else {
                throw AhrefsV3BadRequest(
                    name.isEmpty
                        ? "Field \"select\" has an empty entry: \"\(text)\""
                        : "Field \"select\" names unknown field \"\(name)\"; available: \(AhrefsV3Endpoint.metricsFields.joined(separator: ","))"
                )
            }
            selected.insert(name)
        }
        return AhrefsV3Endpoint.metricsFields.filter(selected.contains)
    }

    private func country(_ object: [String: JSONInput]) throws -> String {
        guard let value = object["country"] else {
            throw AhrefsV3BadRequest("Missing required field \"country\" (2-letter country code, e.g. \"us\")")
        }
        guard case .string(let text) = value else {
            throw AhrefsV3BadRequest("Field \"country\" must be a string, got \(value.typeName)")
        }
        guard text.utf8.count == 2, text.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
        else {
            throw AhrefsV3BadRequest(
                "Invalid country \"\(text)\"; expected a 2-letter lower-case country code such as \"us\"")
        }
        return text
    }

    // MARK: - Target types

    private static func isDomain(_ text: String) -> Bool {
        !text.contains("://") && !text.contains(where: { "/?#".contains($0) })
    }

    private static func isAbsoluteWebURL(_ text: String) -> Bool {
        guard
            !text.contains(where: \.isWhitespace),
            let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            text.lowercased().hasPrefix(scheme + "://"),
            let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    private func checkDomains(_ targets: [String]) throws {
        for (index, target) in targets.enumerated() {
            guard Self.isDomain(target) else {
                throw AhrefsV3BadRequest(
                    "All targets in a batch must be the same type (domains); targets[\(index)] is a URL: \"\(target)\""
                )
            }
            guard !target.contains(where: \.isWhitespace) else {
                throw AhrefsV3BadRequest("targets[\(index)] is not a valid domain: \"\(target)\"")
            }
        }
    }

    private func checkURLs(_ urls: [String]) throws {
        for (index, url) in urls.enumerated() where !Self.isAbsoluteWebURL(url) {
            throw AhrefsV3BadRequest(
                "All targets in a batch must be the same type (URLs); urls[\(index)] is not an absolute http(s) URL: \"\(url)\""
            )
        }
    }

    // MARK: - Answers

    private func answer(_ object: [String: JSONInput]) throws -> SandboxResponse {
        let entries = try list(object)
        var results: [JSONOutput] = []
        var chargedRows = 0

        switch endpoint {
        case .metrics, .backlinksStats, .domainRating:
            try checkDomains(entries)
            let date = try self.date(object)
            let selected = endpoint == .metrics ? try selectedMetrics(object) : []
            for target in entries {
                if let message = AhrefsV3Data.targetError(domainOrURL: target) {
                    results.append(.object([("target", .string(target)), ("error", .string(message))]))
                    continue
                }
                chargedRows += 1
                results.append(.object([("target", .string(target)), domainPayload(target, date, selected)]))
            }

        case .urlMetrics:
            try checkURLs(entries)
            let date = try self.date(object)
            for url in entries {
                if let message = AhrefsV3Data.targetError(domainOrURL: url) {
                    results.append(.object([("url", .string(url)), ("error", .string(message))]))
                    continue
                }
                chargedRows += 1
                let metrics = AhrefsV3Data.urlMetrics(url: url, date: date)
                results.append(
                    .object([
                        ("url", .string(url)),
                        ("url_rating", .int(metrics.urlRating)),
                        ("backlinks", .int(metrics.backlinks)),
                        ("referring_domains", .int(metrics.referringDomains)),
                        ("keywords", .int(metrics.keywords)),
                        ("traffic", .int(metrics.traffic)),
                    ])
                )
            }

        case .keywordsOverview:
            let country = try self.country(object)
            for keyword in entries {
                chargedRows += 1
                let overview = AhrefsV3Data.keywordOverview(keyword: keyword, country: country)
                results.append(
                    .object([
                        ("keyword", .string(keyword)),
                        ("volume", .int(overview.volume)),
                        ("keyword_difficulty", .int(overview.keywordDifficulty)),
                        ("cpc", .fixed(units: Int((overview.cpc * 100).rounded()), decimals: 2)),
                        ("traffic_potential", .int(overview.trafficPotential)),
                    ])
                )
            }
        }

        let units = AhrefsV3Data.units(chargedRows: chargedRows)
        return SandboxResponse(
            status: 200,
            body: JSONOutput.object([("results", .array(results))]).text,
            headers: [("x-api-units-cost-total", String(units))],
            units: units,
            charged: true,
            targetCount: entries.count
        )
    }

    private func domainPayload(_ target: String, _ date: String, _ selected: [String]) -> (String, JSONOutput) {
        switch endpoint {
        case .metrics:
            let metrics = AhrefsV3Data.domainMetrics(target: target, date: date)
            let fields: [(String, JSONOutput)] = selected.map { name in
                switch name {
                case "org_keywords": (name, .int(metrics.orgKeywords))
                case "org_traffic": (name, .int(metrics.orgTraffic))
                default: (name, Self.oneDecimal(metrics.domainRating))
                }
            }
            return ("metrics", .object(fields))
        case .backlinksStats:
            let stats = AhrefsV3Data.backlinksStats(target: target, date: date)
            return (
                "backlinks_stats",
                .object([("live", .int(stats.live)), ("live_refdomains", .int(stats.liveRefdomains))])
            )
        default:
            let rating = AhrefsV3Data.domainRating(target: target, date: date)
            return (
                "domain_rating",
                .object([
                    ("domain_rating", Self.oneDecimal(rating.domainRating)), ("ahrefs_rank", .int(rating.ahrefsRank)),
                ])
            )
        }
    }

    private static func oneDecimal(_ value: Double) -> JSONOutput {
        .fixed(units: Int((value * 10).rounded()), decimals: 1)
    }
}
