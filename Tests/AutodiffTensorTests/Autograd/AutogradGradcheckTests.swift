import Foundation
import RealModule
import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// Central finite differences of `f(inputs)·w` (w fixed random weights) against
/// the gradients of one backward pass, for every input.
func tensorGradcheck(_ name: String, _ inputs: [Tensor<Double>], h: Double = 1e-6, tol: Double = 1e-5,
                     _ f: ([Tensor<Double>]) throws -> Tensor<Double>) throws {
    var rng = RandomGenerator(seed: 77)
    let probe = try f(inputs)
    let w = Tensor<Double>.randomUniform(probe.shape, lower: 0.5, upper: 1.5, using: &rng)
    func objective(_ xs: [Tensor<Double>]) throws -> Double { try withNoGrad { try (f(xs) * w).sum().item() } }
    let leaves = inputs.map { $0.detach().requiringGrad() }
    try (f(leaves) * w).sum().backward()
    for (k, x) in inputs.enumerated() {
        let analytic = leaves[k].grad?.scalars ?? [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = inputs, minus = inputs
            var p = x.scalars, m = x.scalars
            p[i] += h; m[i] -= h
            plus[k] = Tensor(shape: x.shape, scalars: p)
            minus[k] = Tensor(shape: x.shape, scalars: m)
            let numeric = (try objective(plus) - objective(minus)) / (2 * h)
            let ok = Swift.abs(numeric - analytic[i]) <= tol * Swift.max(1, Swift.abs(numeric))
            #expect(ok, "\(name): input \(k) element \(i): numeric \(numeric), analytic \(analytic[i])")
        }
    }
}

/// Central finite differences of the first-order gradient (in the direction of fixed random
/// weights `u`) against a second backward pass through the recorded first one
/// (`createGraph`): checks Hessian-vector products, for every input.
func tensorGradgradcheck(_ name: String, _ inputs: [Tensor<Double>], h: Double = 1e-5, tol: Double = 1e-4,
                         _ f: ([Tensor<Double>]) throws -> Tensor<Double>) throws {
    var rng = RandomGenerator(seed: 78)
    let probe = try f(inputs)
    let w = Tensor<Double>.randomUniform(probe.shape, lower: 0.5, upper: 1.5, using: &rng)
    let u = inputs.map { Tensor<Double>.randomUniform($0.shape, lower: 0.5, upper: 1.5, using: &rng) }
    // Σ_k ⟨∂(f·w)/∂x_k, u_k⟩, recorded when `create`.
    func directional(_ leaves: [Tensor<Double>], create: Bool) throws -> Tensor<Double> {
        let y = (try f(leaves) * w).sum()
        let grads = try gradients(of: [y], withRespectTo: leaves, createGraph: create)
        var s = Tensor<Double>(0)
        for (k, g) in grads.enumerated() { if let g { s = s + (g * u[k]).sum() } }
        return s
    }
    let leaves = inputs.map { $0.detach().requiringGrad() }
    let s = try directional(leaves, create: true)
    let second = s.requiresGrad ? try gradients(of: [s], withRespectTo: leaves) : leaves.map { _ in nil }
    for (k, x) in inputs.enumerated() {
        let analytic = second[k]?.scalars ?? [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = inputs, minus = inputs
            var p = x.scalars, m = x.scalars
            p[i] += h; m[i] -= h
            plus[k] = Tensor(shape: x.shape, scalars: p).requiringGrad()
            minus[k] = Tensor(shape: x.shape, scalars: m).requiringGrad()
            let sp = try directional(plus.map { $0.detach().requiringGrad() }, create: false).item()
            let sm = try directional(minus.map { $0.detach().requiringGrad() }, create: false).item()
            let numeric = (sp - sm) / (2 * h)
            let ok = Swift.abs(numeric - analytic[i]) <= tol * Swift.max(1, Swift.abs(numeric))
            #expect(ok, "\(name) (second order): input \(k) element \(i): numeric \(numeric), analytic \(analytic[i])")
        }
    }
}

/// Both checks: first order and second order.
func tensorGradchecks(_ name: String, _ inputs: [Tensor<Double>],
                      _ f: ([Tensor<Double>]) throws -> Tensor<Double>) throws {
    try tensorGradcheck(name, inputs, f)
    try tensorGradgradcheck(name, inputs, f)
}

func agClose(_ a: Tensor<Double>, _ b: Tensor<Double>, _ tol: Double = 1e-9) -> Bool {
    a.shape == b.shape && Swift.zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
}

func agRandom(_ shape: [Int], _ seed: UInt64, lower: Double = -1, upper: Double = 1) -> Tensor<Double> {
    var rng = RandomGenerator(seed: seed)
    return Tensor<Double>.randomUniform(shape, lower: lower, upper: upper, using: &rng)
}

@Suite("Autograd: gradients against central finite differences")
struct AutogradGradcheckTests {
    @Test("every unary function of the rule table, through map")
    func unaryRuleTable() throws {
        for f in UnaryFunction.allCases {
            if case .rounded = f { continue }   // piecewise constant: FD is 0 too, but steps at ties
            let domain: (Double, Double)
            switch f {
            case .acosh: domain = (1.2, 2)
            case .log, .log2, .log10, .sqrt, .root, .gamma, .logGamma: domain = (0.3, 2)
            case .asin, .acos, .atanh: domain = (-0.8, 0.8)
            case .power(let n) where n < 0: domain = (0.5, 2)
            default: domain = (-1.5, 1.5)
            }
            var x = agRandom([5], 3, lower: domain.0, upper: domain.1)
            if f == .abs || f == .relu { x = Tensor([-1.2, -0.4, 0.3, 0.9, 1.4]) }
            try tensorGradcheck(f.name, [x]) { $0[0].map(f) }
        }
    }

    @Test("every binary function, with broadcasting")
    func binaryRuleTable() throws {
        for f in BinaryFunction.allCases {
            let a = agRandom([2, 3], 5, lower: 0.5, upper: 2)
            let b = agRandom([3], 6, lower: 0.6, upper: 1.9)
            if f == .remainder || f == .truncatingRemainder {
                try tensorGradcheck(f.name, [Tensor([[2.3, 5.3, 7.5], [3.5, 4.4, 6.2]]), Tensor([1.1, 1.7, 2.3])]) { $0[0].zip(f, $0[1]) }
                continue
            }
            try tensorGradcheck(f.name, [a, b]) { $0[0].zip(f, $0[1]) }
            try tensorGradcheck(f.name + " (column)", [a, agRandom([2, 1], 7, lower: 0.5, upper: 2)]) { $0[0].zip(f, $0[1]) }
        }
        let a = agRandom([2, 3], 8)
        try tensorGradcheck("scalar ops", [a]) { x in
            let u: Tensor<Double> = 2 - x[0] * 3
            let v: Tensor<Double> = 1 / (x[0] + 4)
            return u + v - x[0] / 2
        }
        try tensorGradcheck("negate, clamp, where", [a, agRandom([3], 9)]) { x in
            `where`(x[0] .> 0, -x[0], x[1]) + x[0].clamped(min: -0.5, max: 0.5)
        }
    }

    @Test("reductions")
    func reductions() throws {
        let x = agRandom([2, 3, 4], 11, lower: 0.2, upper: 1.5)
        try tensorGradcheck("sum", [x]) { $0[0].sum() }
        try tensorGradcheck("sum axes", [x]) { $0[0].sum(axes: [0, 2]) }
        try tensorGradcheck("sum keep", [x]) { $0[0].sum(axes: [1], keepingDimensions: true) }
        try tensorGradcheck("mean", [x]) { $0[0].mean(axes: [2]) }
        try tensorGradcheck("product", [x]) { $0[0].product(axes: [1]) }
        try tensorGradcheck("product with a zero", [Tensor([[0, 2, 3], [1, 0, 0]])]) { $0[0].product(axes: [1]) }
        try tensorGradcheck("min", [x]) { try $0[0].min(axes: [2]) }
        try tensorGradcheck("max", [x]) { try $0[0].max() }
        try tensorGradcheck("norm 2", [x]) { $0[0].norm(axes: [1]) }
        try tensorGradcheck("norm 1", [x - 0.8]) { $0[0].norm(p: 1) }
        try tensorGradcheck("norm 3", [x]) { $0[0].norm(p: 3, axes: [0]) }
        try tensorGradcheck("norm inf", [x]) { $0[0].norm(p: .infinity, axes: [2]) }
        try tensorGradcheck("frobenius", [x]) { $0[0].frobeniusNorm() }
        try tensorGradcheck("variance", [x]) { $0[0].variance(axes: [1]) }
        try tensorGradcheck("std", [x]) { $0[0].standardDeviation() }
        try tensorGradcheck("logSumExp", [x]) { $0[0].logSumExp(axes: [0, 2]) }
    }

    @Test("shape operations and indexing")
    func shapes() throws {
        let x = agRandom([2, 3, 4], 12)
        try tensorGradcheck("reshape", [x]) { $0[0].reshaped([4, -1]) * Tensor.arange(6) }
        try tensorGradcheck("transpose", [x]) { $0[0].transposed() * Tensor.arange(3) }
        try tensorGradcheck("permute", [x]) { $0[0].permuted([2, 0, 1]) }
        try tensorGradcheck("squeeze/unsqueeze/flatten", [x]) { $0[0].unsqueezed(axis: 1).squeezed().flattened() }
        try tensorGradcheck("expand", [agRandom([3, 1], 13)]) { $0[0].expanded(to: [2, 3, 4]) }
        try tensorGradcheck("concatenate", [x, agRandom([2, 1, 4], 14)]) { concatenate([$0[0], $0[1]], axis: 1) }
        try tensorGradcheck("stack", [x, agRandom([2, 3, 4], 15)]) { stack([$0[0], $0[1]], axis: 2) }
        try tensorGradcheck("split", [x]) { let p = $0[0].split(sizes: [1, 3], axis: 2); return p[0] * p[1].sum(axes: [2], keepingDimensions: true) }
        try tensorGradcheck("subscript", [x]) { $0[0][1, 0..<2] }
        try tensorGradcheck("subscript indices", [x]) { $0[0][TensorIndex.all, [2, 0, 2]] }
        try tensorGradcheck("subscript assignment", [x, agRandom([4], 16)]) { v in
            var t = v[0] * 1
            t[0, 1] = v[1]
            return t * t
        }
        try tensorGradcheck("diagonal", [agRandom([3, 3], 17)]) { $0[0].diagonal() }
        try tensorGradcheck("diagonalMatrix", [agRandom([3], 18)]) { $0[0].diagonalMatrix() }
    }

    @Test("matrix products and LAPACK operations")
    func linearAlgebra() throws {
        let a = agRandom([3, 3], 21) + Tensor<Double>.eye(3) * 3
        let b = agRandom([3, 2], 22)
        try tensorGradcheck("matmul", [a, b]) { matmul($0[0], $0[1]) }
        try tensorGradcheck("batched matmul", [agRandom([2, 3, 4], 23), agRandom([4, 2], 24)]) { matmul($0[0], $0[1]) }
        try tensorGradcheck("matrix-vector", [a, agRandom([3], 25)]) { matmul($0[0], $0[1]) }
        try tensorGradcheck("dot/outer", [agRandom([3], 26), agRandom([3], 27)]) { dot($0[0], $0[1]) * outer($0[0], $0[1]) }
        try tensorGradcheck("solve", [a, b]) { try solve($0[0], $0[1]) }
        try tensorGradcheck("solve vector", [a, agRandom([3], 28)]) { try solve($0[0], $0[1]) }
        try tensorGradcheck("inverse", [a]) { try $0[0].inverse() }
        try tensorGradcheck("determinant", [a]) { try $0[0].determinant() }
        try tensorGradcheck("logDeterminant", [a]) { try $0[0].logDeterminant().logAbsDeterminant }
        // Symmetric parametrisations: these operations read one triangle.
        try tensorGradcheck("cholesky", [agRandom([3, 3], 29)]) { v in
            try cholesky(matmul(v[0], v[0].transposed()) + Tensor.eye(3))
        }
        try tensorGradcheck("triangularSolve", [a, b]) { v in
            try triangularSolve(v[0], v[1], lower: true) + (try triangularSolve(v[0], v[1], lower: false, transpose: true))
        }
        try tensorGradcheck("eigh", [agRandom([3, 3], 30)]) { v in
            let s = v[0] + v[0].transposed()
            let (w, vecs) = try eigh(s)
            return w.sum() * 0.5 + (vecs * vecs * Tensor.arange(3)).sum()
        }
        for shape in [[3, 3], [4, 2], [2, 4]] {
            try tensorGradcheck("svd \(shape)", [agRandom(shape, 31)]) { v in
                let (u, s, vt) = try svd(v[0])
                // Sign-invariant functions of the factors.
                let wu = Tensor<Double>.arange(u.shape[0] * u.shape[1]).reshaped(u.shape)
                let wv = Tensor<Double>.arange(vt.shape[0] * vt.shape[1]).reshaped(vt.shape)
                let t1: Tensor<Double> = (u * u * wu).sum()
                let t2: Tensor<Double> = (vt * vt * wv).sum()
                return s.sum() + t1 + t2
            }
        }
    }
}
