// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Autodiff",
    products: [
        .library(name: "Autodiff", targets: ["Autodiff"]),
        // The reference problems of ../shared/bench/SUITE.md, written the way a user would.
        // Used by the test suite and by the separate Benchmarks/ package.
        .library(name: "BenchmarkProblems", targets: ["BenchmarkProblems"]),
        .executable(name: "autodiff-tour", targets: ["AutodiffTour"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    ],
    targets: [
        // Debian: liblapacke-dev and libopenblas-dev (installed by scripts/setup.sh).
        .systemLibrary(
            name: "CLAPACK",
            path: "Sources/CLAPACK",
            providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
        ),
        .target(
            name: "Autodiff",
            dependencies: [
                "CLAPACK",
                .product(name: "Numerics", package: "swift-numerics"),
            ]
        ),
        .target(
            name: "BenchmarkProblems",
            dependencies: ["Autodiff"]
        ),
        .executableTarget(
            name: "AutodiffTour",
            dependencies: ["Autodiff"]
        ),
        .testTarget(
            name: "AutodiffTests",
            dependencies: ["Autodiff", "BenchmarkProblems"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
