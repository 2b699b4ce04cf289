import Foundation
import RealModule
import BenchmarkProblems
import ProblemTestSupport
import Testing
@testable import AutodiffCore

func seedPolynomial<S: Real>(_ x: S) -> S { 9 * S.pow(x, 4) + 2 * S.pow(x, 3) + 3 * x * x + 6 * x + 1 }
func seedPartials<S: Real>(_ v: [S]) -> S { v[0] * v[0] + v[1] * v[1] * v[1] }

@Suite("Forward and reverse modes")
struct ModesTests {
    @Test("seed 003: f(x) = 9x⁴ + 2x³ + 3x² + 6x + 1 at 2 gives 330, in both modes")
    func seedDerivative() {
        let d = derivative(at: 2.0) { x in seedPolynomial(x) }
        #expect(d == 330)
        #expect(gradient(at: 2.0) { x in seedPolynomial(x) } == 330)
        #expect(derivative(at: Float(2)) { x in seedPolynomial(x) } == 330)
    }

    @Test("seed 003: y = x² + z³ at (1, 2) gives (2, 12)")
    func seedGradient() {
        let g = gradient(at: [1.0, 2.0]) { x in seedPartials(x) }
        #expect(g == [2, 12])
        let (value, grad) = valueWithGradient(at: [1.0, 2.0]) { x in seedPartials(x) }
        #expect(value == 9 && grad == [2, 12])
    }

    @Test("nested second and third derivatives against closed forms")
    func nested() {
        // f'' = 108x² + 12x + 6, f''' = 216x + 12.
        let d2 = derivative(at: 2.0) { x in derivative(at: x) { y in seedPolynomial(y) } }
        #expect(d2 == 108 * 4 + 24 + 6)
        let d3 = derivative(at: 2.0) { x in derivative(at: x) { y in derivative(at: y) { z in seedPolynomial(z) } } }
        #expect(d3 == 216 * 2 + 12)
        // exp(sin x): second derivative by forward-over-forward, reverse-over-reverse,
        // forward-over-reverse and reverse-over-forward.
        func g<S: Real>(_ x: S) -> S { S.exp(S.sin(x)) }
        let x0 = 0.7
        let exact = Double.exp(Double.sin(x0)) * (Double.cos(x0) * Double.cos(x0) - Double.sin(x0))
        let ff = derivative(at: x0) { x in derivative(at: x) { y in g(y) } }
        let rr = gradient(at: x0) { x in gradient(at: x) { y in g(y) } }
        let fr = derivative(at: x0) { x in gradient(at: x) { y in g(y) } }
        let rf = gradient(at: x0) { x in derivative(at: x) { y in g(y) } }
        for v in [ff, rr, fr, rf] {
            #expect(v.isApproximatelyEqual(to: exact, relativeTolerance: 1e-14), "\(v) vs \(exact)")
        }
        // Third derivative of log: 2/x³, through gamma-free rules; and logGamma'' = trigamma.
        let l3 = derivative(at: 1.5) { x in derivative(at: x) { y in derivative(at: y) { z in Dual.log(z) } } }
        #expect(l3.isApproximatelyEqual(to: 2 / (1.5 * 1.5 * 1.5), relativeTolerance: 1e-14))
        let trigamma = derivative(at: 1.0) { x in derivative(at: x) { y in Dual.logGamma(y) } }
        #expect(trigamma.isApproximatelyEqual(to: Double.pi * Double.pi / 6, relativeTolerance: 1e-12))
    }

    @Test("Hessian entries of a two-variable function by nesting gradient in gradient")
    func nestedGradient() {
        // f(x, y) = x²y + sin(x y); ∂²f/∂x∂y = 2x + cos(xy) − xy sin(xy).
        let (x, y) = (0.8, -1.3)
        let row = gradient(at: [x, y]) { v in
            gradient(at: v) { w in w[0] * w[0] * w[1] + Reverse.sin(w[0] * w[1]) }[0]
        }
        let expected = 2 * x + Double.cos(x * y) - x * y * Double.sin(x * y)
        #expect(row[1].isApproximatelyEqual(to: expected, relativeTolerance: 1e-14))
    }

    /// ForwardDiff.jl test/ConfusionTest.jl and ReverseDiff.jl issue #45.
    @Test("perturbation confusion cases give the right numbers")
    func confusion() {
        // D(x -> x * D(y -> x + y, 1), 1) == 1
        let a = derivative(at: 1.0) { x in x * derivative(at: 1.0) { y in Dual(constant: x) + y } }
        #expect(a == 1)
        // The same with reverse inside forward, forward inside reverse, reverse inside reverse.
        let b = derivative(at: 1.0) { x in x * gradient(at: Dual<Double>(1)) { y in Reverse(constant: x) + y } }
        #expect(b == 1)
        let c = gradient(at: 1.0) { x in x * derivative(at: Reverse<Double>(1)) { y in Dual(constant: x) + y } }
        #expect(c == 1)
        let d = gradient(at: [1.0]) { x in x[0] * gradient(at: [Reverse<Double>(1)]) { y in Reverse(constant: x[0]) + y[0] }[0] }
        #expect(d == [1])
        // ForwardDiff #83 variant: d/dx [x * d/dy (x * y)] at x = 1... = d/dx x² = 2x = 2.
        let e = derivative(at: 1.0) { x in x * derivative(at: 2.0 as Dual<Double>) { y in Dual(constant: x) * y } }
        #expect(e == 2)
        // ReverseDiff #45: gradient of x ↦ sum(x .* gradient(y ↦ sum(x .* y), x)) = gradient of sum(x.^2) = 2x.
        let xs = [1.0, 2.0, 3.0]
        let g = gradient(at: xs) { x in
            let inner = gradient(at: x) { y in zip(x, y).reduce(Reverse<Reverse<Double>>(0)) { $0 + Reverse(constant: $1.0) * $1.1 } }
            return zip(x, inner).reduce(Reverse<Double>(0)) { $0 + $1.0 * $1.1 }
        }
        #expect(g == [2, 4, 6])
    }

    @Test("rosen-grad at n = 1000 equals the PyTorch reference to 1e-12")
    func rosenReference() throws {
        let reference = try ReferenceFile.load("rosen-grad")
        guard let cases = reference["cases"] as? [String: Any], let c = cases["n=1000"] as? [String: Any],
              let expected = c["gradient"] as? [Double], let objective = c["objective"] as? Double
        else { Issue.record("malformed rosen-grad.json"); return }
        let x = (0..<1000).map { 0.9 * Double.cos(Double($0)) }
        let (value, g) = valueWithGradient(at: x) { x in rosenbrock(x) }
        #expect(value.isApproximatelyEqual(to: objective, relativeTolerance: 1e-12))
        #expect(g.count == expected.count)
        let worst = zip(g, expected).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), 1e-300) }.max() ?? 0
        #expect(worst <= 1e-12, "worst relative error \(worst)")
        // The forward mode gives the same gradient, column by column (spot check).
        for j in [0, 1, 500, 999] {
            let dj = derivative(at: x[j]) { t in
                var xs = x.map { Dual<Double>(constant: $0) }
                xs[j] = t
                return rosenbrock(xs)
            }
            #expect(dj.isApproximatelyEqual(to: g[j], relativeTolerance: 1e-12))
        }
    }

}
