import Foundation

/// Request bodies as JSON text, written directly into bytes: the exact bytes `JSONSerialization` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]`, at a fraction of its cost (on Linux it boxes every value into an
/// `NSObject`; a 100-target Ahrefs batch body took it ~1 ms, 6 % of a 100k-target run's CPU, issue 16).
///
/// The bytes must not change: a body's hash is its chunk's checkpoint key, so a run resumed by a newer seopipe
/// finds the chunks an older one committed. Tests hold this writer to `JSONSerialization`'s output. It knows
/// strings, integers, booleans, `NSNull`, arrays and dictionaries of those keyed by lowercase names; for anything
/// else (a `Double`, an `NSNumber`, a key `JSONSerialization` would sort otherwise) it returns nil and the caller
/// uses `JSONSerialization`.
enum JSONBodyWriter {
    static func serialize(_ value: Any) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        return write(value, into: &bytes) ? bytes : nil
    }

    private static func write(_ value: Any, into bytes: inout [UInt8]) -> Bool {
        // The shapes seopipe builds, told apart by their exact type: a failed `as?` from a dictionary or an array
        // goes through Foundation's bridging on Linux, which cost more than writing the body.
        let exactType = type(of: value)
        if exactType == String.self {
            writeString(value as! String, into: &bytes)
        } else if exactType == Bool.self {
            bytes.append(contentsOf: value as! Bool ? Array("true".utf8) : Array("false".utf8))
        } else if exactType == Int.self {
            bytes.append(contentsOf: String(value as! Int).utf8)
        } else if exactType == [String: String].self {
            return writeObject(value as! [String: String], into: &bytes) { string, bytes in
                writeString(string, into: &bytes)
                return true
            }
        } else if exactType == [String].self {
            return writeArray(value as! [String], into: &bytes)
        } else if exactType == [String: any Sendable].self {
            return writeObject(value as! [String: any Sendable], into: &bytes) { write($0, into: &$1) }
        } else if exactType == [String: Any].self {
            return writeObject(value as! [String: Any], into: &bytes) { write($0, into: &$1) }
        } else if exactType == [[String: any Sendable]].self {
            return writeArray(value as! [[String: any Sendable]], into: &bytes)
        } else if exactType == [[String: String]].self {
            return writeArray(value as! [[String: String]], into: &bytes)
        } else if exactType == [any Sendable].self {
            return writeArray(value as! [any Sendable], into: &bytes)
        } else if exactType == [Any].self {
            return writeArray(value as! [Any], into: &bytes)
        } else if let string = value as? String {
            // Anything else by casting: a bridged Foundation value, a collection of another element type.
            writeString(string, into: &bytes)
        } else if value is NSNull {
            bytes.append(contentsOf: "null".utf8)
        } else if let array = value as? [Any] {
            return writeArray(array, into: &bytes)
        } else if let object = value as? [String: Any] {
            return writeObject(object, into: &bytes) { write($0, into: &$1) }
        } else {
            return false
        }
        return true
    }

    private static func writeArray<Element>(_ array: [Element], into bytes: inout [UInt8]) -> Bool {
        bytes.append(UInt8(ascii: "["))
        for (position, element) in array.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            guard write(element, into: &bytes) else { return false }
        }
        bytes.append(UInt8(ascii: "]"))
        return true
    }

    /// False as soon as a key or a value is one it does not write.
    ///
    /// `JSONSerialization` sorts keys as Foundation compares strings for people (case-insensitive, digits as
    /// numbers, punctuation first: `a_b`, `a-b`, `a1`, `a2`, `a10`, `ab`, `aB`), not by their bytes. The two orders
    /// agree for keys of lowercase ASCII letters and `_`, the keys of every body seopipe sends; any other key
    /// (a user's parameter name, say) leaves the whole body to `JSONSerialization`.
    @discardableResult
    private static func writeObject<Value>(
        _ object: [String: Value], into bytes: inout [UInt8],
        value writeValue: (Value, inout [UInt8]) -> Bool
    ) -> Bool {
        for key in object.keys {
            guard
                key.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "_") })
            else { return false }
        }
        bytes.append(UInt8(ascii: "{"))
        for (position, key) in object.keys.sorted().enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            guard writeValue(object[key]!, &bytes) else { return false }
        }
        bytes.append(UInt8(ascii: "}"))
        return true
    }

    /// `"` and `\` escaped, the short escapes for backspace, form feed, newline, return and tab, `\u00XX` for the
    /// other control characters; everything else, `/` and non-ASCII included, as its UTF-8 bytes.
    static func writeString(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)],
                    hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
