// Taylor-mode benchmark (issue 13): the 8th derivative of a scalar function by one
// evaluation on Taylor<Double, 8> against 8 nested Duals (Dual<Dual<…<Double>>>, 256
// components), and against the primal.
//
//   swift run -c release --package-path Benchmarks TaylorBench
import AutodiffCore
import BenchSupport
import Foundation
import RealModule

func expSin<S: Real>(_ x: S) -> S { S.exp(S.sin(x)) }

/// The 8th derivative by eight nested `derivative(at:of:)` calls.
@inline(never)
func nestedDual8(at x: Double, _ f: (Dual<Dual<Dual<Dual<Dual<Dual<Dual<Dual<Double>>>>>>>>) -> Dual<Dual<Dual<Dual<Dual<Dual<Dual<Dual<Double>>>>>>>>) -> Double {
    derivative(at: x) { x in derivative(at: x) { x in derivative(at: x) { x in derivative(at: x) { x in
        derivative(at: x) { x in derivative(at: x) { x in derivative(at: x) { x in derivative(at: x) { x in
            f(x)
        } } } } } } } }
}

/// The 8th derivative by Taylor mode.
@inline(never)
func taylor8(at x: Double, _ f: (Taylor<Double, 8>) -> Taylor<Double, 8>) -> Double {
    higherDerivatives(at: x, of: f)[8]
}

let points = (0..<100).map { -2 + 4 * Double($0) / 99 }
var rows: [[String]] = []
for (name, primal, nested, taylor) in [
    ("exp(sin x)",
     { (x: Double) in expSin(x) },
     { (x: Double) in nestedDual8(at: x) { expSin($0) } },
     { (x: Double) in taylor8(at: x) { expSin($0) } }),
    ("20-step loop of sin, exp, division",
     { (x: Double) in scalarWorkload(x) },
     { (x: Double) in nestedDual8(at: x) { scalarWorkload($0) } },
     { (x: Double) in taylor8(at: x) { scalarWorkload($0) } }),
] {
    var difference = 0.0
    for p in points {
        let (a, b) = (nested(p), taylor(p))
        difference = Swift.max(difference, Swift.abs(a - b) / Swift.max(Swift.abs(a), 1))
    }
    let tPrimal = medianTime { for p in points { blackHole(primal(p)) } } / Double(points.count)
    let tNested = medianTime { for p in points { blackHole(nested(p)) } } / Double(points.count)
    let tTaylor = medianTime { for p in points { blackHole(taylor(p)) } } / Double(points.count)
    rows.append([name, formatTime(tPrimal), formatTime(tNested), formatTime(tTaylor),
                 String(format: "%.1fx", tNested / tTaylor), String(format: "%.0f", tTaylor / tPrimal),
                 String(format: "%.0e", difference)])
}
print("8th derivative per point (median over 100 points in [-2, 2]):\n")
printTable(["function", "primal", "8 nested Duals", "Taylor<Double, 8>", "Taylor speed-up",
            "Taylor/primal", "max rel. diff"], rows)
