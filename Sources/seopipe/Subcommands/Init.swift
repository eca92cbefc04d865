import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter project: a pipeline per provider, example targets and .env.example.",
        discussion: """
            Writes DIRECTORY/pipelines/ (one commented pipeline per provider: Ahrefs v3, DataForSEO, the \\
            analytics Batch API and Ahrefs v2), DIRECTORY/targets/ (example domains, pages, keywords and \\
            analytics site ids, one a line) and DIRECTORY/.env.example (every variable the pipelines read), \\
            then prints the next steps. A file that exists is never overwritten: it is kept and listed.
            """)

    @Argument(help: "The project directory (created when missing).")
    var directory = "."

    /// What each written pipeline is for, as the summary lists it.
    static let purposes = [
        "pipelines/ahrefs-v3.yml": "Ahrefs API v3: domain metrics, backlinks, pages, keywords",
        "pipelines/dataforseo.yml": "DataForSEO Backlinks bulk endpoints",
        "pipelines/analytics.yml": "your own traffic from the web-analytics Batch API",
        "pipelines/ahrefs-v2.yml": "legacy Ahrefs API v2 referring domains",
    ]

    static let environmentExample = """
        # The variables the pipelines in pipelines/ read. Copy to .env, fill in the keys you have, keep it private
        # (chmod 600 .env), and load it before running by hand:  set -a; . ./.env; set +a
        # `seopipe crontab --env-file .env pipelines/*.yml` makes the nightly jobs read it. Secrets belong here or in
        # your secret store, never in pipeline files; seopipe never logs them.

        # Ahrefs API v3 (pipelines/ahrefs-v3.yml): an API key from Account settings > API keys.
        AHREFS_API_TOKEN=
        # Legacy Ahrefs API v2 (pipelines/ahrefs-v2.yml).
        AHREFS_V2_TOKEN=
        # DataForSEO (pipelines/dataforseo.yml): the API login and password from your DataForSEO dashboard.
        DATAFORSEO_LOGIN=
        DATAFORSEO_PASSWORD=
        # Web-analytics Batch API (pipelines/analytics.yml).
        ANALYTICS_API_KEY=

        # Where rows go (default: sqlite:warehouse.db in the working directory). For PostgreSQL:
        # SEOPIPE_WAREHOUSE=postgres://seopipe@db.example.internal:5432/seo?schema=seopipe&sslmode=require
        # and the password in PGPASSWORD (or ~/.pgpass), never in the URL of a crontab.
        SEOPIPE_WAREHOUSE=sqlite:warehouse.db
        # PGPASSWORD=

        # Base URLs: leave unset for the providers' own APIs. `seopipe sandbox` prints values that point the
        # pipelines at its simulated APIs instead (no key, nothing spent).
        # AHREFS_BASE_URL=https://api.ahrefs.com/v3
        # AHREFS_V2_BASE_URL=https://apiv2.ahrefs.com
        # DATAFORSEO_BASE_URL=https://api.dataforseo.com/v3
        # ANALYTICS_BASE_URL=https://my.sealmetrics.com/api/v1

        """

    /// The starter files: the repository's pipelines, with their example targets moved to `targets/` beside
    /// `pipelines/` (their `file:` paths resolve against the pipeline file).
    static var files: [(path: String, text: String)] {
        EmbeddedFiles.starter.map { file in
            if file.path.hasPrefix("pipelines/targets/") {
                return ("targets/" + file.path.dropFirst("pipelines/targets/".count), file.text)
            }
            return (file.path, file.text.replacingOccurrences(of: "{ file: targets/", with: "{ file: ../targets/"))
        } + [(".env.example", environmentExample)]
    }

    func run() throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var written: [String] = []
        var kept: [String] = []
        for file in Self.files {
            let url = root.appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: url, options: .withoutOverwriting)
                written.append(file.path)
            } catch  where FileManager.default.fileExists(atPath: url.path) {
                kept.append(file.path)
            } catch {
                printError("error: cannot write \(url.path): \(error.localizedDescription)")
                throw Exit.failed
            }
        }
        let shown = directory == "." ? "the current directory" : directory
        print("seopipe init: wrote \(written.count) files in \(shown)")
        for path in written {
            print("  \(path)" + (Self.purposes[path].map { "  (\($0))" } ?? ""))
        }
        if !kept.isEmpty {
            print("kept \(kept.count) that were already there (never overwritten): \(kept.joined(separator: ", "))")
        }
        let enter = directory == "." ? "" : "cd \(directory)\n     "
        print(
            """

            Next:
              1. \(enter)Put your own targets in targets/competitors.txt (domains), targets/pages.txt (URLs),
                 targets/keywords.txt and targets/accounts.txt (analytics site ids), one a line; delete the
                 pipelines of the providers you do not use.
              2. cp .env.example .env, fill in your keys (chmod 600 .env), then: set -a; . ./.env; set +a
              3. seopipe validate pipelines/ahrefs-v3.yml   # the file, the stage plan
                 seopipe check pipelines/ahrefs-v3.yml      # one free call: the key works, units left
                 seopipe plan pipelines/ahrefs-v3.yml       # what a night costs; nothing is spent
                 seopipe run pipelines/ahrefs-v3.yml
              4. Every night: seopipe crontab --env-file .env pipelines/*.yml | crontab -
            Without keys, against simulated APIs: seopipe sandbox > sandbox.env & sleep 1; . ./sandbox.env
            then the same commands (`seopipe demo` shows a whole night end to end).
            """)
    }
}
