// swift-tools-version: 6.2
import PackageDescription

/// One set of compiler settings for every target: Swift 6 mode, explicit existentials, and no warnings (a warning
/// in our code fails the build; dependencies keep their own settings).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "seopipe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "seopipe", targets: ["seopipe"]),
        .library(name: "SeopipeCore", targets: ["SeopipeCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Tests only: starting seopipe and other programs (Foundation's Process crashed under many spawns).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // The model and the engine: pipeline files, planning, running, the warehouse protocol. No network or DB code.
        .target(
            name: "SeopipeCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // One folder per provider: request builders, Codable models, error classification, normalizers.
        .target(
            name: "Providers",
            dependencies: ["SeopipeCore"],
            swiftSettings: strictSettings
        ),
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The SQLite warehouse over the system libsqlite3; no NIO.
        .target(
            name: "WarehouseSQLite",
            dependencies: ["SeopipeCore", "CSQLite"],
            swiftSettings: strictSettings
        ),
        // The PostgreSQL warehouse over PostgresNIO: COPY into staging, upsert, advisory locks.
        .target(
            name: "WarehousePostgres",
            dependencies: [
                "SeopipeCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP transport the runner uses, over AsyncHTTPClient.
        .target(
            name: "SeopipeHTTP",
            dependencies: [
                "SeopipeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Simulated provider APIs on loopback, with fault injection and usage counters.
        .target(
            name: "Sandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "seopipe",
            dependencies: [
                "SeopipeCore", "Providers", "WarehouseSQLite", "WarehousePostgres", "SeopipeHTTP", "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings,
            plugins: ["BuildInfo"]
        ),
        // The commit the binary is built from, for `seopipe --version` (read from .git, no git binary needed).
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(
            name: "SQLiteLoadBenchmark",
            dependencies: ["SeopipeCore", "WarehouseSQLite", "CSQLite"],
            path: "Benchmarks/SQLiteLoadBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "PostgresLoadBenchmark",
            dependencies: ["SeopipeCore", "WarehousePostgres"],
            path: "Benchmarks/PostgresLoadBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ExtractBenchmark",
            dependencies: ["SeopipeCore", "Providers", "SeopipeHTTP", "Sandbox"],
            path: "Benchmarks/ExtractBenchmark",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SeopipeCoreTests",
            dependencies: ["SeopipeCore"],
            swiftSettings: strictSettings
        ),
        // The engine in-process: runs, backfills and the scheduler over the sandbox and SQLite, no binary spawned.
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "SeopipeCore", "Providers", "WarehouseSQLite", "SeopipeHTTP", "Sandbox",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ProvidersTests",
            dependencies: ["Providers", "SeopipeCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WarehouseSQLiteTests",
            dependencies: ["WarehouseSQLite", "SeopipeCore", "CSQLite"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WarehousePostgresTests",
            dependencies: ["WarehousePostgres", "SeopipeCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: [
                "Sandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Sandbox", "Providers", "WarehouseSQLite", "WarehousePostgres", "SeopipeCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            // Broken pipeline files and the exact messages they get; read by path, not compiled.
            exclude: ["Corpus"],
            swiftSettings: strictSettings
        ),
    ]
)
