// Forward-mode lanes (issue 13, item 1): chain-jac n = 100 with every lane count, in
// thread CPU time (steadier than wall time on a shared machine), plus the rows that
// must not regress (wide-jac, rosen-hess), on the suite's functions (BenchmarkProblems).
// Depends on AutodiffCore only, so it rebuilds faster than FunctionalBench.
//
//   swift build -c release --package-path Benchmarks --scratch-path .build-bench --product LanesBench
//   .build-bench/release/LanesBench            # all rows
//   .build-bench/release/LanesBench chain      # rows whose name contains "chain"
//
// The `lane…` functions are kept out of line so that their code can be read with
// `objdump -d --no-show-raw-insn .build-bench/release/LanesBench | swift demangle`.
import AutodiffCore
import BenchSupport
import BenchmarkProblems
import Foundation
import RealModule

struct Chain: DifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> [S] { chainF(x) }
}

@inline(never) func laneMultiply(_ a: DualVector<Double, 8>, _ b: DualVector<Double, 8>) -> DualVector<Double, 8> { a * b }
@inline(never) func laneAdd(_ a: DualVector<Double, 8>, _ b: DualVector<Double, 8>) -> DualVector<Double, 8> { a + b }
@inline(never) func laneSin(_ a: DualVector<Double, 8>) -> DualVector<Double, 8> { .sin(a) }
@inline(never) func laneMultiplyFloat(_ a: DualVector<Float, 16>, _ b: DualVector<Float, 16>) -> DualVector<Float, 16> { a * b }

func input(_ n: Int) -> [Double] { (0..<n).map { 0.9 * Double.cos(Double($0)) } }

let filter = CommandLine.arguments.dropFirst().first
var rows: [[String]] = []
var reference: [String: Double] = [:]
@MainActor func row(_ problem: String, _ method: String, samples: Int = 15, _ body: () -> Void) {
    let name = "\(problem) \(method)"
    if let filter, !name.contains(filter) { return }
    let t = medianThreadTime(samples: samples, body)
    let base = reference[problem] ?? t
    if reference[problem] == nil { reference[problem] = t }
    let jax = problem == "chain-jac n=100" ? String(format: "%.2fx", t / 66.5e-6) : "-"
    rows.append([problem, method, formatTime(t), String(format: "%.2fx", t / base), jax])
}

do {
    let x = input(100)
    let p = "chain-jac n=100"
    row(p, "jacobian(at:) default closure (8 lanes)") { blackHole(jacobian(at: x) { x in chainF(x) }) }
    row(p, "DualVector<Double, 4>") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 4>]) in chainF(x) }) }
    row(p, "DualVector<Double, 16>") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 16>]) in chainF(x) }) }
    row(p, "DualVector<Double, 32>") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 32>]) in chainF(x) }) }
    row(p, "DualVector<Double, 50>") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 50>]) in chainF(x) }) }
    row(p, "DualVector<Double, 64>") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 64>]) in chainF(x) }) }
    row(p, "DualVector<Double, 100> (one pass)") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 100>]) in chainF(x) }) }
    row(p, "DualVector<Double, 128> (one pass)") { blackHole(jacobian(at: x) { (x: [DualVector<Double, 128>]) in chainF(x) }) }
    row(p, "DifferentiableFunction, default chunk") { blackHole(jacobian(at: x, of: Chain(), mode: .forward)) }
    row(p, "reverse") { blackHole(jacobian(at: x, mode: .reverse) { x in chainF(x) }) }
}
do {
    let x = input(100).map(Float.init)
    let p = "chain-jac n=100 Float"
    row(p, "jacobian(at:) default closure (8 lanes)") { blackHole(jacobian(at: x) { x in chainF(x) }) }
    row(p, "DualVector<Float, 16>") { blackHole(jacobian(at: x) { (x: [DualVector<Float, 16>]) in chainF(x) }) }
    row(p, "DualVector<Float, 32>") { blackHole(jacobian(at: x) { (x: [DualVector<Float, 32>]) in chainF(x) }) }
}
do {
    let x = input(8)
    let p = "wide-jac 1000x8"
    row(p, "jacobian(at:) default closure (8 lanes)") { blackHole(jacobian(at: x) { x in wideG(x) }) }
    row(p, "DifferentiableFunction, default chunk") { blackHole(jacobian(at: x, of: Wide())) }
}
struct Wide: DifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> [S] { wideG(x) }
}
do {
    let x = input(100)
    let p = "rosen-hess n=100"
    row(p, "hessian(at:parallel: false) (8 lanes)", samples: 9) { blackHole(hessian(at: x, parallel: false) { x in rosenbrock(x) }) }
}
do {
    let a = DualVector<Double, 8>(1.5, seed: 2), b = DualVector<Double, 8>(0.5, seed: 3)
    let fa = DualVector<Float, 16>(1.5, seed: 2), fb = DualVector<Float, 16>(0.5, seed: 3)
    let p = "lane kernels"
    row(p, "DualVector<Double, 8> * and + and sin") { blackHole(laneAdd(laneMultiply(a, b), laneSin(a))) }
    row(p, "DualVector<Float, 16> *") { blackHole(laneMultiplyFloat(fa, fb)) }
}
// The chunk choice: chain-jac at several n with each lane count (DifferentiableFunction,
// `chunk:`), and the default.
for n in [12, 24, 40, 100, 200, 400] {
    let x = input(n)
    let p = "chain-jac sweep n=\(n)"
    row(p, "default chunk (\(defaultChunkSize(inputs: n)) lanes)") { blackHole(jacobian(at: x, of: Chain(), mode: .forward)) }
    for lanes in [8, 16, 32, 64] where lanes / 2 < n {
        row(p, "chunk: \(lanes)") { blackHole(jacobian(at: x, of: Chain(), mode: .forward, chunk: lanes)) }
    }
}
do {
    let x = input(100).map(Float.init)
    row("chain-jac n=100 Float", "DifferentiableFunction, default chunk") { blackHole(jacobian(at: x, of: Chain(), mode: .forward)) }
}
print("LanesBench, release, thread CPU time (median). Ratio: to the first row of the problem; JAX: chain-jac vs JAX jacfwd 66.5 µs wall (measured separately).\n")
printTable(["problem", "method", "thread CPU", "vs first row", "vs JAX"], rows)
