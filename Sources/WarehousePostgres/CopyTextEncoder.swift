import NIOCore
import SeopipeCore

/// Writes rows in PostgreSQL's COPY text format: columns separated by tabs, rows ended by newlines, NULL as `\N`,
/// and backslash, tab, newline and carriage return in text escaped so any string survives the round trip.
///
/// Rows are written into a plain byte array and handed to the `ByteBuffer` once: byte-sized writes into the
/// buffer itself (exclusivity checks and a capacity check each) cost a third of a 1M-row load's client time.
enum CopyTextEncoder {
    /// Appends rows `range` of `batch` to `buffer`.
    static func encode(_ batch: TableBatch, rows range: Range<Int>, into buffer: inout ByteBuffer) {
        var bytes: [UInt8] = []
        encode(batch, rows: range, into: &bytes)
        buffer.writeBytes(bytes)
    }

    /// Appends rows `range` of `batch` to `bytes`.
    private static func encode(_ batch: TableBatch, rows range: Range<Int>, into bytes: inout [UInt8]) {
        let width = batch.columns.count
        guard width > 0 else { return }
        bytes.reserveCapacity(bytes.count + range.count * width * 12)
        batch.values.withUnsafeBufferPointer { values in
            for row in range {
                let offset = row * width
                for column in 0..<width {
                    if column > 0 { bytes.append(UInt8(ascii: "\t")) }
                    append(values[offset + column], to: &bytes)
                }
                bytes.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// One value as COPY text.
    static func append(_ value: SQLValue, to bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
        case .integer(let number):
            appendDecimal(number, to: &bytes)
        case .real(let number):
            appendReal(number, to: &bytes)
        case .text(let text):
            appendEscaped(text, to: &bytes)
        }
    }

    /// A double as PostgreSQL reads it into DOUBLE PRECISION, NUMERIC or (when whole) BIGINT columns.
    static func text(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// `text(_:)` without building a string by interpolation: a whole number as its digits; any other as its
    /// shortest round-trip form (`description`, at most 24 bytes, kept inline by String).
    static func appendReal(_ number: Double, to bytes: inout [UInt8]) {
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
            appendDecimal(Int64(number), to: &bytes)
        } else if number.isFinite {
            bytes.append(contentsOf: number.description.utf8)
        } else {
            bytes.append(contentsOf: text(number).utf8)
        }
    }

    /// An integer's decimal digits without an intermediate String.
    static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of UInt64.max
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        // A native string's bytes in place; a bridged one is made contiguous first.
        if let written: Void = text.utf8.withContiguousStorageIfAvailable({ appendEscaped(utf8: $0, to: &bytes) }) {
            return written
        }
        var text = text
        text.withUTF8 { appendEscaped(utf8: $0, to: &bytes) }
    }

    private static func appendEscaped(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        guard utf8.contains(where: needsEscape) else {
            bytes.append(contentsOf: utf8)
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: bytes.append(byte)
            }
        }
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }
}
