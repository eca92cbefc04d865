import Foundation

/// An Ahrefs v2 error: answered as `{"error": "<message>"}` with HTTP 200, uncharged. The messages are
/// the reference's error strings (seeds/ahrefs-v2-api.txt), word for word.
struct AhrefsV2Failure: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }

    static func badSyntax(_ parameter: String) -> Self { Self("\(parameter): bad syntax") }
}

/// The query parameters of a v2 request, decoded the way the API reads them.
///
/// The query is split on `&`, each pair on its first `=` (a pair without `=` has an empty value); names
/// and values are percent-decoded with `+` meaning a space (so a literal `+` must be sent as `%2B`), and
/// values must then be UTF-8. Names are exact and case-sensitive.
struct AhrefsV2Parameters {
    /// Every parameter the reference documents, plus `offset` (DESIGN section 8).
    static let known = [
        "token", "select", "from", "target", "mode", "where", "having", "order_by", "limit", "offset", "output",
    ]
    /// Mandatory parameters, in the order their absence is reported.
    static let mandatory = ["token", "from", "target", "mode"]

    private var values: [String: String]

    subscript(_ name: String) -> String? { values[name] }

    /// Reads the raw (percent-encoded) query string. Fails on the first problem, reading left to right:
    /// an unknown name (`<name>: unknown parameter`), a repeated one or a broken `%` escape
    /// (`<name>: bad syntax`), a value that is not UTF-8 (`<name>: value is not valid UTF-8`).
    init(rawQuery: String?) throws(AhrefsV2Failure) {
        values = [:]
        for pair in (rawQuery ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue) = Self.split(pair)
            let name = Self.decode(rawName).flatMap(Self.utf8) ?? String(rawName)
            guard Self.known.contains(name) else { throw AhrefsV2Failure("\(name): unknown parameter") }
            guard values[name] == nil, let bytes = Self.decode(rawValue) else { throw .badSyntax(name) }
            guard let value = Self.utf8(bytes) else { throw AhrefsV2Failure("\(name): value is not valid UTF-8") }
            values[name] = value
        }
        for name in Self.mandatory where values[name] == nil {
            throw AhrefsV2Failure("\(name): mandatory parameter missing")
        }
    }

    /// The raw query for the request log: as sent, with every `token` value replaced by `<redacted>`.
    static func redacted(_ rawQuery: String?) -> String {
        guard let rawQuery else { return "" }
        return rawQuery.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let (rawName, _) = split(pair)
            guard pair.contains("="), decode(rawName).flatMap(utf8) == "token" else { return String(pair) }
            return rawName + "=<redacted>"
        }.joined(separator: "&")
    }

    private static func split(_ pair: Substring) -> (name: Substring, value: Substring) {
        guard let equals = pair.firstIndex(of: "=") else { return (pair, "") }
        return (pair[..<equals], pair[pair.index(after: equals)...])
    }

    /// Percent-decodes, `+` giving a space; nil when a `%` is not followed by two hex digits.
    private static func decode(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Self.hexValue),
                    let low = iterator.next().flatMap(Self.hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The bytes as a string when they are valid UTF-8.
    private static func utf8(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }
}
