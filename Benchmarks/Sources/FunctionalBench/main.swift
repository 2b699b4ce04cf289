// Functional API benchmark (issue 3): Jacobians in both modes, chunked forward mode,
// forward-over-reverse Hessians (serial and parallel), and reusable tapes.
//
//   swift run -c release --package-path Benchmarks --scratch-path /work/main/.build-bench FunctionalBench
import Autodiff
import BenchSupport
import Foundation
import RealModule

// The suite's functions (SUITE.md), written once for any Real type, as a user would.
func chainF<S: Real>(_ x: [S]) -> [S] {
    let n = x.count
    return (0..<n).map { i in x[i] * S.exp(x[(i + 1) % n]) + S.sin(x[(i + n - 1) % n]) }
}
func wideG<S: Real>(_ x: [S]) -> [S] {
    let n = x.count
    return (0..<1000).map { j in
        var sum = S.zero
        let frequency = S(j + 1)
        for k in 0..<n { sum += S.sin(frequency * x[k]) * x[(j + k) % n] }
        return sum
    }
}
func rosenbrock<S: Real>(_ x: [S]) -> S {
    var sum: S = 0
    for i in 0..<(x.count - 1) {
        let a = x[i + 1] - x[i] * x[i]
        let b = 1 - x[i]
        sum += 100 * a * a + b * b
    }
    return sum
}
/// A function with a data-dependent branch (a clipped penalty).
func clipped<S: Real>(_ x: [S]) -> S {
    var sum: S = 0
    for i in 0..<x.count {
        let t = x[i] * x[i] - 1 / 4
        sum += t > 0 ? t * x[i] : S.sin(x[i]) / 10
    }
    return sum
}
struct Wide: DifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> [S] { wideG(x) }
}

func input(_ n: Int) -> [Double] { (0..<n).map { 0.9 * Double.cos(Double($0)) } }
func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2fx", a / b) }

var rows: [[String]] = []
// chain-jac n = 100
do {
    let x = input(100)
    let fwd = medianTime { blackHole(jacobian(at: x) { x in chainF(x) }) }
    let fwd16 = medianTime { blackHole(jacobian(at: x) { (x: [DualVector<Double, 16>]) in chainF(x) }) }
    let oneLane = medianTime { blackHole(jacobian(at: x) { (x: [Dual<Double>]) in chainF(x) }) }
    let rev = medianTime { blackHole(jacobian(at: x, mode: .reverse) { x in chainF(x) }) }
    rows.append(["chain-jac n=100", "forward chunked (8 lanes)", formatTime(fwd), ratio(fwd, 26e-6)])
    rows.append(["chain-jac n=100", "forward chunked (16 lanes)", formatTime(fwd16), ratio(fwd16, 26e-6)])
    rows.append(["chain-jac n=100", "forward one lane (Dual)", formatTime(oneLane), ratio(oneLane, 26e-6)])
    rows.append(["chain-jac n=100", "reverse", formatTime(rev), ratio(rev, 26e-6)])
}
// wide-jac 1000 × 8
var wideChunked = 0.0, wideOneLane = 0.0
do {
    let x = input(8)
    wideChunked = medianTime { blackHole(jacobian(at: x) { x in wideG(x) }) }
    wideOneLane = medianTime { blackHole(jacobian(at: x) { (x: [Dual<Double>]) in wideG(x) }) }
    let auto = medianTime { blackHole(jacobian(at: x, of: Wide())) }
    let rev = medianTime(samples: 7) { blackHole(jacobian(at: x, mode: .reverse) { x in wideG(x) }) }
    rows.append(["wide-jac 1000x8", "forward chunked (8 lanes)", formatTime(wideChunked), ratio(wideChunked, 0.70e-3)])
    rows.append(["wide-jac 1000x8", "forward one lane (Dual)", formatTime(wideOneLane), ratio(wideOneLane, 0.70e-3)])
    rows.append(["wide-jac 1000x8", "automatic (DifferentiableFunction)", formatTime(auto), ratio(auto, 0.70e-3)])
    rows.append(["wide-jac 1000x8", "reverse", formatTime(rev), ratio(rev, 0.70e-3)])
}
// rosen-hess
var hess400 = (0.0, 0.0)
for n in [100, 400] {
    let x = input(n)
    let serial = medianTime(samples: 9) { blackHole(hessian(at: x, parallel: false) { x in rosenbrock(x) }) }
    let parallel = medianTime(samples: 9) { blackHole(hessian(at: x, parallel: true) { x in rosenbrock(x) }) }
    rows.append(["rosen-hess n=\(n)", "forward-over-reverse, 1 thread", formatTime(serial), n == 100 ? ratio(serial, 52e-6) : "-"])
    rows.append(["rosen-hess n=\(n)", "forward-over-reverse, \(ProcessInfo.processInfo.activeProcessorCount) threads",
                 formatTime(parallel), n == 100 ? ratio(parallel, 52e-6) : "-"])
    if n == 400 { hess400 = (serial, parallel) }
}
print("Functional API, release, one run. Last column: time / JAX-jit target (chain-jac 26 µs, wide-jac 0.70 ms, rosen-hess n=100 52 µs); ≤ 1.00x meets the target.\n")
printTable(["problem", "method", "time", "vs JAX target"], rows)
print(String(format: "\nwide-jac: chunked forward is %.1fx faster than one-lane forward (target ≥ 4x)", wideOneLane / wideChunked))
print(String(format: "rosen-hess n=400: parallel speed-up on %d cores %.2fx", ProcessInfo.processInfo.activeProcessorCount, hess400.0 / hess400.1))

// Reusable tapes
var tapeRows: [[String]] = []
for (name, n, f) in [("rosen-grad n=1000", 1000, { (x: [Traced<Double>]) in rosenbrock(x) }),
                     ("clipped (branch per entry) n=1000", 1000, { (x: [Traced<Double>]) in clipped(x) })] {
    let x = input(n)
    let tape = RecordedGradient(at: x, of: f)
    let replay = medianTime { blackHole(try! tape.gradient(at: x)) }
    let record = medianTime { blackHole(RecordedGradient(at: x, of: f)) }
    let rerecord = medianTime { blackHole(try! RecordedGradient(at: x, of: f).gradient(at: x)) }
    let fresh = name.hasPrefix("rosen")
        ? medianTime { blackHole(gradient(at: x) { x in rosenbrock(x) }) }
        : medianTime { blackHole(gradient(at: x) { x in clipped(x) }) }
    // Replay at an input that flips one branch: detected, re-recorded automatically.
    var flipped = x
    flipped[0] = 0.1
    let autoTape = RecordedGradient(at: x, of: f)
    let flippedTime = medianTime(samples: 5) { blackHole(try! autoTape.gradient(at: flipped)); blackHole(try! autoTape.gradient(at: x)) } / 2
    tapeRows.append([name, formatTime(replay), formatTime(record), formatTime(rerecord), ratio(rerecord, replay),
                     formatTime(fresh), ratio(fresh, replay), "\(tape.comparisonCount)", formatTime(flippedTime)])
}
print("\nReusable tape (RecordedGradient): replay vs record (new RecordedGradient) vs re-record (new RecordedGradient + gradient) vs gradient(at:) on Reverse (target: gradient(at:)/replay ≥ 3x on rosen-grad):\n")
printTable(["problem", "replay", "record", "re-record", "re-record/replay", "gradient(at:)", "gradient(at:)/replay",
            "comparisons checked", "replay with branch change (re-records)"], tapeRows)
