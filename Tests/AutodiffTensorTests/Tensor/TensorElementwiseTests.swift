import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// Same value, or both NaN (the fast kernels and the rule table may differ in a NaN's sign or payload).
func sameValue<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool {
    // == plus the sign of zero (−0 and +0 compare equal but are different results).
    (a.isNaN && b.isNaN) || (a == b && a.sign == b.sign)
}

/// Inputs covering every branch of the rule table: signs, zeros, integers, the
/// domains of log/acosh/atanh, large magnitudes, infinities and NaN.
let specialInputs: [Double] = [
    0, -0.0, 0.5, -0.5, 1, -1, 2, -2, 0.999, 1.5, -1.5, 3.7, -3.7, 10, -10, 40, -40, 710, -745,
    1e-300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
    .infinity, -.infinity, .nan,
]

@Suite("Tensor elementwise kernels")
struct TensorElementwiseTests {
    // MARK: Fast Float/Double kernels against the rule table

    @Test("map(f) on Double and Float tensors equals the rule table's value, bit for bit, for every function",
          arguments: UnaryFunction.allCases)
    func unaryMatchesRuleTable(_ f: UnaryFunction) {
        // exp, sin, ... through SLEEF: within 1 ULP instead (VectorMathTests).
        if VectorMathTests.available && vectorFunctions.contains(f) { return }
        // Small (serial) and large (split across cores) tensors.
        var rng = RandomGenerator(seed: 5)
        let random = (0..<100_000).map { _ in 8 * rng.nextUniform() - 4 }
        for xs in [specialInputs, random] {
            let d = Tensor<Double>(xs).map(f)
            for (x, y) in zip(xs, d.scalars) where !sameValue(y, f.evaluate(x).value) {
                Issue.record("\(f.name)(\(x)): tensor \(y), rule table \(f.evaluate(x).value)")
                break
            }
            let xf = xs.map(Float.init)
            let t = Tensor<Float>(xf).map(f)
            for (x, y) in zip(xf, t.scalars) where !sameValue(y, f.evaluate(x).value) {
                Issue.record("\(f.name)(\(x) as Float): tensor \(y), rule table \(f.evaluate(x).value)")
                break
            }
        }
    }

    @Test("zip(f) equals the rule table's value for every layout: same shape, scalar, broadcast, strided",
          arguments: BinaryFunction.allCases)
    func binaryMatchesRuleTable(_ f: BinaryFunction) {
        var rng = RandomGenerator(seed: 9)
        func random(_ shape: [Int]) -> Tensor<Double> {
            let n = shape.reduce(1, *)
            // Mix in special values so that NaN/∞/0 handling is covered in each layout.
            let xs = (0..<n).map { i in i % 7 == 3 ? specialInputs[i % specialInputs.count] : 6 * rng.nextUniform() - 3 }
            return Tensor(shape: shape, scalars: xs)
        }
        let shapes: [([Int], [Int])] = [
            ([5], [5]), ([2, 3], []), ([], [2, 3]), ([3, 1], [1, 4]), ([2, 3, 4], [3, 1]), ([4], [3, 1]),
            ([2, 1, 4], [2, 3, 1]), ([1], [6]), ([200_000], [200_000]), ([200_000], []), ([], [0]), ([0, 3], [3]),
            // Large broadcasts, whose rows are split across cores.
            ([1000, 300], [1000, 1]), ([3, 500, 100], [500, 1]), ([300], [700, 300]),
        ]
        for (sa, sb) in shapes {
            let a = random(sa), b = random(sb)
            let out = a.zip(f, b)
            let ea = a.expanded(to: out.shape).scalars, eb = b.expanded(to: out.shape).scalars
            for i in 0..<out.count where !sameValue(out.scalars[i], f.evaluate(ea[i], eb[i]).value) {
                Issue.record("\(f.name) \(sa)·\(sb) at \(i): tensor \(out.scalars[i]), rule table \(f.evaluate(ea[i], eb[i]).value)")
                break
            }
            // Float, and the same result whichever operand broadcasts.
            let af = Tensor<Float>(shape: a.shape, scalars: a.scalars.map(Float.init))
            let bf = Tensor<Float>(shape: b.shape, scalars: b.scalars.map(Float.init))
            let outf = af.zip(f, bf)
            let eaf = af.expanded(to: out.shape).scalars, ebf = bf.expanded(to: out.shape).scalars
            for i in 0..<outf.count where !sameValue(outf.scalars[i], f.evaluate(eaf[i], ebf[i]).value) {
                Issue.record("\(f.name) Float \(sa)·\(sb) at \(i): \(outf.scalars[i]) vs \(f.evaluate(eaf[i], ebf[i]).value)")
                break
            }
        }
    }

    @Test("a large tensor split across cores gives the same result as element by element")
    func parallelChunks() {
        // Sizes around the chunking boundaries (not multiples of the chunk count).
        for n in [(1 << 16) - 1, 1 << 17, 1_000_003] {
            let x = Tensor<Double>((0..<n).map { Double($0) * 1e-3 - 7 })
            // (atan: a scalar loop; for SLEEF's see VectorMathTests.positionIndependent)
            let y = atan(x) + x * 2
            #expect(y.count == n)
            let s = y.scalars
            #expect(zip(x.scalars, s).allSatisfy { $1 == Double.atan($0) + $0 * 2 }, "n=\(n)")
        }
    }

    // MARK: Comparisons, where, clamped, subscripts

    @Test("comparison masks broadcast, with scalars, and treat NaN like IEEE")
    func comparisons() {
        let a = Tensor<Double>([1, 2, 3, .nan])
        let b = Tensor<Double>([3, 2, 1, 0])
        #expect((a .== b).scalars == [0, 1, 0, 0])
        #expect((a .!= b).scalars == [1, 0, 1, 1])
        #expect((a .< b).scalars == [1, 0, 0, 0])
        #expect((a .<= b).scalars == [1, 1, 0, 0])
        #expect((a .> b).scalars == [0, 0, 1, 0])
        #expect((a .>= b).scalars == [0, 1, 1, 0])
        #expect((a .> 1.5).scalars == [0, 1, 1, 0])
        #expect((a .== 2).scalars == [0, 1, 0, 0])
        let col: Tensor<Double> = [[1], [2]]
        let row = Tensor<Double>([0, 1, 2])
        let m = col .<= row
        #expect(m.shape == [2, 3] && m.scalars == [0, 1, 1, 0, 0, 1])
        let f = Tensor<Float>([1, 5]) .< Tensor<Float>(3)
        #expect(f.scalars == [1, 0])
    }

    @Test("where picks with broadcasting of condition and both branches")
    func whereSelect() {
        let x = Tensor<Double>([-1, 2, -3])
        #expect(`where`(x .> 0, x, Tensor(0.0)).scalars == [0, 2, 0])
        let cond: Tensor<Double> = [[1], [0]]
        let r = `where`(cond, Tensor<Double>([1, 2, 3]), Tensor<Double>(-1))
        #expect(r.shape == [2, 3] && r.scalars == [1, 2, 3, -1, -1, -1])
        // Any nonzero (including NaN) selects the first branch.
        let c2 = Tensor<Double>([2, .nan, 0])
        #expect(`where`(c2, Tensor<Double>([1, 1, 1]), Tensor<Double>([9, 9, 9])).scalars == [1, 1, 9])
    }

    @Test("clamped with either or both bounds; NaN stays NaN")
    func clamped() {
        let x = Tensor<Double>([-2, 0.5, 3, .nan])
        let both = x.clamped(min: 0, max: 1).scalars
        #expect(both[0..<3] == [0, 0.5, 1] && both[3].isNaN)
        #expect(x.clamped(min: 0).scalars[0..<3] == [0, 0.5, 3])
        #expect(x.clamped(max: 1).scalars[0..<3] == [-2, 0.5, 1])
        #expect(x.clamped().scalars[0..<3] == [-2, 0.5, 3])
        let big = Tensor<Float>((0..<100_000).map { Float($0) - 50_000 }).clamped(min: -1, max: 1)
        #expect(big.scalars.first == -1 && big.scalars.last == 1 && big.scalars[50_000] == 0)
    }

    @Test("subscript(scalarAt:) reads and writes with negative indices, and copies on write")
    func subscripts() {
        var m: Tensor<Double> = [[1, 2, 3], [4, 5, 6]]
        #expect(m[scalarAt: [1, 0]] == 4)
        #expect(m[scalarAt: [-1, -1]] == 6)
        #expect(m[scalarAt: [0, -3]] == 1)
        let original = m
        m[scalarAt: [0, 1]] = 20
        m[scalarAt: [-1, 0]] = 40
        #expect(m.scalars == [1, 20, 3, 40, 5, 6])
        #expect(original.scalars == [1, 2, 3, 4, 5, 6], "the copy was modified")
        var s = Tensor<Double>(3)
        s[scalarAt: []] = 4
        #expect(s.scalars == [4])
    }

    // MARK: Dual tensors: the generic kernels carry derivatives of the rule table

    func dualSeeded(_ xs: [Double]) -> Tensor<Dual<Double>> { Tensor(xs.map { Dual($0, derivative: 1) }) }

    /// The generic kernel evaluates the rule on `Dual` numbers, so composite
    /// rules (sigmoid, softplus, …) differentiate through their own arithmetic:
    /// equal to the rule table's derivative up to rounding.
    @Test("map(f) of a Dual tensor gives the rule table's derivative", arguments: UnaryFunction.allCases)
    func dualUnary(_ f: UnaryFunction) {
        // Inside and outside the domains of acosh (> 1), atanh/asin/acos (|x| < 1), log (> 0).
        let xs: [Double] = [0.3, 0.7, -0.4, 1.6, 2.5, -1.3]
        let y = dualSeeded(xs).map(f)
        func close(_ a: Double, _ b: Double) -> Bool {
            sameValue(a, b) || Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b))
        }
        for (x, d) in zip(xs, y.scalars) {
            let r = f.evaluate(x)
            #expect(close(d.value, r.value) && close(d.derivative, r.derivative),
                    "\(f.name)(\(x)): \(d) vs (\(r.value), \(r.derivative))")
        }
    }

    @Test("exp of a Dual tensor has derivative exp(x); broadcasting and reductions carry derivatives")
    func dualBroadcastAndReduce() throws {
        let xs: [Double] = [0.5, -1, 2]
        let e = exp(dualSeeded(xs))
        for (x, d) in zip(xs, e.scalars) { #expect(d.derivative == Double.exp(x) && d.value == Double.exp(x)) }

        // x (seeded, shape [3, 1]) · c (constant, shape [1, 2]): ∂/∂x = c, broadcast.
        let x = Tensor<Dual<Double>>(shape: [3, 1], scalars: xs.map { Dual($0, derivative: 1) })
        let c = Tensor<Dual<Double>>(shape: [1, 2], scalars: [Dual(constant: 10), Dual(constant: -3)])
        let p = x * c
        #expect(p.shape == [3, 2])
        #expect(p.scalars.map(\.derivative) == [10, -3, 10, -3, 10, -3])
        #expect(p.scalars.map(\.value) == [5, -1.5, -10, 3, 20, -6])
        let q = x + c - x / c
        for (i, d) in q.scalars.enumerated() {
            let cv = [10.0, -3][i % 2]
            #expect(Swift.abs(d.derivative - (1 - 1 / cv)) < 1e-15)
        }

        // Reductions: d/dt Σ = Σ seeds; product rule; mean; max picks the largest element's derivative.
        let t = Tensor<Dual<Double>>([Dual(2, derivative: 1), Dual(3, derivative: 0.5), Dual(-1, derivative: 2)])
        #expect(t.sum().scalars[0].derivative == 3.5)
        #expect(t.sum().scalars[0].value == 4)
        let prod = t.product().scalars[0]
        // (2·3·(−1))' = 1·3·(−1) + 2·0.5·(−1) + 2·3·2 = −3 − 1 + 12.
        #expect(prod.value == -6 && prod.derivative == 8)
        #expect(Swift.abs(t.mean().scalars[0].derivative - 3.5 / 3) < 1e-15)
        #expect(try t.max().scalars[0].derivative == 0.5)
        #expect(try t.min().scalars[0].derivative == 2)
        let m = Tensor<Dual<Double>>(shape: [2, 2], scalars: [Dual(1, derivative: 1), Dual(2, derivative: 2),
                                                               Dual(3, derivative: 3), Dual(4, derivative: 4)])
        #expect(m.sum(axes: [0]).scalars.map(\.derivative) == [4, 6])
        #expect(m.sum(axes: [1], keepingDimensions: true).shape == [2, 1])
        #expect(m.sum(axes: [1]).scalars.map(\.derivative) == [3, 7])
        // Matrix product: d(A·A)/dt with dA/dt = A is 2·A·A here (A commutes with itself).
        let aa = matmul(m, m)
        #expect(aa.scalars.map(\.derivative) == aa.scalars.map { 2 * $0.value })
    }

    // MARK: Preconditions (exit tests)
}

/// Exit tests of misuse messages: `scripts/test.sh` runs every suite whose name contains
/// "MisuseMessages" again against a release build, where the messages must print too.
@Suite("Tensor elementwise: misuse messages")
struct TensorElementwiseMisuseMessages {
    @Test("a broadcasting mismatch stops with a message naming the operation and both shapes")
    func broadcastPrecondition() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]) + Tensor<Double>.zeros([4])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("add") && stderr.contains("[2, 3]") && stderr.contains("[4]")
                && stderr.contains("broadcasting"), "message was: \(stderr)")
    }

    @Test("a broadcasting mismatch in a named function names it")
    func broadcastPreconditionNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = atan2(y: Tensor<Float>.zeros([3, 2]), x: Tensor<Float>.zeros([3]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("atan2") && stderr.contains("[3, 2]") && stderr.contains("[3]"), "message was: \(stderr)")
    }

    @Test("matmul with mismatched inner dimensions stops naming matmul and both shapes")
    func matmulPrecondition() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([4, 5]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("matmul") && stderr.contains("[2, 3]") && stderr.contains("[4, 5]"),
                "message was: \(stderr)")
    }

    @Test("matmul with batch dimensions that do not broadcast stops naming both shapes")
    func matmulBatchPrecondition() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor<Double>.zeros([2, 3, 4]), Tensor<Double>.zeros([5, 4, 2]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("matmul") && stderr.contains("[2, 3, 4]") && stderr.contains("[5, 4, 2]")
                && stderr.contains("batch"), "message was: \(stderr)")
    }
}
