import Providers
import SeopipeCore
import Testing

/// What every built-in provider declares about itself, checked across them: the registry assembles it.
@Suite("The built-in provider registry")
struct ProviderRegistryTests {
    let registry = ProviderRegistry.builtin

    @Test("kinds, pipeline names and base URL variables are unique; default URLs are https")
    func namesAreUnique() {
        let drivers = registry.ordered
        #expect(Set(drivers.map(\.kind)).count == drivers.count)
        #expect(Set(drivers.map(\.pipelineName)).count == drivers.count)
        #expect(Set(drivers.map(\.baseURL.variable)).count == drivers.count)
        for driver in drivers {
            // The protocol's defaults serve test doubles; a shipped provider declares its own.
            #expect(driver.baseURL.defaultURL.hasPrefix("https://"), "\(driver.kind)")
            #expect(!driver.baseURL.defaultURL.contains("example.invalid"), "\(driver.kind)")
            #expect(!driver.summary.isEmpty && driver.displayName != driver.kind, "\(driver.kind)")
            #expect(!driver.dictionary.entries.isEmpty, "\(driver.kind)")
        }
        #expect(drivers.map(\.pipelineName) == ["ahrefs", "ahrefs_v2", "dataforseo", "analytics"])
    }

    @Test("the dictionary describes each table once and gives each shared word one meaning")
    func dictionaryHasNoDuplicates() {
        let dictionary = registry.dataDictionary
        let names = dictionary.entries.map(\.name)
        #expect(Set(names).count == names.count, "a table or view described twice")
        var defined = Set(DataDictionary.common.keys)
        for section in dictionary.sections {
            let twice = defined.intersection(section.vocabulary.keys)
            #expect(twice.isEmpty, "\(section.heading) redefines \(twice.sorted())")
            defined.formUnion(section.vocabulary.keys)
        }
        #expect(dictionary.sections.first?.heading == "Views for BI (one vocabulary across providers)")
        #expect(dictionary.sections.last?.heading == DataDictionary.bookkeeping.heading)
    }

    @Test("every endpoint's table is described in its provider's own section")
    func endpointsTablesAreDescribed() {
        for driver in registry.ordered {
            let described = Set(driver.dictionary.entries.map(\.name))
            for endpoint in driver.endpoints {
                #expect(described.contains(endpoint.table), "\(driver.kind) \(endpoint.name) -> \(endpoint.table)")
            }
        }
    }

    @Test("help texts name what answers only for today from the endpoints' declarations")
    func currentOnlyNames() {
        #expect(registry.currentOnlyNames == ["Ahrefs v2", "DataForSEO", "Batch Analysis", "Keywords Explorer"])
    }

    @Test("a registry without providers has only the bookkeeping tables and the common vocabulary")
    func emptyRegistry() {
        let dictionary = ProviderRegistry([]).dataDictionary
        #expect(dictionary.sections.map(\.heading) == [DataDictionary.bookkeeping.heading])
        #expect(dictionary.describe(column: "snapshot_date", in: "anything") == DataDictionary.common["snapshot_date"])
        #expect(dictionary.describe(column: "domain_rating", in: "anything") == nil)
    }
}
