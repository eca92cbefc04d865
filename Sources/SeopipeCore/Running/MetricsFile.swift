import Foundation
import Logging

/// A Prometheus textfile (text exposition format 0.0.4) for node_exporter's textfile collector, written
/// atomically after each run: to a temporary file in the same directory, then renamed over the old one, so the
/// collector never reads half a file.
public struct MetricsFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Writes the metrics of `result`; `lastSuccess` is when the pipeline last succeeded (nil: never).
    /// A file that cannot be written is logged, never thrown: the run's outcome does not depend on it.
    public func write(_ result: RunResult, pipeline: Pipeline, lastSuccess: Date?, logger: Logger) {
        let text = MetricsText.render(
            result, pipeline: pipeline, finishedAt: Date(), lastSuccess: lastSuccess?.timeIntervalSince1970)
        do {
            try Self.atomicWrite(text, to: path)
        } catch {
            logger.error("cannot write the metrics file \(path): \(error)")
        }
    }

    static func atomicWrite(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        // Written and flushed to disk before the rename, so after a crash the file is the old one or the new one.
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw MetricsFileError(message: "cannot create \(temporary.path)")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw MetricsFileError(message: "rename to \(path) failed: \(reason)")
        }
    }
}

struct MetricsFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The metrics of one run as Prometheus text.
enum MetricsText {
    static let statuses = ["succeeded", "partial", "failed", "interrupted"]

    static func render(_ result: RunResult, pipeline: Pipeline, finishedAt: Date, lastSuccess: Double?) -> String {
        var families: [(name: String, help: String, samples: [(labels: [(String, String)], value: Double)])] = []
        let base = [("pipeline", pipeline.name)]
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
            families.append((name, help, samples))
        }
        family(
            "seopipe_last_run_status", "Status of the last run: 1 for its status, 0 for the others.",
            statuses.map { (base + [("status", $0)], result.status.rawValue == $0 ? 1 : 0) })
        family(
            "seopipe_last_run_exit_code", "Exit code of the last run (0 success, 1 failed, 3 partial, 128+N signal).",
            [(base, Double(result.exitCode))])
        family(
            "seopipe_last_run_timestamp_seconds", "When the last run finished, Unix time.",
            [(base, finishedAt.timeIntervalSince1970.rounded())])
        family(
            "seopipe_last_run_duration_seconds", "How long the last run took.",
            [(base, Double(result.meta.totalTimingMS) / 1000)])
        family(
            "seopipe_last_run_snapshot_date_timestamp_seconds",
            "The snapshot date the last run loaded, Unix time of 00:00 UTC.",
            [(base, snapshotSeconds(result.snapshotDate))])
        if let lastSuccess {
            family(
                "seopipe_last_success_timestamp_seconds",
                "When the last successful run of the pipeline finished, Unix time.",
                [(base, lastSuccess.rounded())])
        }
        family("seopipe_last_run_rows", "Fact rows the last run loaded.", [(base, Double(result.meta.rows))])
        family(
            "seopipe_last_run_target_errors", "Targets the providers refused in the last run.",
            [(base, Double(result.meta.targetErrors))])

        // Per stage, labelled with its provider and endpoint.
        let stages = result.stageOrder.compactMap { id -> (labels: [(String, String)], result: StageResult)? in
            guard let stageResult = result.results[id], let stage = pipeline.stage(id) else { return nil }
            let kind = pipeline.providers[stage.provider]?.kind ?? ""
            return (
                base + [("stage", id), ("provider", stage.provider), ("kind", kind), ("endpoint", stage.endpoint)],
                stageResult
            )
        }
        func perStage(_ name: String, _ help: String, _ value: (StageResult) -> Double) {
            family(name, help, stages.map { ($0.labels, value($0.result)) })
        }
        perStage("seopipe_last_run_stage_success", "1 when the stage succeeded in the last run, else 0.") {
            $0.status == .success ? 1 : 0
        }
        perStage("seopipe_last_run_stage_rows", "Fact rows the stage loaded in the last run.") { Double($0.rows) }
        perStage("seopipe_last_run_stage_requests", "HTTP requests the stage sent in the last run, retries included.") {
            Double($0.requests)
        }
        perStage("seopipe_last_run_stage_retries", "Requests the stage sent again after an error in the last run.") {
            Double($0.retries)
        }
        perStage("seopipe_last_run_stage_chunks_resumed", "Chunks committed earlier for the date, not bought again.") {
            Double($0.chunksSkipped)
        }
        perStage(
            "seopipe_last_run_stage_targets_fresh",
            "Targets not bought in the last run: fetched recently enough for the stage's refresh policy."
        ) { Double($0.targetsFresh) }
        perStage(
            "seopipe_last_run_stage_schema_drift",
            "Fields the stage's answers added, dropped or sent with another type than documented (seopipe drift)."
        ) { Double($0.schemaDrift) }
        perStage("seopipe_last_run_stage_target_errors", "Targets the provider refused in the stage.") {
            Double($0.targetErrors)
        }
        perStage("seopipe_last_run_stage_units", "Provider units the stage was charged in the last run.") { $0.units }
        perStage("seopipe_last_run_stage_cost_usd", "US dollars the stage was charged in the last run.") { $0.cost }

        // Per provider: the sums of its stages.
        typealias Sums = (kind: String, requests: Int, retries: Int, units: Double, cost: Double)
        var providers: [String: Sums] = [:]
        for stage in pipeline.stages {
            guard let stageResult = result.results[stage.id] else { continue }
            var sums = providers[stage.provider] ?? (pipeline.providers[stage.provider]?.kind ?? "", 0, 0, 0, 0)
            sums.requests += stageResult.requests
            sums.retries += stageResult.retries
            sums.units += stageResult.units
            sums.cost += stageResult.cost
            providers[stage.provider] = sums
        }
        let sorted = providers.sorted { $0.key < $1.key }
        func perProvider(_ name: String, _ help: String, _ value: (Sums) -> Double) {
            family(
                name, help, sorted.map { (base + [("provider", $0.key), ("kind", $0.value.kind)], value($0.value)) })
        }
        perProvider("seopipe_last_run_provider_requests", "HTTP requests sent to the provider in the last run.") {
            Double($0.requests)
        }
        perProvider("seopipe_last_run_provider_retries", "Requests sent again after an error in the last run.") {
            Double($0.retries)
        }
        perProvider("seopipe_last_run_provider_units", "Provider units charged in the last run.") { $0.units }
        perProvider("seopipe_last_run_provider_cost_usd", "US dollars charged in the last run.") { $0.cost }

        var text = ""
        for family in families where !family.samples.isEmpty {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n# TYPE \(family.name) gauge\n"
            for sample in family.samples {
                let labels = sample.labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",")
                text += "\(family.name){\(labels)} \(number(sample.value))\n"
            }
        }
        return text
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func snapshotSeconds(_ date: String) -> Double {
        (try? Date(date + "T00:00:00Z", strategy: .iso8601))?.timeIntervalSince1970 ?? 0
    }
}
