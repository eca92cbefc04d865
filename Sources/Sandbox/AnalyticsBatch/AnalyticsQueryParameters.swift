import Foundation

/// Why one query of an accepted batch failed: its `error` object.
struct AnalyticsQueryFailure: Error {
    var code: String
    var message: String

    static func validation(_ message: String) -> AnalyticsQueryFailure {
        AnalyticsQueryFailure(code: AnalyticsErrorCode.validation, message: message)
    }
}

/// A query's `params`, checked when the query runs; a problem fails that query only.
struct AnalyticsQueryParameters: Sendable, Equatable {
    static let names = ["account_id", "period", "start_date", "end_date", "page", "page_size"]

    var account: String
    var start: String
    var end: String
    /// Rows a page of a list endpoint holds at most; unused by `/stats/overview`.
    var pageSize: Int
    /// The page asked for, 1-based.
    var page: Int

    /// Checks, in this order: unknown parameters, `account_id`, the date range (`period` or `start_date`
    /// with `end_date`), `page_size`.
    init(_ params: [String: JSONInput], endpoint: AnalyticsEndpoint, today: String) throws(AnalyticsQueryFailure) {
        let unknown = params.keys.filter { !Self.names.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw .validation(
                "unknown parameter\(unknown.count == 1 ? "" : "s") "
                    + unknown.map(AnalyticsBatchRequest.quoted).joined(separator: ", ")
                    + " for \(endpoint.rawValue); accepted: \(Self.names.joined(separator: ", "))")
        }

        guard let accountValue = params["account_id"] else { throw .validation("account_id is required") }
        guard case .string(let account) = accountValue else {
            throw .validation("account_id must be a string, got \(accountValue.typeName)")
        }
        guard !account.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .validation("account_id must not be empty")
        }
        self.account = account

        let period = params["period"]
        let startDate = params["start_date"]
        let endDate = params["end_date"]
        if let period {
            guard startDate == nil, endDate == nil else {
                throw .validation("give either period or start_date and end_date, not both")
            }
            guard case .string(let keyword) = period else {
                throw .validation("period must be a string, got \(period.typeName)")
            }
            guard let range = AnalyticsData.resolve(period: keyword, today: today) else {
                throw .validation(
                    "period must be one of \(AnalyticsData.periods.joined(separator: ", ")), got "
                        + AnalyticsBatchRequest.quoted(keyword))
            }
            (self.start, self.end) = range
        } else {
            guard startDate != nil || endDate != nil else {
                throw .validation("period or start_date and end_date is required")
            }
            guard let startDate, let endDate else {
                throw .validation("start_date and end_date must be given together")
            }
            let start = try Self.date(startDate, "start_date")
            let end = try Self.date(endDate, "end_date")
            guard start <= end else {
                throw .validation("start_date \(start.text) is after end_date \(end.text)")
            }
            (self.start, self.end) = (start.text, end.text)
        }

        pageSize =
            try Self.integer(params["page_size"], "page_size", endpoint: endpoint, in: endpoint.pageSizes)
            ?? endpoint.defaultPageSize
        page = try Self.integer(params["page"], "page", endpoint: endpoint, in: 1...Int(Int32.max)) ?? 1
    }

    /// A list endpoint's integer parameter (`page`, `page_size`) within `range`; nil when absent.
    private static func integer(
        _ value: JSONInput?, _ name: String, endpoint: AnalyticsEndpoint, in range: ClosedRange<Int>
    ) throws(AnalyticsQueryFailure) -> Int? {
        guard let value else { return nil }
        guard endpoint.dimension != nil else {
            throw .validation("\(name) is accepted by list endpoints only, not by \(endpoint.rawValue)")
        }
        guard case .number(let number) = value, number == number.rounded(),
            Double(range.lowerBound)...Double(range.upperBound) ~= number
        else {
            let bounds =
                range.upperBound == Int(Int32.max)
                ? "from \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw .validation("\(name) must be an integer \(bounds), got \(AnalyticsBatchRequest.describe(value))")
        }
        return Int(number)
    }

    private static func date(_ value: JSONInput, _ name: String) throws(AnalyticsQueryFailure) -> CalendarDate {
        guard case .string(let text) = value else {
            throw .validation("\(name) must be a string in YYYY-MM-DD format, got \(value.typeName)")
        }
        guard let date = CalendarDate(text) else {
            throw .validation(
                "\(name) must be a real date in YYYY-MM-DD format, got \(AnalyticsBatchRequest.quoted(text))")
        }
        return date
    }
}
