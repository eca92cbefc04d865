import SeopipeCore

/// Response shapes of the reference document's Ahrefs v3 batch endpoints; tolerant of unknown fields and nulls.
enum AhrefsV3 {
    struct BatchResponse<Item: Decodable>: Decodable {
        var results: [Item]
    }

    /// A result of a reference batch endpoint: data, or an `error` for its target.
    protocol ReferenceItem {
        var error: String? { get }
    }

    struct ErrorBody: Decodable {
        var error: String?
    }

    struct DomainMetricsItem: Decodable, ReferenceItem {
        var target: String?
        var metrics: Metrics?
        var error: String?

        struct Metrics: Decodable {
            var orgKeywords: Int?
            var orgTraffic: Int?
            var domainRating: Double?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                orgKeywords = try container.flexibleInt(.orgKeywords)
                orgTraffic = try container.flexibleInt(.orgTraffic)
                domainRating = try container.decodeIfPresent(Double.self, forKey: .domainRating)
            }

            enum CodingKeys: String, CodingKey {
                case orgKeywords = "org_keywords"
                case orgTraffic = "org_traffic"
                case domainRating = "domain_rating"
            }
        }
    }

    struct BacklinksStatsItem: Decodable, ReferenceItem {
        var target: String?
        var backlinksStats: Stats?
        var error: String?

        struct Stats: Decodable {
            var live: Int?
            var liveRefdomains: Int?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                live = try container.flexibleInt(.live)
                liveRefdomains = try container.flexibleInt(.liveRefdomains)
            }

            enum CodingKeys: String, CodingKey {
                case live
                case liveRefdomains = "live_refdomains"
            }
        }

        enum CodingKeys: String, CodingKey {
            case target, error
            case backlinksStats = "backlinks_stats"
        }
    }

    struct DomainRatingItem: Decodable, ReferenceItem {
        var target: String?
        var domainRating: Double?
        var ahrefsRank: Int?
        var error: String?

        /// DESIGN.md section 8: `{"domain_rating": {"domain_rating": 65.0, "ahrefs_rank": 1234}}`, or a flat number.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            target = try container.decodeIfPresent(String.self, forKey: .target)
            error = try container.decodeIfPresent(String.self, forKey: .error)
            if let flat = try? container.decodeIfPresent(Double.self, forKey: .domainRating) {
                domainRating = flat
                ahrefsRank = try container.flexibleInt(.ahrefsRank)
            } else if container.contains(.domainRating), try !container.decodeNil(forKey: .domainRating) {
                let nested = try container.nestedContainer(keyedBy: CodingKeys.self, forKey: .domainRating)
                domainRating = try nested.decodeIfPresent(Double.self, forKey: .domainRating)
                ahrefsRank = try nested.flexibleInt(.ahrefsRank)
            }
        }

        enum CodingKeys: String, CodingKey {
            case target, error
            case domainRating = "domain_rating"
            case ahrefsRank = "ahrefs_rank"
        }
    }

    struct KeywordOverviewItem: Decodable, ReferenceItem {
        var keyword: String?
        var volume: Int?
        var keywordDifficulty: Int?
        var cpc: Double?
        var trafficPotential: Int?
        var error: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            keyword = try container.decodeIfPresent(String.self, forKey: .keyword)
            volume = try container.flexibleInt(.volume)
            keywordDifficulty = try container.flexibleInt(.keywordDifficulty)
            cpc = try container.decodeIfPresent(Double.self, forKey: .cpc)
            trafficPotential = try container.flexibleInt(.trafficPotential)
            error = try container.decodeIfPresent(String.self, forKey: .error)
        }

        enum CodingKeys: String, CodingKey {
            case keyword, volume, cpc, error
            case keywordDifficulty = "keyword_difficulty"
            case trafficPotential = "traffic_potential"
        }
    }

    struct URLMetricsItem: Decodable, ReferenceItem {
        var url: String?
        var target: String?
        var urlRating: Int?
        var backlinks: Int?
        var referringDomains: Int?
        var keywords: Int?
        var traffic: Int?
        var error: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            target = try container.decodeIfPresent(String.self, forKey: .target)
            urlRating = try container.flexibleInt(.urlRating)
            backlinks = try container.flexibleInt(.backlinks)
            referringDomains = try container.flexibleInt(.referringDomains)
            keywords = try container.flexibleInt(.keywords)
            traffic = try container.flexibleInt(.traffic)
            error = try container.decodeIfPresent(String.self, forKey: .error)
        }

        /// The page the result answers: its `url`, else its `target`.
        var echoed: String? { url ?? target }

        enum CodingKeys: String, CodingKey {
            case url, target, backlinks, keywords, traffic, error
            case urlRating = "url_rating"
            case referringDomains = "referring_domains"
        }
    }
}
