import BenchmarkProblems
import Foundation
import RealModule
import ProblemTestSupport
import Testing
@testable import AutodiffCore

private func expAdder<S: Real>(_ x: [S], _ y: [S]) -> [S] { zip(x, y).map { 2 * S.exp($0) + 3 * $1 } }
private func quartic<S: Real>(_ x: [S]) -> S { x[0] * x[0] * x[1] + S.exp(x[1]) * x[2] + S.sin(x[0] * x[2]) }

struct ChainFunction: DifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> [S] { chainF(x) }
}
private struct WideFunction: DifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> [S] { wideG(x, outputs: 1000) }
}
struct Rosen: ScalarDifferentiableFunction, Sendable {
    func callAsFunction<S: Real>(_ x: [S]) -> S { rosenbrock(x) }
}

struct LogSumExp: CustomDerivativeRule, Sendable {
    func value<V: Real>(_ x: [V]) -> V {
        let m = x.max()!
        return m + V.log(x.reduce(0) { $0 + V.exp($1 - m) })
    }
    func gradient<V: Real>(_ x: [V]) -> [V] {
        let m = x.max()!
        let e = x.map { V.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

/// A deliberately wrong rule: the softmax scaled by 1.01.
struct WrongLogSumExp: CustomDerivativeRule, Sendable {
    func value<V: Real>(_ x: [V]) -> V { LogSumExp().value(x) }
    func gradient<V: Real>(_ x: [V]) -> [V] { LogSumExp().gradient(x).map { $0 * V(101) / V(100) } }
}

/// The root r(θ) of r³ + r − θ = 0 by Newton's method, differentiated implicitly.
struct CubicRoot: CustomDerivativeRule, Sendable {
    func value<V: Real>(_ x: [V]) -> V {
        var r = x[0]
        for _ in 0..<60 { r = r - (r * r * r + r - x[0]) / (3 * r * r + 1) }
        return r
    }
    func gradient<V: Real>(_ x: [V]) -> [V] {
        let r = self(x)
        return [1 / (3 * r * r + 1)]
    }
}

private func matVec(_ A: [[Double]], _ v: [Double]) -> [Double] { A.map { zip($0, v).reduce(0) { $0 + $1.0 * $1.1 } } }
private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

@Suite("Functional API")
struct FunctionalTests {
    @Test("chain-jac n=100 against PyTorch, forward (chunked, one-lane, 4 lanes), reverse and automatic")
    func chainJacobian() throws {
        let reference = try Fixtures.reference("chain-jac", "n=100")
        let expected = try reference.numbers("jacobian")
        let x = deterministicInput(count: 100)
        let forward = jacobian(at: x) { x in chainF(x) }
        let oneLane = jacobian(at: x) { (x: [Dual<Double>]) in chainF(x) }
        let fourLanes = jacobian(at: x) { (x: [DualVector<Double, 4>]) in chainF(x) }
        let reverse = jacobian(at: x, mode: .reverse) { x in chainF(x) }
        let (value, automatic) = valueWithJacobian(at: x, of: ChainFunction())
        for (name, J) in [("forward", forward), ("one lane", oneLane), ("4 lanes", fourLanes),
                          ("reverse", reverse), ("automatic", automatic)] {
            #expect(J.count == 100 && J.allSatisfy { $0.count == 100 }, "\(name): shape")
            expectClose(J.flatMap { $0 }, expected, tolerance: 1e-13, "chain-jac \(name)")
        }
        expectClose(value, try reference.numbers("objective"), tolerance: 1e-14, "chain-jac value")
    }

    @Test("chunk sizes 1…64 give the 8-lane Jacobian bit for bit, for Double and Float; the default covers n in one pass up to 64")
    func chunkSizes() {
        #expect([1, 2, 3, 8, 9, 40, 64, 65, 1000].map { defaultChunkSize(inputs: $0) } == [1, 2, 4, 8, 16, 64, 64, 64, 64])
        let x = deterministicInput(count: 70)
        let eight = jacobian(at: x) { x in chainF(x) }
        for chunk in [1, 2, 4, 8, 16, 32, 64] {
            #expect(jacobian(at: x, of: ChainFunction(), mode: .forward, chunk: chunk) == eight, "chunk \(chunk)")
        }
        #expect(jacobian(at: x, of: ChainFunction(), mode: .forward) == eight)
        let xf = x.map(Float.init)
        #expect(jacobian(at: xf, of: ChainFunction(), mode: .forward) == jacobian(at: xf) { x in chainF(x) })
    }

    @Test("wide-jac 1000×8 against PyTorch: chunked forward, chunk override, reverse, automatic")
    func wideJacobian() throws {
        let expected = try Fixtures.reference("wide-jac", "n=8,m=1000").numbers("jacobian")
        let x = deterministicInput(count: 8)
        let candidates: [(String, [[Double]])] = [
            ("forward", jacobian(at: x) { x in wideG(x, outputs: 1000) }),
            ("reverse", jacobian(at: x, mode: .reverse) { x in wideG(x, outputs: 1000) }),
            ("automatic", jacobian(at: x, of: WideFunction())),
            ("forward chunk 2", jacobian(at: x, of: WideFunction(), mode: .forward, chunk: 2)),
            ("reverse by mode", jacobian(at: x, of: WideFunction(), mode: .reverse)),
        ]
        for (name, J) in candidates {
            #expect(J.count == 1000 && J.allSatisfy { $0.count == 8 }, "\(name): shape")
            expectClose(J.flatMap { $0 }, expected, tolerance: 1e-12, "wide-jac \(name)")
        }
    }

    @Test("rosen-hess n=100 against PyTorch, serial and parallel; value and gradient from the same sweeps")
    func rosenHessian() throws {
        let reference = try Fixtures.reference("rosen-hess", "n=100")
        let x = deterministicInput(count: 100)
        let H = hessian(at: x, parallel: false) { x in rosenbrock(x) }
        let (value, grad, Hp) = valueWithHessian(at: x, parallel: true) { x in rosenbrock(x) }
        expectClose(H.flatMap { $0 }, try reference.numbers("hessian"), tolerance: 1e-13, "rosen-hess serial")
        #expect(Hp == H)
        expectClose(value, try reference.number("objective"), tolerance: 1e-14, "rosen value")
        expectClose(grad, gradient(at: x) { x in rosenbrock(x) }, tolerance: 1e-14, "rosen gradient")
        // Nesting: the Jacobian of the reverse gradient is the Hessian too.
        let J = jacobian(at: x) { x in gradient(at: x) { y in rosenbrock(y) } }
        expectClose(J.flatMap { $0 }, H.flatMap { $0 }, tolerance: 1e-13, "jacobian of gradient")
    }

    @Test("jvp/vjp adjoint identity uᵀ(Jv) = (uᵀJ)v on random inputs; both equal the Jacobian products")
    func adjointIdentity() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let n = Int.random(in: 2...30, using: &rng)
            let x = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
            let v = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
            let u = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
            let (y, t) = jvp(at: x, direction: v) { x in chainF(x) }
            let (y2, c) = vjp(at: x, cotangent: u) { x in chainF(x) }
            #expect(y == chainF(x) && y2 == y)
            let lhs = dot(u, t), rhs = dot(c, v)
            #expect(lhs.isApproximatelyEqual(to: rhs, relativeTolerance: 1e-12), "\(lhs) vs \(rhs)")
            let J = jacobian(at: x) { x in chainF(x) }
            expectClose(t, matVec(J, v), tolerance: 1e-12, "jvp = J·v")
        }
    }

    @Test("hvp = H·v, and valueWithHVP returns the gradient too")
    func hessianVectorProduct() {
        let x = [0.3, -0.7, 1.1]
        let H = hessian(at: x) { x in quartic(x) }
        for v in [[1.0, 0, 0], [0.5, -2, 3]] {
            let hv = hvp(at: x, direction: v) { x in quartic(x) }
            expectClose(hv, matVec(H, v), tolerance: 1e-14, "hvp")
        }
        let (value, g, _) = valueWithHVP(at: x, direction: [1, 1, 1]) { x in quartic(x) }
        #expect(value == quartic(x))
        #expect(g == gradient(at: x) { x in quartic(x) })
        // Closed form of H[0][0] = 2 x1 − x2² sin(x0 x2).
        let h00 = 2 * x[1] - x[2] * x[2] * Double.sin(x[0] * x[2])
        #expect(H[0][0].isApproximatelyEqual(to: h00, relativeTolerance: 1e-14))
        #expect(H[0][1] == H[1][0] && H[1][2] == H[2][1])
    }

    @Test("seed exp_adder(x, y) = 2 exp(x) + 3 y: one Jacobian block per argument, both modes")
    func expAdderJacobians() {
        let x = [0.2, -0.4], y = [1.5, 2.5]
        let (jx, jy) = jacobian(at: x, y) { x, y in expAdder(x, y) }
        let (rx, ry) = jacobian(at: x, y, mode: .reverse) { x, y in expAdder(x, y) }
        for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let ex = i == j ? 2 * Double.exp(x[i]) : 0
            let ey: Double = i == j ? 3 : 0
            #expect(jx[i][j].isApproximatelyEqual(to: ex, relativeTolerance: 1e-15) && rx[i][j] == jx[i][j])
            #expect(jy[i][j] == ey && ry[i][j] == ey)
        }
    }

    @Test("seed do_some_doubling: vjp of doubling until the norm reaches 1000 is u·2ᵏ")
    func doSomeDoubling() {
        func doubling<S: Real>(_ x: [S]) -> [S] {
            var y = x.map { $0 * 2 }
            while S.sqrt(y.reduce(0) { $0 + $1 * $1 }) < 1000 { y = y.map { $0 * 2 } }
            return y
        }
        let x = [0.3, -1.2, 0.8]
        let u = [0.1, 1.0, 0.0001]
        var k = 1
        var norm = 2 * (x.map { $0 * $0 }.reduce(0, +)).squareRoot()
        while norm < 1000 { norm *= 2; k += 1 }
        let (_, c) = vjp(at: x, cotangent: u) { x in doubling(x) }
        #expect(c == u.map { $0 * Double(1 << k) })
    }

    @Test("nesting: derivative of derivative, jacobian of gradient, jvp inside gradient")
    func nesting() {
        let d2 = derivative(at: 0.4) { x in derivative(at: x) { y in Dual.sin(y) * y } }
        #expect(d2.isApproximatelyEqual(to: 2 * Double.cos(0.4) - 0.4 * Double.sin(0.4), relativeTolerance: 1e-14))
        let x = [0.3, -0.7, 1.1]
        let J = jacobian(at: x) { x in gradient(at: x) { y in quartic(y) } }
        let H = hessian(at: x) { x in quartic(x) }
        expectClose(J.flatMap { $0 }, H.flatMap { $0 }, tolerance: 1e-14, "jacobian of gradient")
    }

    @Test("custom rules: stable logSumExp in every mode and nesting; implicit Newton root by the IFT")
    func customRules() {
        let big = [1000.0, 1000.0]
        #expect(gradient(at: big) { x in LogSumExp()(x) } == [0.5, 0.5])
        #expect(gradientForward(at: big) { x in LogSumExp()(x) } == [0.5, 0.5])
        #expect(LogSumExp()(big).isApproximatelyEqual(to: 1000 + Double.log(2), relativeTolerance: 1e-15))
        // Hessian of logSumExp = diag(p) − p pᵀ with p = softmax(x).
        let x = [0.5, -1.0, 2.0]
        let p = LogSumExp().gradient(x)
        let H = hessian(at: x) { x in LogSumExp()(x) }
        let rr = jacobian(at: x, mode: .reverse) { x in gradient(at: x) { y in LogSumExp()(y) } }
        for i in 0..<3 {
            for j in 0..<3 {
                let exact = (i == j ? p[i] : 0) - p[i] * p[j]
                #expect(H[i][j].isApproximatelyEqual(to: exact, absoluteTolerance: 1e-15))
                #expect(rr[i][j].isApproximatelyEqual(to: exact, absoluteTolerance: 1e-15))
            }
        }
        // Implicit root of r³ + r = θ: at θ = 2, r = 1; r' = 1/(3r² + 1); r'' = −6r/(3r² + 1)³.
        let slope = derivative(at: 2.0) { t in CubicRoot()([t]) }
        #expect(slope.isApproximatelyEqual(to: 0.25, relativeTolerance: 1e-14))
        #expect(gradient(at: [2.0]) { t in CubicRoot()(t) }[0].isApproximatelyEqual(to: 0.25, relativeTolerance: 1e-14))
        let curvature = derivative(at: 2.0) { t in derivative(at: t) { s in CubicRoot()([s]) } }
        #expect(curvature.isApproximatelyEqual(to: -6.0 / 64, relativeTolerance: 1e-13))
        let h = hessian(at: [2.0]) { t in CubicRoot()(t) }
        #expect(h[0][0].isApproximatelyEqual(to: -6.0 / 64, relativeTolerance: 1e-13))
    }

    @Test("reusable tape: replay equals a fresh gradient; a changed branch re-records or throws, never a wrong gradient")
    func reusableTape() throws {
        let x0 = deterministicInput(count: 50)
        let tape = RecordedGradient(at: x0) { x in rosenbrock(x) }
        let x1 = x0.map { $0 * 0.7 + 0.1 }
        let (v, g) = try tape.valueWithGradient(at: x1)
        #expect(g == gradient(at: x1) { x in rosenbrock(x) })
        #expect(v == rosenbrock(x1))
        #expect(tape.recordings == 1)

        func piecewise<S: Real>(_ x: [S]) -> S { x[0] > x[1] ? x[0] * x[0] * x[1] : S.sin(x[0]) + x[1] }
        let auto = RecordedGradient(at: [2.0, 1.0]) { x in piecewise(x) }
        let strict = RecordedGradient(at: [2.0, 1.0], onBranchChange: .throwError) { x in piecewise(x) }
        #expect(auto.comparisonCount == 1)
        let other = [0.5, 1.0]
        #expect(try auto.gradient(at: other) == gradient(at: other) { x in piecewise(x) })
        #expect(auto.recordings == 2)
        #expect(throws: RecordedGradientError.branchChanged(comparison: 0, recordedOutcome: true)) {
            try strict.gradient(at: other)
        }
        #expect(try strict.gradient(at: [3.0, 1.0]) == [6, 9])
    }
}

@Suite("Functional API misuse messages")
struct FunctionalMisuseMessages {
    @Test("jvp with a direction of the wrong length names the operator and both sizes")
    func jvpShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jvp(at: [1.0, 2.0], direction: [1.0]) { x in x }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("jvp(at:direction:of:): the direction has 1 entries but the input has 2"), "\(stderr)")
    }

    @Test("vjp with a cotangent of the wrong length names the operator and the sizes")
    func vjpShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vjp(at: [1.0, 2.0], cotangent: [1.0, 1, 1]) { x in x }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("vjp(at:cotangent:of:): the cotangent has 3 entries but the function returned 2"), "\(stderr)")
    }

    @Test("a closure whose output length changes between passes stops with a message")
    func changingLength() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var calls = 0
            _ = jacobian(at: Array(repeating: 1.0, count: 10)) { x in
                calls += 1
                return Array(x.prefix(calls))
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("returned 2 outputs on one call and 1 on an earlier one"), "\(stderr)")
    }

    @Test("the gradient checker refuses Float inputs without a step, and non-finite inputs")
    func checkerRefuses() async {
        let float = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = checkGradient(LogSumExp(), at: [Float(1), Float(2)])
        }
        let a = String(decoding: float?.standardErrorContent ?? [], as: UTF8.self)
        #expect(a.contains("Float inputs need an explicit step"), "\(a)")
        let nan = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = checkGradient(LogSumExp(), at: [1.0, .nan])
        }
        let b = String(decoding: nan?.standardErrorContent ?? [], as: UTF8.self)
        #expect(b.contains("input[1] is nan"), "\(b)")
    }

    @Test("a Traced value escaping its RecordedGradient recording stops with a message")
    func escapingTraced() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var escaped: Traced<Double>?
            _ = RecordedGradient(at: [1.0]) { x in escaped = x[0]; return x[0] * 2 }
            _ = RecordedGradient(at: [1.0]) { x in x[0] * escaped! }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("after its RecordedGradient recording ended"), "\(stderr)")
    }
}
