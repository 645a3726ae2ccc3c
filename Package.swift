// swift-tools-version: 6.0
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Qingting",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "qingting", targets: ["qingting"]),
        .library(name: "QingtingCore", targets: ["QingtingCore"]),
        .library(name: "QingtingText", targets: ["QingtingText"]),
        .library(name: "QingtingClassify", targets: ["QingtingClassify"]),
        .library(name: "QingtingMatch", targets: ["QingtingMatch"]),
        .library(name: "QingtingStore", targets: ["QingtingStore"]),
        .library(name: "QingtingIngest", targets: ["QingtingIngest"]),
        .library(name: "QingtingCRM", targets: ["QingtingCRM"]),
        .library(name: "QingtingProfile", targets: ["QingtingProfile"]),
        .library(name: "QingtingRules", targets: ["QingtingRules"]),
        .library(name: "QingtingReport", targets: ["QingtingReport"]),
        .library(name: "QingtingServer", targets: ["QingtingServer"]),
        .library(name: "CSupport", targets: ["CSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-algorithms", from: "1.2.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // The C core: pure functions over caller-owned buffers, and the only code that sees ICU headers.
        .target(
            name: "CSupport",
            path: "CSupport",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]
        ),
        // What every stage shares: JSON values and the one JSON writer, the error model, files
        // (the one TSV reader, the one model-file mapper), shipped resources, clocks, numbers.
        .target(
            name: "QingtingCore",
            dependencies: [
                "CSupport",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "QingtingText",
            dependencies: ["QingtingCore", "CSupport"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "QingtingClassify",
            dependencies: ["QingtingCore", "QingtingText", "CSupport",
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // Identity resolution: normalizers, comparisons, blocking, Fellegi–Sunter, clustering.
        .target(
            name: "QingtingMatch",
            dependencies: ["QingtingCore", "QingtingText", "CSupport", .product(name: "Histogram", package: "hdrhistogram-swift"),
                           .product(name: "Algorithms", package: "swift-algorithms"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // Link results and the CRM event log in SQLite through GRDB, whose GRDBSQLite
        // system-library target links the system libsqlite3 (libsqlite3-dev); no SQLite is compiled in.
        .target(
            name: "QingtingStore",
            dependencies: ["QingtingCore", "QingtingMatch", "QingtingIngest",
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // The CRM layer's orchestration: one event's path (adapter → dedupe → analyse → resolve →
        // append, acknowledged after the commit) and the CRM customer sync; the CLI and the
        // server call these same functions.
        .target(
            name: "QingtingCRM",
            dependencies: ["QingtingCore", "QingtingText", "QingtingClassify", "QingtingMatch", "QingtingIngest",
                           "QingtingStore", "QingtingProfile", "QingtingRules",
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // The living customer profile: a pure fold of a customer's events into a state (counts,
        // decayed sums, evidence, journey steps), and the view of that state at a time: tags with
        // provenance, engagement and KOC scores, tier, journey stage. No I/O: the store persists
        // what it returns, the CRM layer calls it as each event lands and in `rebuild`.
        .target(
            name: "QingtingProfile",
            dependencies: ["QingtingCore", "QingtingIngest", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // Alert rules and automations: the rule file, its one interpreter (live and backtest alike,
        // on event time) and the feed records a firing appends. No I/O: the CRM layer feeds it the
        // log's events and persists its state and records in the same transaction.
        .target(
            name: "QingtingRules",
            dependencies: ["QingtingCore", "QingtingIngest",
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // Platform adapters: payloads as each platform sends them (JSON, WeChat XML) to one
        // SocialEvent schema, with the webhook signature checks. XML goes through FoundationXML
        // (libxml2), hashes and HMACs through swift-crypto.
        .target(
            name: "QingtingIngest",
            dependencies: [
                "QingtingCore",
                .product(name: "Crypto", package: "swift-crypto"),
                // AES-CBC for WeChat's 安全模式 and WeCom's encrypted callbacks (WeChatCrypto).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        // Evaluate: KPIs from the versioned definition file over daily aggregates kept as events
        // land, the JSON and HTML report, A/B tests of variants assigned by a stable hash, and the
        // ad-platform audience files (normalized, hashed contacts of a segment).
        .target(
            name: "QingtingReport",
            dependencies: ["QingtingCore", "QingtingIngest", "QingtingStore", "QingtingProfile", "QingtingCRM",
                           "QingtingRules", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // The JSON-RPC engine (methods, errors, counters), its Unix-socket transport on SwiftNIO, and
        // the HTTP webhook receiver (NIOHTTP1) that feeds the same ingest path.
        .target(
            name: "QingtingServer",
            dependencies: [
                "QingtingCore",
                "QingtingText",
                "QingtingClassify",
                "QingtingMatch",
                "QingtingIngest",
                "QingtingStore",
                "QingtingCRM",
                "QingtingProfile",
                "QingtingReport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "qingting",
            dependencies: [
                "QingtingCore",
                "QingtingText",
                "QingtingClassify",
                "QingtingMatch",
                "QingtingStore",
                "QingtingIngest",
                "QingtingCRM",
                "QingtingProfile",
                "QingtingRules",
                "QingtingReport",
                "QingtingServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        // Fuzz targets for the inputs the engine takes from outside (JSON, socket lines, platform
        // payloads, field mappings, rule files) and the harness that runs them; not a product.
        .target(
            name: "QingtingFuzz",
            dependencies: ["QingtingCore", "QingtingIngest", "QingtingRules", "QingtingServer",
                           .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift
        ),
        .executableTarget(name: "qingting-fuzz", dependencies: ["QingtingFuzz", "QingtingCore"], swiftSettings: strictSwift),
        .testTarget(name: "QingtingFuzzTests", dependencies: ["QingtingFuzz", "TestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "CSupportTests", dependencies: ["CSupport"], swiftSettings: strictSwift),
        .testTarget(name: "QingtingCoreTests", dependencies: ["QingtingCore", "TestSupport", .product(name: "OrderedCollections", package: "swift-collections")], swiftSettings: strictSwift),
        .testTarget(name: "QingtingTextTests", dependencies: ["QingtingText", "QingtingCore", "TestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "QingtingClassifyTests", dependencies: ["QingtingClassify", "QingtingCore", "TestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "QingtingMatchTests", dependencies: ["QingtingMatch", "QingtingCore", "CSupport", .product(name: "OrderedCollections", package: "swift-collections")], swiftSettings: strictSwift),
        .testTarget(name: "QingtingStoreTests",
                    dependencies: ["QingtingStore", "QingtingMatch", "QingtingCore", .product(name: "OrderedCollections", package: "swift-collections"), .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strictSwift),
        .testTarget(
            name: "QingtingIngestTests",
            dependencies: ["QingtingIngest", "QingtingCore", "TestSupport",
                           .product(name: "OrderedCollections", package: "swift-collections")],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "QingtingCRMTests",
            dependencies: ["QingtingCRM", "QingtingProfile", "QingtingRules", "QingtingStore", "QingtingIngest", "QingtingClassify", "QingtingMatch",
                           "QingtingText", "QingtingCore", "TestSupport",
                           .product(name: "OrderedCollections", package: "swift-collections"),
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "QingtingRulesTests",
            dependencies: ["QingtingRules", "QingtingCore", "TestSupport",
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "QingtingProfileTests",
            dependencies: ["QingtingProfile", "QingtingCRM", "QingtingStore", "QingtingIngest", "QingtingCore",
                           "TestSupport", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "QingtingReportTests",
            dependencies: ["QingtingReport", "QingtingCRM", "QingtingRules", "QingtingStore", "QingtingIngest", "QingtingProfile", "QingtingCore",
                           "QingtingText", "TestSupport", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
        // Paths the end-to-end tests share (repository root, built binary).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSwift),
        .testTarget(name: "QingtingServerTests", dependencies: ["QingtingServer", "QingtingCore", "QingtingStore", "QingtingIngest", "QingtingCRM", "qingting", "TestSupport", .product(name: "OrderedCollections", package: "swift-collections")],
                    swiftSettings: strictSwift),
        .testTarget(
            name: "QingtingCLITests",
            dependencies: ["qingting", "QingtingCore", "TestSupport", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
