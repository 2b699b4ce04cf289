import RealModule
import Testing
@testable import AutodiffCore

/// Structural zeros against numerical zeros (Conventions.md): a node the output never
/// reaches contributes nothing, at any order; a zero adjoint that reached a node through
/// the graph, times an infinite partial, is NaN, in every mode.
@Suite("Reachability: unused values against zero adjoints")
struct ReachabilityTests {
    /// log(exp(x)) at 800: exp overflows, so d log/d(exp) = 1/inf = 0 reaches exp's node,
    /// whose partial is inf. Forward mode gives 0·inf = NaN; so must reverse mode.
    static func logExp<S: Real>(_ x: [S]) -> S { S.log(S.exp(x[0])) }

    @Test("a zero adjoint reached through the graph times an infinite partial is NaN, in every mode")
    func reachedZeroTimesInfinity() throws {
        let forward = derivative(at: 800.0) { x in Self.logExp([x]) }
        #expect(forward.isNaN)
        let (value, g) = valueWithGradient(at: [800.0]) { x in Self.logExp(x) }
        #expect(value == .infinity)
        #expect(g[0].isNaN, "reverse mode gave \(g[0])")
        let tape = RecordedGradient(at: [1.0]) { x in Self.logExp(x) }
        #expect(try tape.gradient(at: [800.0])[0].isNaN)
        #expect(try tape.gradient(at: [1.0]) == [1.0])
        // A vjp whose cotangent is zero still reaches the output's parents.
        #expect(vjp(at: [800.0], cotangent: [0.0]) { x in [Self.logExp(x)] }.1[0].isNaN)
    }

    @Test("an unused intermediate with an infinite partial contributes nothing, in every mode")
    func unusedIntermediate() throws {
        func f<S: Real>(_ x: [S]) -> S {
            _ = S.sqrt(x[0] - x[0])   // infinite derivative, never used
            return x[0] * x[1]
        }
        #expect(gradient(at: [2.0, 3.0]) { x in f(x) } == [3, 2])
        #expect(try RecordedGradient(at: [1.0, 1.0]) { x in f(x) }.gradient(at: [2.0, 3.0]) == [3, 2])
    }

    /// Unused intermediates with an infinite derivative at the point (2, 3): sqrt(v − v),
    /// acosh(v/v), root(v − v, 3).
    struct UnusedSingular: ScalarDifferentiableFunction {
        func callAsFunction<S: Real>(_ x: [S]) -> S {
            _ = S.sqrt(x[0] - x[0])
            _ = S.acosh(x[1] / x[1])
            _ = S.root(x[0] - x[0], 3)
            return x[0] * x[0] * x[1]
        }
    }

    /// The same at an input where the unused functions are singular themselves (0, 1).
    struct UnusedAtSingularity: ScalarDifferentiableFunction {
        func callAsFunction<S: Real>(_ x: [S]) -> S {
            _ = S.sqrt(x[0])
            _ = S.acosh(x[1])
            _ = S.root(x[0], 3)
            _ = S.pow(x[0], x[1] - 1)
            return x[0] * x[1] + x[1] * x[1]
        }
    }

    /// x^1.5 at 0: its partial 1.5·√x is finite (0) but the partial's own derivative is
    /// infinite, so a nested AD number's zero adjoint times it had a NaN tangent.
    struct UnusedFinitePartial: ScalarDifferentiableFunction {
        func callAsFunction<S: Real>(_ x: [S]) -> S {
            _ = S.pow(x[0], 3 / 2 as S)
            return x[0] * x[1] + x[1] * x[1]
        }
    }

    /// The gradient, the Hessian by forward over reverse, reverse over reverse and Dual
    /// over Reverse, hvp, and a replay recorded elsewhere, all exact.
    func expectSecondOrder<F: ScalarDifferentiableFunction>(
        _ f: F, at x: [Double], gradient g: [Double], hessian H: [[Double]],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let v = [1.0, -1.0]
        #expect(gradient(at: x) { x in f(x) } == g, sourceLocation: sourceLocation)
        #expect(hessian(at: x) { x in f(x) } == H, sourceLocation: sourceLocation)
        #expect(hvp(at: x, direction: v) { x in f(x) } == H.map { $0[0] - $0[1] }, sourceLocation: sourceLocation)
        let rr = jacobian(at: x, mode: .reverse) { (x: [Reverse<Double>]) in gradient(at: x) { y in f(y) } }
        #expect(rr == H, sourceLocation: sourceLocation)
        let dr = jacobian(at: x) { (x: [Dual<Double>]) in gradient(at: x) { y in f(y) } }
        #expect(dr == H, sourceLocation: sourceLocation)
        let tape = RecordedGradient(at: [0.5, 2.0]) { x in f(x) }
        #expect(try tape.gradient(at: x) == g, sourceLocation: sourceLocation)
    }

    @Test("an unused value contributes nothing at second order, by every route")
    func unusedSecondOrder() throws {
        try expectSecondOrder(UnusedSingular(), at: [2, 3], gradient: [12, 4], hessian: [[6, 4], [4, 0]])
        // Nested forward.
        let ff = derivative(at: 2.0) { a in derivative(at: a) { b in UnusedSingular()([b, 3]) } }
        #expect(ff == 6)
    }

    @Test("unused values singular at the point itself contribute nothing at second order")
    func unusedAtSingularity() throws {
        let f = UnusedAtSingularity(), x = [0.0, 1.0]
        try expectSecondOrder(f, at: x, gradient: [1, 2], hessian: [[0, 1], [1, 2]])
        // Reverse over forward (Dual<Reverse<Double>>): the gradient of a directional derivative.
        let rd = gradient(at: x) { x in derivative(at: x[0]) { t in f([t, Dual(constant: x[1])]) } }
        #expect(rd == [0, 1])
        let rd2 = gradient(at: x) { x in derivative(at: x[1]) { t in f([Dual(constant: x[0]), t]) } }
        #expect(rd2 == [1, 2])
    }

    @Test("an unused value whose partial has an infinite derivative leaves second order clean")
    func unusedFinitePartial() throws {
        try expectSecondOrder(UnusedFinitePartial(), at: [0, 1], gradient: [1, 2], hessian: [[0, 1], [1, 2]])
    }
}

extension ReachabilityTests {
    struct Scaled: CustomDerivativeRule {
        func value<V: Real>(_ x: [V]) -> V { V.sqrt(x[0]) + x[1] + x[2] }
        func gradient<V: Real>(_ x: [V]) -> [V] { [1 / (2 * V.sqrt(x[0])), 1, 1] }
    }

    @Test("a custom rule is a chain of nodes: reached zeros times its infinite partials are NaN, unused ones nothing")
    func customRule() {
        #expect(gradient(at: [4.0, 1.0, 2.0]) { x in Scaled()(x) } == [0.25, 1, 1])
        // Used through a zero factor: 0 · inf.
        #expect(gradient(at: [0.0, 1.0, 2.0]) { x in Scaled()(x) * 0 }[0].isNaN)
        // Unused.
        #expect(gradient(at: [0.0, 1.0, 2.0]) { x in _ = Scaled()(x); return x[1] } == [0, 1, 0])
    }
}

extension ReachabilityTests {
    @Test("the one documented difference: a tangent made zero by arithmetic is structural to forward mode")
    func arithmeticZero() throws {
        func f<S: Real>(_ x: [S]) -> S { S.sqrt(x[0] * 0) }
        #expect(derivative(at: 1.0) { x in f([x]) } == 0)
        #expect(gradient(at: [1.0]) { x in f(x) }[0].isNaN)
        #expect(try RecordedGradient(at: [2.0]) { x in f(x) }.gradient(at: [1.0])[0].isNaN)
    }
}
