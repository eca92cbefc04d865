import Providers
import SeopipeCore
import SeopipeHTTP
import WarehousePostgres
import WarehouseSQLite

extension Engine {
    /// This build's engine: every provider kind, both warehouse backends, HTTP over AsyncHTTPClient.
    static let builtin = Engine(
        registry: .builtin,
        openWarehouse: { location in
            switch location {
            case .sqlite(let path):
                try SQLiteWarehouse(path: path, dictionary: ProviderRegistry.builtin.dataDictionary)
            case .postgres(let url):
                try await PostgresWarehouse(url: url, dictionary: ProviderRegistry.builtin.dataDictionary)
            }
        },
        makeTransport: { AsyncHTTPTransport() })
}
