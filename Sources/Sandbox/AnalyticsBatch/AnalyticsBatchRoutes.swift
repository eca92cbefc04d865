import Foundation
import Hummingbird

/// The error codes of the API (DESIGN section 8).
enum AnalyticsErrorCode {
    static let validation = "validation_error"
    static let unauthorized = "unauthorized"
    static let rateLimit = "rate_limit_exceeded"
    static let quota = "quota_exceeded"
    static let internalError = "internal_error"

    /// The code an error answer with this HTTP status carries.
    static func forStatus(_ status: Int) -> String {
        switch status {
        case 401, 403: unauthorized
        case 402: quota
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 429: rateLimit
        case 500...599: internalError
        default: validation
        }
    }
}

/// Validates and answers one batch or validate call.
struct AnalyticsBatchHandler: Sendable {
    let apiKey: String
    let fixedToday: String?

    /// The sandbox's date for this request.
    var today: String {
        fixedToday ?? CalendarDate.todayUTC().text
    }

    /// `{"error": {"code": <the status's code>, "message": message}, "request_id": …}` with that HTTP status: the
    /// envelope the API documents for every non-2xx answer (errors.mdx). The id is a hash of status and message, so
    /// the sandbox stays deterministic.
    static func error(_ status: Int, _ message: String) -> SandboxResponse {
        let body = JSONOutput.object([
            (
                "error",
                .object([("code", .string(AnalyticsErrorCode.forStatus(status))), ("message", .string(message))])
            ),
            ("request_id", .string("req_" + SHA256.hex(Array("\(status) \(message)".utf8)).prefix(24))),
        ])
        return SandboxResponse(status: status, body: body.text)
    }

    /// The message of an injected plain-status fault.
    static func faultMessage(_ status: Int) -> String {
        switch status {
        case 401: "Invalid or missing API key (injected fault)"
        case 402: "Quota exceeded for this account (injected fault)"
        case 429: "Rate limit exceeded: 240 requests per minute (injected fault)"
        case 500: "Internal server error (injected fault)"
        case 502: "Bad gateway (injected fault)"
        case 503: "Service temporarily unavailable (injected fault)"
        case 504: "Gateway timeout (injected fault)"
        default:
            "\(HTTPStatusText.reason(status).isEmpty ? "HTTP \(status)" : HTTPStatusText.reason(status)) (injected fault)"
        }
    }

    /// Queries in a body, best effort, as targets and tasks of the request log.
    static func summarize(_ body: [UInt8]) -> RequestSummary {
        guard case .object(let object)? = JSONInput.parse(body), case .array(let queries)? = object["queries"] else {
            return RequestSummary()
        }
        return RequestSummary(targets: queries.count, tasks: queries.count)
    }

    func respond(to request: SandboxRequest, validateOnly: Bool) -> SandboxResponse {
        guard request.headers[Self.apiKeyField] == apiKey else {
            return Self.error(401, "Invalid or missing API key")
        }
        let batch: AnalyticsBatchRequest
        do {
            try Self.checkContentType(request.headers)
            batch = try AnalyticsBatchRequest(parsing: Self.parseObject(request.body))
        } catch {
            return Self.error(400, error.message)
        }

        let count = batch.queries.count
        if validateOnly {
            let body = JSONOutput.object([
                ("valid", .bool(true)),
                ("query_count", .int(count)),
                ("execution_order", .array(batch.executionOrder.map(JSONOutput.string))),
                ("parallel_groups", .array(batch.parallelGroups.map { .array($0.map(JSONOutput.string)) })),
            ])
            return SandboxResponse(status: 200, body: body.text, targetCount: count)
        }

        let injected = request.fault?.dialect(SimulatedAnalyticsBatch.Fault.self).flatMap { fault in
            fault.queryError.map { AnalyticsBatchRun.InjectedFailure(queryID: fault.queryID, code: $0) }
        }
        let run = AnalyticsBatchRun(request: batch, today: today, injected: injected)
        return SandboxResponse(
            status: 200,
            body: run.answer(batchID: AnalyticsBatchRun.batchID(body: request.body)).text,
            charged: true,
            targetCount: count,
            chargedTargets: count
        )
    }

    // MARK: - Transport checks

    private static let apiKeyField = HTTPFields.Element.Name("X-API-Key")!

    private static func checkContentType(_ headers: HTTPFields) throws(AnalyticsBatchRejection) {
        guard let value = headers[.contentType] else {
            throw AnalyticsBatchRejection("Missing Content-Type header; send \"Content-Type: application/json\"")
        }
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
            .lowercased()
        guard mediaType == "application/json" else {
            throw AnalyticsBatchRejection(
                "Content-Type must be application/json, got \(AnalyticsBatchRequest.quoted(value))")
        }
    }

    private static func parseObject(_ body: [UInt8]) throws(AnalyticsBatchRejection) -> [String: JSONInput] {
        guard !body.isEmpty else {
            throw AnalyticsBatchRejection("Request body is empty; send a JSON object with queries")
        }
        guard let value = JSONInput.parse(body) else { throw AnalyticsBatchRejection("Request body is not valid JSON") }
        guard case .object(let object) = value else {
            throw AnalyticsBatchRejection("Request body must be a JSON object, got \(value.typeName)")
        }
        return object
    }
}
