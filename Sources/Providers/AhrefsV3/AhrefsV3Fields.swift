import Foundation
import SeopipeCore

/// The fields of Ahrefs' published v3 answers that seopipe stores, each with the units a row of it costs (the
/// OpenAPI document marks 5 and 10; every other field costs 1) and its type in the fact table.
///
/// Source: Ahrefs' published OpenAPI description (docs.ahrefs.com/openapi.json; the copy in GitHub
/// api-evangelist/ahrefs, `openapi/_original/ahrefs-openapi-original.json`, 2026-08).
struct AhrefsV3Field: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case integer
        case number
        case text
        /// An array or object, stored as its JSON text.
        case json

        var description: String {
            switch self {
            case .integer, .number: "a number"
            case .text: "a string"
            case .json: "an array or object"
            }
        }
    }

    var name: String
    var units: Int
    var kind: Kind

    init(_ name: String, _ kind: Kind, units: Int = 1) {
        self.name = name
        self.kind = kind
        self.units = units
    }

    /// The value of this field in `object` as the warehouse stores it; a value of another type than documented is
    /// stored as null rather than failing the answer, and reported as drift (``SchemaDriftLog``) with the read.
    /// `asked`: whether the request asked for the field (a batch-analysis `select`); an unasked field is not missing.
    func value(in object: JSONValue, asked: Bool = true) -> SQLValue {
        let raw = object[name]
        if asked { SchemaDriftLog.current?.read(name, raw) }
        guard let raw else { return .null }
        let value = stored(raw)
        if case .null = value, raw != .null {
            SchemaDriftLog.current?.typeChanged(field: name, expected: kind.description, found: raw.typeName)
        }
        return value
    }

    private func stored(_ raw: JSONValue) -> SQLValue {
        switch (kind, raw) {
        case (.integer, .integer(let value)): return .integer(value)
        case (.integer, .double(let value)):
            guard value.isFinite, abs(value) < 9e18 else { return .null }
            return .integer(Int64(value.rounded()))
        case (.number, .integer(let value)): return .real(Double(value))
        case (.number, .double(let value)): return value.isFinite ? .real(value) : .null
        case (.text, .string(let text)): return .text(text)
        case (.json, .array), (.json, .object):
            guard let data = try? JSONSerialization.data(withJSONObject: raw.foundationObject, options: [.sortedKeys])
            else { return .null }
            return .text(String(decoding: data, as: UTF8.self))
        default: return .null
        }
    }
}

extension AhrefsV3Provider {
    /// `batch-analysis/batch-analysis`: every field `select` may name except those echoing the request (`index`,
    /// `url`, `mode`, `protocol`, which seopipe always asks for and stores as the row's key columns).
    static let batchAnalysisFields: [AhrefsV3Field] = [
        .init("ahrefs_rank", .integer), .init("domain_rating", .number), .init("url_rating", .number),
        .init("backlinks", .integer), .init("backlinks_dofollow", .integer), .init("backlinks_nofollow", .integer),
        .init("backlinks_internal", .integer), .init("backlinks_redirect", .integer),
        .init("refdomains", .integer, units: 5), .init("refdomains_dofollow", .integer, units: 5),
        .init("refdomains_nofollow", .integer, units: 5), .init("refips", .integer),
        .init("refips_subnets", .integer), .init("linked_domains", .integer),
        .init("linked_domains_dofollow", .integer), .init("outgoing_links", .integer),
        .init("outgoing_links_dofollow", .integer), .init("org_keywords", .integer),
        .init("org_keywords_1_3", .integer), .init("org_keywords_4_10", .integer),
        .init("org_keywords_11_20", .integer), .init("org_keywords_21_50", .integer),
        .init("org_keywords_51_plus", .integer), .init("org_traffic", .integer, units: 10),
        .init("org_traffic_top_by_country", .json, units: 10), .init("org_cost", .integer, units: 10),
        .init("paid_keywords", .integer), .init("paid_ads", .integer), .init("paid_traffic", .integer, units: 10),
        .init("paid_cost", .integer, units: 10), .init("ip", .text),
    ]
    /// What a batch-analysis stage asks for when its `select` names nothing: the strength, link and organic
    /// numbers a dashboard shows (21 units a row with the echoed fields).
    static let batchAnalysisDefault = [
        "domain_rating", "url_rating", "ahrefs_rank", "backlinks", "refdomains", "org_keywords", "org_traffic",
    ]
    /// The fields every batch-analysis request also selects: the target's position and echo, mode and protocol.
    static let batchAnalysisEcho = ["index", "url", "mode", "protocol"]
    static let batchAnalysisEchoSet = Set(batchAnalysisEcho)

    /// `site-explorer/metrics` (dated): its whole `metrics` object.
    static let siteMetricsFields: [AhrefsV3Field] = [
        .init("org_keywords", .integer), .init("org_keywords_1_3", .integer),
        .init("org_traffic", .integer, units: 10), .init("org_cost", .integer, units: 10),
        .init("paid_keywords", .integer), .init("paid_pages", .integer), .init("paid_traffic", .integer, units: 10),
        .init("paid_cost", .integer, units: 10),
    ]
    /// `site-explorer/metrics-history`: the columns its answer documents besides `date`.
    static let metricsHistoryFields: [AhrefsV3Field] = [
        .init("org_traffic", .integer, units: 10), .init("org_cost", .integer, units: 10),
        .init("paid_traffic", .integer, units: 10), .init("paid_cost", .integer, units: 10),
    ]
    /// `site-explorer/backlinks-stats` (dated).
    static let backlinksStatsFields: [AhrefsV3Field] = [
        .init("live", .integer), .init("all_time", .integer), .init("live_refdomains", .integer, units: 5),
        .init("all_time_refdomains", .integer, units: 5),
    ]

    /// `keywords-explorer/overview`: the fields seopipe stores (every documented one except the monthly volume
    /// history, which needs a date range of its own). `difficulty` loads the `keyword_difficulty` column and `cpc`
    /// (USD cents) the `cpc` column in US dollars, as the reference endpoint's rows do.
    static let keywordFields: [AhrefsV3Field] = [
        .init("volume", .integer, units: 10), .init("difficulty", .integer, units: 10), .init("cpc", .integer),
        .init("traffic_potential", .integer, units: 10), .init("global_volume", .integer, units: 10),
        .init("volume_monthly", .integer, units: 10), .init("parent_topic", .text),
        .init("parent_volume", .integer, units: 10), .init("intents", .json, units: 10), .init("clicks", .integer),
        .init("cps", .number), .init("serp_features", .json), .init("serp_last_update", .text),
        .init("first_seen", .text), .init("volume_desktop_pct", .number), .init("volume_mobile_pct", .number),
        .init("searches_pct_clicks_organic_only", .number), .init("searches_pct_clicks_paid_only", .number),
        .init("searches_pct_clicks_organic_and_paid", .number),
    ]
    /// What a keywords-explorer/overview stage asks for when its `select` names nothing (51 units a row).
    static let keywordDefault = ["volume", "difficulty", "cpc", "traffic_potential", "global_volume", "parent_topic"]

    /// Per-row units of `fields` among `catalogue`, plus 1 for each echoed field.
    static func rowUnits(_ fields: [String], in catalogue: [AhrefsV3Field], echoed: Int) -> Int {
        let weights = Dictionary(catalogue.map { ($0.name, $0.units) }, uniquingKeysWith: { first, _ in first })
        return echoed + fields.reduce(0) { $0 + (weights[$1] ?? 1) }
    }

    /// Ahrefs' published charge for an answer: `max(50, rows x per-row cost)`.
    static func charge(rows: Int, rowUnits: Int) -> Double { Double(max(50, rows * rowUnits)) }
}
