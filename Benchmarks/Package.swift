// swift-tools-version: 6.0
// Benchmarks live in their own package so that no benchmark dependency reaches users.
// Always run them in release mode, e.g.:
//   swift run -c release --package-path Benchmarks core-bench
import PackageDescription



let package = Package(
    name: "AutodiffBenchmarks",
    dependencies: [
        .package(name: "Autodiff", path: ".."),
    ],
    targets: [
        .target(name: "BenchSupport", path: "Sources/BenchSupport"),
        .executableTarget(
            name: "CoreBench",
            dependencies: [
                "BenchSupport",
                .product(name: "Autodiff", package: "Autodiff"),
                .product(name: "BenchmarkProblems", package: "Autodiff"),
            ],
            path: "Sources/CoreBench"
        ),
        .executableTarget(
            name: "FunctionalBench",
            dependencies: ["BenchSupport", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/FunctionalBench"
        ),
        .executableTarget(
            name: "TensorBench",
            dependencies: ["BenchSupport", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/TensorBench"
        ),
        .executableTarget(
            name: "AutogradBench",
            dependencies: ["BenchSupport", .product(name: "Autodiff", package: "Autodiff")],
            path: "Sources/AutogradBench"
        ),
        .executableTarget(
            name: "Suite",
            dependencies: [
                "BenchSupport",
                .product(name: "Autodiff", package: "Autodiff"),
                .product(name: "BenchmarkProblems", package: "Autodiff"),
            ],
            path: "Sources/Suite"
        ),
    ],
    swiftLanguageModes: [.v6]
)
