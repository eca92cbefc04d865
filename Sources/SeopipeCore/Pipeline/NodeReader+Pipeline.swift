import Foundation
import Yams

extension NodeReader {
    static let topKeys = ["name", "description", "schedule", "warehouse", "snapshot", "providers", "options", "stages"]
    /// The keys of a `providers:` entry: the fixed ones around every credential key a known kind declares.
    var providerKeys: [String] {
        ["kind", "base_url"] + credentialKeys + ["rate_limit", "retry", "budget", "batch_size", "timeout"]
    }
    /// Every credential key of the registry's kinds (`token`, `login`, ...), in the registry's order.
    var credentialKeys: [String] {
        var keys: [String] = []
        for spec in registry.ordered.flatMap(\.credentials) where !keys.contains(spec.key) { keys.append(spec.key) }
        return keys
    }
    static let retryKeys = ["max_attempts", "base_delay", "max_delay", "max_retry_after"]
    static let budgetKeys = ["max_units", "max_cost_usd", "max_units_per_day", "max_cost_usd_per_day"]
    static let optionKeys = ["fail_fast", "parallel_limit", "include_timing"]
    static let stageKeys = [
        "id", "description", "depends_on", "provider", "endpoint", "targets", "params", "load", "refresh",
    ]
    static let refreshKeys = ["every", "spread"]
    static let loadKeys = ["table", "mode", "raw_responses"]

    func pipeline(_ root: Node) -> Pipeline? {
        guard let top = mapping(root, what: "the pipeline file", allowed: Self.topKeys) else { return nil }
        let name = required(top, "name", in: root, what: "the pipeline", example: "competitors-nightly")
            .flatMap { node -> String? in
                guard let name = string(node, what: "name") else { return nil }
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                    fail(
                        .invalidValue, node, "name `\(name)` may use only letters, digits, `-`, `_` and `.`",
                        hint: "e.g. name: competitors-nightly")
                    return nil
                }
                return name
            }
        let schedule = top["schedule"].flatMap { string($0.value, what: "schedule") }
        if let node = top["schedule"]?.value, let schedule {
            do throws(CronSchedule.ParseError) {
                _ = try CronSchedule(schedule)
            } catch {
                fail(
                    .invalidValue, node, "schedule: \(error.message)",
                    hint: "e.g. schedule: \"15 3 * * *\" (03:15 every day) or \"@daily\"")
            }
        }
        let warehouse = warehouseLocation(top["warehouse"]?.value)
        let snapshot = snapshotSpec(top["snapshot"]?.value)
        let providers =
            top["providers"].map { providerConfigs($0.value) }
            ?? {
                fail(.missingKey, root, "the pipeline needs `providers:`", hint: "see pipelines/demo.yml")
                return [:]
            }()
        let options = top["options"].map { runOptions($0.value) } ?? RunOptions()
        let stages =
            required(top, "stages", in: root, what: "the pipeline", example: "[...]")
            .map { self.stages($0, providers: providers) } ?? []
        checkGraph(stages)
        guard let name, let warehouse, let snapshot, let options else { return nil }
        return Pipeline(
            name: name, schedule: schedule, warehouse: warehouse, snapshot: snapshot, providers: providers,
            options: options, stages: stages, file: file)
    }

    func warehouseLocation(_ node: Node?) -> WarehouseLocation? {
        guard let node else { return .sqlite(path: FileManager.default.currentDirectoryPath + "/warehouse.db") }
        guard let text = string(node, what: "warehouse") else { return nil }
        do {
            return try WarehouseLocation.parse(
                text, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        } catch {
            switch error {
            case .invalid(let message):
                // Quote the file's text, not the expanded value (it may carry a password).
                fail(.invalidValue, node, "warehouse `\(raw(node))`: \(message)")
            }
            return nil
        }
    }

    func snapshotSpec(_ node: Node?) -> SnapshotSpec? {
        guard let node else { return .today }
        guard let text = string(node, what: "snapshot") else { return nil }
        switch text {
        case "today": return .today
        case "yesterday": return .yesterday
        default:
            if let date = SnapshotDate(text) { return .fixed(date) }
            fail(
                .invalidValue, node, "snapshot `\(raw(node))` is not a date",
                hint: "write today, yesterday or YYYY-MM-DD")
            return nil
        }
    }

    func runOptions(_ node: Node) -> RunOptions? {
        guard let entries = mapping(node, what: "options", allowed: Self.optionKeys) else { return nil }
        var options = RunOptions()
        if let value = entries["fail_fast"].flatMap({ bool($0.value, what: "options.fail_fast") }) {
            options.failFast = value
        }
        if let value = entries["parallel_limit"].flatMap({
            int($0.value, what: "options.parallel_limit", range: 1...10)
        }) {
            options.parallelLimit = value
        }
        if let value = entries["include_timing"].flatMap({ bool($0.value, what: "options.include_timing") }) {
            options.includeTiming = value
        }
        return options
    }

    func providerConfigs(_ node: Node) -> [String: ProviderConfig] {
        guard let mapping = node.mapping else {
            fail(
                .invalidValue, node, "providers must map a name to its settings",
                hint: "providers:\n    ahrefs:\n      kind: ahrefs-v3")
            return [:]
        }
        var result: [String: ProviderConfig] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { continue }
            // Remember the kind even when the entry has other errors, so stages are still checked against it
            // and one bad provider does not cascade into an error per stage.
            declaredProviderKinds[name] = value.mapping?["kind"]?.scalar?.string ?? ""
            if let config = providerConfig(name: name, node: value) { result[name] = config }
        }
        return result
    }

    func providerConfig(name: String, node: Node) -> ProviderConfig? {
        let what = "providers.\(name)"
        guard let entries = mapping(node, what: what, allowed: providerKeys) else { return nil }
        let kinds = registry.drivers.keys.sorted()
        guard let kindNode = required(entries, "kind", in: node, what: what, example: kinds.first ?? "ahrefs-v3"),
            let kind = string(kindNode, what: "\(what).kind")
        else { return nil }
        guard let driver = registry[kind] else {
            fail(
                .unknownProvider, kindNode, "unknown provider kind `\(kind)`",
                hint: Suggestion.closest(to: kind, in: kinds).map { "did you mean `\($0)`?" }
                    ?? "known kinds: \(kinds.joined(separator: ", "))")
            return nil
        }
        var baseURL = entries["base_url"].flatMap { string($0.value, what: "\(what).base_url") } ?? ""
        if let node = entries["base_url"]?.value {
            // Quote the file's own text, never the expanded value: a variable may hold a secret.
            if !baseURL.isEmpty, !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
                fail(
                    .invalidValue, node,
                    "base_url `\(node.scalar?.string ?? "")` must give a URL starting with "
                        + "http:// or https://", hint: "e.g. base_url: ${AHREFS_BASE_URL:-https://api.ahrefs.com/v3}")
            }
            while baseURL.hasSuffix("/") { baseURL.removeLast() }
        } else {
            fail(.missingKey, node, "\(what) needs `base_url`", hint: "add `base_url: ${NAME_BASE_URL:-https://...}`")
        }
        var credentials: [String: Secret] = [:]
        var credentialsComplete = true
        let declared = Set(driver.credentials.map(\.key))
        for key in credentialKeys where !declared.contains(key) {
            if let entry = entries[key] {
                fail(
                    .unknownKey, entry.key, "kind \(kind) takes no `\(key)`",
                    hint:
                        "its credentials: \(driver.credentials.map { "\($0.key) (from \($0.variable))" }.joined(separator: ", "))"
                )
            }
        }
        for spec in driver.credentials {
            if let valueNode = entries[spec.key]?.value {
                guard let value = string(valueNode, what: "\(what).\(spec.key)") else {
                    credentialsComplete = false
                    continue
                }
                if value.isEmpty {
                    fail(
                        .invalidValue, valueNode, "\(what).\(spec.key) is empty",
                        hint: "write \(spec.key): ${\(spec.variable)} and export it")
                    credentialsComplete = false
                }
                credentials[spec.key] = Secret(value)
            } else if let value = environment[spec.variable], !value.isEmpty {
                credentials[spec.key] = Secret(value)
            } else {
                fail(
                    .missingVariable, node,
                    "environment variable \(spec.variable) is not set (the \(spec.key) of \(what))",
                    hint: "export \(spec.variable)=... or add `\(spec.key): ${\(spec.variable)}`")
                credentialsComplete = false
            }
        }
        var rateLimit = driver.defaultRateLimit
        if let node = entries["rate_limit"]?.value, let text = string(node, what: "\(what).rate_limit") {
            if let parsed = RateLimit.parse(text) {
                rateLimit = parsed
            } else {
                fail(
                    .invalidValue, node, "rate_limit `\(raw(node))` is not a rate",
                    hint: "write e.g. 60/min, 2/s or 1000/hour")
            }
        }
        var retry = RetryPolicy()
        if let node = entries["retry"]?.value,
            let retryEntries = mapping(node, what: "\(what).retry", allowed: Self.retryKeys)
        {
            if let value = retryEntries["max_attempts"].flatMap({
                int($0.value, what: "retry.max_attempts", range: 1...20)
            }) {
                retry.maxAttempts = value
            }
            if let value = retryEntries["base_delay"].flatMap({ duration($0.value, what: "retry.base_delay") }) {
                retry.baseDelay = value
            }
            if let value = retryEntries["max_delay"].flatMap({ duration($0.value, what: "retry.max_delay") }) {
                retry.maxDelay = value
            }
            if let value = retryEntries["max_retry_after"].flatMap({ duration($0.value, what: "retry.max_retry_after") }
            ) {
                retry.maxRetryAfter = value
            }
        }
        var budget = Budget()
        if let node = entries["budget"]?.value,
            let budgetEntries = mapping(node, what: "\(what).budget", allowed: Self.budgetKeys)
        {
            budget.maxUnits = budgetEntries["max_units"].flatMap { number($0.value, what: "budget.max_units") }
            budget.maxCostUSD = budgetEntries["max_cost_usd"].flatMap { number($0.value, what: "budget.max_cost_usd") }
            budget.maxUnitsPerDay = budgetEntries["max_units_per_day"].flatMap {
                number($0.value, what: "budget.max_units_per_day")
            }
            budget.maxCostUSDPerDay = budgetEntries["max_cost_usd_per_day"].flatMap {
                number($0.value, what: "budget.max_cost_usd_per_day")
            }
        }
        let maxBatch = driver.endpoints.map(\.maxBatchSize).max() ?? 1
        let batchSize = entries["batch_size"].flatMap { int($0.value, what: "\(what).batch_size", range: 1...maxBatch) }
        let timeout = entries["timeout"].flatMap { duration($0.value, what: "\(what).timeout") } ?? .seconds(60)
        guard credentialsComplete else { return nil }
        return ProviderConfig(
            name: name, kind: kind, baseURL: baseURL, credentials: credentials, rateLimit: rateLimit, retry: retry,
            budget: budget, batchSize: batchSize, timeout: timeout)
    }

    func stages(_ node: Node, providers: [String: ProviderConfig]) -> [Stage] {
        guard let sequence = node.sequence else {
            fail(
                .invalidValue, node, "stages must be a list",
                hint: "stages:\n  - id: metrics\n    provider: ahrefs\n    ...")
            return []
        }
        var stages: [Stage] = []
        var seen: [String: Node] = [:]
        for item in sequence {
            guard let stage = stage(item, providers: providers) else { continue }
            if seen[stage.id] != nil {
                fail(
                    .duplicateStage, item.mapping?["id"] ?? item, "stage id `\(stage.id)` is used twice",
                    hint: "give every stage its own id")
                continue
            }
            seen[stage.id] = item
            stages.append(stage)
        }
        if sequence.isEmpty { fail(.invalidValue, node, "stages is empty", hint: "add at least one stage") }
        return stages
    }

    func stage(_ node: Node, providers: [String: ProviderConfig]) -> Stage? {
        guard let entries = mapping(node, what: "a stage", allowed: Self.stageKeys) else { return nil }
        guard let idNode = required(entries, "id", in: node, what: "every stage", example: "competitor_metrics"),
            let id = string(idNode, what: "stage id")
        else { return nil }
        let what = "stage `\(id)`"
        if id.isEmpty || !id.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }) {
            fail(
                .invalidValue, idNode, "stage id `\(id)` may use only letters, digits and `_`",
                hint: "e.g. id: \(id.map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) })")
        }
        let dependsOn = entries["depends_on"].flatMap { stringList($0.value, what: "\(what) depends_on") } ?? []
        let providerNode = required(
            entries, "provider", in: node, what: what, example: providers.keys.sorted().first ?? "ahrefs")
        let providerName = providerNode.flatMap { string($0, what: "\(what) provider") }
        var driver: (any ProviderDriver)?
        if let providerName, let providerNode {
            if let kind = providers[providerName]?.kind ?? declaredProviderKinds[providerName] {
                driver = registry[kind]
            } else {
                fail(
                    .unknownProvider, providerNode,
                    "\(what) uses provider `\(providerName)`, which `providers:` does not define",
                    hint: Suggestion.closest(to: providerName, in: declaredProviderKinds.keys).map {
                        "did you mean `\($0)`?"
                    }
                        ?? "define it under providers:, or use one of: \(declaredProviderKinds.keys.sorted().joined(separator: ", "))"
                )
            }
        }
        let endpointNode = required(entries, "endpoint", in: node, what: what, example: "site-explorer/batch/metrics")
        let endpointName = endpointNode.flatMap { string($0, what: "\(what) endpoint") }
        var endpoint: EndpointSpec?
        if let driver, let endpointName, let endpointNode {
            endpoint = driver.endpoint(named: endpointName)
            if endpoint == nil {
                let names = driver.endpoints.map(\.name)
                fail(
                    .unknownEndpoint, endpointNode, "\(driver.kind) has no endpoint `\(endpointName)`",
                    hint: Suggestion.closest(to: endpointName, in: names).map { "did you mean `\($0)`?" }
                        ?? "endpoints: \(names.joined(separator: ", "))")
            }
        }
        let targets = required(entries, "targets", in: node, what: what, example: "[example.com, example.org]")
            .flatMap { targetSource($0, what: what) }
        let params = entries["params"].map { self.params($0.value, endpoint: endpoint, what: what) } ?? [:]
        let writtenParams = Set(entries["params"]?.value.mapping?.keys.compactMap { $0.scalar?.string } ?? [])
        if let endpoint {
            // A parameter written but invalid was reported already; only a missing one is reported here.
            for parameter in endpoint.parameters where parameter.isRequired && !writtenParams.contains(parameter.name) {
                fail(
                    .missingKey, entries["params"]?.value ?? node,
                    "\(what): \(endpoint.name) needs parameter `\(parameter.name)`",
                    hint: "add `params: { \(parameter.name): ... }` (\(parameter.help))")
            }
        }
        var table = endpoint?.table ?? ""
        var keepsRawResponses = false
        if let loadNode = entries["load"]?.value,
            let load = mapping(loadNode, what: "\(what) load", allowed: Self.loadKeys)
        {
            if let tableNode = load["table"]?.value, let name = string(tableNode, what: "\(what) load.table"),
                let endpoint,
                name != endpoint.table
            {
                fail(
                    .invalidValue, tableNode, "\(endpoint.name) loads into `\(endpoint.table)`, not `\(name)`",
                    hint: "write `table: \(endpoint.table)` or leave `load:` out; views give other names")
            } else if let name = load["table"].flatMap({ string($0.value, what: "load.table") }) {
                table = name
            }
            if let modeNode = load["mode"]?.value, let mode = string(modeNode, what: "\(what) load.mode"),
                mode != "upsert"
            {
                fail(
                    .invalidValue, modeNode, "load mode `\(mode)` is not supported",
                    hint: "write `mode: upsert` (a re-run of a date replaces its rows)")
            }
            if let value = load["raw_responses"].flatMap({ bool($0.value, what: "\(what) load.raw_responses") }) {
                keepsRawResponses = value
            }
        }
        let refresh = entries["refresh"].flatMap { refreshPolicy($0.value, what: what) } ?? .daily
        guard let providerName, let endpointName, let targets else { return nil }
        return Stage(
            id: id, dependsOn: dependsOn, provider: providerName, endpoint: endpointName, targets: targets,
            params: params, table: table, keepsRawResponses: keepsRawResponses, refresh: refresh,
            location: location(node))
    }

    /// `refresh: { every: 7d, spread: true }`: `every` is a number of days (`1d` to `365d`), `spread` a boolean.
    func refreshPolicy(_ node: Node, what: String) -> RefreshPolicy? {
        if let scalar = node.scalar?.string {
            fail(
                .invalidValue, node, "\(what) refresh must be a mapping",
                hint: "write `refresh: { every: \(scalar) }`, with `spread: true` to buy one slice a night")
            return nil
        }
        guard let entries = mapping(node, what: "\(what) refresh", allowed: Self.refreshKeys) else { return nil }
        var policy = RefreshPolicy()
        if let everyNode = entries["every"]?.value, let text = string(everyNode, what: "\(what) refresh.every") {
            if text.hasSuffix("d"), let days = Int(text.dropLast()), (1...365).contains(days) {
                policy.everyDays = days
            } else {
                fail(
                    .invalidValue, everyNode, "\(what) refresh.every `\(text)` is not a number of days",
                    hint: "write days from 1d to 365d: `every: 7d` (weekly), `every: 30d` (monthly); 1d is every night")
                return nil
            }
        } else if entries["every"] == nil {
            fail(
                .missingKey, node, "\(what) refresh needs `every`",
                hint: "e.g. `refresh: { every: 7d, spread: true }`")
            return nil
        }
        if let spread = entries["spread"].flatMap({ bool($0.value, what: "\(what) refresh.spread") }) {
            policy.spread = spread
        }
        return policy
    }

    func targetSource(_ node: Node, what: String) -> TargetSource? {
        if node.sequence != nil {
            guard let list = stringList(node, what: "\(what) targets") else { return nil }
            if list.isEmpty {
                fail(.invalidValue, node, "\(what) has an empty target list", hint: "list at least one target")
            }
            return .list(list)
        }
        if node.mapping != nil {
            guard let entries = mapping(node, what: "\(what) targets", allowed: ["file", "from_sql"]) else {
                return nil
            }
            if entries.count != 1 {
                fail(.invalidValue, node, "\(what) targets takes exactly one of `file` or `from_sql`")
                return nil
            }
            if let fileNode = entries["file"]?.value, let path = string(fileNode, what: "\(what) targets.file") {
                let resolved = resolveTargetFile(path)
                if !FileManager.default.fileExists(atPath: resolved) {
                    fail(
                        .invalidValue, fileNode, "target file `\(path)` does not exist (looked at \(resolved))",
                        hint: "paths are relative to the pipeline file's folder")
                }
                return .file(resolved)
            }
            if let sqlNode = entries["from_sql"]?.value, let sql = string(sqlNode, what: "\(what) targets.from_sql") {
                let lowered = sql.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                if !(lowered.hasPrefix("select") || lowered.hasPrefix("with")) {
                    fail(
                        .invalidValue, sqlNode, "from_sql must be a SELECT query",
                        hint:
                            "e.g. from_sql: \"SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot\""
                    )
                }
                return .sql(sql)
            }
            return nil
        }
        fail(.invalidValue, node, "\(what) targets must be a list, `{ file: PATH }` or `{ from_sql: QUERY }`")
        return nil
    }

    func resolveTargetFile(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
    }

    func params(_ node: Node, endpoint: EndpointSpec?, what: String) -> [String: ParamValue] {
        guard let mapping = node.mapping else {
            fail(.invalidValue, node, "\(what) params must be a mapping", hint: "e.g. params: { country: us }")
            return [:]
        }
        var result: [String: ParamValue] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { continue }
            let parameter = endpoint?.parameters.first { $0.name == name }
            if let endpoint, parameter == nil {
                let names = endpoint.parameters.map(\.name)
                fail(
                    .unknownKey, key, "\(endpoint.name) takes no parameter `\(name)`",
                    hint: Suggestion.closest(to: name, in: names).map { "did you mean `\($0)`?" }
                        ?? (names.isEmpty
                            ? "this endpoint takes no params; remove `params:`"
                            : "its parameters: \(names.joined(separator: ", "))"))
                continue
            }
            let parsed: ParamValue?
            if value.sequence != nil {
                parsed = stringList(value, what: "\(what) params.\(name)").map(ParamValue.list)
            } else {
                parsed = string(value, what: "\(what) params.\(name)").map(ParamValue.string)
            }
            guard let parsed else { continue }
            if let parameter, let problem = parameter.validate(parsed) {
                fail(.invalidValue, value, "\(what) params.\(name): \(problem)", hint: parameter.help)
                continue
            }
            result[name] = parsed
        }
        return result
    }

    /// Unknown dependencies and cycles, reported at the stage that names them.
    func checkGraph(_ stages: [Stage]) {
        let ids = Set(stages.map(\.id))
        for stage in stages {
            for dependency in stage.dependsOn where !ids.contains(dependency) {
                errors.append(
                    PipelineError(
                        .unknownDependency, at: stage.location,
                        "stage `\(stage.id)` depends on `\(dependency)`, which is not a stage",
                        hint: Suggestion.closest(to: dependency, in: ids).map { "did you mean `\($0)`?" }
                            ?? "stages: \(stages.map(\.id).joined(separator: ", "))"))
            }
        }
        do {
            _ = try StageGraph(stages.map { ($0.id, $0.dependsOn.filter(ids.contains)) })
        } catch {
            let place =
                stages.first { $0.id == error.cycle.first }?.location
                ?? SourceLocation(file: displayPath, line: 1, column: 1)
            errors.append(
                PipelineError(
                    .dependencyCycle, at: place,
                    "stages depend on each other in a cycle: \((error.cycle + [error.cycle[0]]).joined(separator: " -> "))",
                    hint: "remove one of these depends_on entries"))
        }
    }
}
