import Foundation

/// A parsed JSON request body, kept loose so validators can report exactly what is wrong with it.
enum JSONInput: Sendable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONInput])
    case object([String: JSONInput])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONInput].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONInput].self))
        }
    }

    /// Parses `bytes` as one JSON value, or returns nil when they are not valid JSON.
    static func parse(_ bytes: [UInt8]) -> JSONInput? {
        try? JSONDecoder().decode(JSONInput.self, from: Data(bytes))
    }

    /// The JSON type name used in error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON value to send, with ordered object keys and fixed-decimal numbers (`65.0`, `25.50`).
indirect enum JSONOutput: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// `units / 10^decimals`, written with exactly `decimals` digits after the point.
    case fixed(units: Int, decimals: Int)
    /// A finite double in its shortest round-trip form (`0.5`, `1e-05`), for echoing numbers sent in requests.
    case double(Double)
    case string(String)
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    /// The serialized text (compact, no trailing newline).
    var text: String {
        var output = ""
        write(into: &output)
        return output
    }

    private func write(into output: inout String) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .int(let value):
            output += String(value)
        case .fixed(let units, let decimals):
            output += Self.fixedText(units: units, decimals: decimals)
        case .double(let value):
            output += value.isFinite ? "\(value)" : "null"
        case .string(let value):
            Self.writeString(value, into: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(into: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, into: &output)
                output += ":"
                value.write(into: &output)
            }
            output += "}"
        }
    }

    private static func fixedText(units: Int, decimals: Int) -> String {
        guard decimals > 0 else { return String(units) }
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let magnitude = units.magnitude
        let whole = magnitude / UInt(scale)
        let fraction = String(magnitude % UInt(scale))
        let padded = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (units < 0 ? "-" : "") + String(whole) + "." + padded
    }

    private static func writeString(_ value: String, into output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
