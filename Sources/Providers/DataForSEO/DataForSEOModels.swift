import SeopipeCore

/// Response shapes of the DataForSEO bulk endpoints; tolerant of unknown fields and nulls.
enum DataForSEO {
    struct Envelope<Item: Decodable>: Decodable {
        var statusCode: Int?
        var statusMessage: String?
        var cost: Double?
        var tasks: [Task]?

        struct Task: Decodable {
            var statusCode: Int?
            var statusMessage: String?
            var cost: Double?
            var result: [Result]?

            enum CodingKeys: String, CodingKey {
                case statusCode = "status_code"
                case statusMessage = "status_message"
                case cost, result
            }
        }

        struct Result: Decodable {
            var items: [Item]?
        }

        enum CodingKeys: String, CodingKey {
            case statusCode = "status_code"
            case statusMessage = "status_message"
            case cost, tasks
        }
    }

    /// An item read past without decoding its fields (`classify` needs the status codes only).
    struct SkippedItem: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// bulk_pages_summary's item: every documented field.
    struct PageSummaryItem: Decodable {
        var url: String?
        var rank: Int?
        var mainDomainRank: Int?
        var backlinks: Int?
        var firstSeen: String?
        var lostDate: String?
        var backlinksSpamScore: Int?
        var brokenBacklinks: Int?
        var brokenPages: Int?
        var referringDomains: Int?
        var referringDomainsNofollow: Int?
        var referringMainDomains: Int?
        var referringMainDomainsNofollow: Int?
        var referringIPs: Int?
        var referringSubnets: Int?
        var referringPages: Int?
        var referringPagesNofollow: Int?
        /// The six nested count maps by their documented field names.
        var maps: [(field: String, counts: [String: Int]?)] = []

        static let mapFields: [CodingKeys] = [
            .referringLinksTLD, .referringLinksTypes, .referringLinksAttributes, .referringLinksPlatformTypes,
            .referringLinksSemanticLocations, .referringLinksCountries,
        ]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            url = try c.decodeIfPresent(String.self, forKey: .url)
            rank = try c.flexibleInt(.rank)
            mainDomainRank = try c.flexibleInt(.mainDomainRank)
            backlinks = try c.flexibleInt(.backlinks)
            firstSeen = try c.decodeIfPresent(String.self, forKey: .firstSeen)
            lostDate = try c.decodeIfPresent(String.self, forKey: .lostDate)
            backlinksSpamScore = try c.flexibleInt(.backlinksSpamScore)
            brokenBacklinks = try c.flexibleInt(.brokenBacklinks)
            brokenPages = try c.flexibleInt(.brokenPages)
            referringDomains = try c.flexibleInt(.referringDomains)
            referringDomainsNofollow = try c.flexibleInt(.referringDomainsNofollow)
            referringMainDomains = try c.flexibleInt(.referringMainDomains)
            referringMainDomainsNofollow = try c.flexibleInt(.referringMainDomainsNofollow)
            referringIPs = try c.flexibleInt(.referringIPs)
            referringSubnets = try c.flexibleInt(.referringSubnets)
            referringPages = try c.flexibleInt(.referringPages)
            referringPagesNofollow = try c.flexibleInt(.referringPagesNofollow)
            maps = try Self.mapFields.map { key in
                (key.rawValue, try c.decodeIfPresent(FlexibleCounts.self, forKey: key)?.counts)
            }
        }

        enum CodingKeys: String, CodingKey {
            case url, rank, backlinks
            case mainDomainRank = "main_domain_rank"
            case firstSeen = "first_seen"
            case lostDate = "lost_date"
            case backlinksSpamScore = "backlinks_spam_score"
            case brokenBacklinks = "broken_backlinks"
            case brokenPages = "broken_pages"
            case referringDomains = "referring_domains"
            case referringDomainsNofollow = "referring_domains_nofollow"
            case referringMainDomains = "referring_main_domains"
            case referringMainDomainsNofollow = "referring_main_domains_nofollow"
            case referringIPs = "referring_ips"
            case referringSubnets = "referring_subnets"
            case referringPages = "referring_pages"
            case referringPagesNofollow = "referring_pages_nofollow"
            case referringLinksTLD = "referring_links_tld"
            case referringLinksTypes = "referring_links_types"
            case referringLinksAttributes = "referring_links_attributes"
            case referringLinksPlatformTypes = "referring_links_platform_types"
            case referringLinksSemanticLocations = "referring_links_semantic_locations"
            case referringLinksCountries = "referring_links_countries"
        }
    }

    /// A `{"key": count}` map whose counts may arrive as integers or decimals.
    struct FlexibleCounts: Decodable {
        var counts: [String: Int]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            var counts: [String: Int] = [:]
            for key in c.allKeys {
                if let value = try c.flexibleInt(key) { counts[key.stringValue] = value }
            }
            self.counts = counts
        }
    }

    /// The sibling endpoints' items: `target` plus a few counts, all optional.
    struct BulkItem: Decodable {
        var target: String?
        var rank: Int?
        var backlinks: Int?
        var referringDomains: Int?
        var referringMainDomains: Int?
        var spamScore: Int?
        var newBacklinks: Int?
        var lostBacklinks: Int?
        var referringDomainsNofollow: Int?
        var referringMainDomainsNofollow: Int?
        var newReferringDomains: Int?
        var lostReferringDomains: Int?
        var newReferringMainDomains: Int?
        var lostReferringMainDomains: Int?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            target = try c.decodeIfPresent(String.self, forKey: .target)
            rank = try c.flexibleInt(.rank)
            backlinks = try c.flexibleInt(.backlinks)
            referringDomains = try c.flexibleInt(.referringDomains)
            referringMainDomains = try c.flexibleInt(.referringMainDomains)
            spamScore = try c.flexibleInt(.spamScore)
            newBacklinks = try c.flexibleInt(.newBacklinks)
            lostBacklinks = try c.flexibleInt(.lostBacklinks)
            referringDomainsNofollow = try c.flexibleInt(.referringDomainsNofollow)
            referringMainDomainsNofollow = try c.flexibleInt(.referringMainDomainsNofollow)
            newReferringDomains = try c.flexibleInt(.newReferringDomains)
            lostReferringDomains = try c.flexibleInt(.lostReferringDomains)
            newReferringMainDomains = try c.flexibleInt(.newReferringMainDomains)
            lostReferringMainDomains = try c.flexibleInt(.lostReferringMainDomains)
        }

        enum CodingKeys: String, CodingKey {
            case target, rank, backlinks
            case referringDomains = "referring_domains"
            case referringMainDomains = "referring_main_domains"
            case spamScore = "spam_score"
            case newBacklinks = "new_backlinks"
            case lostBacklinks = "lost_backlinks"
            case referringDomainsNofollow = "referring_domains_nofollow"
            case referringMainDomainsNofollow = "referring_main_domains_nofollow"
            case newReferringDomains = "new_referring_domains"
            case lostReferringDomains = "lost_referring_domains"
            case newReferringMainDomains = "new_referring_main_domains"
            case lostReferringMainDomains = "lost_referring_main_domains"
        }
    }
}
