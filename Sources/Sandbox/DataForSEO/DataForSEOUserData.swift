import Foundation

/// `GET /v3/appendix/user_data`: free; the account's login, limits and money, `money.balance` being the configured
/// balance less what the sandbox's bulk endpoints charged so far (what `seopipe check` reads).
struct DataForSEOUserData: Sendable {
    static let usageKey = "appendix/user_data"

    let handler: DataForSEOHandler
    let balanceUSD: Double

    func respond(to request: SandboxRequest) -> SandboxResponse {
        guard handler.isAuthorized(request.headers) else {
            return DataForSEOEnvelope.topLevel(DataForSEOEnvelope.notAuthorized, httpStatus: 401, time: "0 sec.")
        }
        let spent =
            request.usage?.endpoints.filter { $0.key.hasPrefix("backlinks/") }.values
            .reduce(0) { $0 + $1.costUSD } ?? 0
        let empty = JSONOutput.object([])
        let perPeriod = JSONOutput.object([("day", empty), ("minute", empty)])
        let result = JSONOutput.object([
            ("login", .string(handler.login)),
            ("timezone", .string("UTC")),
            ("rates", .object([("limits", perPeriod), ("statistics", perPeriod)])),
            (
                "money",
                .object([
                    ("total", DataForSEOEnvelope.usd(units: Int((balanceUSD * 100_000).rounded()))),
                    ("balance", DataForSEOEnvelope.usd(units: Int(((balanceUSD - spent) * 100_000).rounded()))),
                    ("limits", perPeriod), ("statistics", perPeriod),
                ])
            ),
            ("price", .object([("backlinks", empty)])),
            ("backlinks_subscription_expiry_date", .null),
            ("llm_mentions_subscription_expiry_date", .null),
        ])
        let task = DataForSEOTaskOutput(
            id: DataForSEOEnvelope.taskID(usageKey: Self.usageKey, body: Array((request.query ?? "").utf8), index: 0),
            statusCode: DataForSEOEnvelope.ok, statusMessage: DataForSEOEnvelope.message(for: DataForSEOEnvelope.ok),
            time: "0 sec.", path: ["v3", "appendix", "user_data"],
            data: .object([("api", .string("appendix")), ("function", .string("user_data"))]), result: [result])
        return SandboxResponse(
            status: 200,
            body: DataForSEOEnvelope.body(
                statusCode: DataForSEOEnvelope.ok, statusMessage: "Ok.", time: "0 sec.", tasks: [task]))
    }
}
