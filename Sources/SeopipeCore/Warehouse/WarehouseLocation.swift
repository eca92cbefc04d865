import Foundation

/// Where the warehouse lives, from `--warehouse`, `SEOPIPE_WAREHOUSE`, `DATABASE_URL` or the file's `warehouse:`.
public enum WarehouseLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    /// A database server URL as written (`postgres://` or `postgresql://`); it may carry a password, so print
    /// ``description``, which redacts it, never the URL itself.
    case postgres(url: String)

    /// Parses `sqlite:PATH` (also `sqlite://PATH`) and `postgres://` / `postgresql://` URLs; relative SQLite paths
    /// resolve against `directory`.
    public static func parse(_ text: String, relativeTo directory: URL? = nil) throws(WarehouseURLError) -> Self {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard DatabaseURL(text) != nil else {
                throw .invalid(
                    "that is not a valid PostgreSQL URL; write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
                        + "[?schema=NAME&sslmode=disable|prefer|require], with special characters percent-encoded")
            }
            return .postgres(url: text)
        }
        var path: Substring
        if text.hasPrefix("sqlite://") {
            path = text.dropFirst("sqlite://".count)
        } else if text.hasPrefix("sqlite:") {
            path = text.dropFirst("sqlite:".count)
        } else {
            throw .invalid(
                "that is not a warehouse URL; write sqlite:PATH (e.g. sqlite:warehouse.db) or "
                    + "postgres://USER@HOST:PORT/DATABASE")
        }
        guard !path.isEmpty else { throw .invalid("sqlite: needs a file path, e.g. sqlite:warehouse.db") }
        if !path.hasPrefix("/"), let directory {
            path = Substring(directory.appendingPathComponent(String(path)).path)
        }
        return .sqlite(path: String(path))
    }

    /// The location for people and logs: a PostgreSQL password is replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): DatabaseURL(url)?.redacted ?? "postgres://(invalid URL)"
        }
    }
}

public enum WarehouseURLError: Error, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}

/// The parts of a `scheme://user:password@host:port/database?key=value` URL, percent-decoded. What the parts
/// mean (defaults, options) is up to the backend that connects.
public struct DatabaseURL: Sendable, Hashable {
    public var scheme: String
    public var user: String?
    public var password: String?
    public var host: String?
    public var port: Int?
    public var database: String?
    /// Query parameters in order, e.g. `[("sslmode", "disable"), ("schema", "seo")]`.
    public var parameters: [Parameter]

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// Parses `text`; nil when it is not a URL with a scheme, or its port is not a number from 1 to 65535.
    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme else { return nil }
        self.scheme = scheme
        user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let port = components.port {
            guard (1...65_535).contains(port) else { return nil }
            self.port = port
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { return nil }
        database = path.isEmpty ? nil : path
        parameters = (components.queryItems ?? []).map { Parameter(name: $0.name, value: $0.value ?? "") }
    }

    /// The last value of the query parameter `name`.
    public func parameter(_ name: String) -> String? {
        parameters.last { $0.name == name }?.value
    }

    /// The URL with any password (in the user part or a `password=` parameter) replaced by `***`.
    public var redacted: String {
        var components = URLComponents()
        components.scheme = scheme
        components.user = user
        if password != nil { components.password = "***" }
        components.host = host
        components.port = port
        components.path = database.map { "/" + $0 } ?? ""
        if !parameters.isEmpty {
            components.queryItems = parameters.map {
                URLQueryItem(name: $0.name, value: $0.name == "password" ? "***" : $0.value)
            }
        }
        return components.string ?? "\(scheme)://(redacted)"
    }
}
