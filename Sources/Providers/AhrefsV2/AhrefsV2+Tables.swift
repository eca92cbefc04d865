import SeopipeCore

extension AhrefsV2Provider {
    /// The tables its queries load (migrations/*/0004_ahrefs_v2.sql).
    enum Tables {
        static let refdomains = TableSpec(
            "ahrefs_v2_refdomains",
            columns: [
                "target", "mode", "snapshot_date", "refdomain", "fetched_at", "run_id", "backlinks", "refpages",
                "first_seen", "last_visited", "domain_rating",
            ],
            key: ["target", "mode", "snapshot_date", "refdomain"])
        /// The `stats` object of a `refdomains` answer.
        static let refdomainsStats = TableSpec(
            "ahrefs_v2_refdomains_stats",
            columns: ["target", "mode", "snapshot_date", "fetched_at", "run_id", "refdomains", "ips", "class_c"],
            key: ["target", "mode", "snapshot_date"])
    }

    public var dictionary: DataDictionary.Section {
        let target = "The target without scheme, host lower-cased (a domain, directory or URL, per mode)."
        return DataDictionary.Section(
            heading: "Ahrefs API v2 tables",
            entries: [
                .table(
                    Tables.refdomains,
                    "Ahrefs API v2 `refdomains`: the referring domains of a target, one row each, as filtered, ordered and capped by the stage (current index: no history for past dates).",
                    columns: [
                        "target": target,
                        "refdomain": "A domain with at least one link to the target.",
                        "backlinks": "Backlinks from the referring domain to the target.",
                        "refpages": "Pages on the referring domain that link to the target.",
                        "first_seen": "Least recent crawl of those backlinks (UTC).",
                        "last_visited": "Most recent crawl of those backlinks (UTC).",
                        "domain_rating": "Domain Rating of the referring domain, 0-100.",
                    ]),
                .table(
                    Tables.refdomainsStats, "Ahrefs API v2 `refdomains` totals per target and date.",
                    columns: [
                        "target": target,
                        "refdomains": "All referring domains of the target.",
                        "ips": "Referring IP addresses.",
                        "class_c": "Referring class C networks.",
                    ]),
            ],
            vocabulary: [
                "mode": "Ahrefs v2 target scope: exact (the URL), domain (the whole domain), subdomains or prefix."
            ])
    }
}

extension AhrefsV2Table {
    /// The warehouse table a query of this v2 table loads.
    var warehouseTable: TableSpec {
        switch self {
        case .refdomains: AhrefsV2Provider.Tables.refdomains
        }
    }
}
