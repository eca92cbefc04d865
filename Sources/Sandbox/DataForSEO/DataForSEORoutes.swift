import Foundation
import Hummingbird

/// The seven bulk Live endpoints and their documented task fields.
enum DataForSEOEndpoint: String, CaseIterable, Sendable {
    case pagesSummary = "backlinks/bulk_pages_summary/live"
    case ranks = "backlinks/bulk_ranks/live"
    case backlinks = "backlinks/bulk_backlinks/live"
    case referringDomains = "backlinks/bulk_referring_domains/live"
    case spamScore = "backlinks/bulk_spam_score/live"
    case newLostBacklinks = "backlinks/bulk_new_lost_backlinks/live"
    case newLostReferringDomains = "backlinks/bulk_new_lost_referring_domains/live"

    /// Most targets a task takes.
    static let maxTargets = 1000
    /// Most registrable domains the page URLs of one task may belong to.
    static let maxURLDomains = 100
    /// Longest `tag`, in characters.
    static let maxTagLength = 255

    /// `bulk_pages_summary` and so on.
    var function: String {
        String(rawValue.split(separator: "/")[1])
    }

    /// The task's `path`: `["v3", "backlinks", "bulk_pages_summary", "live"]`.
    var path: [String] {
        ["v3"] + rawValue.split(separator: "/").map(String.init)
    }

    /// Every documented task field, in the order the task's `data` echoes them.
    var fields: [String] {
        switch self {
        case .pagesSummary: ["targets", "include_subdomains", "rank_scale", "tag"]
        case .ranks: ["targets", "rank_scale", "tag"]
        case .newLostBacklinks, .newLostReferringDomains: ["targets", "date_from", "tag"]
        case .backlinks, .referringDomains, .spamScore: ["targets", "tag"]
        }
    }

    /// The `type` of the result items.
    var itemType: String {
        switch self {
        case .pagesSummary: DataForSEOPageSummary.itemType
        case .ranks: "backlinks_bulk_ranks"
        case .backlinks: "backlinks_bulk_backlinks"
        case .referringDomains: "backlinks_bulk_referring_domains"
        case .spamScore: "backlinks_bulk_spam_score"
        case .newLostBacklinks: "backlinks_bulk_new_lost_backlinks"
        case .newLostReferringDomains: "backlinks_bulk_new_lost_referring_domains"
        }
    }
}

/// A task that breaks the documented contract; answered with task status 40501.
private struct InvalidField: Error {
    var field: String
    var detail: String?

    /// `Invalid Field: 'targets'.`, followed by the detail when there is one.
    var message: String {
        "Invalid Field: '\(field)'." + (detail.map { " " + $0 } ?? "")
    }
}

/// A valid task's parameters.
private struct ValidTask {
    var targets: [String]
    var rankScale: DataForSEORankScale
    var dateFrom: String?
}

/// Validates and answers one request to one endpoint.
struct DataForSEOHandler: Sendable {
    let endpoint: DataForSEOEndpoint
    let login: String
    let password: String
    let fixedToday: String?

    /// The sandbox's date for this request.
    var today: String {
        fixedToday ?? CalendarDate.todayUTC().text
    }

    func respond(to request: SandboxRequest) -> SandboxResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let elapsed = { DataForSEOEnvelope.time(clock.now - start) }

        guard isAuthorized(request.headers) else {
            return DataForSEOEnvelope.topLevel(DataForSEOEnvelope.notAuthorized, httpStatus: 401, time: elapsed())
        }
        guard Self.isJSON(request.headers),
            case .array(let items)? = JSONInput.parse(request.body), !items.isEmpty
        else {
            return DataForSEOEnvelope.topLevel(DataForSEOEnvelope.postDataInvalid, time: elapsed())
        }
        let tasks = items.compactMap { item -> [String: JSONInput]? in
            guard case .object(let task) = item else { return nil }
            return task
        }
        guard tasks.count == items.count else {
            return DataForSEOEnvelope.topLevel(DataForSEOEnvelope.postDataInvalid, time: elapsed())
        }
        guard tasks.count == 1 else {
            return DataForSEOEnvelope.topLevel(DataForSEOEnvelope.oneTaskAtATime, time: elapsed())
        }

        // The official client sends every optional field, `null` when unset: null means absent, as in DataForSEO.
        let task = tasks[0].filter { if case .null = $0.value { false } else { true } }
        let today = self.today
        var output = DataForSEOTaskOutput(
            id: DataForSEOEnvelope.taskID(usageKey: endpoint.rawValue, body: request.body, index: 0),
            statusCode: DataForSEOEnvelope.ok,
            statusMessage: DataForSEOEnvelope.message(for: DataForSEOEnvelope.ok),
            time: "",
            path: endpoint.path,
            data: echoData(task),
            result: nil
        )
        let valid: ValidTask
        do {
            valid = try validate(task, today: today)
        } catch let invalid as InvalidField {
            output.statusCode = DataForSEOEnvelope.invalidField
            output.statusMessage = invalid.message
            output.time = elapsed()
            return SandboxResponse(
                status: 200,
                body: DataForSEOEnvelope.body(
                    statusCode: DataForSEOEnvelope.ok, statusMessage: "Ok.", time: elapsed(), tasks: [output])
            )
        } catch {
            return DataForSEOEnvelope.topLevel(50000, time: elapsed())
        }

        let results = valid.targets.map { self.item(for: $0, task: valid, today: today) }
        output.costUnits = DataForSEOData.taskCostUnits(targets: valid.targets.count)
        // Only bulk_pages_summary's result model has `total_count` (dataforseo-client); the others count items only.
        let total: [(String, JSONOutput)] = endpoint == .pagesSummary ? [("total_count", .int(results.count))] : []
        output.result = [.object(total + [("items_count", .int(results.count)), ("items", .array(results))])]
        output.time = elapsed()
        return SandboxResponse(
            status: 200,
            body: DataForSEOEnvelope.body(
                statusCode: DataForSEOEnvelope.ok, statusMessage: "Ok.", time: elapsed(), tasks: [output]),
            charged: true,
            targetCount: valid.targets.count,
            chargedTargets: valid.targets.count,
            costUSD: DataForSEOData.taskCost(targets: valid.targets.count)
        )
    }

    // MARK: - Faults

    /// Answers an injected fault: a top-level DataForSEO code, a task-level one, or the plain HTTP status.
    func faultResponse(_ rule: FaultRule, body: [UInt8]?) -> SandboxResponse {
        let time = DataForSEOEnvelope.time(.zero)
        let fault = rule.dialect(SimulatedDataForSEO.Fault.self)
        if let code = fault?.statusCode {
            return DataForSEOEnvelope.topLevel(code, httpStatus: rule.status, time: time)
        }
        guard let code = fault?.taskStatusCode else {
            return DataForSEOEnvelope.httpError(rule.status, rule.defaultMessage)
        }
        var tasks: [[String: JSONInput]] = []
        if let body, case .array(let items)? = JSONInput.parse(body) {
            for case .object(let task) in items {
                tasks.append(task)
            }
        }
        if tasks.isEmpty { tasks = [[:]] }
        let outputs = tasks.enumerated().map { index, task in
            DataForSEOTaskOutput(
                id: DataForSEOEnvelope.taskID(usageKey: endpoint.rawValue, body: body ?? [], index: index),
                statusCode: code,
                statusMessage: DataForSEOEnvelope.message(for: code),
                time: time,
                path: endpoint.path,
                data: echoData(task),
                result: nil
            )
        }
        return SandboxResponse(
            status: rule.status,
            body: DataForSEOEnvelope.body(
                statusCode: DataForSEOEnvelope.ok, statusMessage: "Ok.", time: time, tasks: outputs)
        )
    }

    // MARK: - Request log

    /// Tasks, targets and distinct registrable domains of the URL targets in a body, best effort.
    static func summarize(_ body: [UInt8]) -> RequestSummary {
        guard case .array(let items)? = JSONInput.parse(body) else { return RequestSummary() }
        var targets = 0
        var domains: Set<String> = []
        for case .object(let task) in items {
            guard case .array(let list)? = task["targets"] else { continue }
            targets += list.count
            for case .string(let target) in list where Self.isPageURL(target) {
                let domain = DataForSEOData.registrableDomain(of: target)
                if !domain.isEmpty { domains.insert(domain) }
            }
        }
        return RequestSummary(targets: targets, tasks: items.count, distinctDomains: domains.count)
    }

    // MARK: - Transport checks

    /// `Authorization: Basic base64(login:password)` with the configured credentials.
    func isAuthorized(_ headers: HTTPFields) -> Bool {
        guard let value = headers[.authorization] else { return false }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return false }
        return String(decoding: decoded, as: UTF8.self) == login + ":" + password
    }

    /// `Content-Type: application/json`, parameters such as `charset=utf-8` allowed.
    private static func isJSON(_ headers: HTTPFields) -> Bool {
        guard let value = headers[.contentType] else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    // MARK: - Task validation

    /// The task's `data`: api and function, then every field the task sent (documented ones in
    /// documentation order, then any others by name).
    private func echoData(_ task: [String: JSONInput]) -> JSONOutput {
        var members: [(String, JSONOutput)] = [
            ("api", .string("backlinks")), ("function", .string(endpoint.function)),
        ]
        for field in endpoint.fields {
            if let value = task[field] { members.append((field, DataForSEOEnvelope.echo(value))) }
        }
        for key in task.keys.sorted() where !endpoint.fields.contains(key) {
            members.append((key, DataForSEOEnvelope.echo(task[key]!)))
        }
        return .object(members)
    }

    private func validate(_ task: [String: JSONInput], today: String) throws -> ValidTask {
        if let unknown = task.keys.filter({ !endpoint.fields.contains($0) }).sorted().first {
            throw InvalidField(field: unknown)
        }
        let targets = try Self.targets(task["targets"])

        if let value = task["tag"] {
            guard case .string(let tag) = value else { throw InvalidField(field: "tag") }
            guard tag.count <= DataForSEOEndpoint.maxTagLength else {
                throw InvalidField(field: "tag", detail: "Maximum \(DataForSEOEndpoint.maxTagLength) characters.")
            }
        }
        if let value = task["include_subdomains"] {
            guard case .bool = value else { throw InvalidField(field: "include_subdomains") }
        }
        var rankScale = DataForSEORankScale.oneThousand
        if let value = task["rank_scale"] {
            guard case .string(let text) = value, let scale = DataForSEORankScale(rawValue: text) else {
                throw InvalidField(field: "rank_scale", detail: "Possible values: one_hundred, one_thousand.")
            }
            rankScale = scale
        }
        var dateFrom: String?
        if let value = task["date_from"] {
            guard case .string(let text) = value, let date = CalendarDate(text) else {
                throw InvalidField(field: "date_from", detail: "Expected a date in yyyy-mm-dd format.")
            }
            if let now = CalendarDate(today), now < date {
                throw InvalidField(field: "date_from", detail: "The date must not be later than today (\(today)).")
            }
            dateFrom = text
        }
        return ValidTask(targets: targets, rankScale: rankScale, dateFrom: dateFrom)
    }

    /// `targets`: 1-1000 valid domains, subdomains or page URLs, the URLs within 100 registrable domains.
    private static func targets(_ value: JSONInput?) throws -> [String] {
        guard case .array(let items)? = value else { throw InvalidField(field: "targets") }
        guard !items.isEmpty else {
            throw InvalidField(field: "targets", detail: "At least one target is required.")
        }
        guard items.count <= DataForSEOEndpoint.maxTargets else {
            throw InvalidField(field: "targets", detail: "Maximum \(DataForSEOEndpoint.maxTargets) targets.")
        }
        var targets: [String] = []
        var domains: Set<String> = []
        for item in items {
            guard case .string(let target) = item else { throw InvalidField(field: "targets") }
            if let problem = Self.targetProblem(target) {
                throw InvalidField(field: "targets", detail: "Invalid target '\(target)': \(problem)")
            }
            if Self.isPageURL(target) { domains.insert(DataForSEOData.registrableDomain(of: target)) }
            targets.append(target)
        }
        guard domains.count <= DataForSEOEndpoint.maxURLDomains else {
            throw InvalidField(
                field: "targets",
                detail: "The URLs you set in a single request cannot belong to more than "
                    + "\(DataForSEOEndpoint.maxURLDomains) different domains (got \(domains.count))."
            )
        }
        return targets
    }

    // MARK: - Target types

    /// Whether a target is meant as a page: it starts with `http://` or `https://`.
    static func isPageURL(_ text: String) -> Bool {
        let lowered = text.prefix(8).lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    /// Why a target is not a valid domain, subdomain or page URL, or nil when it is one.
    static func targetProblem(_ text: String) -> String? {
        if text.isEmpty { return "a target must not be empty." }
        if text.contains(where: { $0.isWhitespace || $0.isNewline }) { return "a target must not contain spaces." }
        if Self.isPageURL(text) {
            guard let components = URLComponents(string: text), let host = components.host,
                Self.isValidHost(host.lowercased()) || Self.isIPv4(host)
            else { return "a page must be an absolute URL with a valid host." }
            return nil
        }
        if text.contains("://") {
            return "a page must be an absolute URL with http:// or https://."
        }
        if text.contains("/") {
            return "a domain or subdomain is specified without a path; "
                + "a page must be an absolute URL with http:// or https://."
        }
        if text.lowercased().hasPrefix("www.") {
            return "a domain or subdomain is specified without https:// and www."
        }
        guard Self.isValidHost(text.lowercased()) else { return "not a valid domain." }
        return nil
    }

    /// At least two dot-separated labels of letters, digits, `-` and `_` (not starting or ending with `-`),
    /// the last one not numeric.
    private static func isValidHost(_ host: String) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, host.utf8.count <= 253 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else { return false }
        }
        return !labels[labels.count - 1].allSatisfy(\.isNumber)
    }

    private static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && Int(part).map { $0 <= 255 } == true
            }
    }

    // MARK: - Items

    /// An item with exactly the fields of its endpoint's model in the official client: `type` only where the model
    /// has it (bulk_spam_score, bulk_pages_summary).
    private func item(for target: String, task: ValidTask, today: String) -> JSONOutput {
        let type: (String, JSONOutput) = ("type", .string(endpoint.itemType))
        let name: (String, JSONOutput) = ("target", .string(target))
        switch endpoint {
        case .pagesSummary:
            var summary = DataForSEOData.pageSummary(target: target, date: today)
            summary.rank = task.rankScale.scaled(summary.rank)
            summary.mainDomainRank = task.rankScale.scaled(summary.mainDomainRank)
            return Self.json(summary)
        case .ranks:
            let rank = DataForSEOData.rank(target: target, date: today, scale: task.rankScale)
            return .object([name, ("rank", .int(rank))])
        case .backlinks:
            return .object([name, ("backlinks", .int(DataForSEOData.backlinks(target: target, date: today)))])
        case .referringDomains:
            let counts = DataForSEOData.referringDomains(target: target, date: today)
            return .object([
                name, ("referring_domains", .int(counts.referringDomains)),
                ("referring_domains_nofollow", .int(counts.referringDomainsNofollow)),
                ("referring_main_domains", .int(counts.referringMainDomains)),
                ("referring_main_domains_nofollow", .int(counts.referringMainDomainsNofollow)),
            ])
        case .spamScore:
            return .object([type, name, ("spam_score", .int(DataForSEOData.spamScore(target: target, date: today)))])
        case .newLostBacklinks:
            let counts = DataForSEOData.newLost(target: target, date: today, dateFrom: task.dateFrom)
            return .object([
                name, ("new_backlinks", .int(counts.newBacklinks)),
                ("lost_backlinks", .int(counts.lostBacklinks)),
            ])
        case .newLostReferringDomains:
            let counts = DataForSEOData.newLostReferringDomains(target: target, date: today, dateFrom: task.dateFrom)
            return .object([
                name, ("new_referring_domains", .int(counts.newReferringDomains)),
                ("lost_referring_domains", .int(counts.lostReferringDomains)),
                ("new_referring_main_domains", .int(counts.newReferringMainDomains)),
                ("lost_referring_main_domains", .int(counts.lostReferringMainDomains)),
            ])
        }
    }

    private static func json(_ summary: DataForSEOPageSummary) -> JSONOutput {
        func map(_ counts: [String: Int]?) -> JSONOutput {
            guard let counts else { return .null }
            let ordered = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            return .object(ordered.map { ($0.key, .int($0.value)) })
        }
        return .object([
            ("type", .string(summary.type)),
            ("url", .string(summary.url)),
            ("rank", .int(summary.rank)),
            ("main_domain_rank", .int(summary.mainDomainRank)),
            ("backlinks", .int(summary.backlinks)),
            ("first_seen", summary.firstSeen.map(JSONOutput.string) ?? .null),
            ("lost_date", summary.lostDate.map(JSONOutput.string) ?? .null),
            ("backlinks_spam_score", .int(summary.backlinksSpamScore)),
            ("broken_backlinks", .int(summary.brokenBacklinks)),
            ("broken_pages", .int(summary.brokenPages)),
            ("referring_domains", .int(summary.referringDomains)),
            ("referring_domains_nofollow", .int(summary.referringDomainsNofollow)),
            ("referring_main_domains", .int(summary.referringMainDomains)),
            ("referring_main_domains_nofollow", .int(summary.referringMainDomainsNofollow)),
            ("referring_ips", .int(summary.referringIPs)),
            ("referring_subnets", .int(summary.referringSubnets)),
            ("referring_pages", .int(summary.referringPages)),
            ("referring_pages_nofollow", .int(summary.referringPagesNofollow)),
            ("referring_links_tld", map(summary.referringLinksTLD)),
            ("referring_links_types", map(summary.referringLinksTypes)),
            ("referring_links_attributes", map(summary.referringLinksAttributes)),
            ("referring_links_platform_types", map(summary.referringLinksPlatformTypes)),
            ("referring_links_semantic_locations", map(summary.referringLinksSemanticLocations)),
            ("referring_links_countries", map(summary.referringLinksCountries)),
        ])
    }
}
