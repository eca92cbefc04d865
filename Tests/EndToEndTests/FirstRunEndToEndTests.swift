import Foundation
import Testing

/// The first ten minutes with only the binary (issue 17): `demo` from any directory, `init`, `--version`.
/// The harness runs seopipe in a fresh temporary directory, not the repository.
@Suite("First run: demo, init, version")
struct FirstRunEndToEndTests {
    @Test("demo runs the built-in pipeline from an empty directory into ./demo.db, the same file as pipelines/demo.yml")
    func demoAnywhere() async throws {
        try await withHarness { harness in
            let output = try await harness.seopipe(["demo", "--date", "2026-11-20", "--quiet"], withSandbox: false)
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(FileManager.default.fileExists(atPath: harness.directory.appendingPathComponent("demo.db").path))
            #expect(
                try await harness.count("ahrefs_batch_analysis", in: "sqlite:demo.db") == 11, "6 domains and 5 pages")
            #expect(try await harness.count("dataforseo_page_summary", in: "sqlite:demo.db") > 0)
            #expect(output.stdout.contains("try:  sqlite3 -header -column demo.db"))
            // Every query the demo suggests, run as printed, shows rows, and on the first night too: each has a row
            // with every column filled (own traffic next to that day's backlink metrics included).
            let suggested = output.stdout.split(separator: "\n").compactMap { line in
                line.firstRange(of: "sqlite3 ").map { String(line[$0.lowerBound...]) }
            }
            #expect(suggested.count == 2, "\(output.stdout)")
            for command in suggested {
                let shown = try await harness.tool(
                    "sh", ["-c", command.replacingOccurrences(of: "-column", with: "-csv")])
                #expect(shown.exitCode == 0, "\(command): \(shown.stderr)")
                let rows = shown.stdout.split(separator: "\n").dropFirst()
                #expect(
                    rows.contains { !$0.split(separator: ",", omittingEmptySubsequences: false).contains("") },
                    "\(command) shows no complete row:\n\(shown.stdout)")
            }
            // What the binary carries is the repository's demo pipeline, byte for byte.
            let shipped = try String(
                contentsOf: Harness.repositoryRoot.appendingPathComponent("pipelines/demo.yml"), encoding: .utf8)
            let copy = harness.directory.appendingPathComponent("shipped-demo.yml")
            try shipped.write(to: copy, atomically: true, encoding: .utf8)
            let fromFile = try await harness.seopipe(
                ["demo", "--pipeline", copy.path, "--date", "2026-11-20", "--warehouse", "sqlite:file.db", "--quiet"],
                withSandbox: false)
            #expect(fromFile.exitCode == 0, "\(fromFile.stderr)")
            for table in [
                "ahrefs_batch_analysis", "ahrefs_domain_rating", "ahrefs_backlinks_stats", "ahrefs_keyword_overview",
                "dataforseo_page_summary", "dataforseo_bulk_spam_score", "ahrefs_v2_refdomains",
                "analytics_overview_daily", "analytics_pages_daily",
            ] {
                let embedded = try await harness.count(table, in: "sqlite:demo.db")
                let file = try await harness.count(table, in: "sqlite:file.db")
                #expect(embedded == file, "\(table)")
            }
            let missing = try await harness.seopipe(["demo", "--pipeline", "nope.yml"], withSandbox: false)
            #expect(missing.exitCode == 2)
            #expect(missing.stderr.contains("nope.yml:1:1: error: cannot read the pipeline file"))
        }
    }

    @Test("init writes a starter project that validates, plans and runs against the sandbox, and never overwrites")
    func initProject() async throws {
        try await withHarness { harness in
            let first = try await harness.seopipe(["init", "myseo"], withSandbox: false)
            #expect(first.exitCode == 0, "\(first.stderr)")
            let root = harness.directory.appendingPathComponent("myseo")
            for path in [
                "pipelines/ahrefs-v3.yml", "pipelines/dataforseo.yml", "pipelines/analytics.yml",
                "pipelines/ahrefs-v2.yml", "targets/competitors.txt", "targets/pages.txt", "targets/keywords.txt",
                "targets/accounts.txt", ".env.example",
            ] {
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)")
                #expect(first.stdout.contains(path), "\(path) listed")
            }
            #expect(first.stdout.contains("seopipe crontab --env-file .env pipelines/*.yml"))
            // What the binary carries is this repository's pipelines and targets (scripts/embed-files.sh), with the
            // targets beside pipelines/ instead of inside it.
            let repository = Harness.repositoryRoot
            for name in ["ahrefs-v3", "dataforseo", "analytics", "ahrefs-v2"] {
                let shipped = try String(
                    contentsOf: repository.appendingPathComponent("pipelines/\(name).yml"), encoding: .utf8)
                let written = try String(
                    contentsOf: root.appendingPathComponent("pipelines/\(name).yml"), encoding: .utf8)
                #expect(written == shipped.replacingOccurrences(of: "{ file: targets/", with: "{ file: ../targets/"))
            }
            for name in ["competitors", "pages", "keywords", "accounts"] {
                let shipped = try String(
                    contentsOf: repository.appendingPathComponent("pipelines/targets/\(name).txt"), encoding: .utf8)
                #expect(
                    try String(contentsOf: root.appendingPathComponent("targets/\(name).txt"), encoding: .utf8)
                        == shipped)
            }

            // Every variable a written pipeline reads is in .env.example.
            let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
            for pipeline in ["ahrefs-v3", "dataforseo", "analytics", "ahrefs-v2"] {
                let text = try String(
                    contentsOf: root.appendingPathComponent("pipelines/\(pipeline).yml"), encoding: .utf8)
                for match in text.matches(of: /\$\{([A-Z0-9_]+)/) {
                    #expect(example.contains(String(match.1)), "\(pipeline).yml reads \(match.1)")
                }
                // With the keys set (here: the sandbox's), each validates and plans from the project directory.
                let validate = try await harness.seopipe(["validate", "myseo/pipelines/\(pipeline).yml"])
                #expect(validate.exitCode == 0, "\(pipeline): \(validate.stderr)")
                let plan = try await harness.seopipe(["plan", "myseo/pipelines/\(pipeline).yml"])
                #expect(plan.exitCode == 0, "\(pipeline): \(plan.stderr)")
            }
            let run = try await harness.seopipe([
                "run", "myseo/pipelines/ahrefs-v3.yml", "--date", "2026-11-20", "--warehouse", "sqlite:init.db",
                "--quiet",
            ])
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(try await harness.count("ahrefs_batch_analysis", in: "sqlite:init.db") > 0)
            // The user's .env: .env.example with the keys filled in (the sandbox's here); cron lines from it.
            var filled = example
            for (name, value) in harness.sandbox.environment {
                filled = filled.replacingOccurrences(of: "\n\(name)=\n", with: "\n\(name)=\(value)\n")
            }
            try filled.write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            let crontab = try await harness.seopipe(
                [
                    "crontab", "--env-file", "myseo/.env", "myseo/pipelines/ahrefs-v3.yml",
                    "myseo/pipelines/dataforseo.yml",
                ],
                withSandbox: false)
            #expect(crontab.exitCode == 0, "\(crontab.stderr)")
            #expect(crontab.stdout.contains("15 3 * * *"))
            #expect(crontab.stdout.contains("0 4 * * *"))

            // A second init keeps every file, including one the user edited.
            let targets = root.appendingPathComponent("targets/competitors.txt")
            try "mysite.example\n".write(to: targets, atomically: true, encoding: .utf8)
            let second = try await harness.seopipe(["init", "myseo"], withSandbox: false)
            #expect(second.exitCode == 0, "\(second.stderr)")
            #expect(second.stdout.contains("wrote 0 files"))
            #expect(second.stdout.contains("kept 9"))
            #expect(try String(contentsOf: targets, encoding: .utf8) == "mysite.example\n")
        }
    }

    @Test("--version prints the version and the commit the binary was built from")
    func version() async throws {
        try await withHarness { harness in
            let output = try await harness.seopipe(["--version"], withSandbox: false)
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(output.stdout.hasPrefix("seopipe "))
            let head = try await harness.tool(
                "git", ["-C", Harness.repositoryRoot.path, "rev-parse", "--short=12", "HEAD"])
            if head.exitCode == 0 {
                let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(output.stdout.contains("(commit \(commit))"), "\(output.stdout) vs HEAD \(commit)")
            }
        }
    }
}
