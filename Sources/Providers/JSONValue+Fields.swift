import Foundation
import SeopipeCore

/// Reading a provider's fields from a ``JSONValue`` (every provider but the analytics API, which reads with
/// `JSONSerialization`): a missing key and null are nil, integers may arrive as `12` or `12.0`. A value of another
/// type fails the answer (``JSONFieldError``), unless a ``SchemaDriftLog`` is collecting this decode's drift: it is
/// then recorded there and read as null, so one changed field never costs a paid answer (issue 18). Every read is
/// reported to the log.
extension JSONValue {
    /// The member `key`, reported to the drift log as read.
    private func member(_ key: String) -> JSONValue? {
        let value = self[key]
        SchemaDriftLog.current?.read(key, value)
        return value
    }

    /// A value of another type than documented: recorded as drift (and nil), or the answer fails.
    private static func mismatch<T>(_ key: String, expected: String, found: JSONValue) throws(JSONFieldError) -> T? {
        guard let log = SchemaDriftLog.current else {
            throw JSONFieldError(key: key, expected: expected, found: found)
        }
        log.typeChanged(field: key, expected: expected, found: found.typeName)
        return nil
    }

    /// A string member.
    func string(_ key: String) throws(JSONFieldError) -> String? {
        switch member(key) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: return try Self.mismatch(key, expected: "a string", found: other)
        }
    }

    /// An integer that may arrive as `12`, `12.0` or null; a number out of Int's range is treated as missing.
    func flexibleInt(_ key: String) throws(JSONFieldError) -> Int? {
        guard let value = member(key) else { return nil }
        return try value.flexibleInt(key: key)
    }

    func flexibleInt(key: String) throws(JSONFieldError) -> Int? {
        switch self {
        case .null: return nil
        case .integer(let value): return Int(value)
        case .double(let value): return value.isFinite && abs(value) < 9e18 ? Int(value.rounded()) : nil
        default: return try Self.mismatch(key, expected: "a number", found: self)
        }
    }

    /// A number member.
    func double(_ key: String) throws(JSONFieldError) -> Double? {
        switch member(key) {
        case nil, .null?: return nil
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        case let other?: return try Self.mismatch(key, expected: "a number", found: other)
        }
    }

    /// An array member's elements.
    func array(_ key: String) throws(JSONFieldError) -> [JSONValue]? {
        switch member(key) {
        case nil, .null?: return nil
        case .array(let elements)?: return elements
        case let other?: return try Self.mismatch(key, expected: "an array", found: other)
        }
    }

    /// An object member's members.
    func members(_ key: String) throws(JSONFieldError) -> [JSONMember]? {
        switch member(key) {
        case nil, .null?: return nil
        case .object(let members)?: return members
        case let other?: return try Self.mismatch(key, expected: "an object", found: other)
        }
    }

    /// The text of a string; nil for anything else.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number that is a whole one (`3`, `3.0`); nil for anything else.
    var exactInt: Int? {
        switch self {
        case .integer(let value): return Int(exactly: value)
        case .double(let value): return Int(exactly: value)
        default: return nil
        }
    }

    /// The same value as `JSONSerialization` reads it, for writing it back as JSON text.
    var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let bool): return bool
        case .integer(let value): return value
        case .double(let value): return value
        case .string(let text): return text
        case .array(let elements): return elements.map(\.foundationObject)
        case .object(let members):
            return Dictionary(
                members.map { ($0.key, $0.value.foundationObject) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Fails unless this is an object (an array's element that should be one).
    func requireObject(_ what: String) throws(JSONFieldError) {
        guard case .object = self else { throw JSONFieldError(key: what, expected: "an object", found: self) }
    }
}

/// A field of the answer with another type than documented.
struct JSONFieldError: Error, CustomStringConvertible {
    var key: String
    var expected: String
    var typeName: String

    init(key: String, expected: String, found: JSONValue) {
        self.key = key
        self.expected = expected
        self.typeName = found.typeName
    }

    var description: String { "`\(key)` is \(typeName), not \(expected)" }
}
