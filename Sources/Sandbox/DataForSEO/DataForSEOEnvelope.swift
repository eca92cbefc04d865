import Foundation

/// One task of a DataForSEO answer.
struct DataForSEOTaskOutput: Sendable {
    var id: String
    var statusCode: Int
    var statusMessage: String
    var time: String
    /// Cost in units of 0.00001 USD.
    var costUnits: Int = 0
    var path: [String]
    var data: JSONOutput
    /// The `result` array, or nil for `null`.
    var result: [JSONOutput]?

    var json: JSONOutput {
        .object([
            ("id", .string(id)),
            ("status_code", .int(statusCode)),
            ("status_message", .string(statusMessage)),
            ("time", .string(time)),
            ("cost", DataForSEOEnvelope.usd(units: costUnits)),
            ("result_count", .int(result?.count ?? 0)),
            ("path", .array(path.map(JSONOutput.string))),
            ("data", data),
            ("result", result.map(JSONOutput.array) ?? .null),
        ])
    }
}

/// The envelope every DataForSEO answer shares, its status codes and messages.
enum DataForSEOEnvelope {
    static let version = "0.1.20240422"

    static let ok = 20000
    static let oneTaskAtATime = 40006
    static let notAuthorized = 40100
    static let invalidField = 40501
    static let postDataInvalid = 40503

    /// The status message DataForSEO sends with a code.
    static func message(for code: Int) -> String {
        switch code {
        case 20000: "Ok."
        case 40006: "You can set only one task at a time."
        case 40100: "You are not authorized to access this resource."
        case 40200: "Payment required."
        case 40202: "Rate limit exceeded."
        case 40203: "Cost limit exceeded."
        case 40400: "Not Found."
        case 40501: "Invalid Field."
        case 40503: "POST data is invalid"
        case 50000: "Internal error."
        case 50301: "Service unavailable."
        case 50303: "Server overloaded. Try again later."
        case 50401: "Timeout exceeded."
        default: "Error \(code)."
        }
    }

    /// The in-body code for an HTTP status the shared server or a plain fault rule answers with.
    static func code(forHTTPStatus status: Int) -> Int {
        switch status {
        case 401: 40100
        case 402: 40200
        case 404: 40400
        case 413: 40503
        case 429: 40202
        case 500: 50000
        case 502, 503: 50301
        case 504: 50401
        default: status * 100
        }
    }

    /// The whole answer. `cost` is the sum of the task costs; `tasks_error` counts tasks without 20000.
    static func body(statusCode: Int, statusMessage: String, time: String, tasks: [DataForSEOTaskOutput]) -> String {
        JSONOutput.object([
            ("version", .string(version)),
            ("status_code", .int(statusCode)),
            ("status_message", .string(statusMessage)),
            ("time", .string(time)),
            ("cost", usd(units: tasks.reduce(0) { $0 + $1.costUnits })),
            ("tasks_count", .int(tasks.count)),
            ("tasks_error", .int(tasks.filter { $0.statusCode != ok }.count)),
            ("tasks", .array(tasks.map(\.json))),
        ]).text
    }

    /// A top-level error (no tasks) with the given HTTP status.
    static func topLevel(_ code: Int, httpStatus: Int = 200, message: String? = nil, time: String) -> SandboxResponse {
        SandboxResponse(
            status: httpStatus,
            body: body(statusCode: code, statusMessage: message ?? self.message(for: code), time: time, tasks: [])
        )
    }

    /// The answer to a transport-level problem the shared server reports (405, 413, a plain fault rule).
    static func httpError(_ status: Int, _ message: String) -> SandboxResponse {
        topLevel(code(forHTTPStatus: status), httpStatus: status, message: message, time: time(.zero))
    }

    /// A USD amount as a JSON number with at most 5 decimals and no trailing zeros (`0.02006`, `0.02`, `0`).
    static func usd(units: Int) -> JSONOutput {
        var units = units
        var decimals = 5
        while decimals > 0 && units % 10 == 0 {
            units /= 10
            decimals -= 1
        }
        return decimals == 0 ? .int(units) : .fixed(units: units, decimals: decimals)
    }

    /// Execution time as DataForSEO writes it: `0.0123 sec.`
    static func time(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.4f sec.", seconds)
    }

    /// A UUID-shaped task id derived from the endpoint, the body and the task's index, so the same request
    /// always gets the same id.
    static func taskID(usageKey: String, body: [UInt8], index: Int) -> String {
        let hex = Array(SHA256.hex(Array("\(usageKey)\n\(index)\n".utf8) + body))
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }
        return groups.joined(separator: "-")
    }

    /// A JSON value sent in a request, written back as the task's `data` echoes it.
    static func echo(_ value: JSONInput) -> JSONOutput {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            number == number.rounded() && abs(number) < 9_007_199_254_740_992 ? .int(Int(number)) : .double(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(self.echo))
        case .object(let members): .object(members.sorted { $0.key < $1.key }.map { ($0.key, self.echo($0.value)) })
        }
    }
}
