// swift-tools-version: 6.0
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Qingting",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "qingting", targets: ["qingting"]),
        .library(name: "QingtingText", targets: ["QingtingText"]),
        .library(name: "QingtingClassify", targets: ["QingtingClassify"]),
        .library(name: "CSupport", targets: ["CSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
    ],
    targets: [
        // The C core: pure functions over caller-owned buffers, and the only code that sees ICU headers.
        .target(
            name: "CSupport",
            path: "CSupport",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]
        ),
        .target(
            name: "QingtingText",
            dependencies: ["CSupport"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "QingtingClassify",
            dependencies: ["QingtingText", "CSupport"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "qingting",
            dependencies: [
                "QingtingText",
                "QingtingClassify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "CSupportTests", dependencies: ["CSupport"], swiftSettings: strictSwift),
        .testTarget(name: "QingtingTextTests", dependencies: ["QingtingText"], swiftSettings: strictSwift),
        .testTarget(name: "QingtingClassifyTests", dependencies: ["QingtingClassify"], swiftSettings: strictSwift),
        .testTarget(
            name: "QingtingCLITests",
            dependencies: ["qingting"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
