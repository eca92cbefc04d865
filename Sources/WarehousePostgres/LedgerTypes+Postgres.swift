import NIOCore
import PostgresNIO
import SeopipeCore

// The ledger's types as PostgreSQL binds and returns them: `SnapshotDate` as DATE, statuses as TEXT (their raw
// values). `Date` is TIMESTAMPTZ through PostgresNIO itself.

extension SnapshotDate: PostgresNonThrowingEncodable {
    public static var psqlType: PostgresDataType { .date }
    public static var psqlFormat: PostgresFormat { .binary }

    /// Days since 2000-01-01, PostgreSQL's DATE.
    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(Int32(truncatingIfNeeded: dayNumber - Int(PostgresText.epochDays)))
    }
}

extension SnapshotDate: PostgresDecodable {
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        switch (format, type) {
        case (.binary, .date):
            // ±infinity are no calendar date.
            guard buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self), days != .max,
                days != .min
            else { throw PostgresDecodingError.Code.failure }
            self.init(dayNumber: Int(days) + Int(PostgresText.epochDays))
        case (.text, .date), (.text, .text), (.binary, .text), (.text, .varchar), (.binary, .varchar):
            guard let text = buffer.readString(length: buffer.readableBytes), let date = SnapshotDate(text) else {
                throw PostgresDecodingError.Code.failure
            }
            self = date
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
    }
}

extension RunStatus: PostgresNonThrowingEncodable, PostgresDecodable {
    public static var psqlType: PostgresDataType { .text }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeString(rawValue)
    }
}

extension StageResult.Status: PostgresNonThrowingEncodable, PostgresDecodable {
    public static var psqlType: PostgresDataType { .text }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeString(rawValue)
    }

    // Spelled out: being both `Decodable` and `RawRepresentable`, it would get two default decoders.
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        let text = try String(from: &buffer, type: type, format: format, context: context)
        guard let status = Self(rawValue: text) else { throw PostgresDecodingError.Code.failure }
        self = status
    }
}
