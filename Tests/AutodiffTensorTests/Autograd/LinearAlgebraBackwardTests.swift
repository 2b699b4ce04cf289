import RealModule
import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

@Suite("Issue 14: linear-algebra and axis fixes")
struct LinearAlgebraBackwardTests {
    @Test("solve and triangularSolve: batched A with a vector right-hand side")
    func batchedVectorRightHandSide() throws {
        let a = agRandom([2, 2, 2], 101) + Tensor<Double>.eye(2) * 3
        let b = agRandom([2], 102)
        // Values: each batch solved on its own.
        let x = try solve(a, b)
        #expect(x.shape == [2, 2])
        for i in 0..<2 { #expect(agClose(x[i], try solve(a[i], b))) }
        try tensorGradcheck("solve [2,2,2] · [2]", [a, b]) { try solve($0[0], $0[1]) }
        try tensorGradcheck("triangularSolve [2,2,2] · [2]", [a, b]) { try triangularSolve($0[0], $0[1], lower: true) }
        try tensorGradcheck("triangularSolve transposed [2,2,2] · [2]", [a, b]) {
            try triangularSolve($0[0], $0[1], lower: false, transpose: true)
        }
        let a3 = agRandom([2, 3, 3], 103) + Tensor<Double>.eye(3) * 3
        try tensorGradcheck("solve [2,3,3] · [3]", [a3, agRandom([3], 104)]) { try solve($0[0], $0[1]) }
    }

    @Test("a batch of vectors [batch, n] with batch == n is a batch of vectors, as in torch.linalg.solve")
    func batchOfVectors() throws {
        let a = agRandom([2, 2, 2], 105) + Tensor<Double>.eye(2) * 3
        let b = agRandom([2, 2], 106)
        let x = try solve(a, b)
        #expect(x.shape == [2, 2])
        for i in 0..<2 { #expect(agClose(x[i], try solve(a[i], b[i]))) }
        let t = try triangularSolve(a, b, lower: true)
        for i in 0..<2 { #expect(agClose(t[i], try triangularSolve(a[i], b[i], lower: true))) }
        try tensorGradcheck("solve batch of vectors", [a, b]) { try solve($0[0], $0[1]) }
        try tensorGradcheck("triangularSolve batch of vectors", [a, b]) { try triangularSolve($0[0], $0[1], lower: true) }
        // [batch, n] with another rank of A is a matrix (torch's rule).
        let m = try solve(agRandom([2, 2], 107) + Tensor<Double>.eye(2) * 3, b)
        #expect(m.shape == [2, 2])
    }

    @Test("broadcast batch dimensions: gradients summed back to each input's shape")
    func broadcastBatches() throws {
        let a = agRandom([2, 1, 3, 3], 108) + Tensor<Double>.eye(3) * 3
        let b = agRandom([4, 3, 2], 109)
        try tensorGradcheck("solve [2,1,3,3] · [4,3,2]", [a, b]) { try solve($0[0], $0[1]) }
        try tensorGradcheck("triangularSolve [2,1,3,3] · [4,3,2]", [a, b]) { try triangularSolve($0[0], $0[1], lower: false) }
        let single = agRandom([3, 3], 110) + Tensor<Double>.eye(3) * 3
        try tensorGradcheck("solve [3,3] · [2,3,1]", [single, agRandom([2, 3, 1], 111)]) { try solve($0[0], $0[1]) }
        try tensorGradchecks("solve second order", [a, b]) { try solve($0[0], $0[1]) }
    }

    @Test("negative axes on 0-d tensors, as PyTorch's dim -1 and 0")
    func zeroDimensionalAxes() throws {
        let x = Tensor<Double>(0.5)
        #expect(x.sum(axes: [-1]).scalars == [0.5])
        #expect(x.sum(axes: [0]).shape == [])
        #expect(x.mean(axes: [-1], keepingDimensions: true).shape == [])
        #expect(x.norm(axes: [-1]).scalars == [0.5])
        #expect(x.logSumExp(axes: [-1]).scalars == [0.5])
        #expect(x.product(axes: [-1]).scalars == [0.5])
        #expect(x.unsqueezed(axis: -1).shape == [1])
        #expect(x.squeezed(axis: -1).shape == [])
        try tensorGradcheck("0-d sum(axes: [-1])", [x]) { ($0[0] * $0[0]).sum(axes: [-1]) }
    }

    @Test("product at exact zeros: differentiable twice")
    func productAtZeros() throws {
        try tensorGradchecks("product one zero", [Tensor([[0, 2, 3], [1, 0.5, 2]])]) { $0[0].product(axes: [1]) }
        try tensorGradchecks("product two zeros", [Tensor([[0, 2, 0], [1, 0, 0]])]) { $0[0].product(axes: [1]) }
        try tensorGradchecks("product all axes", [Tensor([[0, 2], [1.5, 3]])]) { $0[0].product() }
        try tensorGradchecks("product leading axis", [Tensor([[0, 2], [1.5, 0]])]) { $0[0].product(axes: [0]) }
        // Hessian-vector product through a zero: d²(xyz)/dx dy = z.
        let v = Tensor<Double>([0, 2, 3], requiresGrad: true)
        let g = try gradients(of: [v.product()], withRespectTo: [v], createGraph: true)[0]!
        let h = try gradients(of: [g[0]], withRespectTo: [v])[0]!
        #expect(h.scalars == [0, 3, 2])
    }

    @Test("determinant: the adjugate as gradient at singular matrices")
    func determinantSingular() throws {
        let a = Tensor<Double>([[1, 2], [2, 4]], requiresGrad: true)
        try a.determinant().backward()
        #expect(agClose(a.grad!, Tensor([[4, -2], [-2, 1]]), 1e-9))
        let rank2 = matmul(agRandom([3, 2], 112), agRandom([2, 3], 113))
        try tensorGradcheck("determinant rank 2", [rank2]) { try $0[0].determinant() }
        let rank1 = outer(agRandom([3], 114), agRandom([3], 115))
        try tensorGradcheck("determinant rank 1", [rank1]) { try $0[0].determinant() }
        try tensorGradcheck("determinant batch, one singular", [stack([rank2, agRandom([3, 3], 116)])]) {
            try $0[0].determinant()
        }
    }

    @Test("leastSquares: a numerically rank-deficient A throws rankDeficient")
    func leastSquaresRankDeficient() throws {
        let a = Tensor<Double>([[1, 2], [2, 4], [3, 6]])
        #expect(throws: TensorError.self) { try leastSquares(a, Tensor([1, 2, 3])) }
        do {
            _ = try leastSquares(a, Tensor([1, 2, 3]))
        } catch let TensorError.rankDeficient(operation, shape, rank) {
            #expect(operation == "leastSquares" && shape == [3, 2] && rank == 1)
        }
        #expect(throws: TensorError.self) { try leastSquares(a.transposed(), Tensor([1, 2])) }
        let x = try leastSquares(Tensor<Double>([[1, 0], [1, 1], [1, 2]]), Tensor([1, 2, 3]))
        #expect(agClose(x, Tensor([1, 1])))
    }

    @Test("leastSquares: derivative for square, tall and wide (minimum-norm) full-rank A, batched, first and second order")
    func leastSquaresDerivative() throws {
        let a = agRandom([4, 2], 118), b = agRandom([4], 119), bm = agRandom([4, 3], 120)
        try tensorGradchecks("leastSquares vector", [a, b]) { try leastSquares($0[0], $0[1]) }
        try tensorGradchecks("leastSquares matrix", [a, bm]) { try leastSquares($0[0], $0[1]) }
        try tensorGradcheck("leastSquares square", [agRandom([3, 3], 121) + Tensor<Double>.eye(3) * 2, agRandom([3], 122)]) {
            try leastSquares($0[0], $0[1])
        }
        // Wide: the minimum-norm solution A⁺B, as torch.linalg.lstsq and pinv(a) @ b.
        let wide = agRandom([2, 4], 123), wb = agRandom([2, 3], 124)
        let x = try leastSquares(wide, wb)
        let pinv = wide.transposed().matmul(try inverse(wide.matmul(wide.transposed())))
        #expect(agClose(x, pinv.matmul(wb)))
        try tensorGradchecks("leastSquares wide matrix", [wide, wb]) { try leastSquares($0[0], $0[1]) }
        try tensorGradchecks("leastSquares wide vector", [wide, agRandom([2], 125)]) { try leastSquares($0[0], $0[1]) }
        // Batched, with broadcast batch dimensions and a batch of vectors (first order here;
        // the PyTorch fixture has their Hessian-vector products).
        try tensorGradcheck("leastSquares [2,1,3,2] · [2,3,1]", [agRandom([2, 1, 3, 2], 126), agRandom([2, 3, 1], 127)]) {
            try leastSquares($0[0], $0[1])
        }
        try tensorGradcheck("leastSquares [2,2,3] · [2,2]", [agRandom([2, 2, 3], 128), agRandom([2, 2], 129)]) {
            try leastSquares($0[0], $0[1])
        }
    }

    @Test("qr: PyTorch's backward for square, tall and wide inputs, first and second order")
    func qrBackward() throws {
        for shape in [[3, 3], [4, 2], [2, 3, 2], [2, 3], [2, 2, 4], [1, 3]] {
            let a = agRandom(shape, 117) + (shape == [3, 3] ? Tensor<Double>.eye(3) * 2 : Tensor<Double>(0))
            try tensorGradchecks("qr \(shape)", [a]) { v in
                let (q, r) = try qr(v[0])
                let wq = Tensor<Double>.arange(q.count).reshaped(q.shape)
                return (q * wq).sum() + (r * r).sum(axes: [-1])
            }
        }
    }

    @Test("matrixExp works for generic scalars: d/dt exp(t·A) at t = 1 is A·exp(A), through Dual numbers")
    func matrixExpDual() throws {
        let a = Tensor<Double>([[0.3, -1.2, 0.5], [0.8, 0.1, -0.4], [-0.6, 0.9, 0.2]]) * 3
        let seeded = Tensor<Dual<Double>>(shape: a.shape, scalars: a.scalars.map { Dual($0, derivative: $0) })
        let e = try matrixExp(seeded)
        let expected = try matrixExp(a)
        #expect(agClose(Tensor(shape: a.shape, scalars: e.scalars.map(\.value)), expected, 1e-12))
        #expect(agClose(Tensor(shape: a.shape, scalars: e.scalars.map(\.derivative)), a.matmul(expected), 1e-11))
    }

    @Test("lu: P·L·U = A for square, tall and wide batches; the generic kernel (Dual) agrees with LAPACK")
    func luReconstructs() throws {
        for shape in [[3, 3], [2, 4, 2], [2, 4], [1, 1]] {
            let a = agRandom(shape, 130)
            let (p, l, u) = try lu(a)
            #expect(agClose(p.matmul(l).matmul(u), a, 1e-13), "\(shape)")
        }
        let a = agRandom([3, 3], 131)
        let d = try lu(Tensor<Dual<Double>>(shape: a.shape, scalars: a.scalars.map { Dual($0, derivative: 0) }))
        let r = try lu(a)
        #expect(d.p.scalars.map(\.value) == r.p.scalars)
        #expect(agClose(Tensor(shape: [3, 3], scalars: d.u.scalars.map(\.value)), r.u, 1e-13))
        #expect(agClose(try luSolve(r, Tensor([1, 2, 3])), try solve(a, Tensor([1, 2, 3])), 1e-12))
    }
}
