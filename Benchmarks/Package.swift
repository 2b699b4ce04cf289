// swift-tools-version: 6.2
// Benchmarks live in their own package so that no benchmark dependency reaches users.
// Always run them in release mode, e.g.:
//   swift run -c release --package-path Benchmarks core-bench
import PackageDescription



let package = Package(
    name: "AutodiffBenchmarks",
    dependencies: [
        .package(name: "Autodiff", path: ".."),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            path: "Sources/BenchSupport"
        ),
        // The reference problems are the main package's test-only targets (not products):
        // Sources/BenchmarkProblems and Sources/TensorBenchmarkProblems here are links to them.
        .target(
            name: "BenchmarkProblems",
            dependencies: [
                .product(name: "AutodiffCore", package: "Autodiff"),
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            path: "Sources/BenchmarkProblems"
        ),
        .target(
            name: "TensorBenchmarkProblems",
            dependencies: ["BenchmarkProblems", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/TensorBenchmarkProblems"
        ),
        .executableTarget(
            name: "CoreBench",
            dependencies: [
                "BenchSupport",
                .product(name: "Autodiff", package: "Autodiff"),
                "BenchmarkProblems",
            ],
            path: "Sources/CoreBench"
        ),
        .executableTarget(
            name: "FunctionalBench",
            dependencies: ["BenchSupport", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/FunctionalBench"
        ),
        .executableTarget(
            name: "LanesBench",
            dependencies: ["BenchSupport", "BenchmarkProblems", .product(name: "AutodiffCore", package: "Autodiff")],
            path: "Sources/LanesBench"
        ),
        .executableTarget(
            name: "TensorBench",
            dependencies: ["BenchSupport", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/TensorBench"
        ),
        .executableTarget(
            name: "AutogradBench",
            dependencies: ["BenchSupport", "BenchmarkProblems", "TensorBenchmarkProblems",
                           .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/AutogradBench"
        ),
        .executableTarget(
            name: "BatchBench",
            dependencies: [
                "BenchSupport",
                .product(name: "AutodiffCore", package: "Autodiff"),
                "BenchmarkProblems",
            ],
            path: "Sources/BatchBench"
        ),
        .executableTarget(
            name: "ReplayBench",
            dependencies: ["BenchSupport", "BenchmarkProblems", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/ReplayBench"
        ),
        .executableTarget(
            name: "CheckpointBench",
            dependencies: ["BenchSupport", "BenchmarkProblems", .product(name: "AutodiffCore", package: "Autodiff")],
            path: "Sources/CheckpointBench"
        ),
        .executableTarget(
            name: "TaylorBench",
            dependencies: ["BenchSupport", .product(name: "AutodiffCore", package: "Autodiff")],
            path: "Sources/TaylorBench"
        ),
        .executableTarget(
            name: "Suite",
            dependencies: [
                "BenchSupport",
                .product(name: "Autodiff", package: "Autodiff"),
                "BenchmarkProblems",
                "TensorBenchmarkProblems",
            ],
            path: "Sources/Suite"
        ),
    ],
    swiftLanguageModes: [.v6]
)
