import Foundation
import RealModule
import Testing
@testable import AutodiffCore

/// Every rule of the table against central finite differences, over a domain
/// chosen per function, for Float and Double; and every mode (Dual, Reverse)
/// against the rule.
@Suite("Rule table")
struct RuleTableTests {
    /// Points where each unary function is smooth (and its finite difference trustworthy).
    static func domain(_ f: UnaryFunction) -> [Double] {
        switch f {
        case .log, .log2, .log10, .sqrt: return [0.3, 1.0, 2.5, 7.0]
        case .logOnePlus: return [-0.5, 0.2, 3.0]
        case .acosh: return [1.3, 2.0, 5.0]
        case .atanh, .acos, .asin: return [-0.7, -0.1, 0.4, 0.8]
        case .tan: return [-1.0, 0.3, 1.2]
        case .gamma: return [-1.5, 0.4, 1.0, 2.5, 4.2]
        case .logGamma: return [0.4, 1.0, 2.5, 7.3, 15.0]
        case .abs, .relu: return [-2.0, -0.3, 0.4, 1.5]
        case .root(let n) where n % 2 == 0: return [0.3, 1.0, 4.0]
        case .root: return [-3.0, 0.3, 1.0, 4.0]
        case .power(let n) where n < 0: return [-2.0, 0.5, 1.5]
        case .rounded: return [-1.3, 0.2, 2.7]
        default: return [-1.7, -0.4, 0.0, 0.6, 2.1]
        }
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

    static let binaryDomain: [(Double, Double)] = [(0.7, 1.3), (2.2, -0.6), (-1.4, 0.9), (3.0, 2.0)]

    static func binaryDomain(_ f: BinaryFunction) -> [(Double, Double)] {
        switch f {
        case .pow: return [(0.7, 1.3), (2.2, -0.6), (1.5, 2.5), (3.0, 0.5)]
        case .remainder, .truncatingRemainder: return [(5.3, 2.1), (-4.2, 1.5), (2.9, -0.8)]
        default: return binaryDomain
        }
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
