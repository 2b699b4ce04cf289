import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// Every op against values computed by NumPy (see scripts/fixtures/make_tensor_fixtures.py).
@Suite("Tensor fixtures")
struct TensorFixtureTests {
    @Test("unary functions of the rule table", arguments: TensorFixture.load("unary.json"))
    func unary(_ c: TensorFixture) throws {
        let f = try #require(UnaryFunction.named(c.args["function"]!.string!), "unknown function \(c.name)")
        expectClose(c.inputs[0].map(f), c.output!, tol: 1e-13, c.name)
        // Float path agrees to single precision.
        let xf = Tensor<Float>(shape: c.inputs[0].shape, scalars: c.inputs[0].scalars.map(Float.init))
        expectClose(xf.map(f), c.output!, tol: 2e-5, c.name + " (Float)")
    }

    @Test("binary functions with broadcasting", arguments: TensorFixture.load("binary.json"))
    func binary(_ c: TensorFixture) throws {
        let name = c.args["function"]!.string!
        let f = try #require(BinaryFunction.allCases.first { $0.name == name })
        let (a, b) = (c.inputs[0], c.inputs[1])
        expectClose(a.zip(f, b), c.output!, tol: 1e-13, c.name)
        switch f {  // the operators and named wrappers are the same kernel
        case .add: expectClose(a + b, c.output!, c.name)
        case .subtract: expectClose(a - b, c.output!, c.name)
        case .multiply: expectClose(a * b, c.output!, c.name)
        case .divide: expectClose(a / b, c.output!, c.name)
        case .pow: expectClose(pow(a, b), c.output!, c.name)
        case .atan2: expectClose(atan2(y: a, x: b), c.output!, c.name)
        case .hypot: expectClose(hypot(a, b), c.output!, c.name)
        case .minimum: expectClose(minimum(a, b), c.output!, c.name)
        case .maximum: expectClose(maximum(a, b), c.output!, c.name)
        case .remainder: expectClose(a.remainder(dividingBy: b), c.output!, c.name)
        case .truncatingRemainder: expectClose(a.truncatingRemainder(dividingBy: b), c.output!, c.name)
        }
    }

    @Test("reductions with axes and keepingDimensions", arguments: TensorFixture.load("reduction.json"))
    func reduction(_ c: TensorFixture) throws {
        let x = c.inputs[0]
        let axes = c.args["axes"]?.ints
        let keep = c.args["keep"]?.bool ?? false
        let result: Tensor<Double>
        switch c.op {
        case "sum": result = x.sum(axes: axes, keepingDimensions: keep)
        case "mean": result = x.mean(axes: axes, keepingDimensions: keep)
        case "product": result = x.product(axes: axes, keepingDimensions: keep)
        case "min": result = try x.min(axes: axes, keepingDimensions: keep)
        case "max": result = try x.max(axes: axes, keepingDimensions: keep)
        case "variance":
            result = x.variance(axes: axes, correction: c.args["correction"]?.int ?? 1, keepingDimensions: keep)
        case "logSumExp": result = x.logSumExp(axes: axes, keepingDimensions: keep)
        case "norm":
            let p: Double = c.args["p"]?.string == "inf" ? .infinity : c.args["p"]!.double!
            result = x.norm(p: p, axes: axes, keepingDimensions: keep)
        case "argmin": result = try x.argmin(axis: c.args["axis"]?.int, keepingDimensions: keep)
        case "argmax": result = try x.argmax(axis: c.args["axis"]?.int, keepingDimensions: keep)
        case "frobeniusNorm": result = x.frobeniusNorm()
        default: Issue.record("unknown op \(c.op)"); return
        }
        expectClose(result, c.output!, tol: 1e-12, c.name)
    }

    @Test("shape operations and indexing", arguments: TensorFixture.load("shape.json"))
    func shape(_ c: TensorFixture) throws {
        let x = c.inputs[0]
        switch c.op {
        case "reshape": expectClose(x.reshaped(c.args["shape"]!.ints!), c.output!, c.name)
        case "transpose": expectClose(x.transposed(), c.output!, c.name)
        case "permute": expectClose(x.permuted(c.args["axes"]!.ints!), c.output!, c.name)
        case "expand": expectClose(x.expanded(to: c.args["shape"]!.ints!), c.output!, c.name)
        case "squeeze": expectClose(x.squeezed(), c.output!, c.name)
        case "unsqueeze": expectClose(x.unsqueezed(axis: c.args["axis"]!.int!), c.output!, c.name)
        case "concatenate": expectClose(concatenate(c.inputs, axis: c.args["axis"]!.int!), c.output!, c.name)
        case "stack": expectClose(stack(c.inputs, axis: c.args["axis"]!.int!), c.output!, c.name)
        case "split":
            let parts = x.split(sizes: c.args["sizes"]!.ints!, axis: c.args["axis"]!.int!)
            #expect(parts.count == c.outputs.count)
            for (p, e) in zip(parts, c.outputs) { expectClose(p, e, c.name) }
        case "index":
            let components: [any TensorIndexConvertible] = c.args["index"]!.list!.map { item in
                let l = item.list!
                switch l[0].string! {
                case "i": return l[1].int!
                case "all": return TensorIndex.all
                case "n": return TensorIndex.newAxis
                case "a": return l[1].ints!
                default: return TensorIndex.range(lower: l[1].int, upper: l[2].int, step: l[3].int!)
                }
            }
            expectClose(x._gather(x._selection(components.map(\.tensorIndex)).shape,
                                  x._selection(components.map(\.tensorIndex)).offsets), c.output!, c.name)
        default: Issue.record("unknown op \(c.op)")
        }
    }

    @Test("linear algebra (LAPACK for Double and Float, generic kernels for Dual)",
          arguments: TensorFixture.load("linalg.json"))
    func linalg(_ c: TensorFixture) throws {
        let x = c.inputs[0]
        let y = c.inputs.count > 1 ? c.inputs[1] : x
        let tol = 1e-10
        func dual(_ t: Tensor<Double>) -> Tensor<Dual<Double>> {
            Tensor(shape: t.shape, scalars: t.scalars.map { Dual($0, derivative: 0) })
        }
        func float(_ t: Tensor<Double>) -> Tensor<Float> { Tensor(shape: t.shape, scalars: t.scalars.map(Float.init)) }
        func values(_ t: Tensor<Dual<Double>>) -> Tensor<Double> { Tensor(shape: t.shape, scalars: t.scalars.map(\.value)) }
        switch c.op {
        case "matmul":
            expectClose(matmul(x, y), c.output!, tol: tol, c.name)
            expectClose(matmul(float(x), float(y)), c.output!, tol: 1e-5, c.name + " (Float)")
            expectClose(values(matmul(dual(x), dual(y))), c.output!, tol: tol, c.name + " (generic)")
        case "outer": expectClose(outer(x, y), c.output!, tol: tol, c.name)
        case "dot":
            expectClose(dot(x, y), c.output!, tol: tol, c.name)
            expectClose(values(dot(dual(x), dual(y))), c.output!, tol: tol, c.name + " (generic)")
        case "solve":
            expectClose(try solve(x, y), c.output!, tol: tol, c.name)
            expectClose(try solve(float(x), float(y)), c.output!, tol: 1e-4, c.name + " (Float)")
            expectClose(values(try solve(dual(x), dual(y))), c.output!, tol: tol, c.name + " (generic)")
        case "inverse":
            expectClose(try x.inverse(), c.output!, tol: tol, c.name)
            expectClose(values(try dual(x).inverse()), c.output!, tol: tol, c.name + " (generic)")
        case "determinant":
            expectClose(try x.determinant(), c.output!, tol: tol, c.name)
            expectClose(values(try dual(x).determinant()), c.output!, tol: tol, c.name + " (generic)")
        case "logDeterminant":
            let (s, l) = try x.logDeterminant()
            expectClose(s, c.outputs[0], c.name)
            expectClose(l, c.outputs[1], tol: tol, c.name)
            let (sg, lg) = try dual(x).logDeterminant()
            expectClose(values(sg), c.outputs[0], c.name + " (generic)")
            expectClose(values(lg), c.outputs[1], tol: tol, c.name + " (generic)")
        case "cholesky":
            expectClose(try cholesky(x), c.output!, tol: tol, c.name)
            expectClose(values(try cholesky(dual(x))), c.output!, tol: tol, c.name + " (generic)")
        case "triangularSolve":
            let lower = c.args["lower"]!.bool!, tr = c.args["transpose"]!.bool!
            expectClose(try triangularSolve(x, y, lower: lower, transpose: tr), c.output!, tol: tol, c.name)
            expectClose(values(try triangularSolve(dual(x), dual(y), lower: lower, transpose: tr)),
                        c.output!, tol: tol, c.name + " (generic)")
        case "eigh":
            let (w, v) = try eigh(x)
            expectClose(w, c.output!, tol: tol, c.name)
            // A·V = V·diag(w), and V orthonormal.
            expectClose(matmul(x, v), matmul(v, w.diagonalMatrix()), tol: 1e-10, c.name + " A·V")
            expectClose(matmul(v.transposed(), v), Tensor.eye(x.shape[0]), tol: 1e-12, c.name + " VᵀV")
        case "svd":
            let (u, s, vt) = try svd(x)
            expectClose(s, c.output!, tol: tol, c.name)
            expectClose(matmul(u * s, vt), x, tol: 1e-12, c.name + " U·S·Vᵀ")
        case "qr":
            let (q, r) = try qr(x)
            expectClose(abs(r.diagonal()), c.output!, tol: tol, c.name)
            expectClose(matmul(q, r), x, tol: 1e-12, c.name + " Q·R")
            expectClose(matmul(q.transposed(), q), Tensor.eye(q.shape[1]), tol: 1e-12, c.name + " QᵀQ")
            #expect(r == r.lowerZeroed(), "\(c.name): R is not upper triangular")
        case "leastSquares":
            expectClose(try leastSquares(x, y), c.output!, tol: 1e-10, c.name)
        default: Issue.record("unknown op \(c.op)")
        }
    }

    @Test("printing follows PyTorch's formatting", arguments: TensorFixture.load("printing.json"))
    func printing(_ c: TensorFixture) {
        #expect(c.inputs[0].description == c.text!)
    }
}

extension Tensor {
    /// `self` with everything below the diagonal set to zero (test helper).
    func lowerZeroed() -> Tensor {
        var out = self
        let n = shape[1]
        for i in 0..<shape[0] { for j in 0..<Swift.min(i, n) { out[scalarAt: [i, j]] = 0 } }
        return out
    }
}
