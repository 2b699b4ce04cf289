import Foundation
import Testing
@testable import AutodiffTensor

/// A case of Tests/AutodiffTensorTests/Fixtures/linalg_autograd.json, generated once by
/// scripts/fixtures/make_linalg_fixtures.py with PyTorch (float64): a small program of
/// linear-algebra operations, its observed outputs, the loss Σₖ sum(observedₖ · weightsₖ),
/// the gradient of the loss with respect to every input and a Hessian-vector product
/// ∂⟨gradients, direction⟩/∂input from PyTorch's double backward.
struct LinalgAutogradCase: CustomStringConvertible, Sendable {
    let name: String
    let op: String
    let flags: [String: Bool]
    let constants: [Tensor<Double>]
    let inputs: [Tensor<Double>]
    let observed: [Tensor<Double>]
    let weights: [Tensor<Double>]
    let loss: Double
    let grads: [Tensor<Double>]
    let direction: [Tensor<Double>]
    let hvp: [Tensor<Double>]
    var description: String { name }

    static func load() -> [LinalgAutogradCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/linalg_autograd.json")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { c in
            func tensors(_ key: String) -> [Tensor<Double>] {
                (c[key] as! [[String: Any]]).map { d in
                    Tensor(shape: (d["shape"] as! [NSNumber]).map(\.intValue),
                           scalars: (d["data"] as! [NSNumber]).map(\.doubleValue))
                }
            }
            return LinalgAutogradCase(
                name: c["name"] as! String, op: c["op"] as! String,
                flags: ((c["args"] as? [String: Any]) ?? [:]).compactMapValues { ($0 as? NSNumber)?.boolValue },
                constants: tensors("constants"), inputs: tensors("inputs"), observed: tensors("observed"),
                weights: tensors("weights"), loss: (c["loss"] as! NSNumber).doubleValue, grads: tensors("grads"),
                direction: tensors("direction"), hvp: tensors("hvp"))
        }
    }

    /// The program named `op`, with our API: the same table as `PROGRAMS` in the generator.
    func program(_ x: [Tensor<Double>]) throws -> [Tensor<Double>] {
        let c = constants
        /// V·diag(c)·Wᵀ-style products: `left · diag(scale) · right`.
        func scaled(_ left: Tensor<Double>, _ scale: Tensor<Double>, _ right: Tensor<Double>) -> Tensor<Double> {
            (left * scale.unsqueezed(axis: -2)).matmul(right)
        }
        switch op {
        case "matmul": return [matmul(x[0], x[1])]
        case "dot": return [dot(x[0], x[1])]
        case "outer": return [outer(x[0], x[1])]
        case "trace": return [x[0].trace()]
        case "solve": return [try solve(x[0], x[1])]
        case "triangularSolve":
            return [try triangularSolve(x[0], x[1], lower: flags["lower"]!, transpose: flags["transpose"]!,
                                        unitDiagonal: flags["unitDiagonal"]!)]
        case "inverse": return [try inverse(x[0])]
        case "determinant": return [try determinant(x[0])]
        case "logDeterminant":
            let (sign, logAbs) = try logDeterminant(x[0])
            return [sign, logAbs]
        case "cholesky": return [try cholesky(x[0])]
        case "eigh":
            let (w, v) = try eigh(x[0])
            return [w, scaled(v, c[0], v.transposed())]
        case "eighValues": return [try eigh(x[0]).eigenvalues]
        case "svd":
            let (u, s, vt) = try svd(x[0])
            return [s, scaled(u, c[0], vt)]
        case "svdValues": return [try svd(x[0]).s]
        case "qr":
            let (q, r) = try qr(x[0])
            return [scaled(q, c[0], r), scaled(q, c[1], q.transposed()), scaled(r.transposed(), c[2], r)]
        case "qrR": return [abs(try qr(x[0]).r)]
        case "qrQ":
            let q = try qr(x[0]).q
            return [scaled(q, c[0], q.transposed())]
        case "svdU":
            let u = try svd(x[0]).u
            return [scaled(u, c[0], u.transposed())]
        case "svdV":
            let vt = try svd(x[0]).vt
            return [scaled(vt.transposed(), c[0], vt)]
        case "eighVectors":
            let v = try eigh(x[0]).eigenvectors
            return [scaled(v, c[0], v.transposed())]
        case "leastSquares": return [try leastSquares(x[0], x[1])]
        case "choleskySolve": return [try choleskySolve(x[0], cholesky: x[1])]
        case "pinv": return [try pinv(x[0])]
        case "lu":
            let (p, l, u) = try lu(x[0])
            return [p, l, u]
        case "luSolve": return [try luSolve(try lu(x[0]), x[1])]
        case "matrixExp": return [try matrixExp(x[0])]
        case "choleskySolveChain":
            let l = try cholesky(x[0])
            return [try triangularSolve(l, try triangularSolve(l, x[1], lower: true), lower: true, transpose: true)]
        case "logDetGram": return [try logDeterminant(x[0].transposed().matmul(x[0])).logAbsDeterminant]
        case "inverseTimes": return [try inverse(x[0]).matmul(x[1])]
        case "solveThenDet": return [try determinant(try solve(x[0], x[1]))]
        case "eighOfGram": return [try eigh(x[0].transposed().matmul(x[0])).eigenvalues]
        default:
            Issue.record("no program for fixture op \(op)")
            return []
        }
    }
}

/// The tolerance rule of the PyTorch comparison: every element within 1e-9 of PyTorch's,
/// relative to the larger of 1 and the largest magnitude in the expected tensor
/// (|a − e| ≤ 1e-9 · max(1, ‖e‖∞)), and equal shapes.
func expectCloseToTorch(_ actual: Tensor<Double>, _ expected: Tensor<Double>, _ context: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(context): shape \(actual.shape), PyTorch \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let scale = Swift.max(1, expected.scalars.map(\.magnitude).max() ?? 0)
    let worst = Swift.zip(actual.scalars, expected.scalars).map { ($0 - $1).magnitude }.max() ?? 0
    #expect(worst <= 1e-9 * scale, "\(context): max error \(worst)\n got \(actual)\n PyTorch \(expected)",
            sourceLocation: sourceLocation)
}

@Suite("Issue 14: linear algebra against PyTorch, values, gradients and Hessian-vector products")
struct LinalgAutogradFixtureTests {
    @Test("every fixture program", arguments: LinalgAutogradCase.load())
    func program(_ c: LinalgAutogradCase) throws {
        let leaves = c.inputs.map { $0.requiringGrad() }
        let observed = try c.program(leaves)
        #expect(observed.count == c.observed.count)
        for (k, (o, e)) in Swift.zip(observed, c.observed).enumerated() { expectCloseToTorch(o.detach(), e, "observed \(k)") }
        var loss = Tensor<Double>(0)
        for (o, w) in Swift.zip(observed, c.weights) { loss = loss + (o * w).sum() }
        expectCloseToTorch(loss.detach(), Tensor(c.loss), "loss")

        let grads = try gradients(of: [loss], withRespectTo: leaves, createGraph: true)
        for (k, g) in grads.enumerated() {
            expectCloseToTorch(g?.detach() ?? .zeros(c.inputs[k].shape), c.grads[k], "gradient \(k)")
        }
        var s = Tensor<Double>(0)
        for (k, g) in grads.enumerated() { if let g { s = s + (g * c.direction[k]).sum() } }
        let second = s.requiresGrad ? try gradients(of: [s], withRespectTo: leaves) : leaves.map { _ in nil }
        for (k, h) in second.enumerated() {
            expectCloseToTorch(h ?? .zeros(c.inputs[k].shape), c.hvp[k], "Hessian-vector product \(k)")
        }
        // First order again without createGraph: the pullbacks take their unrecorded paths
        // (gemm with transposition flags, no graph for the backward's own operations).
        let plainLeaves = c.inputs.map { $0.requiringGrad() }
        var plainLoss = Tensor<Double>(0)
        for (o, w) in Swift.zip(try c.program(plainLeaves), c.weights) { plainLoss = plainLoss + (o * w).sum() }
        for (k, g) in try gradients(of: [plainLoss], withRespectTo: plainLeaves).enumerated() {
            expectCloseToTorch(g ?? .zeros(c.inputs[k].shape), c.grads[k], "gradient \(k) without createGraph")
        }
        // Nothing the program was given is modified.
        for (x, original) in Swift.zip(leaves, c.inputs) { #expect(x.detach().scalars == original.scalars) }
    }
}
