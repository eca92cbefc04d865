import Foundation
import PostgresNIO
import SeopipeCore

extension PostgresCell {
    /// The value as text in the warehouse's canonical spelling: numbers as Swift prints them, `DATE` as
    /// `YYYY-MM-DD`, `TIMESTAMPTZ` as ISO-8601 UTC (`2026-11-20T03:15:00Z`, fractions only when present),
    /// `NUMERIC` with its scale; nil for NULL.
    func text() throws -> String? {
        guard var bytes = self.bytes else { return nil }
        if format == .text { return bytes.readString(length: bytes.readableBytes) }
        switch dataType {
        case .bool:
            return bytes.readInteger(as: UInt8.self).map { $0 == 0 ? "false" : "true" }
        case .int2:
            return bytes.readInteger(as: Int16.self).map { String($0) }
        case .int4:
            return bytes.readInteger(as: Int32.self).map { String($0) }
        case .int8:
            return bytes.readInteger(as: Int64.self).map { String($0) }
        case .oid:
            return bytes.readInteger(as: UInt32.self).map { String($0) }
        case .float4:
            return bytes.readInteger(as: UInt32.self).map { "\(Float(bitPattern: $0))" }
        case .float8:
            return bytes.readInteger(as: UInt64.self).map { "\(Double(bitPattern: $0))" }
        case .numeric:
            return try PostgresText.numeric(&bytes)
        case .date:
            return bytes.readInteger(as: Int32.self).map(PostgresText.date)
        case .timestamptz, .timestamp:
            return bytes.readInteger(as: Int64.self).map { PostgresText.timestamp($0, zone: dataType == .timestamptz) }
        case .uuid:
            return try decode(UUID.self, context: .default).uuidString.lowercased()
        case .jsonb:
            _ = bytes.readInteger(as: UInt8.self)
            return bytes.readString(length: bytes.readableBytes)
        case .text, .varchar, .bpchar, .name, .json, .unknown, .char:
            return bytes.readString(length: bytes.readableBytes)
        default:
            throw PostgresWarehouseError(
                "column \(columnName) has type \(dataType) that seopipe does not render; cast it to text "
                    + "(\(columnName)::text)")
        }
    }
}

/// Binary values of PostgreSQL rendered as text.
enum PostgresText {
    /// PostgreSQL's epoch, 2000-01-01, in days since 1970-01-01.
    static let epochDays: Int64 = 10_957

    /// Days since 2000-01-01 as `YYYY-MM-DD`.
    static func date(_ days: Int32) -> String {
        if days == Int32.max { return "infinity" }
        if days == Int32.min { return "-infinity" }
        let (year, month, day) = civil(fromDays: Int64(days) + epochDays)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Microseconds since 2000-01-01 00:00 UTC as ISO-8601 (`Z` for TIMESTAMPTZ).
    static func timestamp(_ microseconds: Int64, zone: Bool) -> String {
        if microseconds == Int64.max { return "infinity" }
        if microseconds == Int64.min { return "-infinity" }
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay
        var rest = microseconds % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days + epochDays)
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000
        var text =
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return zone ? text + "Z" : text
    }

    /// NUMERIC's binary form (base-10000 digits, weight, sign, display scale) as decimal text.
    static func numeric(_ buffer: inout ByteBuffer) throws -> String {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let scale = buffer.readInteger(as: Int16.self)
        else { throw PostgresWarehouseError("malformed NUMERIC value") }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var digits: [Int16] = []
        for _ in 0..<max(0, Int(count)) {
            guard let digit = buffer.readInteger(as: Int16.self) else {
                throw PostgresWarehouseError("malformed NUMERIC value")
            }
            digits.append(digit)
        }
        // Integer part: groups 0...weight; fraction: the groups after, cut to the display scale.
        var integer = ""
        if weight >= 0 {
            for group in 0...Int(weight) {
                let value = group < digits.count ? Int(digits[group]) : 0
                integer += group == 0 ? String(value) : pad(value, 4)
            }
        } else {
            integer = "0"
        }
        var fraction = ""
        if scale > 0 {
            var group = Int(weight) + 1
            while fraction.count < Int(scale) {
                let value = group >= 0 && group < digits.count ? Int(digits[group]) : 0
                fraction += pad(value, 4)
                group += 1
            }
            fraction = String(fraction.prefix(Int(scale)))
        }
        let negative = sign == 0x4000
        return (negative ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let date = SnapshotDate(dayNumber: Int(days))
        return (date.year, date.month, date.day)
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
