import Foundation
import Hummingbird

/// The endpoints Ahrefs publishes (its OpenAPI description), with their documented parameters; answered as the
/// document describes them, with the unit headers Ahrefs documents.
enum AhrefsV3PublishedEndpoint: String, CaseIterable, Sendable {
    case batchAnalysis = "batch-analysis/batch-analysis"
    case domainRating = "site-explorer/domain-rating"
    case metrics = "site-explorer/metrics"
    case backlinksStats = "site-explorer/backlinks-stats"
    case domainRatingHistory = "site-explorer/domain-rating-history"
    case metricsHistory = "site-explorer/metrics-history"
    case refdomainsHistory = "site-explorer/refdomains-history"
    case keywordsOverview = "keywords-explorer/overview"
    case limitsAndUsage = "subscription-info/limits-and-usage"

    static let modes = ["exact", "prefix", "domain", "subdomains"]
    static let protocols = ["both", "http", "https"]
    static let groupings = ["daily", "weekly", "monthly"]
    static let maxTargets = 100

    /// batch-analysis: the fields `select` and `order_by` may name, with the units a row of each costs.
    static let batchFields: [String: Int] = {
        var fields: [String: Int] = [:]
        for name in [
            "ahrefs_rank", "backlinks", "backlinks_dofollow", "backlinks_internal", "backlinks_nofollow",
            "backlinks_redirect", "domain_rating", "index", "ip", "linked_domains", "linked_domains_dofollow", "mode",
            "org_keywords", "org_keywords_1_3", "org_keywords_4_10", "org_keywords_11_20", "org_keywords_21_50",
            "org_keywords_51_plus", "outgoing_links", "outgoing_links_dofollow", "paid_ads", "paid_keywords",
            "protocol", "refips", "refips_subnets", "url", "url_rating",
        ] { fields[name] = 1 }
        for name in ["refdomains", "refdomains_dofollow", "refdomains_nofollow"] { fields[name] = 5 }
        for name in ["org_traffic", "org_traffic_top_by_country", "org_cost", "paid_traffic", "paid_cost"] {
            fields[name] = 10
        }
        return fields
    }()

    /// keywords-explorer/overview: the fields `select` may name (monthly history excepted), with their units.
    static let keywordFields: [String: Int] = {
        var fields: [String: Int] = [:]
        for name in [
            "keyword", "cpc", "clicks", "cps", "parent_topic", "serp_features", "serp_last_update", "first_seen",
            "volume_desktop_pct", "volume_mobile_pct", "searches_pct_clicks_organic_only",
            "searches_pct_clicks_paid_only", "searches_pct_clicks_organic_and_paid",
        ] { fields[name] = 1 }
        for name in [
            "volume", "volume_monthly", "global_volume", "difficulty", "traffic_potential", "parent_volume",
            "intents",
        ] {
            fields[name] = 10
        }
        return fields
    }()

    var method: HTTPRequest.Method { self == .batchAnalysis ? .post : .get }

    /// Every documented query parameter of a GET endpoint.
    var parameters: [String] {
        let history = ["target", "date_from", "date_to", "history_grouping"]
        return switch self {
        case .batchAnalysis: ["output"]
        case .domainRating: ["target", "date", "output"]
        case .metrics: ["target", "date", "mode", "protocol", "country", "volume_mode", "traffic_mode", "output"]
        case .backlinksStats: ["target", "date", "mode", "protocol", "output"]
        case .domainRatingHistory: history + ["output"]
        case .metricsHistory:
            history + ["select", "mode", "protocol", "country", "volume_mode", "traffic_mode", "output"]
        case .refdomainsHistory: history + ["mode", "protocol", "output"]
        case .keywordsOverview:
            [
                "select", "country", "keywords", "keyword_list_id", "limit", "order_by", "where", "target", "mode",
                "target_position", "volume_monthly_date_from", "volume_monthly_date_to", "timeout", "output",
            ]
        case .limitsAndUsage: ["output"]
        }
    }

    var required: [String] {
        switch self {
        case .domainRating, .metrics, .backlinksStats: ["target", "date"]
        case .domainRatingHistory, .metricsHistory, .refdomainsHistory: ["target", "date_from"]
        case .keywordsOverview: ["select", "country"]
        default: []
        }
    }
}

/// Validates and answers one request to a published endpoint.
struct AhrefsV3PublishedHandler: Sendable {
    let endpoint: AhrefsV3PublishedEndpoint
    let token: String
    let today: String?
    let unitsLimit: Int?

    func respond(to request: SandboxRequest) -> SandboxResponse {
        if let rejection = AhrefsV3Handler.authorizationProblem(request.headers, token: token) {
            return AhrefsV3Handler.error(401, rejection)
        }
        do {
            let query = try parameters(request.query)
            switch endpoint {
            case .batchAnalysis: return try batchAnalysis(request)
            case .limitsAndUsage: return limitsAndUsage(request.usage)
            case .keywordsOverview: return try keywordsOverview(query)
            case .domainRating, .metrics, .backlinksStats: return try dated(query)
            case .domainRatingHistory, .metricsHistory, .refdomainsHistory: return try history(query)
            }
        } catch let violation as AhrefsV3BadRequest {
            return AhrefsV3Handler.error(400, violation.message)
        } catch {
            return AhrefsV3Handler.error(500, "Internal error: \(error)")
        }
    }

    var todayText: String { today ?? CalendarDate.todayUTC().text }

    // MARK: - Query parameters

    /// The query string as documented names: each name once, known, required ones present, values checked.
    private func parameters(_ raw: String?) throws -> [String: String] {
        var values: [String: String] = [:]
        for pair in (raw ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            let name = decode(parts[0])
            guard endpoint.parameters.contains(name) else {
                throw AhrefsV3BadRequest(
                    "Unknown parameter \"\(name)\" for \(endpoint.rawValue); documented: "
                        + endpoint.parameters.joined(separator: ", "))
            }
            guard values[name] == nil else { throw AhrefsV3BadRequest("Parameter \"\(name)\" is given twice") }
            values[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        for name in endpoint.required where (values[name] ?? "").isEmpty {
            throw AhrefsV3BadRequest("Missing required parameter \"\(name)\"")
        }
        try check(values, "mode", among: AhrefsV3PublishedEndpoint.modes)
        try check(values, "protocol", among: AhrefsV3PublishedEndpoint.protocols)
        try check(values, "history_grouping", among: AhrefsV3PublishedEndpoint.groupings)
        try check(values, "volume_mode", among: ["monthly", "average"])
        try check(values, "traffic_mode", among: ["static", "adaptive"])
        try check(values, "output", among: ["json"])
        if let country = values["country"] { try checkCountry(country) }
        for name in ["date", "date_from", "date_to"] {
            if let text = values[name], CalendarDate(text) == nil {
                throw AhrefsV3BadRequest("Parameter \"\(name)\" must be a date in YYYY-MM-DD format, got \"\(text)\"")
            }
        }
        if let target = values["target"] { try checkTarget(target) }
        return values
    }

    private func check(_ values: [String: String], _ name: String, among allowed: [String]) throws {
        guard let value = values[name], !allowed.contains(value) else { return }
        throw AhrefsV3BadRequest(
            "Invalid value \"\(value)\" for \"\(name)\"; allowed: \(allowed.joined(separator: ", "))")
    }

    private func checkCountry(_ code: String) throws {
        guard code.utf8.count == 2, code.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
        else {
            throw AhrefsV3BadRequest("Invalid country \"\(code)\"; expected a 2-letter lower-case code such as \"us\"")
        }
    }

    private func checkTarget(_ target: String) throws {
        guard !target.isEmpty, !target.contains(where: \.isWhitespace) else {
            throw AhrefsV3BadRequest("Invalid target \"\(target)\"")
        }
    }

    /// `mode`, defaulting as documented (subdomains).
    private func mode(_ values: [String: String]) -> String { values["mode"] ?? "subdomains" }

    // MARK: - Answers

    /// A 200 with Ahrefs' unit headers: `max(50, rows x per-row cost)`; the sandbox keeps no cache, so the actual
    /// cost is the total.
    private func answer(_ body: JSONOutput, rows: Int, rowUnits: Int, targets: Int) -> SandboxResponse {
        let units = max(50, rows * rowUnits)
        return SandboxResponse(
            status: 200, body: body.text,
            headers: [
                ("x-api-rows", String(rows)), ("x-api-units-cost-row", String(rowUnits)),
                ("x-api-units-cost-total", String(units)), ("x-api-units-cost-total-actual", String(units)),
                ("x-api-cache", "miss"),
            ],
            units: units, charged: true, targetCount: targets)
    }

    private func dated(_ values: [String: String]) throws -> SandboxResponse {
        let target = values["target"] ?? ""
        let date = values["date"] ?? todayText
        let host = SimulatedValues.host(of: target)
        switch endpoint {
        case .domainRating:
            let rating = AhrefsV3Data.domainRating(target: host, date: date)
            let body = JSONOutput.object([
                (
                    "domain_rating",
                    .object([
                        ("domain_rating", .fixed(units: Int((rating.domainRating * 10).rounded()), decimals: 1)),
                        ("ahrefs_rank", .int(rating.ahrefsRank)),
                    ])
                )
            ])
            return answer(body, rows: 1, rowUnits: 2, targets: 1)
        case .metrics:
            let metrics = AhrefsV3Data.siteMetrics(target: target, date: date)
            let body = JSONOutput.object([
                (
                    "metrics",
                    .object([
                        ("org_keywords", .int(metrics.orgKeywords)),
                        ("org_keywords_1_3", .int(metrics.orgKeywords1To3)),
                        ("org_traffic", .int(metrics.orgTraffic)), ("org_cost", .int(metrics.orgCost)),
                        ("paid_keywords", .int(metrics.paidKeywords)), ("paid_pages", .int(metrics.paidPages)),
                        ("paid_traffic", .int(metrics.paidTraffic)), ("paid_cost", .int(metrics.paidCost)),
                    ])
                )
            ])
            return answer(body, rows: 1, rowUnits: 44, targets: 1)
        default:
            let stats = AhrefsV3Data.backlinksStatsAllTime(target: target, date: date)
            let body = JSONOutput.object([
                (
                    "metrics",
                    .object([
                        ("live", .int(stats.live)), ("all_time", .int(stats.allTime)),
                        ("live_refdomains", .int(stats.liveRefdomains)),
                        ("all_time_refdomains", .int(stats.allTimeRefdomains)),
                    ])
                )
            ])
            return answer(body, rows: 1, rowUnits: 12, targets: 1)
        }
    }

    private func history(_ values: [String: String]) throws -> SandboxResponse {
        let target = values["target"] ?? ""
        let host = SimulatedValues.host(of: target)
        guard let from = values["date_from"].flatMap(CalendarDate.init) else {
            throw AhrefsV3BadRequest("Missing required parameter \"date_from\"")
        }
        let to = values["date_to"].flatMap(CalendarDate.init) ?? CalendarDate(todayText)!
        guard !(to < from) else { throw AhrefsV3BadRequest("\"date_to\" is before \"date_from\"") }
        let dates = AhrefsV3Data.historyDates(from: from, to: to, grouping: values["history_grouping"] ?? "monthly")
        switch endpoint {
        case .domainRatingHistory:
            let rows = dates.map { day -> JSONOutput in
                let rating = AhrefsV3Data.domainRating(target: host, date: day.text)
                return .object([
                    ("date", .string(day.text)),
                    ("domain_rating", .fixed(units: Int((rating.domainRating * 10).rounded()), decimals: 1)),
                ])
            }
            return answer(.object([("domain_ratings", .array(rows))]), rows: rows.count, rowUnits: 2, targets: 1)
        case .metricsHistory:
            let allowed = ["date", "org_cost", "org_traffic", "paid_cost", "paid_traffic"]
            let selected = (values["select"] ?? allowed.joined(separator: ",")).split(separator: ",").map(String.init)
            if let unknown = selected.first(where: { !allowed.contains($0) }) {
                throw AhrefsV3BadRequest(
                    "Invalid field \"\(unknown)\" in \"select\"; available: \(allowed.joined(separator: ","))")
            }
            let rows = dates.map { day -> JSONOutput in
                let metrics = AhrefsV3Data.siteMetrics(target: target, date: day.text)
                let all: [String: JSONOutput] = [
                    "date": .string(day.text), "org_traffic": .int(metrics.orgTraffic),
                    "org_cost": .int(metrics.orgCost), "paid_traffic": .int(metrics.paidTraffic),
                    "paid_cost": .int(metrics.paidCost),
                ]
                return .object(selected.compactMap { name in all[name].map { (name, $0) } })
            }
            let rowUnits = selected.reduce(0) { $0 + ($1 == "date" ? 1 : 10) }
            return answer(.object([("metrics", .array(rows))]), rows: rows.count, rowUnits: rowUnits, targets: 1)
        default:
            let rows = dates.map { day -> JSONOutput in
                .object([
                    ("date", .string(day.text)),
                    ("refdomains", .int(AhrefsV3Data.backlinksStats(target: target, date: day.text).liveRefdomains)),
                ])
            }
            return answer(.object([("refdomains", .array(rows))]), rows: rows.count, rowUnits: 6, targets: 1)
        }
    }

    private func keywordsOverview(_ values: [String: String]) throws -> SandboxResponse {
        let country = values["country"] ?? ""
        let select = (values["select"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for name in select where AhrefsV3PublishedEndpoint.keywordFields[name] == nil {
            throw AhrefsV3BadRequest("Invalid field \"\(name)\" in \"select\"")
        }
        let keywords = (values["keywords"] ?? "").split(separator: ",").map(String.init)
        let limit =
            try values["limit"].map { text -> Int in
                guard let value = Int(text), value > 0 else { throw AhrefsV3BadRequest("Invalid limit \"\(text)\"") }
                return value
            } ?? 1000
        let rows = keywords.prefix(limit).map { keyword -> JSONOutput in
            let details = AhrefsV3Data.keywordDetails(keyword: keyword, country: country, today: todayText)
            return .object(select.compactMap { name in details[name].map { (name, $0) } })
        }
        let rowUnits = Set(select).reduce(0) { $0 + (AhrefsV3PublishedEndpoint.keywordFields[$1] ?? 1) }
        return answer(
            .object([("keywords", .array(Array(rows)))]), rows: rows.count, rowUnits: rowUnits,
            targets: keywords.count)
    }

    private func batchAnalysis(_ request: SandboxRequest) throws -> SandboxResponse {
        try AhrefsV3Handler.checkContentType(request.headers)
        guard case .object(let object)? = JSONInput.parse(request.body) else {
            throw AhrefsV3BadRequest("Request body must be a JSON object")
        }
        let documented = ["targets", "select", "order_by", "country", "volume_mode", "output"]
        if let unknown = object.keys.sorted().first(where: { !documented.contains($0) }) {
            throw AhrefsV3BadRequest(
                "Unknown field \"\(unknown)\" for batch-analysis; documented fields: \(documented.joined(separator: ", "))"
            )
        }
        guard case .array(let targets)? = object["targets"], !targets.isEmpty else {
            throw AhrefsV3BadRequest("Field \"targets\" must be a non-empty array of {url, mode, protocol}")
        }
        guard targets.count <= AhrefsV3PublishedEndpoint.maxTargets else {
            throw AhrefsV3BadRequest(
                "Field \"targets\" has \(targets.count) entries; at most \(AhrefsV3PublishedEndpoint.maxTargets)")
        }
        guard case .array(let selectItems)? = object["select"], !selectItems.isEmpty else {
            throw AhrefsV3BadRequest("Field \"select\" must be a non-empty array of field names")
        }
        let select = try selectItems.map { item -> String in
            guard case .string(let name) = item, AhrefsV3PublishedEndpoint.batchFields[name] != nil else {
                throw AhrefsV3BadRequest("Field \"select\" names an unknown field: \(item)")
            }
            return name
        }
        if let country = object["country"] {
            guard case .string(let code) = country else {
                throw AhrefsV3BadRequest("Field \"country\" must be a string")
            }
            try checkCountry(code)
        }
        if let volumeMode = object["volume_mode"] {
            guard case .string(let mode) = volumeMode, ["monthly", "average"].contains(mode) else {
                throw AhrefsV3BadRequest("Field \"volume_mode\" must be monthly or average")
            }
        }
        if let order = object["order_by"] {
            guard case .array = order else { throw AhrefsV3BadRequest("Field \"order_by\" must be an array") }
        }
        let date = todayText
        let rows = try targets.enumerated().map { index, item -> JSONOutput in
            guard case .object(let target) = item else {
                throw AhrefsV3BadRequest("targets[\(index)] must be an object {url, mode, protocol}")
            }
            if let unknown = target.keys.sorted().first(where: { !["url", "mode", "protocol"].contains($0) }) {
                throw AhrefsV3BadRequest("targets[\(index)] has an unknown field \"\(unknown)\"")
            }
            guard case .string(let url)? = target["url"], !url.isEmpty, !url.contains(where: \.isWhitespace),
                case .string(let mode)? = target["mode"], AhrefsV3PublishedEndpoint.modes.contains(mode),
                case .string(let scheme)? = target["protocol"], AhrefsV3PublishedEndpoint.protocols.contains(scheme)
            else {
                throw AhrefsV3BadRequest(
                    "targets[\(index)] needs url (string), mode (exact, prefix, domain, subdomains) and protocol "
                        + "(both, http, https)")
            }
            var values = AhrefsV3Data.batchAnalysis(target: url, mode: mode, date: date)
            values["index"] = .int(index)
            values["url"] = .string(url)
            values["mode"] = .string(mode)
            values["protocol"] = .string(scheme)
            return .object(select.compactMap { name in values[name].map { (name, $0) } })
        }
        let rowUnits = Set(select).reduce(0) { $0 + (AhrefsV3PublishedEndpoint.batchFields[$1] ?? 1) }
        return answer(.object([("targets", .array(rows))]), rows: rows.count, rowUnits: rowUnits, targets: rows.count)
    }

    /// Free: units used this month by the sandbox's Ahrefs endpoints against the configured limit.
    private func limitsAndUsage(_ usage: SandboxUsage?) -> SandboxResponse {
        let ahrefs = Set(AhrefsV3PublishedEndpoint.allCases.map(\.rawValue) + AhrefsV3Endpoint.allCases.map(\.rawValue))
        let used = usage?.endpoints.filter { ahrefs.contains($0.key) }.values.reduce(0) { $0 + $1.units } ?? 0
        let today = CalendarDate(todayText)!
        var reset = CalendarDate(daysSinceEpoch: today.daysSinceEpoch)
        reset.day = 1
        reset.month = today.month == 12 ? 1 : today.month + 1
        reset.year = today.month == 12 ? today.year + 1 : today.year
        let limit: JSONOutput = unitsLimit.map(JSONOutput.int) ?? .null
        let body = JSONOutput.object([
            (
                "limits_and_usage",
                .object([
                    ("subscription", .string("Sandbox (simulated)")),
                    ("usage_reset_date", .string(reset.text)),
                    ("units_limit_workspace", limit),
                    ("units_usage_workspace", .int(used)),
                    ("units_limit_api_key", limit),
                    ("units_usage_api_key", .int(used)),
                    ("api_key_expiration_date", .string("\(today.year + 1)-12-31T00:00:00Z")),
                ])
            )
        ])
        return SandboxResponse(status: 200, body: body.text, headers: [("x-api-units-cost-total-actual", "0")])
    }
}
