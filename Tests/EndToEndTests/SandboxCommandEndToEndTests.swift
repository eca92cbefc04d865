import Foundation
import Sandbox
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `seopipe sandbox` as a user runs it: the environment lines it prints come from the simulated providers it serves.
@Suite("seopipe sandbox, end to end")
struct SandboxCommandEndToEndTests {
    @Test("prints an export line for every variable of every simulated provider, pointing at its own port")
    func exportsEveryProvider() async throws {
        let reference = try await RunningSandbox.start()
        let expected = reference.environment
        let referenceOrigin = reference.baseURL
        await reference.stop()

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("seopipe-sandbox-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sandbox = try await SandboxProcess.start(in: directory)
        defer { sandbox.stop() }

        #expect(Set(sandbox.environment.keys) == Set(expected.keys))
        let origin = try #require(sandbox.environment["AHREFS_BASE_URL"]?.replacingOccurrences(of: "/v3", with: ""))
        #expect(origin.hasPrefix("http://127.0.0.1:"))
        for (name, value) in expected {
            if value.hasPrefix(referenceOrigin) {
                #expect(sandbox.environment[name] == origin + value.dropFirst(referenceOrigin.count), "\(name)")
            } else {
                #expect(sandbox.environment[name] == value, "\(name)")
            }
        }
        // The printed origin is the running sandbox: its control route answers there.
        let (_, response) = try await URLSession.shared.data(
            from: try #require(URL(string: origin + "/_sandbox/usage")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }
}
