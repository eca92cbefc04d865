// The extract benchmark: the real `seopipe` binary against the sandbox, next to a bare client sending the same
// requests in the same process run.
//
//   swift build -c release --product seopipe --product ExtractBenchmark
//   .build/release/ExtractBenchmark [--targets 10000,100000] [--latency-ms 0,50] [--trials 1]
//       [--binary .build/release/seopipe]
//
// One pipeline: Ahrefs v3 batch-analysis at 100 targets a request and DataForSEO bulk_pages_summary at 1000 a task,
// `parallel_limit: 5`, no client-side rate limit, a fresh SQLite file per trial. The sandbox runs in this process with
// the given latency added to every answer. The bare client builds every request with the same provider drivers, keeps
// 5 in flight per stage (the stages run side by side, as seopipe runs them), parses every answer as JSON and stores
// nothing: the floor a runner cannot beat. Prints one line per (targets, latency): wall times (median of the trials),
// rows loaded and rows/s, seopipe's peak RSS (from wait4) and the ratio seopipe / bare client.
import Foundation
import Providers
import Sandbox
import SeopipeCore
import SeopipeHTTP

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var targets = [10_000, 100_000]
    var latencies = [0, 50]
    var trials = 1
    var binary = ".build/release/seopipe"

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            let numbers = value.split(separator: ",").compactMap { Int($0) }
            switch flag {
            case "--targets": targets = numbers
            case "--latency-ms": latencies = numbers
            case "--trials": trials = max(1, numbers.first ?? 1)
            case "--binary": binary = value
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

let today = "2026-11-20"

func pipelineYAML(directory: URL) -> String {
    """
    name: extract-bench
    warehouse: sqlite:\(directory.appendingPathComponent("bench.db").path)
    snapshot: "\(today)"
    providers:
      ahrefs:
        kind: ahrefs-v3
        base_url: ${AHREFS_BASE_URL}
        token: ${AHREFS_API_TOKEN}
        rate_limit: 1000000/min
      dataforseo:
        kind: dataforseo
        base_url: ${DATAFORSEO_BASE_URL}
        login: ${DATAFORSEO_LOGIN}
        password: ${DATAFORSEO_PASSWORD}
        rate_limit: 1000000/min
    options: { parallel_limit: 5 }
    stages:
      - id: metrics
        provider: ahrefs
        endpoint: batch-analysis/batch-analysis
        targets: { file: targets.txt }
        params:
          mode: subdomains
          select: [domain_rating, ahrefs_rank, backlinks, refdomains, org_keywords, org_traffic, org_cost]
      - id: pages_summary
        provider: dataforseo
        endpoint: backlinks/bulk_pages_summary/live
        targets: { file: targets.txt }

    """
}

/// Runs `arguments` with `environment`, waits, and returns the wall time and the child's peak RSS in KiB.
func spawn(_ arguments: [String], environment: [String: String]) throws -> (
    seconds: Double, maxRSSKiB: Int, status: Int32
) {
    var pid: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv + envp { free(pointer) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let started = ContinuousClock.now
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
    guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): errno \(spawned)") }
    // Not wait4's ru_maxrss: posix_spawn starts the child in this process's memory (CLONE_VM), and Linux counts
    // that memory's high-water mark into the child's at exec: it reported this benchmark's own RSS (sandbox and
    // bare client, 130 MB at 100k targets) for a seopipe of 90. VmHWM belongs to the child's own memory only;
    // it is read every 10 ms until the child exits.
    var status: Int32 = 0
    var peakKiB = 0
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped == -1 && errno != EINTR { throw BenchError("waitpid: errno \(errno)") }
        peakKiB = max(peakKiB, highWaterMarkKiB(of: pid))
        usleep(10_000)
    }
    let elapsed = ContinuousClock.now - started
    return (elapsed.seconds, peakKiB, (status >> 8) & 0xff)
}

/// The peak resident set of a running process's own memory (`VmHWM` in /proc/PID/status), in KiB; 0 once gone.
func highWaterMarkKiB(of pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The bare client: every request of every stage, 5 in flight per stage, stages side by side; answers parsed.
func bareClient(pipeline: Pipeline, transport: AsyncHTTPTransport) async throws -> (seconds: Double, requests: Int) {
    let started = ContinuousClock.now
    let requests = try await withThrowingTaskGroup(of: Int.self) { stages in
        for stage in pipeline.stages {
            stages.addTask {
                guard let config = pipeline.providers[stage.provider],
                    let driver = ProviderRegistry.builtin[config.kind],
                    let endpoint = driver.endpoint(named: stage.endpoint),
                    case .file(let path) = stage.targets
                else { throw BenchError("stage \(stage.id) cannot be built") }
                let targets = NormalizedTargets(try TargetFile.read(path), driver: driver, endpoint: endpoint).targets
                let context = RequestContext(
                    stage: stage, provider: config, snapshotDate: SnapshotDate(today)!, options: pipeline.options)
                let chunks = driver.chunks(
                    targets, size: config.chunkSize(for: endpoint), endpoint: endpoint, context: context)
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    var pending = chunks.makeIterator()
                    func next() throws -> Bool {
                        guard let chunk = pending.next() else { return false }
                        let request = try driver.makeRequest(for: chunk, endpoint: endpoint, context: context)
                        group.addTask {
                            let answer = try await transport.send(request.http, timeout: .seconds(120))
                            guard answer.status == 200,
                                (try? JSONSerialization.jsonObject(with: Data(answer.body))) != nil
                            else { throw BenchError("HTTP \(answer.status) for stage \(stage.id)") }
                        }
                        return true
                    }
                    for _ in 0..<pipeline.options.parallelLimit where try next() {}
                    while try await group.next() != nil { _ = try next() }
                    return chunks.count
                }
            }
        }
        return try await stages.reduce(0, +)
    }
    return ((ContinuousClock.now - started).seconds, requests)
}

/// One line on stdout at once, also into a pipe (no buffering until exit).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

@main
struct ExtractBenchmark {
    static func main() async throws {
        let options = Options(CommandLine.arguments)
        let binary = URL(fileURLWithPath: options.binary).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no seopipe binary at \(binary): swift build -c release --product seopipe")
        }
        let transport = AsyncHTTPTransport()
        say("targets  latency  requests  rows        seopipe s  bare s   ratio  rows/s     peak RSS")
        for count in options.targets {
            for latency in options.latencies {
                var configuration = SandboxConfiguration(
                    latency: .milliseconds(latency), today: today, ahrefsUnitsLimit: nil,
                    dataForSEOBalanceUSD: 1_000_000_000)
                configuration.port = 0
                let sandbox = try await RunningSandbox.start(configuration)
                var seopipeTimes: [Double] = []
                var bareTimes: [Double] = []
                var peakKiB = 0
                var rows = 0
                var requests = 0
                for _ in 0..<options.trials {
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                        "seopipe-extract-bench-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    defer { try? FileManager.default.removeItem(at: directory) }
                    let targets = (0..<count).map { "site\($0).example.com" }.joined(separator: "\n") + "\n"
                    try targets.write(
                        to: directory.appendingPathComponent("targets.txt"), atomically: true, encoding: .utf8)
                    let file = directory.appendingPathComponent("bench.yml")
                    try pipelineYAML(directory: directory).write(to: file, atomically: true, encoding: .utf8)

                    var environment = ProcessInfo.processInfo.environment.merging(sandbox.environment) { $1 }
                    environment["HOME"] = directory.path
                    let before = sandbox.usage().totalRequests
                    let run = try spawn([binary, "run", file.path, "--quiet"], environment: environment)
                    guard run.status == 0 else { throw BenchError("seopipe run exited \(run.status)") }
                    requests = sandbox.usage().totalRequests - before
                    seopipeTimes.append(run.seconds)
                    peakKiB = max(peakKiB, run.maxRSSKiB)
                    rows = try countRows(directory.appendingPathComponent("bench.db").path)

                    let pipeline = try PipelineLoader(registry: .builtin, environment: environment).load(file: file)
                    let bare = try await bareClient(pipeline: pipeline, transport: transport)
                    guard bare.requests == requests else {
                        throw BenchError("the bare client sent \(bare.requests) requests, seopipe \(requests)")
                    }
                    bareTimes.append(bare.seconds)
                }
                await sandbox.stop()
                let wall = median(seopipeTimes)
                let floor = median(bareTimes)
                say(
                    String(
                        format: "%-8d %4d ms  %-9d %-11d %-10.2f %-8.2f %-6.2f %-10.0f %d MB", count, latency, requests,
                        rows, wall, floor, wall / floor, Double(rows) / wall, peakKiB / 1024))
            }
        }
        await transport.shutdown()
    }

    /// Rows the run loaded, as its ledger counts them.
    static func countRows(_ path: String) throws -> Int {
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", path, "SELECT COALESCE(SUM(rows), 0) FROM seopipe_runs"]
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
