// Core benchmark (issue 2): rosen-grad through Reverse<Double> against the primal and
// against Swift's own _Differentiation; forward-mode derivative against its primal.
//
//   swift run -c release --package-path Benchmarks CoreBench
// Both modules export gradient(at:of:): calls below are qualified (Autodiff.gradient,
// _Differentiation.gradient).
import _Differentiation
import Autodiff
import BenchSupport
import BenchmarkProblems
import Foundation
import RealModule

/// rosen-grad for Swift's _Differentiation, which needs a concrete type (ours is
/// `BenchmarkProblems.rosenbrock`, generic over `Real`).
@differentiable(reverse)
func rosenbrockSwiftAD(_ x: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<withoutDerivative(at: x.count - 1) {
        let a = x[i + 1] - x[i] * x[i]
        let b = 1 - x[i]
        sum += 100 * a * a + b * b
    }
    return sum
}

func maxRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($0), Swift.abs($1), 1e-300) }.max() ?? 0
}

let skipSwiftLarge = CommandLine.arguments.contains("--quick")
var rows: [[String]] = []
for n in skipSwiftLarge ? [1_000] : [1_000, 100_000] {
    let x = (0..<n).map { 0.9 * Double.cos(Double($0)) }
    let samples = n > 10_000 ? 9 : 25
    let primal = medianTime(samples: samples) { blackHole(rosenbrock(x)) }
    let ours = medianTime(samples: samples) { blackHole(Autodiff.gradient(at: x) { x in rosenbrock(x) }) }
    // _Differentiation's Array pullback is quadratic in n (53 s per call at n = 100,000
    // here): time one call at large n instead of a median.
    let swiftAD = n > 10_000
        ? elapsed { blackHole(_Differentiation.gradient(at: x, of: rosenbrockSwiftAD)) }
        : medianTime(samples: 15) { blackHole(_Differentiation.gradient(at: x, of: rosenbrockSwiftAD)) }
    let operations = Tape<Double>.withTape { tape in
        let vars = x.map { tape.variable($0) }
        _ = rosenbrock(vars)
        return tape.count - 1 - n
    }
    let agree = maxRelativeDifference(Autodiff.gradient(at: x) { x in rosenbrock(x) }, _Differentiation.gradient(at: x, of: rosenbrockSwiftAD).base)
    rows.append([
        "rosen-grad n=\(n)", formatTime(primal), formatTime(ours), String(format: "%.1f", ours / primal),
        String(format: "%.2f", ours / Double(operations) * 1e9), formatTime(swiftAD),
        String(format: "%.1fx", swiftAD / ours), String(format: "%.0e", agree),
    ])
}
print("Reverse mode (Reverse<Double> on the tape) vs primal vs Swift's _Differentiation, one run:\n")
printTable(["problem", "primal", "gradient (ours)", "ours/primal", "ns per recorded op (record+backward)",
            "_Differentiation", "speed-up vs _Differentiation", "max rel. diff"], rows)

let points = (0..<1000).map { -2 + 4 * Double($0) / 999 }
let primalScalar = medianTime { for p in points { blackHole(scalarWorkload(p)) } }
let forward = medianTime { for p in points { blackHole(Autodiff.derivative(at: p) { x in scalarWorkload(x) }) } }
let reverse = medianTime { for p in points { blackHole(Autodiff.gradient(at: p) { x in scalarWorkload(x) }) } }
print("\nForward mode derivative of a scalar function (20-step loop of sin, exp, division), 1000 points:\n")
printTable(["mode", "time", "ratio to primal"], [
    ["primal", formatTime(primalScalar), "1.0"],
    ["derivative (Dual, forward)", formatTime(forward), String(format: "%.2f", forward / primalScalar)],
    ["gradient (Reverse, tape)", formatTime(reverse), String(format: "%.2f", reverse / primalScalar)],
])
