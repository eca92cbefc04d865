import PostgresNIO

/// A failure of the PostgreSQL warehouse, written for a person: the server's message, SQLSTATE, detail and hint
/// (PostgresNIO's own errors print only "Database error"). Never contains a password.
public struct PostgresWarehouseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The server's SQLSTATE when the server refused, e.g. `25006` (read-only transaction).
    public var sqlState: String?

    public init(_ message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }

    /// Describes `error` from PostgresNIO (or passes any other error's description through).
    init(_ error: any Error, doing what: String? = nil) {
        let prefix = what.map { "\($0): " } ?? ""
        guard let error = error as? PSQLError else {
            self.init(prefix + String(describing: error))
            return
        }
        if let info = error.serverInfo {
            var text = info[.message] ?? "the server refused"
            if let detail = info[.detail] { text += " (\(detail))" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            let state = info[.sqlState]
            if let state { text += " [SQLSTATE \(state)]" }
            self.init(prefix + text, sqlState: state)
            return
        }
        var text: String
        switch error.code {
        case .connectionError: text = "cannot connect to the server"
        case .serverClosedConnection: text = "the server closed the connection"
        case .clientClosedConnection: text = "the connection is closed"
        case .sslUnsupported: text = "the server does not support SSL (sslmode=require); use sslmode=disable or prefer"
        case .authMechanismRequiresPassword:
            text = "the server asks for a password; put it in the URL, PGPASSWORD or ~/.pgpass"
        case .queryCancelled: text = "the query was cancelled"
        default: text = "\(error.code)"
        }
        if let underlying = error.underlying { text += ": \(underlying)" }
        self.init(prefix + text)
    }

    public var description: String { message }
}
