import NIOCore
import SeopipeCore

/// Writes rows in PostgreSQL's COPY text format: columns separated by tabs, rows ended by newlines, NULL as `\N`,
/// and backslash, tab, newline and carriage return in text escaped so any string survives the round trip.
enum CopyTextEncoder {
    /// Appends rows `range` of `batch` to `buffer`.
    static func encode(_ batch: TableBatch, rows range: Range<Int>, into buffer: inout ByteBuffer) {
        let width = batch.columns.count
        guard width > 0 else { return }
        batch.values.withUnsafeBufferPointer { values in
            for row in range {
                let offset = row * width
                for column in 0..<width {
                    if column > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                    append(values[offset + column], to: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
            }
        }
    }

    /// One value as COPY text.
    static func append(_ value: SQLValue, to buffer: inout ByteBuffer) {
        switch value {
        case .null:
            buffer.writeStaticString("\\N")
        case .integer(let number):
            appendDecimal(number, to: &buffer)
        case .real(let number):
            buffer.writeString(text(number))
        case .text(let text):
            appendEscaped(text, to: &buffer)
        }
    }

    /// A double as PostgreSQL reads it into DOUBLE PRECISION, NUMERIC or (when whole) BIGINT columns.
    static func text(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// Writes an integer's decimal digits without an intermediate String.
    static func appendDecimal(_ number: Int64, to buffer: inout ByteBuffer) {
        if number < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of UInt64.max
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: needsEscape) else {
                buffer.writeBytes(bytes)
                return
            }
            var runStart = 0
            for (index, byte) in bytes.enumerated() where needsEscape(byte) {
                if runStart < index { buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                default: buffer.writeStaticString("\\r")
                }
                runStart = index + 1
            }
            if runStart < bytes.count { buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }
}
