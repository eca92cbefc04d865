import Foundation
import Providers
import SeopipeCore
import Testing

@Suite("Pipeline files")
struct PipelineLoaderTests {
    /// Distinctive so that a leak anywhere in an error text is unmistakable.
    static let token = "sk-LEAKCHECK-7f3e9b2c51"
    static let environment = ["AHREFS_API_TOKEN": token]

    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    func load(_ yaml: String, environment: [String: String] = Self.environment, name: String = "pipeline.yml") throws
        -> Pipeline
    {
        let file = try folder.write(name, yaml)
        return try PipelineLoader(registry: .builtin, environment: environment).load(file: file)
    }

    /// The errors a file is refused with; records an issue when it loads.
    func errors(_ yaml: String, environment: [String: String] = Self.environment) throws -> [PipelineError] {
        do {
            _ = try load(yaml, environment: environment)
            Issue.record("the pipeline was expected to be refused")
            return []
        } catch let error as PipelineValidationError {
            return error.errors
        }
    }

    /// A valid pipeline with `stages` spliced in, so each test shows only what it is about.
    static func pipeline(stages: String, options: String = "") -> String {
        """
        name: test-pipeline
        providers:
          ahrefs:
            kind: ahrefs-v3
            base_url: https://api.ahrefs.com/v3
            token: ${AHREFS_API_TOKEN}
        \(options)
        stages:
        \(stages)
        """
    }

    static let metricsStage = """
          - id: metrics
            provider: ahrefs
            endpoint: site-explorer/batch/metrics
            targets: [example.com]
        """

    // MARK: A valid file

    @Test("decodes every field of a valid pipeline")
    func valid() throws {
        try folder.write("targets/competitors.txt", "# competitors\nexample.com\n\ncompetitor1.com\n")
        let warehouse = folder.url.appendingPathComponent("wh.db").path
        let pipeline = try load(
            """
            name: competitors-nightly
            description: Competitor tracking
            schedule: "15 3 * * *"
            warehouse: ${SEOPIPE_WAREHOUSE:-sqlite:warehouse.db}
            snapshot: 2026-02-18
            providers:
              ahrefs:
                kind: ahrefs-v3
                base_url: ${AHREFS_BASE_URL:-https://api.ahrefs.com/v3/}
                token: ${AHREFS_API_TOKEN}
                rate_limit: 2/s
                retry: { max_attempts: 6, base_delay: 2s, max_delay: 120s, max_retry_after: 30s }
                budget: { max_units: 20000, max_cost_usd: 1.5 }
                batch_size: 50
                timeout: 30s
            options: { fail_fast: true, parallel_limit: 3, include_timing: false }
            stages:
              - id: competitor_metrics
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: { file: targets/competitors.txt }
                params: { select: "org_keywords,domain_rating" }
                load: { table: ahrefs_domain_metrics, mode: upsert }
              - id: competitor_dr
                provider: ahrefs
                endpoint: site-explorer/batch/domain-rating
                targets: [example.com, "https://Competitor.com/"]
              - id: pages
                depends_on: [competitor_metrics]
                provider: ahrefs
                endpoint: site-explorer/batch/url-metrics
                targets: { from_sql: "SELECT url FROM pages WHERE snapshot_date = :snapshot" }
              - id: keywords
                depends_on: [competitor_metrics, competitor_dr]
                provider: ahrefs
                endpoint: keywords-explorer/batch/overview
                targets: [seo tools]
                params: { country: us }
            """, environment: Self.environment.merging(["SEOPIPE_WAREHOUSE": "sqlite:\(warehouse)"]) { $1 })

        #expect(pipeline.name == "competitors-nightly")
        #expect(pipeline.schedule == "15 3 * * *")
        #expect(pipeline.warehouse == .sqlite(path: warehouse))
        #expect(pipeline.snapshot == .fixed(try #require(SnapshotDate("2026-02-18"))))
        #expect(pipeline.options == RunOptions(failFast: true, parallelLimit: 3, includeTiming: false))

        #expect(Array(pipeline.providers.keys) == ["ahrefs"])
        let ahrefs = try #require(pipeline.providers["ahrefs"])
        #expect(ahrefs.name == "ahrefs")
        #expect(ahrefs.kind == "ahrefs-v3")
        #expect(ahrefs.baseURL == "https://api.ahrefs.com/v3", "a trailing / is dropped so paths join with exactly one")
        #expect(ahrefs.token.value == Self.token)
        #expect(ahrefs.rateLimit == RateLimit(requests: 2, per: .seconds(1)))
        #expect(
            ahrefs.retry
                == RetryPolicy(
                    maxAttempts: 6, baseDelay: .seconds(2), maxDelay: .seconds(120), maxRetryAfter: .seconds(30)))
        #expect(ahrefs.budget == Budget(maxUnits: 20_000, maxCostUSD: 1.5))
        #expect(ahrefs.batchSize == 50)
        #expect(ahrefs.timeout == .seconds(30))

        #expect(pipeline.stages.map(\.id) == ["competitor_metrics", "competitor_dr", "pages", "keywords"])
        let metrics = try #require(pipeline.stage("competitor_metrics"))
        #expect(metrics.provider == "ahrefs")
        #expect(metrics.endpoint == "site-explorer/batch/metrics")
        #expect(
            metrics.targets == .file(folder.url.path + "/targets/competitors.txt"),
            "resolved against the pipeline's folder")
        #expect(metrics.params == ["select": .string("org_keywords,domain_rating")])
        #expect(metrics.table == "ahrefs_domain_metrics")
        #expect(metrics.dependsOn.isEmpty)
        #expect(metrics.location.line == 18)
        #expect(metrics.location.column == 5)

        let rating = try #require(pipeline.stage("competitor_dr"))
        #expect(rating.targets == .list(["example.com", "https://Competitor.com/"]))
        #expect(rating.table == "ahrefs_domain_rating")
        #expect(rating.params.isEmpty)

        let pages = try #require(pipeline.stage("pages"))
        #expect(pages.dependsOn == ["competitor_metrics"])
        #expect(pages.targets == .sql("SELECT url FROM pages WHERE snapshot_date = :snapshot"))
        #expect(pages.table == "ahrefs_url_metrics")

        let keywords = try #require(pipeline.stage("keywords"))
        #expect(keywords.dependsOn == ["competitor_metrics", "competitor_dr"])
        #expect(keywords.params == ["country": .string("us")])
        #expect(keywords.table == "ahrefs_keyword_overview")
    }

    @Test("fills documented defaults and takes the token from AHREFS_API_TOKEN when `token:` is left out")
    func defaults() throws {
        let pipeline = try load(
            """
            name: minimal
            providers:
              ahrefs:
                kind: ahrefs-v3
                base_url: https://api.ahrefs.com/v3
            stages:
            \(Self.metricsStage)
            """)
        #expect(pipeline.snapshot == .today)
        #expect(pipeline.schedule == nil)
        #expect(pipeline.options == RunOptions(failFast: false, parallelLimit: 5, includeTiming: true))
        #expect(pipeline.warehouse == .sqlite(path: FileManager.default.currentDirectoryPath + "/warehouse.db"))
        let ahrefs = try #require(pipeline.providers["ahrefs"])
        #expect(ahrefs.token.value == Self.token)
        #expect(ahrefs.rateLimit == RateLimit(requests: 60, per: .seconds(60)))
        #expect(ahrefs.retry == RetryPolicy())
        #expect(ahrefs.budget == Budget())
        #expect(ahrefs.batchSize == nil)
        #expect(ahrefs.timeout == .seconds(60))
    }

    @Test("loads the shipped ahrefs-v3 pipeline")
    func shippedPipeline() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = root.appendingPathComponent("pipelines/ahrefs-v3.yml")
        let pipeline = try PipelineLoader(registry: .builtin, environment: Self.environment).load(file: file)
        #expect(pipeline.providers["ahrefs"]?.baseURL == "https://api.ahrefs.com/v3")
        #expect(!pipeline.stages.isEmpty)
        for stage in pipeline.stages {
            if case .file(let path) = stage.targets {
                #expect(FileManager.default.fileExists(atPath: path), "\(stage.id): \(path)")
                #expect(
                    path.hasPrefix(root.appendingPathComponent("pipelines").path), "resolved next to the pipeline file")
            }
        }
        #expect(throws: Never.self) { try StageGraph(pipeline.stages.map { ($0.id, $0.dependsOn) }) }
    }

    // MARK: Diagnostics

    @Test("reports malformed YAML with its line")
    func malformedYAML() throws {
        let errors = try errors(
            """
            name: broken
            providers:
              ahrefs:
                kind: ahrefs-v3: oops
            stages: []
            """)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.code == .malformedYAML)
        #expect(error.location.line == 4)
        #expect(error.hint != nil)
    }

    @Test("reports a misspelt top-level key at its line and column with a suggestion")
    func misspeltTopKey() throws {
        let yaml = Self.pipeline(stages: Self.metricsStage).replacingOccurrences(of: "stages:", with: "stagse:")
        let errors = try errors(yaml)
        let error = try #require(errors.first { $0.code == .unknownKey })
        #expect(error.location.line == 8)
        #expect(error.location.column == 1)
        #expect(error.message.contains("stagse"))
        #expect(error.hint?.contains("did you mean `stages`") == true)
    }

    @Test("reports an unknown stage key at its line and column with a suggestion")
    func unknownStageKey() throws {
        let errors = try errors(
            Self.pipeline(
                stages: """
                      - id: metrics
                        provider: ahrefs
                        endpoint: site-explorer/batch/metrics
                        dependson: [other]
                        targets: [example.com]
                    """))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .unknownKey)
        #expect(error.location.line == 12)
        #expect(error.location.column == 5)
        #expect(error.hint?.contains("did you mean `depends_on`") == true)
    }

    @Test("reports a missing environment variable by name at the line that uses it")
    func missingVariable() throws {
        let errors = try errors(Self.pipeline(stages: Self.metricsStage), environment: [:])
        let error = try #require(errors.first)
        #expect(error.code == .missingVariable)
        #expect(error.message.contains("AHREFS_API_TOKEN"))
        #expect(error.location.line == 6)
        #expect(error.location.column == 12)
    }

    /// One mistake each; the loader should report it once, not again as a consequence elsewhere.
    enum SingleMistake: String, CaseIterable, Sendable {
        case missingTokenVariable, missingBaseURLVariable, unknownProviderKind, invalidCountry

        var yaml: String {
            let keywords = """
                  - id: keywords
                    provider: ahrefs
                    endpoint: keywords-explorer/batch/overview
                    targets: [seo tools]
                    params: { country: usa }
                """
            switch self {
            case .missingTokenVariable:
                return PipelineLoaderTests.pipeline(stages: PipelineLoaderTests.metricsStage)
                    .replacingOccurrences(of: "${AHREFS_API_TOKEN}", with: "${AHREFS_TOKEN_NOT_SET}")
            case .missingBaseURLVariable:
                return PipelineLoaderTests.pipeline(stages: PipelineLoaderTests.metricsStage)
                    .replacingOccurrences(
                        of: "base_url: https://api.ahrefs.com/v3", with: "base_url: ${AHREFS_BASE_URL}")
            case .unknownProviderKind:
                return PipelineLoaderTests.pipeline(stages: PipelineLoaderTests.metricsStage)
                    .replacingOccurrences(of: "kind: ahrefs-v3", with: "kind: ahref-v3")
            case .invalidCountry: return PipelineLoaderTests.pipeline(stages: keywords)
            }
        }
    }

    @Test("reports one mistake once, without follow-on errors elsewhere", arguments: SingleMistake.allCases)
    func noCascade(mistake: SingleMistake) throws {
        let errors = try errors(mistake.yaml)
        #expect(errors.count == 1, "\(errors.map(\.description))")
    }

    @Test("reports a missing variable in any value, not only tokens")
    func missingVariableElsewhere() throws {
        let yaml = Self.pipeline(stages: Self.metricsStage)
            .replacingOccurrences(of: "base_url: https://api.ahrefs.com/v3", with: "base_url: ${AHREFS_BASE_URL}")
        let errors = try errors(yaml)
        let error = try #require(errors.first)
        #expect(error.code == .missingVariable)
        #expect(error.message.contains("AHREFS_BASE_URL"))
        #expect(error.location.line == 5)
    }

    @Test("reports a dependency cycle naming its stages")
    func cycle() throws {
        let errors = try errors(
            Self.pipeline(
                stages: """
                      - id: first
                        depends_on: [second]
                        provider: ahrefs
                        endpoint: site-explorer/batch/metrics
                        targets: [example.com]
                      - id: second
                        depends_on: [first]
                        provider: ahrefs
                        endpoint: site-explorer/batch/domain-rating
                        targets: [example.com]
                    """))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .dependencyCycle)
        #expect(error.message.contains("first") && error.message.contains("second"))
    }

    @Test("reports a duplicate stage id at the second use")
    func duplicateStage() throws {
        let errors = try errors(Self.pipeline(stages: Self.metricsStage + "\n" + Self.metricsStage))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .duplicateStage)
        #expect(error.location.line == 13)
        #expect(error.message.contains("metrics"))
    }

    @Test("reports a dependency on an unknown stage with a suggestion")
    func unknownDependency() throws {
        let errors = try errors(
            Self.pipeline(
                stages: Self.metricsStage + """

                      - id: pages
                        depends_on: [metrcs]
                        provider: ahrefs
                        endpoint: site-explorer/batch/url-metrics
                        targets: [https://example.com/]
                    """))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .unknownDependency)
        #expect(error.message.contains("metrcs"))
        #expect(error.hint?.contains("did you mean `metrics`") == true)
        #expect(error.location.line == 13)
    }

    @Test("reports an unknown provider kind with a suggestion")
    func unknownKind() throws {
        let yaml = Self.pipeline(stages: Self.metricsStage).replacingOccurrences(
            of: "kind: ahrefs-v3", with: "kind: ahref-v3")
        let errors = try errors(yaml)
        let error = try #require(errors.first)
        #expect(error.code == .unknownProvider)
        #expect(error.location.line == 4)
        #expect(error.location.column == 11)
        #expect(error.hint?.contains("did you mean `ahrefs-v3`") == true)
    }

    @Test("reports a stage's undefined provider with a suggestion")
    func undefinedProvider() throws {
        let errors = try errors(
            Self.pipeline(
                stages: Self.metricsStage.replacingOccurrences(of: "provider: ahrefs", with: "provider: ahref")))
        #expect(errors.count == 1)
        #expect(errors.first?.code == .unknownProvider)
        #expect(errors.first?.hint?.contains("did you mean `ahrefs`") == true)
    }

    @Test("reports an unknown endpoint with a suggestion")
    func unknownEndpoint() throws {
        let errors = try errors(
            Self.pipeline(stages: Self.metricsStage.replacingOccurrences(of: "batch/metrics", with: "batch/metric")))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .unknownEndpoint)
        #expect(error.location.line == 11)
        #expect(error.hint?.contains("did you mean `site-explorer/batch/metrics`") == true)
    }

    @Test("refuses a parameter the endpoint does not document")
    func undocumentedParam() throws {
        let errors = try errors(Self.pipeline(stages: Self.metricsStage + "\n    params: { mode: domain }"))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .unknownKey)
        #expect(error.message.contains("mode"))
        #expect(error.location.line == 13)
    }

    @Test("refuses a select field the endpoint does not return")
    func invalidSelect() throws {
        let errors = try errors(
            Self.pipeline(stages: Self.metricsStage + "\n    params: { select: \"org_traffic,backlinks\" }"))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .invalidValue)
        #expect(error.message.contains("backlinks"))
        #expect(!error.message.contains("org_traffic,"), "only the unknown field is named")
    }

    @Test("requires a country for keywords-explorer/batch/overview")
    func missingCountry() throws {
        let errors = try errors(
            Self.pipeline(
                stages: """
                      - id: keywords
                        provider: ahrefs
                        endpoint: keywords-explorer/batch/overview
                        targets: [seo tools]
                    """))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .missingKey)
        #expect(error.message.contains("country"))
    }

    @Test("refuses a country that is not a 2-letter code", arguments: ["usa", "u1", "[us, gb]"])
    func invalidCountry(country: String) throws {
        let errors = try errors(
            Self.pipeline(
                stages: """
                      - id: keywords
                        provider: ahrefs
                        endpoint: keywords-explorer/batch/overview
                        targets: [seo tools]
                        params: { country: \(country) }
                    """))
        let error = try #require(errors.first)
        #expect(error.code == .invalidValue)
        #expect(error.location.line == 13)
        #expect(error.message.contains("country"))
    }

    @Test("accepts a postgres warehouse and reports a broken one without its password")
    func postgres() throws {
        let yaml = Self.pipeline(stages: Self.metricsStage)
            .replacingOccurrences(of: "providers:", with: "warehouse: postgres://etl@db/seo?schema=nightly\nproviders:")
        #expect(try load(yaml).warehouse == .postgres(url: "postgres://etl@db/seo?schema=nightly"))

        let broken = Self.pipeline(stages: Self.metricsStage)
            .replacingOccurrences(of: "providers:", with: "warehouse: postgres://etl@db:99999/seo\nproviders:")
        let errors = try errors(broken)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .invalidValue)
        #expect(error.message.contains("not a valid PostgreSQL URL"))
        #expect(error.location.line == 2)
    }

    @Test("accepts parallel_limit from 1 to 10 only", arguments: [(0, false), (1, true), (10, true), (11, false)])
    func parallelLimit(limit: Int, valid: Bool) throws {
        let yaml = Self.pipeline(stages: Self.metricsStage, options: "options: { parallel_limit: \(limit) }")
        if valid {
            #expect(try load(yaml).options.parallelLimit == limit)
        } else {
            let errors = try errors(yaml)
            #expect(errors.map(\.code) == [.invalidValue])
            #expect(errors.first?.location.line == 7)
            #expect(errors.first?.message.contains("parallel_limit") == true)
        }
    }

    @Test("reports every problem of a file together, in line order")
    func allErrors() throws {
        let errors = try errors(
            """
            name: many-problems
            schedule: "every night"
            providers:
              ahrefs:
                kind: ahrefs-v3
                base_url: https://api.ahrefs.com/v3
                token: ${AHREFS_API_TOKEN}
                rate_limit: fast
            options: { parallel_limit: 11 }
            stages:
              - id: metrics
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: [example.com]
                params: { mode: domain }
            """)
        #expect(errors.map(\.code) == [.invalidValue, .invalidValue, .invalidValue, .unknownKey])
        #expect(errors.map(\.location.line) == [2, 8, 9, 15])
    }

    @Test("describes an error as file:line:column: error: message, with the hint after")
    func description() throws {
        let file = folder.url.appendingPathComponent("pipeline.yml")
        let yaml = Self.pipeline(stages: Self.metricsStage).replacingOccurrences(of: "stages:", with: "stagse:")
        let error = try #require(try errors(yaml).first { $0.code == .unknownKey })
        #expect(error.description.hasPrefix("\(file.path):8:1: error: unknown key `stagse`"))
        #expect(error.description.contains("\n  hint: did you mean `stages`?"))
    }

    @Test("never shows the token in any error description")
    func noTokenInErrors() throws {
        let yaml = """
            name: leaky?
            warehouse: mysql://x
            snapshot: someday
            providers:
              ahrefs:
                kind: ahrefs-v3
                base_url: https://api.ahrefs.com/v3
                token: ${AHREFS_API_TOKEN}
                rate_limit: 60/fortnight
                retry: { max_attempts: 0, tokn: 1 }
              spare:
                kind: ahrefs-v4
                base_url: ftp://x
            stages:
              - id: bad-id
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: [example.com]
                params: { mode: domain, select: nope }
            """
        let file = try folder.write("leak.yml", yaml)
        let loader = PipelineLoader(registry: .builtin, environment: Self.environment)
        let error = #expect(throws: PipelineValidationError.self) { try loader.load(file: file) }
        let validation = try #require(error)
        #expect(validation.errors.count >= 8)
        for item in validation.errors {
            #expect(
                !item.description.contains(Self.token), "\(item.code) at line \(item.location.line) shows the token")
        }
        #expect(!validation.description.contains(Self.token))
    }

    @Test("does not echo the token when its variable is used in the wrong key by mistake")
    func noTokenInValueErrors() throws {
        // An easy slip: base_url and token variables swapped.
        let yaml = Self.pipeline(stages: Self.metricsStage)
            .replacingOccurrences(of: "base_url: https://api.ahrefs.com/v3", with: "base_url: ${AHREFS_API_TOKEN}")
        let errors = try errors(yaml)
        #expect(errors.first?.location.line == 5)
        #expect(errors.map(\.code) == [.invalidValue])
        #expect(!errors.map(\.description).joined().contains(Self.token))
        #expect(errors.first?.message.contains("${AHREFS_API_TOKEN}") == true, "quotes what the file says")
    }

    @Test("does not echo credentials of a warehouse URL taken from the environment")
    func noWarehouseSecretInErrors() throws {
        let yaml = Self.pipeline(stages: Self.metricsStage)
            .replacingOccurrences(of: "providers:", with: "warehouse: ${SEOPIPE_WAREHOUSE}\nproviders:")
        let errors = try errors(
            yaml,
            environment: Self.environment.merging(
                ["SEOPIPE_WAREHOUSE": "mysql://etl:hunter2-WAREHOUSE-PW@db.internal/seo"]) { $1 })
        #expect(errors.map(\.code) == [.invalidValue])
        #expect(errors.first?.location.line == 2)
        #expect(!errors.map(\.description).joined().contains("hunter2-WAREHOUSE-PW"))
    }

    @Test("keeps the token out of a loaded configuration's description")
    func redactedConfig() throws {
        let pipeline = try load(Self.pipeline(stages: Self.metricsStage))
        let config = try #require(pipeline.providers["ahrefs"])
        #expect(!"\(config)".contains(Self.token))
        #expect(!String(reflecting: config).contains(Self.token))
        #expect("\(config.token)" == "<redacted>")
    }

    @Test("reports a target file that does not exist")
    func missingTargetFile() throws {
        let errors = try errors(
            Self.pipeline(
                stages: Self.metricsStage.replacingOccurrences(
                    of: "targets: [example.com]", with: "targets: { file: targets/none.txt }")))
        #expect(errors.map(\.code) == [.invalidValue])
        #expect(errors.first?.message.contains("targets/none.txt") == true)
    }

    @Test("refuses a from_sql query that is not a SELECT")
    func fromSQLNotSelect() throws {
        let errors = try errors(
            Self.pipeline(
                stages: Self.metricsStage.replacingOccurrences(
                    of: "targets: [example.com]", with: "targets: { from_sql: \"DELETE FROM seopipe_runs\" }")))
        #expect(errors.map(\.code) == [.invalidValue])
    }

    @Test("refuses a stage id with characters other than letters, digits and _")
    func invalidStageID() throws {
        let errors = try errors(
            Self.pipeline(stages: Self.metricsStage.replacingOccurrences(of: "id: metrics", with: "id: my-metrics")))
        #expect(errors.map(\.code) == [.invalidValue])
        #expect(errors.first?.hint?.contains("my_metrics") == true)
    }

    @Test("refuses an empty file and an unreadable one")
    func emptyAndUnreadable() throws {
        #expect(try errors("").map(\.code) == [.missingKey])
        let loader = PipelineLoader(registry: .builtin, environment: Self.environment)
        let error = #expect(throws: PipelineValidationError.self) {
            try loader.load(file: folder.url.appendingPathComponent("absent.yml"))
        }
        #expect(error?.errors.map(\.code) == [.unreadableFile])
    }
}

@Suite("Planning a pipeline")
struct PlannerTests {
    @Test("counts distinct normalized targets, refused ones, chunks and units per stage in execution order")
    func plan() throws {
        let folder = try TemporaryFolder()
        let targets = (0..<248).map { "site\($0).com" } + ["SITE0.com", "https://site1.com/", "not a domain"]
        try folder.write("targets.txt", targets.joined(separator: "\n"))
        let file = try folder.write(
            "p.yml",
            """
            name: plan
            providers:
              ahrefs: { kind: ahrefs-v3, base_url: "https://api.ahrefs.com/v3", token: t }
            stages:
              - id: later
                depends_on: [domains]
                provider: ahrefs
                endpoint: site-explorer/batch/url-metrics
                targets: { from_sql: "SELECT url FROM x" }
              - id: domains
                provider: ahrefs
                endpoint: site-explorer/batch/backlinks-stats
                targets: { file: targets.txt }
            """)
        let pipeline = try PipelineLoader(registry: .builtin, environment: [:]).load(file: file)
        let plans = try Planner.plan(pipeline, registry: .builtin)
        #expect(plans.map(\.id) == ["domains", "later"])
        let domains = try #require(plans.first)
        #expect(domains.group == 0)
        #expect(domains.targets == 248, "SITE0.com and https://site1.com/ normalize to targets already listed")
        #expect(domains.refusedTargets == 1)
        #expect(domains.chunks == 3)
        #expect(domains.requests == 3)
        #expect(domains.estimatedUnits == 1_240.0, "max(50, 5 x n) for chunks of 100, 100 and 48")
        let later = try #require(plans.last)
        #expect(later.group == 1)
        #expect(later.targets == nil && later.chunks == nil && later.estimatedUnits == nil)
    }
}
