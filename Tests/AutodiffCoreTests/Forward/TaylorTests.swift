import Foundation
import RealModule
import Testing
@testable import AutodiffCore

/// A scalar function written once over `Real`, so that the reference can run it on
/// nested duals of any depth.
private protocol ScalarFunction {
    func callAsFunction<S: Real>(_ x: S) -> S
}

/// The k-th derivative of `f` at `x` by k nested ``Dual``s (2ᵏ components).
private func nestedDerivative<S: Real, F: ScalarFunction>(_ k: Int, at x: S, of f: F) -> S {
    k == 0 ? f(x) : derivative(at: x) { y in nestedDerivative(k - 1, at: y, of: f) }
}

/// f, f′, …, f⁽ᵏ⁾ at `x` by nested duals.
private func nestedDerivatives<F: ScalarFunction>(upTo k: Int, at x: Double, of f: F) -> [Double] {
    (0...k).map { nestedDerivative($0, at: x, of: f) }
}

private struct ExpSin: ScalarFunction {
    func callAsFunction<S: Real>(_ x: S) -> S { S.exp(S.sin(x)) }
}

private struct Lorentzian: ScalarFunction {
    func callAsFunction<S: Real>(_ x: S) -> S { 1 / (1 + x * x) }
}

/// One unary rule of the table, applied as one operation.
private struct UnaryRule: ScalarFunction {
    let rule: UnaryFunction
    func callAsFunction<S: Real>(_ x: S) -> S { S.rule(rule, x) }
}

/// t ↦ f(x + t·vx, y + t·vy) for one binary rule of the table.
private struct BinaryAlongLine: ScalarFunction {
    let rule: BinaryFunction
    let x: Double, y: Double, vx: Double, vy: Double
    func callAsFunction<S: Real>(_ t: S) -> S {
        rule.value(S(converting: x) + t * S(converting: vx), S(converting: y) + t * S(converting: vy))
    }
}

/// |a − b| ≤ rtol·max(|b|, scale), or both NaN.
private func close(_ a: Double, _ b: Double, rtol: Double, scale: Double = 1) -> Bool {
    if a.isNaN && b.isNaN { return true }
    if a == b { return true }
    return Swift.abs(a - b) <= rtol * Swift.max(Swift.abs(b), scale)
}

@Suite("Forward mode: Taylor")
struct TaylorTests {
    // MARK: Closed forms

    /// The derivatives of e^{sin x} by the complete Bell polynomials:
    /// (e^g)⁽ⁿ⁾ = e^g·Bₙ(g′, …, g⁽ⁿ⁾), B₀ = 1, Bₙ₊₁ = Σₖ C(n, k)·Bₙ₋ₖ·g⁽ᵏ⁺¹⁾,
    /// with g⁽ʲ⁾(x) = sin(x + jπ/2).
    static func expSinDerivatives(at x: Double, upTo order: Int) -> [Double] {
        let g = (0...order + 1).map { Double.sin(x + Double($0) * .pi / 2) }
        var bell = [1.0]
        for n in 0..<order {
            var b = 0.0
            var binomial = 1.0
            for k in 0...n {
                b += binomial * bell[n - k] * g[k + 1]
                binomial = binomial * Double(n - k) / Double(k + 1)
            }
            bell.append(b)
        }
        return bell.map { Double.exp(g[0]) * $0 }
    }

    /// The derivatives of 1/(1 + x²) = Im 1/(x − i):
    /// f⁽ᵏ⁾(x) = (−1)ᵏ·k!·sin((k + 1)θ)/(1 + x²)^((k+1)/2), θ = atan2(1, x).
    static func lorentzianDerivatives(at x: Double, upTo order: Int) -> [(value: Double, scale: Double)] {
        let theta = Double.atan2(y: 1, x: x)
        var factorial = 1.0
        return (0...order).map { k in
            if k > 0 { factorial *= Double(k) }
            let envelope = factorial / Double.pow(1 + x * x, Double(k + 1) / 2)
            let sign: Double = k % 2 == 0 ? 1 : -1
            return (sign * envelope * Double.sin(Double(k + 1) * theta), envelope)
        }
    }

    @Test("exp(sin x): the first 10 derivatives at 0 are exact, elsewhere the Bell-polynomial closed form")
    func expSinTenDerivatives() {
        let atZero = higherDerivatives(at: 0.0) { (x: Taylor<Double, 10>) in Taylor.exp(Taylor.sin(x)) }
        // OEIS A002017: 1, 1, 1, 0, −3, −8, −3, 56, 217, 64, −2951.
        let exact: [Double] = [1, 1, 1, 0, -3, -8, -3, 56, 217, 64, -2951]
        for k in 0...10 {
            #expect(close(atZero[k], exact[k], rtol: 1e-12), "order \(k): \(atZero[k]) vs \(exact[k])")
        }
        for x in [0.7, -1.3, 2.5, 4.0] {
            let taylor = higherDerivatives(at: x) { (x: Taylor<Double, 10>) in ExpSin()(x) }
            let reference = Self.expSinDerivatives(at: x, upTo: 10)
            let scale = reference.map(\.magnitude).max()!
            for k in 0...10 {
                #expect(close(taylor[k], reference[k], rtol: 1e-12, scale: scale),
                        "exp(sin) order \(k) at \(x): \(taylor[k]) vs \(reference[k])")
            }
        }
        // Against ten nested duals, relative 1e-10.
        let x = 0.7
        let taylor = higherDerivatives(at: x) { (x: Taylor<Double, 10>) in ExpSin()(x) }
        let nested = nestedDerivatives(upTo: 10, at: x, of: ExpSin())
        for k in 0...10 {
            #expect(close(taylor[k], nested[k], rtol: 1e-10), "order \(k): \(taylor[k]) vs nested \(nested[k])")
        }
    }

    @Test("1/(1+x²): the first 10 derivatives against k!·(−1)^(k/2) at 0 and the closed form elsewhere")
    func lorentzianTenDerivatives() {
        let atZero = higherDerivatives(at: 0.0) { (x: Taylor<Double, 10>) in 1 / (1 + x * x) }
        var factorial = 1.0
        for k in 0...10 {
            if k > 0 { factorial *= Double(k) }
            let expected = k % 2 == 1 ? 0 : factorial * (k % 4 == 0 ? 1 : -1)
            #expect(atZero[k] == expected, "order \(k): \(atZero[k]) vs \(expected)")
        }
        for x in [0.4, -1.3, 3.0] {
            let taylor = higherDerivatives(at: x) { (x: Taylor<Double, 10>) in Lorentzian()(x) }
            let reference = Self.lorentzianDerivatives(at: x, upTo: 10)
            for k in 0...10 {
                #expect(close(taylor[k], reference[k].value, rtol: 1e-12, scale: reference[k].scale),
                        "1/(1+x²) order \(k) at \(x): \(taylor[k]) vs \(reference[k].value)")
            }
        }
        let x = -1.3
        let taylor = higherDerivatives(at: x) { (x: Taylor<Double, 10>) in Lorentzian()(x) }
        let nested = nestedDerivatives(upTo: 10, at: x, of: Lorentzian())
        for k in 0...10 {
            #expect(close(taylor[k], nested[k], rtol: 1e-10), "order \(k): \(taylor[k]) vs nested \(nested[k])")
        }
    }

    // MARK: The rule table

    @Test("every unary rule at its test points against nested duals, to order 4", arguments: UnaryFunction.allCases)
    func unaryRule(_ rule: UnaryFunction) {
        for x in rule.testPoints {
            let taylor = higherDerivatives(at: x) { (x: Taylor<Double, 4>) in Taylor.applying(rule, x) }
            let nested = nestedDerivatives(upTo: 4, at: x, of: UnaryRule(rule: rule))
            #expect(taylor[0] == rule.value(x) || (taylor[0].isNaN && rule.value(x).isNaN),
                    "\(rule.name)(\(x)): value \(taylor[0]) vs \(rule.value(x))")
            for k in 1...4 {
                #expect(close(taylor[k], nested[k], rtol: 1e-9), "\(rule.name) order \(k) at \(x): \(taylor[k]) vs nested \(nested[k])")
            }
            // Along another direction: vᵏ·f⁽ᵏ⁾.
            let scaled = higherDerivatives(at: x, direction: -0.5) { (x: Taylor<Double, 4>) in Taylor.applying(rule, x) }
            for k in 1...4 {
                let expected = Double.pow(-0.5, k) * nested[k]
                #expect(close(scaled[k], expected, rtol: 1e-9), "\(rule.name) order \(k) along −0.5 at \(x)")
            }
        }
    }

    @Test("every binary rule at its test points along three directions against nested duals, to order 4",
          arguments: BinaryFunction.allCases)
    func binaryRule(_ rule: BinaryFunction) {
        for (x, y) in rule.testPoints {
            for (vx, vy) in [(1.0, 0.0), (0.0, 1.0), (0.6, -0.8)] {
                let taylor = higherDerivatives(at: [x, y], direction: [vx, vy]) { (p: [Taylor<Double, 4>]) in
                    Taylor.applying(rule, p[0], p[1])
                }
                let line = BinaryAlongLine(rule: rule, x: x, y: y, vx: vx, vy: vy)
                let nested = nestedDerivatives(upTo: 4, at: 0, of: line)
                #expect(taylor[0] == rule.value(x, y), "\(rule.name)(\(x), \(y))")
                for k in 1...4 {
                    #expect(close(taylor[k], nested[k], rtol: 1e-9),
                            "\(rule.name) order \(k) at (\(x), \(y)) along (\(vx), \(vy)): \(taylor[k]) vs nested \(nested[k])")
                }
            }
        }
    }

    @Test("special arguments: ±0, ±inf and NaN give the primal's value and no crash", arguments: UnaryFunction.allCases)
    func specialArguments(_ rule: UnaryFunction) {
        for x in [0.0, -0.0, Double.infinity, -Double.infinity, Double.nan] {
            let y = Taylor<Double, 3>.applying(rule, Taylor(x, derivative: 1))
            let primal = rule.value(x)
            #expect(y.value == primal || (y.value.isNaN && primal.isNaN), "\(rule.name)(\(x))")
            // A constant stays a constant: no NaN from an infinite derivative.
            let c = Taylor<Double, 3>.applying(rule, Taylor(constant: x))
            #expect(c.higherCoefficients[0] == 0 && c.higherCoefficients[2] == 0, "\(rule.name)(constant \(x))")
        }
    }

    @Test("powers at 0 are exact polynomials; pow with an exponent that varies")
    func powers() {
        #expect(higherDerivatives(at: 0.0) { (x: Taylor<Double, 4>) in Taylor.pow(x, 3) } == [0, 0, 0, 6, 0])
        #expect(higherDerivatives(at: 0.0) { (x: Taylor<Double, 4>) in Taylor.pow(x, Taylor(constant: 2)) } == [0, 0, 2, 0, 0])
        #expect(taylorCoefficients(at: 0.0) { (x: Taylor<Double, 3>) in Taylor.pow(x, 0) } == [1, 0, 0, 0])
        // 2^t = e^{t ln 2}.
        let c = taylorCoefficients(at: 0.0) { (t: Taylor<Double, 4>) in Taylor.pow(Taylor(constant: 2), t) }
        let ln2 = Double.log(2.0)
        #expect(close(c[4], ln2 * ln2 * ln2 * ln2 / 24, rtol: 1e-14))
        // x^x at 1: derivatives 1, 1, 2, 3, 8.
        let d = higherDerivatives(at: 1.0) { (x: Taylor<Double, 4>) in Taylor.pow(x, x) }
        for (k, expected) in [1.0, 1, 2, 3, 8].enumerated() {
            #expect(close(d[k], expected, rtol: 1e-13), "x^x order \(k): \(d[k])")
        }
    }

    @Test("Γ near a negative half-integer: its derivatives through the reflection agree with Γ(x+2)/(x(x+1))")
    func gammaReflection() {
        let direct = higherDerivatives(at: -1.5) { (x: Taylor<Double, 6>) in Taylor.gamma(x) }
        let shifted = higherDerivatives(at: -1.5) { (x: Taylor<Double, 6>) in Taylor.gamma(x + 2) / (x * (x + 1)) }
        for k in 0...6 {
            #expect(close(direct[k], shifted[k], rtol: 1e-11), "order \(k): \(direct[k]) vs \(shifted[k])")
        }
    }

    @Test("integer powers near 0 stay polynomials; an exponent carrying a derivative keeps it")
    func powerDetails() {
        let cube = taylorCoefficients(at: 1e-8) { (x: Taylor<Double, 5>) in Taylor.pow(x, 3) }
        #expect(cube[3] == 1 && cube[4] == 0 && cube[5] == 0)
        #expect(close(cube[2], 3e-8, rtol: 1e-15))
        // Coefficient 2 of (2 + t)^y is y(y − 1)/2·2^(y−2); its derivative in y at 2 is 3/2 + ln 2.
        let slope = derivative(at: 2.0) { y in
            taylorCoefficients(at: Dual(constant: 2.0)) { (x: Taylor<Dual<Double>, 3>) in
                Taylor.pow(x, Taylor(constant: y))
            }[2]
        }
        #expect(close(slope, 1.5 + Double.log(2.0), rtol: 1e-14))
    }

    // MARK: Nesting

    @Test("Taylor over Dual: the derivative of a Taylor coefficient")
    func taylorOverDual() {
        // d/dx of f‴(x)/3! is f⁗(x)/3!.
        for x in [0.3, -1.1, 2.0] {
            let slope = derivative(at: x) { x in
                taylorCoefficients(at: x) { (t: Taylor<Dual<Double>, 4>) in ExpSin()(t) }[3]
            }
            let reference = Self.expSinDerivatives(at: x, upTo: 4)
            #expect(close(slope, reference[4] / 6, rtol: 1e-12, scale: 1), "at \(x): \(slope) vs \(reference[4] / 6)")
        }
    }

    @Test("Dual over Taylor: the Taylor coefficients of a derivative")
    func dualOverTaylor() {
        // The series of f′ along t: coefficient k is f⁽ᵏ⁺¹⁾/k!.
        let x = 0.8
        let c = taylorCoefficients(at: x) { (t: Taylor<Double, 5>) in derivative(at: t) { y in ExpSin()(y) } }
        let reference = Self.expSinDerivatives(at: x, upTo: 6)
        var factorial = 1.0
        for k in 0...5 {
            if k > 0 { factorial *= Double(k) }
            #expect(close(c[k], reference[k + 1] / factorial, rtol: 1e-12, scale: 1), "coefficient \(k)")
        }
        // Duals whose tangent is zero stay exact through Taylor's structural check.
        let z = Dual<Taylor<Double, 2>>(constant: 0)
        #expect(Dual.sqrt(z).derivative.value == 0)
    }

    // MARK: Operators and protocols

    @Test("several variables: the directional derivatives of orders 0…K; the second is vᵀHv")
    func severalVariables() {
        func f<S: Real>(_ x: [S]) -> S { S.exp(x[0] * x[1]) + S.sin(x[2]) * x[0] * x[0] }
        let x = [0.4, -0.7, 1.2], v = [0.3, 1.0, -0.5]
        let d = higherDerivatives(at: x, direction: v) { (x: [Taylor<Double, 3>]) in f(x) }
        let H = hessian(at: x) { x in f(x) }
        var vHv = 0.0
        for i in 0..<3 { for j in 0..<3 { vHv += v[i] * H[i][j] * v[j] } }
        #expect(close(d[0], f(x), rtol: 1e-15))
        let g = gradient(at: x) { x in f(x) }
        #expect(close(d[1], zip(g, v).map { $0 * $1 }.reduce(0, +), rtol: 1e-13))
        #expect(close(d[2], vHv, rtol: 1e-12))
        // The third against nested duals along the line.
        struct Line: ScalarFunction {
            let x: [Double], v: [Double]
            func callAsFunction<S: Real>(_ t: S) -> S {
                let p = (0..<3).map { S(converting: x[$0]) + t * S(converting: v[$0]) }
                return S.exp(p[0] * p[1]) + S.sin(p[2]) * p[0] * p[0]
            }
        }
        #expect(close(d[3], nestedDerivative(3, at: 0.0, of: Line(x: x, v: v)), rtol: 1e-12))
        let c = taylorCoefficients(at: [1.0, 2.0], direction: [1, 1]) { (x: [Taylor<Double, 2>]) in x[0] * x[1] }
        #expect(c == [2, 3, 1])
    }

    @Test("Taylor's protocols: coefficients, subscripts, literals, printing, comparisons")
    func protocols() {
        var p = Taylor<Double, 3>(coefficients: [1, 2])
        #expect((p * p).coefficients == [1, 4, 4, 0])
        p[3] = 5
        #expect(p[3] == 5 && p.higherCoefficients[2] == 5 && Taylor<Double, 3>.order == 3)
        let e = Taylor<Double, 3>.exp(Taylor(0.0, derivative: 2))
        #expect(e.derivatives == [1, 2, 4, 8])
        let literal: Taylor<Double, 2> = 2.5
        #expect(literal.coefficients == [2.5, 0, 0])
        #expect("\(Taylor<Double, 2>(coefficients: [1, 2, 0.5]))" == "1.0 + 2.0t + 0.5t^2")
        #expect(Taylor<Double, 2>(1.0, derivative: 5) < Taylor<Double, 2>(2.0, derivative: -5))
        #expect(taylorCoefficients(at: 2.0) { (x: Taylor<Double, 3>) in x * x * x } == [8, 12, 6, 1])
        // Order 0 is the plain value.
        #expect(higherDerivatives(at: 1.0) { (x: Taylor<Double, 0>) in Taylor.sin(x) } == [Double.sin(1.0)])
        // Float.
        let f = higherDerivatives(at: Float(0.7)) { (x: Taylor<Float, 6>) in ExpSin()(x) }
        let d = Self.expSinDerivatives(at: 0.7, upTo: 6)
        for k in 0...6 { #expect(close(Double(f[k]), d[k], rtol: 1e-5, scale: 10), "Float order \(k)") }
    }

    @Test("the examples of the documentation comments")
    func documentationExamples() {
        let inverseFactorials: [Double] = [1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24]
        let y = Taylor.exp(Taylor<Double, 4>(0.0, derivative: 1))
        #expect(y.coefficients == inverseFactorials)
        #expect(y.derivatives == [1, 1, 1, 1, 1])
        #expect(Taylor<Double, 2>.sin(Taylor(0.0, derivative: 1))[1] == 1)
        let c0 = taylorCoefficients(at: 0.0) { (x: Taylor<Double, 4>) in Taylor.exp(x) }
        #expect(c0 == inverseFactorials)
        let d = higherDerivatives(at: 0.0) { (x: Taylor<Double, 10>) in 1 / (1 + x * x) }
        let expected: [Double] = [1, 0, -2, 0, 24, 0, -720, 0, 40320, 0, -3628800]
        #expect(d == expected)
        let c = taylorCoefficients(at: [1.0, 2.0], direction: [1, 1]) { (x: [Taylor<Double, 2>]) in x[0] * x[1] }
        #expect(c == [2, 3, 1])
        let e = higherDerivatives(at: [1.0, 2.0], direction: [1, 0]) { (x: [Taylor<Double, 3>]) in
            x[0] * x[0] * x[0] * x[1]
        }
        #expect(e == [2, 6, 12, 12])
    }
}
