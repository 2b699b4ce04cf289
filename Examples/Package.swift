// swift-tools-version: 6.2
// Programs written as a new user would, in a package of their own that depends on Autodiff
// (CI builds them; run one with `swift run --package-path Examples LogisticNewton`).
import PackageDescription

let package = Package(
    name: "AutodiffExamples",
    dependencies: [.package(name: "Autodiff", path: "..")],
    targets: [
        .executableTarget(
            name: "LogisticNewton",
            dependencies: [.product(name: "Autodiff", package: "Autodiff")]
        ),
        .executableTarget(
            name: "TwentyParameters",
            dependencies: [.product(name: "Autodiff", package: "Autodiff")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
