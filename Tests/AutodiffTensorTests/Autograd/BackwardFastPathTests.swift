import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// The pullbacks with a separate unrecorded fast path (no `createGraph`): batched
/// matmul through gemm's transposition flags, logSumExp from its saved result, and the
/// strided gather behind expand/transpose/permute. First order compares the fast path
/// with finite differences; second order (`createGraph`) runs the recorded path, and
/// its finite differences are taken of the fast path.
@Suite("Autograd: unrecorded fast paths of pullbacks")
struct BackwardFastPathTests {
    @Test("batched matmul: same batch, broadcast batches, at first and second order")
    func batchedMatmul() throws {
        let cases: [([Int], [Int])] = [([2, 3, 4], [2, 4, 5]), ([3, 4], [2, 4, 5]), ([2, 3, 4], [4, 2]),
                                       ([2, 1, 3, 4], [3, 4, 2]), ([1, 3, 2], [2, 2, 3])]
        for (k, (sa, sb)) in cases.enumerated() {
            let a = agRandom(sa, 400 + UInt64(k)), b = agRandom(sb, 500 + UInt64(k))
            try tensorGradchecks("matmul \(sa) · \(sb)", [a, b]) { matmul($0[0], $0[1]) }
        }
    }

    @Test("batched products of transposed operands equal the products of transposed copies")
    func transposingProducts() {
        for (sa, sb) in [([2, 3, 4], [2, 3, 5]), ([4, 3], [2, 4, 5]), ([2, 1, 4, 3], [3, 4, 5])] {
            let a = agRandom(sa, 41), b = agRandom(sb, 42)
            // op(a)·op(b) with op the transpose of the last two dimensions, where the shapes allow.
            for (ta, tb) in [(true, false), (false, true), (true, true), (false, false)] {
                let ra = ta ? a._transposeLast2() : a, rb = tb ? b._transposeLast2() : b
                guard ra.shape[ra.rank - 1] == rb.shape[rb.rank - 2] else { continue }
                let fast = Tensor._matmulTransposing(a, ta, b, tb)
                let copied = Tensor._matmulKernel(ra, rb)
                #expect(agClose(fast, copied, 1e-13), "\(sa) \(ta) · \(sb) \(tb)")
            }
        }
    }

    @Test("logSumExp along each axis, all axes and kept dimensions, at first and second order")
    func logSumExp() throws {
        let x = agRandom([3, 4, 2], 61, lower: -3, upper: 3)
        try tensorGradchecks("logSumExp axis 0", [x]) { $0[0].logSumExp(axes: [0]) }
        try tensorGradchecks("logSumExp axis 2 kept", [x]) { $0[0].logSumExp(axes: [2], keepingDimensions: true) * $0[0] }
        try tensorGradchecks("logSumExp all", [x]) { $0[0].logSumExp() }
        try tensorGradchecks("logSumExp axes 0, 2", [x]) { $0[0].logSumExp(axes: [0, 2]) }
        // Large values (shifted by the maximum) and a gradient that reaches the input twice.
        let big = x * 200
        let leaf = big.detach().requiringGrad()
        try (leaf.logSumExp(axes: [1]).sum() + leaf.sum()).backward()
        let softmax = withNoGrad { exp(big - big.logSumExp(axes: [1], keepingDimensions: true)) + 1 }
        #expect(agClose(leaf.grad!, softmax, 1e-12))
    }

    @Test("subtraction with broadcasting on either side, at first and second order")
    func subtraction() throws {
        try tensorGradchecks("a − column", [agRandom([3, 4], 71), agRandom([3, 1], 72)]) { ($0[0] - $0[1]) * $0[0] }
        try tensorGradchecks("row − a", [agRandom([4], 73), agRandom([2, 3, 4], 74)]) { ($0[0] - $0[1]) * $0[1] }
    }

    @Test("the strided gather (expand, transpose, permute) equals element-by-element indexing")
    func stridedGather() {
        let x = Tensor<Double>(shape: [2, 3, 4, 5], scalars: (0..<120).map(Double.init))
        for axes in [[0, 1, 2, 3], [3, 2, 1, 0], [0, 2, 1, 3], [1, 0, 3, 2], [0, 1, 3, 2], [2, 3, 0, 1]] {
            let p = x._permute(axes)
            let st = x.strides
            var expected = [Double]()
            for i in 0..<p.shape[0] { for j in 0..<p.shape[1] { for k in 0..<p.shape[2] { for l in 0..<p.shape[3] {
                let idx = [i, j, k, l]
                var offset = 0
                for d in 0..<4 { offset += idx[d] * st[axes[d]] }
                expected.append(x.scalars[offset])
            } } } }
            #expect(p.shape == axes.map { x.shape[$0] } && p.scalars == expected, "permute \(axes)")
        }
        let column = Tensor<Double>(shape: [2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])
        #expect(column._expand(to: [2, 3, 2]).scalars == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])
        #expect(column._expand(to: [2, 2, 3, 3]).scalars == Array(repeating: [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6], count: 2).flatMap { $0 })
        let row = Tensor<Double>([1, 2, 3])
        #expect(row._expand(to: [2, 1, 3]).scalars == [1, 2, 3, 1, 2, 3])
        let middle = Tensor<Double>(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        #expect(middle._expand(to: [2, 3, 2]).scalars == [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        #expect(Tensor<Double>(7)._expand(to: [1, 1]).scalars == [7])
        #expect(Tensor<Double>(shape: [1, 1], scalars: [7])._permute([1, 0]).scalars == [7])
        #expect(Tensor<Double>(shape: [0, 3], scalars: [])._permute([1, 0]).shape == [3, 0])
        // A generic scalar takes the same path.
        let dual = Tensor<Dual<Double>>(shape: [2, 1], scalars: [Dual(1, derivative: 2), Dual(3, derivative: 4)])
        #expect(dual._expand(to: [2, 2]).scalars.map(\.value) == [1, 1, 3, 3])
    }

    @Test("gradients accumulate in place only into storage no tensor of the caller shares")
    func accumulation() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        try (x * x + x).sum().backward()   // three contributions to x: 2x + 1
        #expect(x.grad!.scalars == [3, 5, 7])
        let held = x.grad!
        try (x * 2).sum().backward()       // into .grad, which `held` shares
        #expect(held.scalars == [3, 5, 7])
        #expect(x.grad!.scalars == [5, 7, 9])
        // A seed that reaches one node twice is not modified.
        let seed = Tensor<Double>([1, 10, 100])
        let y = x * 1
        let leaf = Tensor<Double>([0, 0, 0], requiresGrad: true)
        try (y + y + leaf).backward(gradient: seed)
        #expect(seed.scalars == [1, 10, 100])
        #expect(leaf.grad!.scalars == [1, 10, 100])
        #expect(x.grad!.scalars == [7, 27, 209])
        // Float and a generic scalar take the same path.
        let f = Tensor<Float>([1, 2], requiresGrad: true)
        try (f * f + f).sum().backward()
        #expect(f.grad!.scalars == [3, 5])
        let d = Tensor<Dual<Double>>(shape: [1], scalars: [Dual(1, derivative: 1)], requiresGrad: true)
        try (d * d + d).sum().backward()
        #expect(d.grad!.scalars[0].value == 3)
    }

    @Test("a GMM-like objective (batched matmul of a transposed factor, axis sums, logSumExp) at second order")
    func gmmLike() throws {
        let k = 2, n = 3, d = 2
        let points = agRandom([1, n, d], 81)
        try tensorGradchecks("gmm-like", [agRandom([k], 82), agRandom([k, d], 83), agRandom([k, d * d], 84)]) { v in
            let qt = v[2].reshaped([k, d, d]).transposed(1, 2)
            let centered = points - v[1].reshaped([k, 1, d])
            let t = matmul(centered, qt)
            let terms = v[0].reshaped([k, 1]) - (t * t).sum(axes: [2]) * 0.5
            return terms.logSumExp(axes: [0]).sum() - v[0].logSumExp() * Double(n)
        }
    }
}

@Suite("Autograd: node names of the rule table")
struct RuleNodeNameTests {
    @Test("the spelled-out names equal the case names (forward) and PyTorch's capitalised form (backward)")
    func names() {
        let special: [UnaryFunction: (String, String)] = [
            .negate: ("negate", "NegBackward0"), .expMinusOne: ("expMinusOne", "Expm1Backward0"),
            .logOnePlus: ("logOnePlus", "Log1PBackward0"), .logGamma: ("logGamma", "LgammaBackward0")]
        for f in UnaryFunction.allCases {
            switch f {
            case .power: #expect(f.forwardName == "pow" && f.backwardName == "PowBackward0")
            case .root: #expect(f.forwardName == "root" && f.backwardName == "RootBackward0")
            case .rounded: #expect(f.forwardName == "round" && f.backwardName == "RoundBackward0")
            default:
                let n = "\(f)"
                let expected = special[f] ?? (n, n.prefix(1).uppercased() + n.dropFirst() + "Backward0")
                #expect(f.forwardName == expected.0 && f.backwardName == expected.1, "\(n)")
            }
        }
        let renamed: [BinaryFunction: String] = [.add: "add", .subtract: "sub", .multiply: "mul", .divide: "div",
                                                 .truncatingRemainder: "fmod"]
        for f in BinaryFunction.allCases { #expect(f.forwardName == renamed[f] ?? "\(f)") }
    }
}
