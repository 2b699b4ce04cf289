import Foundation
import RealModule
import Testing
@testable import AutodiffCore

/// Every rule of the table against central finite differences, over a domain
/// chosen per function, for Float and Double; and every mode (Dual, Reverse)
/// against the rule.
@Suite("Rule table")
struct RuleTableTests {
    /// Points where each unary function is smooth: the table's own test points.
    static func domain(_ f: UnaryFunction) -> [Double] { f.testPoints }

    @Test("allCases names every case of the unary table, and withConstantRule is the identity")
    func everyCaseIsListed() {
        let reached = Set(UnaryFunction.allCases.map(\.ordinal))
        #expect(reached == Set(0..<UnaryFunction.caseCount), "missing ordinals: \(Set(0..<UnaryFunction.caseCount).subtracting(reached).sorted())")
        for f in UnaryFunction.allCases {
            #expect(f.withConstantRule { $0 } == f)
            #expect(!f.testPoints.isEmpty)
        }
        for f in BinaryFunction.allCases {
            #expect(f.withConstantRule { $0 } == f)
            #expect(!f.testPoints.isEmpty)
        }
    }

    @Test("sigmoid, softplus and relu from code generic over Real are single recorded rules")
    func genericRulesAreSingleOperations() {
        func model<S: Real>(_ x: [S]) -> S { S.sigmoid(x[0]) + S.softplus(x[1]) + S.relu(x[2]) }
        let x = [0.3, -1.2, 0.7]
        let nodes = Tape<Double>.withTape { tape in
            let v = x.map { tape.variable($0) }
            let before = tape.count
            _ = model(v)
            return tape.count - before
        }
        #expect(nodes == 5)   // three rules, two additions
        let g = gradient(at: x) { x in model(x) }
        #expect(g == [UnaryFunction.sigmoid.evaluate(0.3).derivative, UnaryFunction.softplus.evaluate(-1.2).derivative, 1])
        #expect(model(x) == UnaryFunction.sigmoid(0.3) + UnaryFunction.softplus(-1.2) + 0.7)
        #expect(derivative(at: 0.0) { x in Dual<Double>.sigmoid(x) } == 0.25)
    }

    static func centralDifference<T: Real>(_ f: (T) -> T, at x: T, step h: T) -> T {
        (f(x + h) - f(x - h)) / (2 * h)
    }

    @Test("unary rules vs central finite differences (Double)", arguments: UnaryFunction.allCases)
    func unaryDouble(_ f: UnaryFunction) {
        for x in Self.domain(f) {
            let (v, d) = f.evaluate(x)
            #expect(v.isApproximatelyEqual(to: f(x), relativeTolerance: 0) || v == f(x), "\(f.name)(\(x))")
            let fd = Self.centralDifference({ f($0) }, at: x, step: 1e-6)
            #expect(Self.close(d, fd, rtol: 1e-6, atol: 1e-7), "\(f.name)'(\(x)): rule \(d), finite difference \(fd)")
        }
    }

    @Test("unary rules vs central finite differences (Float)", arguments: UnaryFunction.allCases)
    func unaryFloat(_ f: UnaryFunction) {
        for xd in Self.domain(f) {
            let x = Float(xd)
            let d = f.evaluate(x).derivative
            let fd = Self.centralDifference({ f($0) }, at: x, step: 1e-2)
            #expect(Self.close(Double(d), Double(fd), rtol: 2e-2, atol: 2e-3), "\(f.name)'(\(x)) Float: \(d) vs \(fd)")
        }
    }

    @Test("Dual and Reverse agree with the unary rule", arguments: UnaryFunction.allCases)
    func unaryModes(_ f: UnaryFunction) {
        for x in Self.domain(f) {
            let rule = f.evaluate(x)
            let forward = Dual<Double>.applying(f, Dual(x, derivative: 1))
            #expect(forward.value == rule.value || (forward.value.isNaN && rule.value.isNaN))
            #expect(forward.derivative == rule.derivative, "\(f.name) forward at \(x)")
            let reverse = gradient(at: x) { Reverse<Double>.applying(f, $0) }
            #expect(reverse == rule.derivative, "\(f.name) reverse at \(x)")
        }
    }

    static func binaryDomain(_ f: BinaryFunction) -> [(Double, Double)] { f.testPoints }

    @Test("the second-order flags the sparsity patterns use hold at every test point", arguments: UnaryFunction.allCases)
    func unarySecondOrder(_ f: UnaryFunction) {
        var curved = false
        for x in f.testPoints {
            let d2 = Dual<Dual<Double>>.applying(f, Dual(Dual(x, derivative: 1), derivative: Dual(1, derivative: 0))).derivative.derivative
            if d2 != 0 { curved = true }
            if f.isPiecewiseLinear { #expect(d2 == 0, "\(f.name) is marked piecewise linear but f''(\(x)) = \(d2)") }
            let d1 = f.evaluate(x).derivative
            if f.hasZeroDerivative { #expect(d1 == 0, "\(f.name) is marked with zero derivative but f'(\(x)) = \(d1)") }
        }
        // The flag is not set more widely than needed: a curved function says so.
        #expect(curved != f.isPiecewiseLinear, "\(f.name): isPiecewiseLinear is \(f.isPiecewiseLinear)")
    }

    @Test("the binary second-order interactions hold at every test point", arguments: BinaryFunction.allCases)
    func binarySecondOrder(_ f: BinaryFunction) {
        let flags = f.secondOrderInteractions
        var seen = (xx: false, xy: false, yy: false)
        for (x, y) in Self.binaryDomain(f) {
            let H = hessian(at: [x, y]) { v in f(v[0], v[1]) }
            seen.xx = seen.xx || H[0][0] != 0
            seen.xy = seen.xy || H[0][1] != 0
            seen.yy = seen.yy || H[1][1] != 0
        }
        #expect(seen.xx == flags.xx && seen.xy == flags.xy && seen.yy == flags.yy,
                "\(f.name): second partials seen \(seen), flagged \(flags)")
    }

    @Test("binary rules vs finite differences and both modes", arguments: BinaryFunction.allCases)
    func binary(_ f: BinaryFunction) {
        for (x, y) in Self.binaryDomain(f) {
            let (v, dx, dy) = f.evaluate(x, y)
            let fdx = Self.centralDifference({ f($0, y) }, at: x, step: 1e-6)
            let fdy = Self.centralDifference({ f(x, $0) }, at: y, step: 1e-6)
            #expect(Self.close(dx, fdx, rtol: 1e-6, atol: 1e-7), "\(f.name) ∂x at (\(x), \(y)): \(dx) vs \(fdx)")
            #expect(Self.close(dy, fdy, rtol: 1e-6, atol: 1e-7), "\(f.name) ∂y at (\(x), \(y)): \(dy) vs \(fdy)")
            // Forward mode, one direction at a time.
            let fx = Dual<Double>.applying(f, Dual(x, derivative: 1), Dual(constant: y))
            let fy = Dual<Double>.applying(f, Dual(constant: x), Dual(y, derivative: 1))
            #expect(fx.value == v && fx.derivative == dx && fy.derivative == dy)
            // Reverse mode, both at once.
            let g = gradient(at: [x, y]) { Reverse<Double>.applying(f, $0[0], $0[1]) }
            #expect(g == [dx, dy], "\(f.name) reverse at (\(x), \(y))")
            // Float agrees with the finite difference too.
            let gf = gradient(at: [Float(x), Float(y)]) { Reverse<Float>.applying(f, $0[0], $0[1]) }
            let fdxf = Self.centralDifference({ f($0, Float(y)) }, at: Float(x), step: 1e-2)
            #expect(Self.close(Double(gf[0]), Double(fdxf), rtol: 2e-2, atol: 2e-3))
        }
    }

    @Test("special arguments: ±0, ±inf and NaN give the primal's value and no crash", arguments: UnaryFunction.allCases)
    func specialArguments(_ f: UnaryFunction) {
        for x in [0.0, -0.0, Double.infinity, -Double.infinity, Double.nan] {
            let primal = f(x)
            let forward = Dual<Double>.applying(f, Dual(x, derivative: 1))
            let reverse = valueWithGradient(at: [x]) { Reverse<Double>.applying(f, $0[0]) }
            for value in [forward.value, reverse.value] {
                #expect(value == primal || (value.isNaN && primal.isNaN), "\(f.name)(\(x)): \(value) vs \(primal)")
            }
            let (fd, rd) = (forward.derivative, reverse.gradient[0])
            #expect(fd == rd || (fd.isNaN && rd.isNaN), "\(f.name)'(\(x)): forward \(fd), reverse \(rd)")
            // Where the derivative depends on x, a NaN argument gives a NaN derivative.
            if x.isNaN && !Self.constantPartial(f) {
                #expect(fd.isNaN, "\(f.name)'(NaN) should be NaN, got \(fd)")
            }
        }
    }

    /// Rules whose partial does not depend on x (or is piecewise constant).
    static func constantPartial(_ f: UnaryFunction) -> Bool {
        switch f {
        case .negate, .relu, .abs, .power(0), .power(1), .rounded: return true
        default: return false
        }
    }

    @Test("PyTorch's conventions at non-differentiable points")
    func conventions() {
        #expect(derivative(at: 0.0) { x in x.magnitude } == 0)
        #expect(derivative(at: 0.0) { x in Dual.relu(x) } == 0)
        #expect(gradient(at: [1.5, 1.5]) { x in Reverse.minimum(x[0], x[1]) } == [0.5, 0.5])
        #expect(gradient(at: [1.5, 1.5]) { x in Reverse.maximum(x[0], x[1]) } == [0.5, 0.5])
        #expect(derivative(at: 0.0) { x in x.squareRoot() } == .infinity)
        #expect(gradient(at: [0.0, 2.5]) { x in Reverse.pow(x[0], x[1]) }[1] == 0)  // d/dy 0^y, y > 0
        #expect(gradient(at: [0.0, 0.0]) { x in Reverse.pow(x[0], x[1]) }[0] == 0)  // d/dx x^0
        #expect(gradient(at: [-3.0, 0.0]) { x in Reverse.pow(x[0], x[1]) }[0] == 0)
        #expect(derivative(at: -3.0) { x in Dual.pow(x, 0) } == 0)
        #expect(gradient(at: [0.0, 0.0]) { x in Reverse.hypot(x[0], x[1]) } == [0, 0])
    }

    @Test("zero tangents and unused intermediates never turn into NaN")
    func zeroTangents() {
        // sqrt of a constant 0 has partial +inf; its zero tangent must stay zero.
        #expect(derivative(at: 2.0) { x in x * Dual.sqrt(Dual(constant: 0)) + x } == 1)
        // An intermediate with an infinite partial that does not reach the output.
        #expect(gradient(at: [0.0, 1.0]) { x in _ = x[0].squareRoot(); return x[1] * 3 } == [0, 3])
    }

    @Test("digamma against known values")
    func digammaValues() {
        #expect(digamma(1.0).isApproximatelyEqual(to: -0.5772156649015329, relativeTolerance: 1e-14))
        #expect(digamma(0.5).isApproximatelyEqual(to: -1.9635100260214235, relativeTolerance: 1e-14))
        #expect(digamma(10.5).isApproximatelyEqual(to: 2.3030010342976865, relativeTolerance: 1e-14))
        #expect(digamma(-0.5).isApproximatelyEqual(to: 0.03648997397857652, relativeTolerance: 1e-12))
        #expect(digamma(0.0).isNaN && digamma(-2.0).isNaN)
    }

    static func close(_ a: Double, _ b: Double, rtol: Double, atol: Double) -> Bool {
        if a == b { return true }
        if a.isNaN || b.isNaN { return false }
        return Swift.abs(a - b) <= atol + rtol * Swift.max(Swift.abs(a), Swift.abs(b))
    }
}
