import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How to run the sandbox.
public struct SandboxConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; 0 picks a free ephemeral port (read it back from `RunningSandbox.port`).
    public var port: Int
    /// Delay added before every provider response (not before control routes).
    public var latency: Duration
    /// The sandbox's "today" (`YYYY-MM-DD`) for providers that answer with today's data (DataForSEO,
    /// Ahrefs v2) and for the analytics API's `period` keywords; nil means the current UTC date, read at
    /// each request.
    public var today: String?
    /// The credentials the simulated providers accept, keyed by the environment variable pipelines read them from
    /// (`AHREFS_API_TOKEN`...); every registered credential is present, with its default unless set otherwise.
    /// Each provider also offers a named accessor (`ahrefsV3Token`...).
    public var credentials: [String: String]
    /// Units an Ahrefs v3 API key may spend in a month (`subscription-info/limits-and-usage`); nil is unlimited.
    public var ahrefsUnitsLimit: Int?
    /// The DataForSEO account's balance in USD before anything is charged (`appendix/user_data`).
    public var dataForSEOBalanceUSD: Double
    /// Keep every provider request and answer in full (`RunningSandbox.exchanges`), for contract tests.
    public var recordsExchanges = false

    /// `credentials` overrides the defaults of the variables it names.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        latency: Duration = .zero,
        today: String? = nil,
        credentials: [String: String] = [:],
        ahrefsUnitsLimit: Int? = 1_000_000,
        dataForSEOBalanceUSD: Double = 50
    ) {
        self.ahrefsUnitsLimit = ahrefsUnitsLimit
        self.dataForSEOBalanceUSD = dataForSEOBalanceUSD
        self.host = host
        self.port = port
        self.latency = latency
        self.today = today
        let defaults = SimulatedProviders.credentials.map { ($0.variable, $0.defaultValue) }
        self.credentials = Dictionary(defaults, uniquingKeysWith: { first, _ in first })
            .merging(credentials, uniquingKeysWith: { _, override in override })
    }

    /// The value the sandbox accepts for a credential.
    subscript(credential: SandboxCredential) -> String {
        get { credentials[credential.variable] ?? credential.defaultValue }
        set { credentials[credential.variable] = newValue }
    }
}

/// Why the sandbox could not start.
public struct SandboxStartError: Error, CustomStringConvertible {
    public var description: String
}

/// A sandbox server listening on loopback. Start it with `start(_:)`, stop it with `stop()`.
///
/// ```swift
/// let sandbox = try await RunningSandbox.start()
/// defer { Task { await sandbox.stop() } }   // or `await sandbox.stop()` at the end
/// // sandbox.environment["AHREFS_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v3"
/// // sandbox.environment["DATAFORSEO_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v3"
/// // sandbox.environment["AHREFS_V2_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v2"
/// // sandbox.environment["ANALYTICS_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/api/v1"
/// ```
public final class RunningSandbox: Sendable {
    /// The port the server listens on (resolved when the configuration asked for port 0).
    public let port: Int
    public let configuration: SandboxConfiguration
    private let state: SandboxState
    private let responderExchanges: ExchangeLog?
    private let serverTask: Task<Void, Never>
    private let stopRequested = Locked(false)
    private let group: ServiceGroup
    private let connections: OpenConnections

    private init(
        port: Int, configuration: SandboxConfiguration, state: SandboxState, exchanges: ExchangeLog?,
        serverTask: Task<Void, Never>, group: ServiceGroup, connections: OpenConnections
    ) {
        self.group = group
        self.connections = connections
        self.responderExchanges = exchanges
        self.port = port
        self.configuration = configuration
        self.state = state
        self.serverTask = serverTask
    }

    /// Starts the server and returns once it is listening.
    public static func start(_ configuration: SandboxConfiguration = .init()) async throws -> RunningSandbox {
        if let today = configuration.today, CalendarDate(today) == nil {
            throw SandboxStartError(description: "today must be a real date in YYYY-MM-DD format, got \"\(today)\"")
        }
        let state = SandboxState()
        let providers = SimulatedProviders.all.map { $0.init(configuration) }
        let endpoints = providers.flatMap { provider in
            provider.endpoints.map { endpoint in
                var endpoint = endpoint
                endpoint.api = type(of: provider).kind
                return endpoint
            }
        }
        let responder = SandboxResponder(
            state: state, endpoints: endpoints, latency: configuration.latency,
            exchanges: configuration.recordsExchanges ? ExchangeLog() : nil)

        var logger = Logger(label: "seopipe.sandbox")
        // A client that drops its connection mid-request is reported at error level; nothing below critical is news.
        logger.logLevel = .critical
        let (listening, listeningContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                listeningContinuation.yield(channel.localAddress?.port ?? 0)
                listeningContinuation.finish()
            },
            logger: logger
        )

        let failure = Locked<(any Error)?>(nil)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger))
        let serverTask = Task {
            do {
                try await group.run()
            } catch {
                failure.withLock { $0 = error }
            }
            listeningContinuation.finish()
        }

        var iterator = listening.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            serverTask.cancel()
            await serverTask.value
            let reason = failure.withLock { $0 }.map { "\($0)" } ?? "the server did not report a listening port"
            throw SandboxStartError(
                description: "cannot start the sandbox on \(configuration.host):\(configuration.port): \(reason)"
            )
        }
        return RunningSandbox(
            port: port, configuration: configuration, state: state, exchanges: responder.exchanges,
            serverTask: serverTask, group: group, connections: responder.connections)
    }

    /// What a sandbox serves and under which path, for help texts: `the Ahrefs v3 batch endpoints under /v3`, ...
    public static var servedAPIs: [String] { SimulatedProviders.served }

    /// `http://HOST:PORT`, with a wildcard bind address replaced by loopback.
    public var baseURL: String {
        var host = configuration.host
        switch host {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "::", "[::]": host = "[::1]"
        default:
            if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        }
        return "http://\(host):\(port)"
    }

    /// Environment lines that point the shipped pipelines at this sandbox: each provider's base URL and credentials.
    public var environment: [String: String] {
        var environment: [String: String] = [:]
        for provider in SimulatedProviders.all {
            environment[provider.baseURLVariable] = baseURL + provider.pathPrefix
            for credential in provider.credentials {
                environment[credential.variable] = configuration[credential]
            }
        }
        return environment
    }

    /// A snapshot of the usage counters and the request log.
    public func usage() -> SandboxUsage {
        state.usage
    }

    /// Replaces the fault rules and resets their per-rule counters.
    public func setFaults(_ rules: [FaultRule]) {
        state.setFaults(rules)
    }

    /// Every provider request and answer so far, in the order answered; empty unless the configuration
    /// `recordsExchanges`.
    public func exchanges() -> [SandboxExchange] {
        responderExchanges?.all ?? []
    }

    /// Provider requests that have arrived (counted on arrival; `usage()` counts them once answered).
    public var arrivedRequests: Int {
        state.arrived
    }

    /// Makes every provider answer wait, after its latency, until `releaseResponses()` (or `stop()`): a test can
    /// keep a run in the middle of a request for as long as it needs, however loaded the machine is.
    public func holdResponses() {
        state.holding = true
    }

    public func releaseResponses() {
        state.holding = false
    }

    /// Clears usage, the request log and the fault rules.
    public func reset() {
        state.reset()
    }

    /// Stops the server without cutting an answer short, and returns once every connection it accepted is closed:
    /// it stops listening, closes idle connections, lets each answer in progress be written in full and then closes
    /// its connection. A connection still busy after the grace period (latency + 5 s: a `delay_seconds` fault, or a
    /// client that keeps reading slowly) is closed there. Safe to call more than once, also concurrently.
    public func stop() async {
        let first = stopRequested.withLock { requested in
            defer { requested = true }
            return !requested
        }
        if first {
            state.holding = false
            await group.triggerGracefulShutdown()
            let (state, connections) = (self.state, self.connections)
            let grace = configuration.latency + .seconds(5)
            let closer = Task {
                try? await Task.sleep(for: grace)
                guard !Task.isCancelled else { return }
                state.closing = true
                connections.closeAll()
            }
            await serverTask.value
            closer.cancel()
        }
        await serverTask.value
    }
}

/// The connections a sandbox has answered on, so that `stop()` can close the ones graceful shutdown leaves open.
final class OpenConnections: Sendable {
    private let channels = Locked<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let inserted = channels.withLock { channels in
            guard channels[key] == nil else { return false }
            channels[key] = channel
            return true
        }
        guard inserted else { return }
        channel.closeFuture.whenComplete { _ in
            self.channels.withLock { _ = $0.removeValue(forKey: key) }
        }
    }

    var count: Int { channels.withLock { $0.count } }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.close(promise: nil)
        }
    }
}

/// The request context of the sandbox: Hummingbird's basic context plus the connection a request came on.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Routes every request: control routes under `/_sandbox/`, provider endpoints by exact path.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext

    /// Largest request body the sandbox reads (100 long URLs fit many times over).
    static let maxBodyBytes = 1 << 20

    let state: SandboxState
    let endpoints: [String: SandboxEndpoint]
    let latency: Duration
    let exchanges: ExchangeLog?
    let connections: OpenConnections

    init(
        state: SandboxState, endpoints: [SandboxEndpoint], latency: Duration, exchanges: ExchangeLog? = nil,
        connections: OpenConnections = OpenConnections()
    ) {
        self.exchanges = exchanges
        self.connections = connections
        self.state = state
        self.endpoints = Dictionary(endpoints.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.latency = latency
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        connections.insert(context.channel)

        let path = request.uri.path
        if path == ControlRoutes.prefix || path.hasPrefix(ControlRoutes.prefix + "/") {
            return await ControlRoutes(state: state).respond(to: request, path: path)
        }
        guard let endpoint = endpoints[path] else {
            return Self.response(SandboxResponse(status: 404, body: JSONOutput.error("Not found: \(path)")))
        }
        return await respond(to: request, endpoint: endpoint)
    }

    private func respond(to request: Request, endpoint: SandboxEndpoint) async -> Response {
        let ticket = state.arrive(
            usageKey: endpoint.usageKey,
            path: endpoint.path,
            dialect: endpoint.faultDialect
        )
        let body = await Self.readBody(of: request)
        await pause(for: latency)
        while state.holding, !state.closing {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if let seconds = ticket.fault?.delaySeconds {
            await pause(for: .seconds(seconds))
        }

        var answer: SandboxResponse
        // A rule in the endpoint's own dialect may be played inside the normal answer instead of replacing it.
        let inlineFault = ticket.fault.flatMap { rule in
            endpoint.answersDialectFaultsInline && !rule.dialects.isEmpty ? rule : nil
        }
        if let fault = ticket.fault, inlineFault == nil, !fault.spoilsRealAnswer, fault.schemaDrift == nil {
            answer = endpoint.faultResponse?(fault, body) ?? endpoint.errorResponse(fault.status, fault.defaultMessage)
            if let custom = fault.body { answer.body = custom }
            if let seconds = fault.retryAfterSeconds { answer.headers.append(("Retry-After", String(seconds))) }
            answer.charged = false
            answer.units = 0
            answer.costUSD = 0
        } else if let bytes = body {
            if endpoint.methods.contains(request.method) {
                answer = await endpoint.handle(
                    SandboxRequest(
                        method: request.method, path: endpoint.path, headers: request.headers, query: request.uri.query,
                        body: bytes, fault: inlineFault, usage: endpoint.readsUsage ? state.usage : nil)
                )
            } else {
                let allowed = endpoint.methods.map(\.rawValue).joined(separator: ", ")
                answer = endpoint.errorResponse(
                    405,
                    "Method \(request.method.rawValue) is not allowed for \(endpoint.usageKey); use \(allowed)"
                )
                answer.headers.append(("Allow", allowed))
            }
        } else {
            answer = endpoint.errorResponse(413, "Request body is larger than \(Self.maxBodyBytes) bytes")
        }

        if let drift = ticket.fault?.schemaDrift, (200..<300).contains(answer.status) {
            answer.body = drift.apply(to: answer.body)
        }
        let spoiler = ticket.fault.flatMap { $0.spoilsRealAnswer ? $0 : nil }
        if spoiler != nil {
            // The provider never delivered, so it charged nothing.
            answer.charged = false
            answer.units = 0
            answer.costUSD = 0
        }

        let summary = body.map(endpoint.summarize) ?? RequestSummary()
        let logged = LoggedRequest(
            endpoint: endpoint.usageKey,
            status: answer.status,
            receivedAt: ticket.receivedAt,
            targetCount: answer.targetCount ?? summary.targets,
            charged: answer.charged,
            bodySHA: body.map(SHA256.hex),
            taskCount: summary.tasks,
            distinctDomains: summary.distinctDomains,
            query: endpoint.logQuery?(request.uri.query),
            fault: ticket.fault?.kind
        )
        state.finish(
            ticket,
            request: logged,
            charge: answer.charged
                ? .init(
                    units: answer.units, costUSD: answer.costUSD, targets: answer.chargedTargets ?? logged.targetCount)
                : .none
        )
        exchanges?.append(
            SandboxExchange(
                api: endpoint.api, method: request.method.rawValue,
                path: "/" + endpoint.usageKey,
                query: request.uri.query, requestBody: String(decoding: body ?? [], as: UTF8.self),
                status: answer.status, responseBody: answer.body))
        if let spoiler {
            let bytes = Array(answer.body.utf8)
            let half = Array(bytes.prefix(bytes.count / 2))
            if spoiler.truncateBody {
                answer.body = String(decoding: half, as: UTF8.self)
                return Self.response(answer)
            }
            // Headers promise the whole body; half of it goes out, then the connection closes.
            var response = Self.response(answer)
            response.body = ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(ByteBuffer(bytes: half))
                throw DroppedConnection()
            }
            return response
        }
        return Self.response(answer)
    }

    /// Sleeps for `duration`, or less if the sandbox's stop closes the connections meanwhile.
    private func pause(for duration: Duration) async {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while !state.closing {
            let left = end - clock.now
            guard left > .zero else { return }
            try? await Task.sleep(for: min(left, .milliseconds(50)))
        }
    }

    /// Thrown by a `drop_connection` answer's body: Hummingbird closes the connection mid-body.
    struct DroppedConnection: Error {}

    /// Reads the whole body, or returns nil when it is larger than `maxBodyBytes` or cannot be read.
    static func readBody(of request: Request) async -> [UInt8]? {
        var bytes: [UInt8] = []
        do {
            for try await chunk in request.body {
                guard bytes.count + chunk.readableBytes <= Self.maxBodyBytes else { return nil }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            return nil
        }
        return bytes
    }

    static func response(_ answer: SandboxResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        for (name, value) in answer.headers {
            if let fieldName = HTTPFields.Element.Name(name) {
                headers.append(HTTPFields.Element(name: fieldName, value: value))
            }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status, reasonPhrase: HTTPStatusText.reason(answer.status)),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body))
        )
    }
}

extension JSONOutput {
    /// `{"error": "<message>"}`, the error body of Ahrefs v3 and of the control routes.
    static func error(_ message: String) -> String {
        JSONOutput.object([("error", .string(message))]).text
    }
}

/// The sandbox's own routes (no auth): `GET /_sandbox/usage`, `GET|POST /_sandbox/faults`, `POST /_sandbox/reset`.
struct ControlRoutes {
    static let prefix = "/_sandbox"

    let state: SandboxState

    func respond(to request: Request, path: String) async -> Response {
        switch path {
        case Self.prefix + "/usage":
            guard request.method == .get else { return Self.methodNotAllowed(request, allowed: "GET") }
            return Self.json(status: 200, Self.encode(state.usage))

        case Self.prefix + "/faults":
            switch request.method {
            case .get:
                return Self.json(status: 200, Self.encode(state.faultRules))
            case .post:
                return await installFaults(from: request)
            default:
                return Self.methodNotAllowed(request, allowed: "GET, POST")
            }

        case Self.prefix + "/reset":
            guard request.method == .post else { return Self.methodNotAllowed(request, allowed: "POST") }
            state.reset()
            return Self.json(status: 200, JSONOutput.object([("reset", .bool(true))]).text)

        default:
            return Self.json(status: 404, JSONOutput.error("Not found: \(path)"))
        }
    }

    private func installFaults(from request: Request) async -> Response {
        guard let body = await SandboxResponder.readBody(of: request) else {
            return Self.json(status: 413, JSONOutput.error("Request body is too large"))
        }
        let rules: [FaultRule]
        do {
            rules = try JSONDecoder().decode([FaultRule].self, from: Data(body))
        } catch {
            let keys = FaultRule.documentedKeys.map { "\"\($0)\"" }.joined(separator: ", ")
            return Self.json(
                status: 400,
                JSONOutput.error(
                    "Body must be a JSON array of fault rules ({\(keys)}): \(Self.describe(error))"
                )
            )
        }
        for (index, rule) in rules.enumerated() {
            if let problem = rule.problems.first {
                return Self.json(status: 400, JSONOutput.error("Fault rule \(index): \(problem)"))
            }
        }
        state.setFaults(rules)
        return Self.json(status: 200, Self.encode(rules))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            let at = (context.codingPath + [key]).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return "missing \(at.joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let at = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return "wrong type at \(at.joined(separator: "."))"
        default:
            return "not valid JSON"
        }
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return JSONOutput.error("Cannot encode the answer") }
        return String(decoding: data, as: UTF8.self)
    }

    private static func methodNotAllowed(_ request: Request, allowed: String) -> Response {
        var answer = SandboxResponse(
            status: 405,
            body: JSONOutput.error("Method \(request.method.rawValue) is not allowed here; use \(allowed)")
        )
        answer.headers.append(("Allow", allowed))
        return SandboxResponder.response(answer)
    }

    private static func json(status: Int, _ body: String) -> Response {
        SandboxResponder.response(SandboxResponse(status: status, body: body))
    }
}

/// The exchanges a recording sandbox keeps.
final class ExchangeLog: Sendable {
    private let entries = Locked<[SandboxExchange]>([])

    func append(_ exchange: SandboxExchange) { entries.withLock { $0.append(exchange) } }

    var all: [SandboxExchange] { entries.withLock { $0 } }
}
