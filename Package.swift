// swift-tools-version: 6.2
// 6.2: value generics and InlineArray (DualVector's lanes).
import PackageDescription

// The layers, each a module the compiler keeps apart (as swift-numerics does with
// RealModule, ComplexModule and the Numerics umbrella):
//
//   AutodiffCore      rules, Dual, Reverse, tape, operators, gradient checker  (swift-numerics only)
//   AutodiffTensor    Tensor on BLAS/LAPACK and the eager autograd             (+ LAPACKE, OpenBLAS, SLEEF)
//   AutodiffTraining  layers, losses, optimizers, data loading, SVG plots
//   Autodiff          the umbrella: re-exports all three and RealModule
let package = Package(
    name: "Autodiff",
    products: [
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "AutodiffCore", targets: ["AutodiffCore"]),
        .library(name: "AutodiffTensor", targets: ["AutodiffTensor"]),
        .library(name: "AutodiffTraining", targets: ["AutodiffTraining"]),
        .executable(name: "autodiff-tour", targets: ["AutodiffTour"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .target(
            name: "AutodiffCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        // LAPACKE and a CBLAS. On Debian: apt-get install liblapacke-dev libopenblas-dev
        // (scripts/setup.sh does it). Internal: imported by AutodiffTensor only.
        .systemLibrary(
            name: "_CLAPACK",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
        ),
        // SLEEF, the vectorised libm. On Debian: apt-get install libsleef-dev (scripts/setup.sh
        // does it). Internal: only _VectorMath includes it.
        .systemLibrary(
            name: "_CSleef",
            pkgConfig: "sleef",
            providers: [.apt(["libsleef-dev"])]
        ),
        // The loops that call SLEEF's vector functions, in C: each compiled for its own
        // instruction set and picked at run time (see vecmath.c). Imported by AutodiffTensor only.
        .target(name: "_VectorMath", dependencies: ["_CSleef"]),
        .target(
            name: "AutodiffTensor",
            dependencies: ["AutodiffCore", "_CLAPACK", "_VectorMath", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "AutodiffTraining",
            dependencies: ["AutodiffCore", "AutodiffTensor", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "Autodiff",
            dependencies: [
                "AutodiffCore", "AutodiffTensor", "AutodiffTraining",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // The reference problems of ../shared/bench/SUITE.md, written the way a user would.
        // Not a product: the tests use them, and Benchmarks/ compiles the same sources.
        .target(name: "BenchmarkProblems", dependencies: ["AutodiffCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "TensorBenchmarkProblems", dependencies: ["Autodiff", "BenchmarkProblems"]),
        .executableTarget(name: "AutodiffTour", dependencies: ["Autodiff"]),
        // Ordinary numeric code that imports Autodiff (scripts/typecheck/measure.py times it).
        .executableTarget(name: "TypeCheckCorpus", dependencies: ["Autodiff"], path: "Tests/TypeCheckCorpus"),

        // The tests mirror the modules; AutodiffCoreTests needs no LAPACK either.
        .target(name: "ProblemTestSupport", dependencies: ["BenchmarkProblems"], path: "Tests/Support/ProblemTestSupport"),
        .testTarget(name: "AutodiffCoreTests", dependencies: ["AutodiffCore", "BenchmarkProblems", "ProblemTestSupport"]),
        .testTarget(
            name: "AutodiffTensorTests",
            dependencies: ["AutodiffTensor", "AutodiffCore", .product(name: "RealModule", package: "swift-numerics")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "AutodiffTrainingTests",
            dependencies: [
                "AutodiffTraining", "AutodiffTensor", "AutodiffCore", "BenchmarkProblems", "ProblemTestSupport",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // The umbrella as a user imports it: README examples and the benchmark problems.
        .testTarget(
            name: "AutodiffTests",
            dependencies: ["Autodiff", "BenchmarkProblems", "TensorBenchmarkProblems", "ProblemTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
