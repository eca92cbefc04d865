import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

/// Percent-encodes everything but RFC 3986 unreserved characters, as a careful v2 client does.
func v2Encode(_ text: String) -> String {
    var encoded = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            encoded.append(Character(Unicode.Scalar(byte)))
        default:
            encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }
    return encoded
}

/// `token=...&from=refdomains&target=...&mode=...` followed by the extra pairs, every value encoded.
func v2Query(
    target: String = "ahrefs.com",
    mode: String = "domain",
    token: String = SandboxConfiguration.defaultAhrefsV2Token,
    _ extra: [(String, String)] = []
) -> String {
    let pairs = [("token", token), ("from", "refdomains"), ("target", target), ("mode", mode)] + extra
    return pairs.map { "\($0.0)=\(v2Encode($0.1))" }.joined(separator: "&")
}

/// `GET /v2?<rawQuery>`; the query is sent exactly as given.
func callV2(_ sandbox: RunningSandbox, _ rawQuery: String, path: String = "/v2") async throws -> HTTPAnswer {
    try await call(sandbox, path + "?" + rawQuery, method: "GET", token: nil, contentType: nil)
}

/// One row of a v2 `refdomains` answer; every field optional so `select` tests see what is missing.
struct V2Row: Decodable, Equatable {
    var refdomain: String?
    var backlinks: Int?
    var refpages: Int?
    var firstSeen: String?
    var lastVisited: String?
    var domainRating: Int?
}

extension V2Row {
    /// The row as the API returns it for `select=*`.
    init(_ row: AhrefsV2Refdomain) {
        self.refdomain = row.refdomain
        self.backlinks = row.backlinks
        self.refpages = row.refpages
        self.firstSeen = row.firstSeen
        self.lastVisited = row.lastVisited
        self.domainRating = row.domainRating
    }
}

/// A v2 `refdomains` answer (decode with `HTTPAnswer.decode`, snake_case keys).
struct V2Response: Decodable {
    struct Stats: Decodable, Equatable {
        var refdomains: Int
        var ips: Int
        var classC: Int
    }
    var refdomains: [V2Row]
    var stats: Stats
}

extension HTTPAnswer {
    /// The rows of a v2 answer, failing the test when the answer is an error.
    func v2Rows(sourceLocation: SourceLocation = #_sourceLocation) throws -> [V2Row] {
        #expect(self.status == 200, sourceLocation: sourceLocation)
        #expect(self.errorMessage == nil, "\(self.body)", sourceLocation: sourceLocation)
        return try self.decode(V2Response.self).refdomains
    }
}
