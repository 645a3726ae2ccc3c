// swift-tools-version: 6.1
// Benchmarks live in their own package so that the library's dependency graph stays free of them
// (as swift-nio does). Run from this folder:
//   swift run -c release peer-compare segment ../corpora/199801.txt     (Qingting vs jieba vs ICU)
//   swift run -c release peer-compare hash                               (AVX2 vs scalar n-gram hash)
//   swift package benchmark                                               (package-benchmark suites)
import PackageDescription

import struct Foundation.URL

/// SwiftPM names a path dependency after its folder, which differs between clones.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "QingtingBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "peer-compare",
            dependencies: [
                .product(name: "QingtingCore", package: root),
                .product(name: "QingtingText", package: root),
                .product(name: "QingtingClassify", package: root),
                .product(name: "CSupport", package: root),
            ],
            path: "Sources/PeerCompare"
        ),
        .executableTarget(
            name: "TextBenchmarks",
            dependencies: [
                .product(name: "QingtingCore", package: root),
                .product(name: "QingtingText", package: root),
                .product(name: "CSupport", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TextBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
