import Foundation

/// Runs an accepted batch the way the seed describes and writes its answer.
///
/// Queries run group by group (`parallel_groups`), each group in slices of at most `parallel_limit`
/// queries in request order; the queries of one slice run together. A query whose dependency did not
/// succeed is skipped with `dependency_failed`. With `fail_fast`, once a slice has a failed query, every
/// query of the later slices is skipped with `fail_fast`. `timing_ms` is simulated (a pure function of
/// the query) and `total_timing_ms` is the sum over the queries that ran.
struct AnalyticsBatchRun {
    /// A query made to fail by a fault rule.
    struct InjectedFailure: Sendable {
        /// The query to fail; nil means the first in execution order.
        var queryID: String?
        var code: String
    }

    enum Outcome {
        case success(data: JSONOutput, timing: Int)
        case failure(AnalyticsQueryFailure, timing: Int)
        case skipped(AnalyticsQueryFailure)

        var succeeded: Bool {
            if case .success = self { return true }
            return false
        }
    }

    let request: AnalyticsBatchRequest
    let today: String
    let injected: InjectedFailure?

    /// The outcome of every query, by id.
    func outcomes() -> [String: Outcome] {
        let queries = Dictionary(uniqueKeysWithValues: request.queries.map { ($0.id, $0) })
        let failingID = self.injected.map { $0.queryID ?? request.executionOrder.first ?? "" }
        var outcomes: [String: Outcome] = [:]
        var stopped = false
        for group in request.parallelGroups {
            for sliceStart in stride(from: 0, to: group.count, by: request.parallelLimit) {
                var sliceFailed = false
                for id in group[sliceStart..<min(group.count, sliceStart + request.parallelLimit)] {
                    guard let query = queries[id] else { continue }
                    if stopped {
                        outcomes[id] = .skipped(
                            AnalyticsQueryFailure(
                                code: "fail_fast", message: "skipped after an earlier query failed (fail_fast)"))
                        continue
                    }
                    if let dependency = query.dependsOn.first(where: { outcomes[$0]?.succeeded != true }) {
                        outcomes[id] = .skipped(
                            AnalyticsQueryFailure(
                                code: "dependency_failed", message: "dependency '\(dependency)' failed"))
                        continue
                    }
                    let outcome: Outcome
                    if let injected = self.injected, failingID == id {
                        outcome = .failure(
                            AnalyticsQueryFailure(code: injected.code, message: Self.injectedMessage(injected.code)),
                            timing: Self.errorTiming(query))
                    } else {
                        outcome = Self.execute(query, today: today)
                    }
                    if !outcome.succeeded { sliceFailed = true }
                    outcomes[id] = outcome
                }
                if sliceFailed && request.failFast { stopped = true }
            }
        }
        return outcomes
    }

    /// The batch answer: `batch_id`, `status`, `results` in request order, `meta`.
    func answer(batchID: String) -> JSONOutput {
        let outcomes = self.outcomes()
        var results: [(String, JSONOutput)] = []
        var successful = 0
        var failed = 0
        var skipped = 0
        var totalTiming = 0
        let timing = request.includeTiming
        for query in request.queries {
            guard let outcome = outcomes[query.id] else { continue }
            var members: [(String, JSONOutput)]
            switch outcome {
            case .success(let data, let ms):
                successful += 1
                totalTiming += ms
                members = [("status", .string("success")), ("data", data)]
                if timing { members.append(("timing_ms", .int(ms))) }
            case .failure(let failure, let ms):
                failed += 1
                totalTiming += ms
                members = [("status", .string("error")), ("error", Self.errorObject(failure))]
                if timing { members.append(("timing_ms", .int(ms))) }
            case .skipped(let reason):
                skipped += 1
                members = [("status", .string("skipped")), ("error", Self.errorObject(reason))]
            }
            results.append((query.id, .object(members)))
        }
        let status =
            successful == request.queries.count ? "completed" : successful == 0 ? "failed" : "partial"
        var meta: [(String, JSONOutput)] = [
            ("total_queries", .int(request.queries.count)),
            ("successful", .int(successful)),
            ("failed", .int(failed)),
            ("skipped", .int(skipped)),
        ]
        if timing { meta.append(("total_timing_ms", .int(totalTiming))) }
        return .object([
            ("batch_id", .string(batchID)),
            ("status", .string(status)),
            ("results", .object(results)),
            ("meta", .object(meta)),
        ])
    }

    /// A uuid-shaped id (version 4 layout) from the SHA-256 of the body: the same body, the same id.
    static func batchID(body: [UInt8]) -> String {
        var hex = Array(SHA256.hex(Array("analytics-batch\n".utf8) + body))
        hex[12] = "4"
        hex[16] = Array("89ab")[Int(hex[16].hexDigitValue ?? 0) % 4]
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }

    static func errorObject(_ failure: AnalyticsQueryFailure) -> JSONOutput {
        .object([("code", .string(failure.code)), ("message", .string(failure.message))])
    }

    // MARK: - One query

    private static func execute(_ query: AnalyticsBatchQuery, today: String) -> Outcome {
        guard query.endpoint.isServed else {
            return .failure(.validation("endpoint not available in this sandbox"), timing: errorTiming(query))
        }
        let parameters: AnalyticsQueryParameters
        do {
            parameters = try AnalyticsQueryParameters(query.params, endpoint: query.endpoint, today: today)
        } catch {
            return .failure(error, timing: errorTiming(query))
        }
        let timing =
            10
            + Int(
                50
                    * SimulatedValues.unit(
                        "analytics.timing", query.endpoint.rawValue, parameters.account, parameters.start,
                        parameters.end, String(parameters.pageSize)))
        guard let dimension = query.endpoint.dimension else {
            let overview = AnalyticsData.overview(
                account: parameters.account, start: parameters.start, end: parameters.end)
            return .success(data: json(overview), timing: timing)
        }
        let rows = AnalyticsData.rows(
            endpoint: query.endpoint.rawValue, account: parameters.account, start: parameters.start,
            end: parameters.end)
        return .success(data: page(rows, parameters, dimension: dimension), timing: timing)
    }

    /// A list endpoint's answer as the API documents it per endpoint (docs.sealmetrics.com/api/pagination-sorting):
    /// `{"data": [rows of the page], "total", "page", "page_size", "has_next", "has_prev"}`. A page past the end is
    /// empty.
    private static func page(
        _ rows: [AnalyticsRow], _ parameters: AnalyticsQueryParameters, dimension: AnalyticsDimension
    ) -> JSONOutput {
        let first = min(rows.count, (parameters.page - 1) * parameters.pageSize)
        let slice = rows[first..<min(rows.count, first + parameters.pageSize)]
        return .object([
            ("data", .array(slice.map { json($0, dimension: dimension) })),
            ("total", .int(rows.count)),
            ("page", .int(parameters.page)),
            ("page_size", .int(parameters.pageSize)),
            ("has_next", .bool(first + parameters.pageSize < rows.count)),
            ("has_prev", .bool(parameters.page > 1)),
        ])
    }

    /// 1-4 ms: a query that fails does little work.
    private static func errorTiming(_ query: AnalyticsBatchQuery) -> Int {
        1 + Int(4 * SimulatedValues.unit("analytics.timing.error", query.id, query.endpoint.rawValue))
    }

    private static func injectedMessage(_ code: String) -> String {
        switch code {
        case AnalyticsErrorCode.internalError: "Internal server error (injected fault)"
        case AnalyticsErrorCode.validation: "Invalid query (injected fault)"
        case AnalyticsErrorCode.rateLimit: "Rate limit exceeded (injected fault)"
        case AnalyticsErrorCode.quota: "Quota exceeded (injected fault)"
        default: "Query failed with \(code) (injected fault)"
        }
    }

    // MARK: - Data as JSON

    private static func json(_ overview: AnalyticsOverview) -> JSONOutput {
        .object([
            (
                "date_range",
                .object([
                    ("start", .string(overview.dateRange.start)), ("end", .string(overview.dateRange.end)),
                ])
            ),
            ("entrances", .int(overview.entrances)),
            ("page_views", .int(overview.pageViews)),
            ("engaged_entrances", .int(overview.engagedEntrances)),
            ("bounce_rate", oneDecimal(overview.bounceRate)),
            ("conversions", .int(overview.conversions)),
            ("revenue", twoDecimals(overview.revenue)),
            ("microconversions", .int(overview.microconversions)),
        ])
    }

    private static func json(_ row: AnalyticsRow, dimension: AnalyticsDimension) -> JSONOutput {
        let key = (dimension.wireKey, JSONOutput.string(row.key))
        if dimension == .conversions {
            // As published: the conversions of the type as `count`, with the revenue and its average.
            let average = row.conversions > 0 ? row.revenue / Double(row.conversions) : 0
            return .object([
                key, ("count", .int(row.conversions)), ("revenue", twoDecimals(row.revenue)),
                ("avg_value", twoDecimals(average)),
            ])
        }
        var members: [(String, JSONOutput)] = [
            key,
            ("entrances", .int(row.entrances)),
            ("engaged_entrances", .int(row.engagedEntrances)),
            ("page_views", .int(row.pageViews)),
            ("conversions", .int(row.conversions)),
            ("revenue", twoDecimals(row.revenue)),
            ("bounce_rate", oneDecimal(row.bounceRate)),
        ]
        if dimension == .channels { members.append(("microconversions", .int(row.microconversions))) }
        if dimension == .countries {
            members.insert(("country_name", .string(AnalyticsDimension.countryName(row.key))), at: 1)
        }
        return .object(members)
    }

    private static func oneDecimal(_ value: Double) -> JSONOutput {
        .fixed(units: Int((value * 10).rounded()), decimals: 1)
    }

    private static func twoDecimals(_ value: Double) -> JSONOutput {
        .fixed(units: Int((value * 100).rounded()), decimals: 2)
    }
}
