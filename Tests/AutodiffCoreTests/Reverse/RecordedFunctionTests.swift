import RealModule
import BenchmarkProblems
import Testing
@testable import AutodiffCore

@Suite("RecordedFunction: one recording replayed in every mode")
struct RecordedFunctionTests {
    static func chain<S: Real>(_ x: [S]) -> [S] {
        let n = x.count
        return (0..<n).map { i in x[i] * S.exp(x[(i + 1) % n]) + S.sin(x[(i + n - 1) % n]) }
    }

    @Test("values, jvp, vjp and Jacobians by replay equal the one-shot operators at a new point")
    func firstOrder() throws {
        let x0 = (0..<7).map { 0.9 * Double.cos(Double($0)) }
        let x = (0..<7).map { 0.5 * Double.sin(Double($0) + 1) }
        let f = RecordedFunction(at: x0) { x in Self.chain(x) }
        #expect(try f.value(at: x) == Self.chain(x))
        let J = jacobian(at: x) { x in Self.chain(x) }
        #expect(try f.jacobian(at: x, mode: .forward) == J)
        let reverse = try f.jacobian(at: x, mode: .reverse)
        let reference = jacobian(at: x, mode: .reverse) { (x: [Reverse<Double>]) in Self.chain(x) }
        #expect(reverse == reference)
        let v = (0..<7).map { Double($0) - 3 }
        let (y, t) = try f.jvp(at: x, direction: v)
        let (y1, t1) = jvp(at: x, direction: v) { x in Self.chain(x) }
        #expect(y == y1 && t == t1)
        let (_, c) = try f.vjp(at: x, cotangent: v)
        let (_, c1) = vjp(at: x, cotangent: v) { x in Self.chain(x) }
        for (a, b) in zip(c, c1) { #expect(Swift.abs(a - b) <= 1e-15 * Swift.max(1, Swift.abs(b))) }
        #expect(f.recordings == 1)
        // Each mode as the first call at a new point returns that point's value.
        let z = (0..<7).map { 0.2 * Double($0) - 0.5 }
        let fresh = RecordedFunction(at: x0) { x in Self.chain(x) }
        #expect(try fresh.jvp(at: z, direction: v).value == Self.chain(z))
        #expect(try fresh.vjp(at: x, cotangent: v).value == Self.chain(x))
    }

    @Test("the Hessian by forward-over-reverse replay equals hessian(at:), with no run of the function")
    func hessianByReplay() throws {
        let calls = Counter()
        let x0 = (0..<20).map { 0.9 * Double.cos(Double($0)) }
        let x = (0..<20).map { 0.7 * Double.sin(Double($0)) }
        let f = RecordedFunction(at: x0) { x in
            calls.count += 1
            return rosenbrock(x)
        }
        let H = try f.hessian(at: x)
        let expected = hessian(at: x) { x in rosenbrock(x) }
        for (r, e) in zip(H, expected) {
            for (a, b) in zip(r, e) { #expect(Swift.abs(a - b) <= 1e-13 * Swift.max(1, Swift.abs(b))) }
        }
        let v = (0..<20).map { Double($0 % 3) - 1 }
        let hv = try f.hvp(at: x, direction: v)
        let hv1 = hvp(at: x, direction: v) { x in rosenbrock(x) }
        for (a, b) in zip(hv, hv1) { #expect(Swift.abs(a - b) <= 1e-13 * Swift.max(1, Swift.abs(b))) }
        #expect(try f.gradient(at: x) == gradient(at: x) { x in rosenbrock(x) })
        #expect(calls.count == 1)
    }

    @Test("a weighted Hessian of several outputs is the Hessian of the weighted sum")
    func weightedHessian() throws {
        let x = [0.3, -0.8, 1.1]
        let w = [2.0, -0.5, 1.5]
        let f = RecordedFunction(at: x) { x in Self.chain(x) }
        let H = try f.hessian(at: x, weights: w)
        var expected = [[Double]](repeating: [0, 0, 0], count: 3)
        for k in 0..<3 {
            let Hk = hessian(at: x) { x in Self.chain(x)[k] }
            for i in 0..<3 { for j in 0..<3 { expected[i][j] += w[k] * Hk[i][j] } }
        }
        for (r, e) in zip(H, expected) {
            for (a, b) in zip(r, e) { #expect(Swift.abs(a - b) <= 1e-14 * Swift.max(1, Swift.abs(b))) }
        }
    }

    @Test("a replay across a changed branch re-records, or throws with .throwError")
    func branches() throws {
        let f = RecordedFunction(at: [1.0, 2.0]) { (x: [Traced<Double>]) -> [Traced<Double>] in
            x[0] > 0 ? [x[0] * x[0] * x[1]] : [-x[0] * x[1]]
        }
        #expect(try f.hessian(at: [2.0, 1.0]) == [[2.0, 4.0], [4.0, 0.0]])
        #expect(f.recordings == 1)
        #expect(try f.jacobian(at: [-1.0, 3.0]) == [[-3.0, 1.0]])
        #expect(f.recordings == 2)
        let strict = RecordedFunction(at: [1.0], onBranchChange: .throwError) { x in x[0] > 0 ? x[0] : -x[0] }
        #expect(throws: RecordedGradientError.branchChanged(comparison: 0, recordedOutcome: true)) {
            try strict.hvp(at: [-1.0], direction: [1])
        }
    }

    @Test("constant outputs, unused inputs and outputs that are inputs")
    func edges() throws {
        let f = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in [x[1], Traced(constant: 5), x[0] * x[0]] }
        #expect(try f.value(at: [4.0, 5.0, 6.0]) == [5.0, 5.0, 16.0])
        let expected: [[Double]] = [[0, 1, 0], [0, 0, 0], [8, 0, 0]]
        #expect(try f.jacobian(at: [4.0, 5.0, 6.0], mode: .forward) == expected)
        #expect(try f.jacobian(at: [4.0, 5.0, 6.0], mode: .reverse) == expected)
        #expect(try f.hessian(at: [4.0, 5.0, 6.0], weights: [1, 1, 3]) == [[6, 0, 0], [0, 0, 0], [0, 0, 0]])
    }

    /// Reachability is per output: an infinite partial on the way to one output (√x₁ at 0)
    /// must not make the other output's row NaN (ReachabilityTests' convention, per row).
    @Test("each row of a reverse Jacobian by replay sees only what reaches its output")
    func rowsArePerOutput() throws {
        func f<S: Real>(_ x: [S]) -> [S] { [x[0] * x[2], S.sqrt(x[1]) + x[2]] }
        let recorded = RecordedFunction(at: [1.0, 1.0, 1.0]) { x in f(x) }
        let x = [2.0, 0.0, 3.0]
        let oneShot = jacobian(at: x, mode: .reverse) { (x: [Reverse<Double>]) in f(x) }
        #expect(oneShot[0] == [3, 0, 2])
        #expect(oneShot[1][0] == 0 && oneShot[1][1] == .infinity && oneShot[1][2] == 1)
        #expect(try recorded.jacobian(at: x, mode: .reverse) == oneShot)
        // 2 points (one at a time) and 9 (eight in one replay with a lane per point, then one).
        for count in [2, 9] {
            var J = [Double](repeating: -1, count: count * 6)
            try recorded.jacobians(at: Array(repeating: x, count: count).flatMap { $0 }, into: &J, mode: .reverse)
            #expect(J == Array(repeating: oneShot[0] + oneShot[1], count: count).flatMap { $0 })
        }
    }

    /// A fuzzer finding: maximumMagnitude against a constant picks the variable at x0 and the
    /// constant at x, so the output is a constant of the recording made at x; its rows in
    /// the batched forward Jacobian were left as the previous point wrote them.
    @Test("an output that is a constant at a later point gets zero rows in batched Jacobians")
    func forwardAfterForward() throws {
        func g<S: Real>(_ x: [S]) -> [S] {
            let c = S(9) / 10
            let v2 = S.tanh(x[0]), v3 = c
            let v8 = S.tanh(v2) * c
            let v9 = S.atanh(v8), v10 = v8 - c
            let v12 = v10 < v9 ? v2 : S.maximum(v10, v10)
            let v13 = S.maximumMagnitude(v12, c)
            let v17 = S.sqrt(v9 * v9 + S(3) / 10)
            var acc = v13
            for _ in 0..<2 {
                acc = S.asinh(acc) / 2 + v3 / 4
                if v17 < acc { acc = acc - (acc - v17) / 2 }
            }
            return [acc, acc]
        }
        let x0 = [1.516886921930054, 0.22613836642495777], x = [1.3505295606759224, 0.5289956559559919]
        let expected = jacobian(at: x) { x in g(x) }
        let f = RecordedFunction(at: x0) { x in g(x) }
        _ = try f.jacobian(at: x0, mode: .forward)
        #expect(try f.jacobian(at: x, mode: .forward) == expected)
        var J = [Double](repeating: .nan, count: 8)
        try RecordedFunction(at: x0) { x in g(x) }.jacobians(at: x0 + x, into: &J, mode: .forward)
        #expect(Array(J[4...]) == expected.flatMap { $0 })
    }

    @Test("points eight at a time (a lane per point) give the bits of each point alone")
    func pointLanes() throws {
        let count = 11
        let points = (0..<(4 * count)).map { 0.6 * Double.cos(0.7 * Double($0) + 0.2) }
        let f = RecordedFunction(at: Array(points[0..<4])) { x in Self.chain(x) }
        var J = [Double](repeating: .nan, count: count * 16)
        try f.jacobians(at: points, into: &J, mode: .reverse)
        for p in 0..<count {
            var one = [Double](repeating: .nan, count: 16)
            try f.jacobians(at: Array(points[(4 * p)..<(4 * p + 4)]), into: &one, mode: .reverse)
            #expect(Array(J[(16 * p)..<(16 * p + 16)]) == one, "point \(p)")
            let expected = jacobian(at: Array(points[(4 * p)..<(4 * p + 4)]), mode: .reverse) { (x: [Reverse<Double>]) in Self.chain(x) }
            #expect(one == expected.flatMap { $0 }, "point \(p) against the one-shot reverse Jacobian")
        }
        #expect(f.recordings == 1)
    }

    @Test("Jacobians at many points by replay equal the one-shot Jacobian at each, in both modes")
    func batchedJacobians() throws {
        // The per-point data c is the last input; the branch on x0 changes between points.
        func f<S: Real>(_ v: [S]) -> [S] {
            let (x, c) = (Array(v[0..<4]), v[4])
            let y = Self.chain(x)
            return v[0] > 0 ? [y[0] * c, y[1] - c] : [y[2] * c * c, S.exp(y[3])]
        }
        let count = 9
        var points = (0..<(5 * count)).map { 0.7 * Double.sin(1.3 * Double($0) + 0.4) }
        for p in stride(from: 1, to: count, by: 3) { points[5 * p] = -Swift.abs(points[5 * p]) - 0.1 }
        for mode in [JacobianMode.reverse, .forward, .automatic] {
            let recorded = RecordedFunction(at: Array(points[0..<5])) { x in f(x) }
            var J = [Double](repeating: .nan, count: count * 2 * 5)
            try recorded.jacobians(at: points, into: &J, mode: mode)
            for p in 0..<count {
                let x = Array(points[(5 * p)..<(5 * p + 5)])
                let expected = jacobian(at: x, mode: .reverse) { (x: [Reverse<Double>]) in f(x) }
                for r in 0..<2 {
                    for j in 0..<5 {
                        let got = J[p * 10 + r * 5 + j], want = expected[r][j]
                        #expect(Swift.abs(got - want) <= 1e-14 * Swift.max(1, Swift.abs(want)),
                                "point \(p), mode \(mode), ∂f\(r)/∂x\(j): \(got) against \(want)")
                    }
                }
            }
            #expect(recorded.recordings > 1, "the points cross the branch on x0")
            let strict = RecordedFunction(at: Array(points[0..<5]), onBranchChange: .throwError) { x in f(x) }
            #expect(throws: RecordedGradientError.self) { try strict.jacobians(at: points, into: &J, mode: mode) }
        }
    }
}

/// A call counter a recorded closure can capture.
final class Counter: @unchecked Sendable {
    var count = 0
}

// LogSumExp and CubicRoot are the custom rules of FunctionalTests.swift.
@Suite("Custom derivative rules in a recording")
struct RecordedCustomRuleTests {
    func f<S: Real>(_ x: [S]) -> S { LogSumExp()([x[0] * x[1], x[1], S.sin(x[2])]) * x[2] }

    @Test("a custom rule is one recorded operation, replayed from the new inputs (not values captured when recorded)")
    func replayedFromInputs() throws {
        let g = RecordedGradient(at: [1000.0, 1.0, 0.5]) { x in LogSumExp()(x) }
        #expect(g.operationCount == 2)   // one rule of 3 inputs: a chain of two slots
        #expect(g.comparisonCount == 0)  // x.max() ran on plain numbers, inside the rule
        #expect(try g.gradient(at: [1000.0, 1000.0, 1000.0]) == [1.0 / 3, 1.0 / 3, 1.0 / 3])
        let x = [0.3, -1.2, 2.0]
        #expect(try g.gradient(at: x) == gradient(at: x) { x in LogSumExp()(x) })
        let h = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in f(x) }
        let y = [0.7, 0.4, -1.1]
        let expected = gradient(at: y) { x in f(x) }
        let replayed = try h.gradient(at: y)
        for (a, b) in zip(replayed, expected) { #expect(Swift.abs(a - b) <= 1e-15 * Swift.max(1, Swift.abs(b))) }
        #expect(h.recordings == 1)
    }

    @Test("second order through a custom rule by replay equals the one-shot Hessian, dense and sparse")
    func secondOrder() throws {
        let h = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in f(x) * CubicRoot()([x[0]]) }
        let y = [0.7, 0.4, -1.1]
        let H = try h.hessian(at: y)
        let expected = hessian(at: y) { x in f(x) * CubicRoot()([x[0]]) }
        let sparse = try h.sparseHessian(at: y)
        for i in 0..<3 {
            for j in 0..<3 {
                #expect(Swift.abs(H[i][j] - expected[i][j]) <= 1e-13 * Swift.max(1, Swift.abs(expected[i][j])))
                #expect(Swift.abs(sparse[i, j] - expected[i][j]) <= 1e-13 * Swift.max(1, Swift.abs(expected[i][j])))
            }
        }
        #expect(h.hessianSparsity.nonzeroCount == 9)
        let (_, t) = try h.jvp(at: y, direction: [1, -1, 2])
        let (_, t1) = jvp(at: y, direction: [1, -1, 2]) { x in [f(x) * CubicRoot()([x[0]])] }
        #expect(Swift.abs(t[0] - t1[0]) <= 1e-14 * Swift.max(1, Swift.abs(t1[0])))
    }
}
