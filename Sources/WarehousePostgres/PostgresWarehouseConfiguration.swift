import Foundation
import PostgresNIO
import SeopipeCore

/// Where and how to connect, from a `postgres://` URL completed the way psql completes it: the password from the
/// URL, else `PGPASSWORD`, else the password file (`PGPASSFILE` or `~/.pgpass`); user, host, port and database
/// default to `PGUSER`, `PGHOST`, `PGPORT`, `PGDATABASE`, then to the login name, `localhost`, 5432 and the user.
public struct PostgresWarehouseConfiguration: Sendable {
    /// libpq's `sslmode` values; `allow` is treated as `prefer` and `verify-ca` checks the chain but not the name.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// The schema holding seopipe's tables (created by `migrate`); nil for the server's default (`public`).
    public var schema: String?
    public var sslMode: SSLMode
    /// `sslrootcert`: the CA certificates (PEM) to verify the server with, instead of the system's.
    public var sslRootCertificate: String?
    /// `connect_timeout`, seconds.
    public var connectTimeout: Int
    public var applicationName: String
    /// The URL with any password replaced by `***`: what messages and logs show.
    public var redactedURL: String

    /// The query parameters a warehouse URL may carry.
    public static let parameters = [
        "schema", "sslmode", "sslrootcert", "connect_timeout", "application_name", "password",
    ]

    /// Reads `url` (`postgres://` or `postgresql://`), taking defaults and the password from `environment` and the
    /// password file.
    public init(
        url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory()
    ) throws(PostgresWarehouseError) {
        guard let parsed = DatabaseURL(url), ["postgres", "postgresql"].contains(parsed.scheme) else {
            throw PostgresWarehouseError(
                "not a PostgreSQL URL; write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=MODE]"
            )
        }
        redactedURL = parsed.redacted
        if let unknown = parsed.parameters.first(where: { !Self.parameters.contains($0.name) }) {
            throw PostgresWarehouseError(
                "\(redactedURL): unknown parameter `\(unknown.name)`; known: \(Self.parameters.joined(separator: ", "))"
            )
        }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

        host = parsed.host ?? env("PGHOST") ?? "localhost"
        if let port = parsed.port {
            self.port = port
        } else if let text = env("PGPORT") {
            guard let port = Int(text), (1...65_535).contains(port) else {
                throw PostgresWarehouseError("PGPORT=\(text) is not a port number")
            }
            self.port = port
        } else {
            port = 5432
        }
        user = parsed.user ?? env("PGUSER") ?? env("USER") ?? Self.loginName() ?? "postgres"
        database = parsed.database ?? env("PGDATABASE") ?? user

        let modeText = parsed.parameter("sslmode") ?? env("PGSSLMODE") ?? SSLMode.prefer.rawValue
        guard let mode = SSLMode(rawValue: modeText) else {
            throw PostgresWarehouseError(
                "\(redactedURL): sslmode=\(modeText) is not one of "
                    + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        sslMode = mode
        sslRootCertificate = parsed.parameter("sslrootcert") ?? env("PGSSLROOTCERT")

        if let schema = parsed.parameter("schema") {
            guard Self.isPlainIdentifier(schema) else {
                throw PostgresWarehouseError(
                    "\(redactedURL): schema=\(schema) must be a plain name (letters, digits and _, not starting with a "
                        + "digit, at most 63 characters)")
            }
            self.schema = schema
        }
        let timeoutText = parsed.parameter("connect_timeout") ?? env("PGCONNECT_TIMEOUT")
        if let timeoutText {
            guard let seconds = Int(timeoutText), seconds > 0 else {
                throw PostgresWarehouseError(
                    "\(redactedURL): connect_timeout=\(timeoutText) is not a number of seconds")
            }
            connectTimeout = seconds
        } else {
            connectTimeout = 10
        }
        applicationName = parsed.parameter("application_name") ?? "seopipe"

        password = parsed.password ?? parsed.parameter("password") ?? env("PGPASSWORD")
        if password == nil {
            let file = env("PGPASSFILE") ?? (homeDirectory as NSString).appendingPathComponent(".pgpass")
            password = PasswordFile.password(
                file: file, host: host, port: port, database: database, user: user)
        }
    }

    /// PostgresNIO's configuration for one connection.
    func connectionConfiguration(applicationName: String? = nil) throws(PostgresWarehouseError)
        -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable:
            tls = .disable
        case .allow, .prefer, .require, .verifyCA, .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            switch sslMode {
            case .verifyFull: configuration.certificateVerification = .fullVerification
            case .verifyCA: configuration.certificateVerification = .noHostnameVerification
            default: configuration.certificateVerification = .none
            }
            if let sslRootCertificate { configuration.trustRoots = .file(sslRootCertificate) }
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw PostgresWarehouseError("cannot set up TLS for \(redactedURL): \(error)")
            }
            tls = [.require, .verifyCA, .verifyFull].contains(sslMode) ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        configuration.options.additionalStartupParameters = [
            ("application_name", String((applicationName ?? self.applicationName).prefix(63))),
            ("TimeZone", "UTC"),
        ]
        return configuration
    }

    /// A name that needs no quoting to be read back the same: what `?schema=` accepts.
    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.utf8.count <= 63 else { return false }
        let letters = "abcdefghijklmnopqrstuvwxyz_"
        guard letters.unicodeScalars.contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { letters.unicodeScalars.contains($0) || ("0"..."9").contains($0) }
    }

    private static func loginName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}

/// The password file psql reads (`hostname:port:database:username:password` lines, `*` matching anything,
/// `\:` and `\\` escaped), ignored like libpq ignores it when group or others may read it.
enum PasswordFile {
    static func password(file: String, host: String, port: Int, database: String, user: String) -> String? {
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 == 0,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return nil }
        return password(in: text, host: host, port: port, database: database, user: user)
    }

    /// The password of the first line of `text` matching the connection.
    static func password(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#") { continue }
            let fields = self.fields(line)
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in
                field == "*" || field == value
            }
            if matches { return fields[4] }
        }
        return nil
    }

    /// Splits a line at unescaped colons, unescaping `\:` and `\\`.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":", fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
