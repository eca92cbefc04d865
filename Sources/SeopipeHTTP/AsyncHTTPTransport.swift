import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SeopipeCore

/// The runner's HTTP transport over AsyncHTTPClient; one client (and connection pool) per process.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    /// Responses larger than this are refused rather than buffered (a provider never sends that much per chunk).
    private let maxBodyBytes: Int

    public init(maxBodyBytes: Int = 256 * 1024 * 1024) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10))
        configuration.decompression = .enabled(limit: .ratio(50))
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: HTTPRequestSpec, timeout: Duration) async throws -> HTTPResponseData {
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if !request.body.isEmpty { http.body = .bytes(ByteBuffer(bytes: request.body)) }
        let response = try await client.execute(http, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
        var body = try await response.body.collect(upTo: maxBodyBytes)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        return HTTPResponseData(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
