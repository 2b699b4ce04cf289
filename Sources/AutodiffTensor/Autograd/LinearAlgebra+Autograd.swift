import AutodiffCore
import RealModule

// Recorded linear algebra: each public operation is one node whose pullback is
// written with recorded operations (so `createGraph` differentiates it again).
// Formulas as in PyTorch's FunctionsManual.cpp / ChainRules' dense.jl.

extension Tensor {
    /// Recorded batched matrix product of two tensors of rank ≥ 2 (`MmBackward0`
    /// for two matrices, `BmmBackward0` otherwise); batch dimensions broadcast and
    /// the gradients are summed back to each input's shape.
    static func _matmulRecorded(_ a: Tensor, _ b: Tensor) -> Tensor {
        let name = a.rank == 2 && b.rank == 2 ? "MmBackward0" : "BmmBackward0"
        return _op("matmul", name, [a, b], saving: [a, b], { _matmulKernel(a, b) }) { g in
            if !isGradEnabled {
                // Not recorded (no createGraph): G·Bᵀ and Aᵀ·G without transposed copies (per
                // batch entry for batches), summed over the batch dimensions an input was
                // broadcast along.
                return [_if(a.requiresGrad) { _matmulTransposing(g, false, b, true)._sumToShape(a.shape) },
                        _if(b.requiresGrad) { _matmulTransposing(a, true, g, false)._sumToShape(b.shape) }]
            }
            return [_if(a.requiresGrad) { _matmulRecorded(g, b.transposed())._sumTo(a.shape) },
                    _if(b.requiresGrad) { _matmulRecorded(a.transposed(), g)._sumTo(b.shape) }]
        }
    }

    /// The matrix product `self · other` (PyTorch's `mm`/`matmul`; see ``matmul(_:_:)``).
    ///
    /// ```swift
    /// let hidden = relu(x.matmul(w1))
    /// ```
    public func matmul(_ other: Tensor) -> Tensor { AutodiffTensor.matmul(self, other) }

    /// The inverse of a square matrix (or batch) (`torch.linalg.inv`); differentiable:
    /// the gradient is −A⁻ᵀ·G·A⁻ᵀ.
    ///
    /// ```swift
    /// try Tensor<Double>([[2, 0], [0, 4]]).inverse()   // tensor([[0.5000, 0.0000], [0.0000, 0.2500]])
    /// ```
    ///
    /// - Throws: ``TensorError/singularMatrix(operation:shape:info:)`` and the
    ///   shape and finiteness errors.
    public func inverse() throws -> Tensor {
        try Tensor._op("inverse", "LinalgInvExBackward0", [self], saving: [self], savesOutput: true,
                       { try _inverseValue() }) { [self] g in
            let invT = try inverse().transposed()
            return [-(invT.matmul(g).matmul(invT))]
        }
    }

    /// The determinant of a square matrix (or batch); 0 for a singular matrix
    /// (`torch.linalg.det`). Its gradient is the transposed adjugate: det·A⁻ᵀ for
    /// a well-conditioned matrix; for a singular or nearly singular one (condition
    /// number above 1/√ε; Float and Double), as PyTorch,
    /// adj(A)ᵀ = det(U)·det(V)·U·diag(Π_{j≠i} s_j)·Vᵀ from the SVD A = U·diag(s)·Vᵀ.
    /// Both are recorded; a second derivative at a singular matrix goes through the
    /// SVD's derivative, which needs distinct singular values.
    ///
    /// ```swift
    /// try Tensor<Double>([[1, 2], [3, 4]]).determinant()   // tensor(-2.0000)
    /// ```
    public func determinant() throws -> Tensor {
        try Tensor._op("det", "LinalgDetBackward0", [self], saving: [self], { try _determinantValue() }) { [self] g in
            let d = try determinant()
            let scale = (g * d).unsqueezed(axis: -1).unsqueezed(axis: -1)
            if try !_isNumericallySingular() {
                do {
                    return [scale * (try inverse().transposed())]
                } catch TensorError.singularMatrix {}
            }
            return [g.unsqueezed(axis: -1).unsqueezed(axis: -1) * (try _adjugateTransposed())]
        }
    }

    /// Whether a matrix of the batch has a condition number above 1/√ε (Float and Double,
    /// from its singular values), where det·A⁻ᵀ loses more than half the digits.
    func _isNumericallySingular() throws -> Bool {
        guard _lapackType(Scalar.self) != nil, shape[rank - 1] > 0 else { return false }
        let s = try _svdValue(self).s
        let n = shape[rank - 1]
        let values = s._buffer.elements
        return stride(from: 0, to: values.count, by: n).contains { i in
            values[i + n - 1] <= values[i] * Scalar.ulpOfOne.squareRoot()
        }
    }

    /// adj(A)ᵀ, the gradient of det(A), through the SVD (recorded; valid for singular A).
    func _adjugateTransposed() throws -> Tensor {
        let (u, s, vt) = try AutodiffTensor.svd(self)
        // det(U)·det(V), a constant ±1 per matrix.
        let signs = try withNoGrad { try u.detach()._determinantValue() * vt.detach()._determinantValue() }
        let n = shape[rank - 1]
        let others = s._reshapeTo([s.count / Swift.max(n, 1), n])._exclusiveProductRows()._reshapeTo(s.shape)
        let core = u * others.unsqueezed(axis: -2)
        return core.matmul(vt) * signs.unsqueezed(axis: -1).unsqueezed(axis: -1)
    }

    /// The sign and log|det| of a square matrix (or batch) (`torch.linalg.slogdet`);
    /// `logAbsDeterminant` is differentiable (gradient A⁻ᵀ), the sign is constant.
    ///
    /// ```swift
    /// let (sign, logAbs) = try Tensor<Double>([[1, 2], [3, 4]]).logDeterminant()
    /// // sign: tensor(-1.), logAbs: tensor(0.6931)
    /// ```
    public func logDeterminant() throws -> (sign: Tensor, logAbsDeterminant: Tensor) {
        var sign = Tensor(Scalar(0))
        let logAbs = try Tensor._op("slogdet", "LinalgSlogdetBackward0", [self], saving: [self], {
            let r = try _logDeterminantValue()
            sign = r.sign
            return r.logAbsDeterminant
        }) { [self] g in
            [g.unsqueezed(axis: -1).unsqueezed(axis: -1) * (try inverse().transposed())]
        }
        return (sign, logAbs)
    }
}

/// The solution X of A·X = B (`torch.linalg.solve`); see the value kernel for
/// shapes (B is a vector, or a batch of vectors, by `torch.linalg.solve`'s rule).
/// Differentiable in both arguments: G_B = A⁻ᵀ·G, G_A = −G_B·Xᵀ, each summed over
/// the batch dimensions its input was broadcast along.
///
/// ```swift
/// let a: Tensor<Double> = [[3, 1], [1, 2]]
/// try solve(a, Tensor([9, 8]))   // tensor([2., 3.])
/// ```
///
/// - Throws: ``TensorError/singularMatrix(operation:shape:info:)``,
///   ``TensorError/notSquare(operation:shape:)``,
///   ``TensorError/shapeMismatch(operation:lhs:rhs:)``,
///   ``TensorError/nonFinite(operation:)``.
public func solve<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try Tensor._op("solve", "LinalgSolveExBackward0", [a, b], saving: [a, b], savesOutput: true,
                   { try _solveValue(a, b) }) { g in
        let isVector = _isVectorRightHandSide(a, b)
        let gb = try solve(a.transposed(), g)
        let x = try solve(a, b)
        let gb2 = isVector ? gb.unsqueezed(axis: -1) : gb
        let x2 = isVector ? x.unsqueezed(axis: -1) : x
        return [Tensor._if(a.requiresGrad) { (-gb2.matmul(x2.transposed()))._sumTo(a.shape) },
                Tensor._if(b.requiresGrad) { gb._sumTo(b.shape) }]
    }
}

/// The lower Cholesky factor L with A = L·Lᵀ (`torch.linalg.cholesky`),
/// reading the lower triangle of A. Differentiable; the gradient is the
/// symmetric matrix of PyTorch's `cholesky_backward`
/// (L⁻ᵀ·Φ(Lᵀ·G)·L⁻¹, symmetrised, Φ = lower triangle with halved diagonal).
///
/// ```swift
/// try cholesky(Tensor<Double>([[4, 2], [2, 3]]))   // tensor([[2.0000, 0.0000], [1.0000, 1.4142]])
/// ```
///
/// - Throws: ``TensorError/notPositiveDefinite(operation:shape:info:)`` and
///   the shape and finiteness errors.
public func cholesky<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try Tensor._op("cholesky", "LinalgCholeskyExBackward0", [a], saving: [a], savesOutput: true,
                   { try _choleskyValue(a) }) { g in
        let l = try cholesky(a)
        let n = a.shape[a.rank - 1]
        var phi = [Scalar](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { phi[i * n + j] = i == j ? 1 / 2 : 1 } }
        let p = l.transposed().matmul(g) * Tensor(_shape: [n, n], _scalars: phi)
        // S = L⁻ᵀ·P·L⁻¹ = L⁻ᵀ·(L⁻ᵀ·Pᵀ)ᵀ
        let left = try triangularSolve(l, p, lower: true, transpose: true)
        let s = try triangularSolve(l, left.transposed(), lower: true, transpose: true).transposed()
        return [(s + s.transposed()) / 2]
    }
}

/// Solves op(A)·X = B for a triangular A (`torch.linalg.solve_triangular`);
/// differentiable in both arguments (the gradient of A is restricted to the
/// triangle that is read).
///
/// ```swift
/// let l: Tensor<Double> = [[2, 0], [1, 1]]
/// try triangularSolve(l, Tensor([2, 3]), lower: true)   // tensor([1., 2.])
/// ```
///
/// - Throws: ``TensorError/singularMatrix(operation:shape:info:)`` for a zero
///   on the diagonal, and the shape and finiteness errors.
public func triangularSolve<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, lower: Bool,
                                    transpose: Bool = false, unitDiagonal: Bool = false) throws -> Tensor<Scalar> {
    try Tensor._op("triangular_solve", "LinalgSolveTriangularBackward0", [a, b], saving: [a, b], savesOutput: true, {
        try _triangularSolveValue(a, b, lower: lower, transpose: transpose, unitDiagonal: unitDiagonal)
    }) { g in
        let isVector = _isVectorRightHandSide(a, b)
        let gb = try triangularSolve(a, g, lower: lower, transpose: !transpose, unitDiagonal: unitDiagonal)
        let x = try triangularSolve(a, b, lower: lower, transpose: transpose, unitDiagonal: unitDiagonal)
        let gb2 = isVector ? gb.unsqueezed(axis: -1) : gb
        let x2 = isVector ? x.unsqueezed(axis: -1) : x
        var gaOp = -gb2.matmul(x2.transposed())
        if transpose { gaOp = gaOp.transposed() }
        let n = a.shape[a.rank - 1]
        var mask = [Scalar](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where (lower ? j <= i : j >= i) && !(unitDiagonal && i == j) { mask[i * n + j] = 1 }
        }
        return [Tensor._if(a.requiresGrad) { (gaOp._sumTo(a.shape)) * Tensor(_shape: [n, n], _scalars: mask) },
                Tensor._if(b.requiresGrad) { gb._sumTo(b.shape) }]
    }
}

/// Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a
/// symmetric matrix (`torch.linalg.eigh`); Float and Double only.
/// Differentiable (for distinct eigenvalues): G_A = V·(diag(G_w) + (VᵀG_V)_skew / E)·Vᵀ
/// with E_ij = w_j − w_i, as PyTorch.
///
/// ```swift
/// let (values, vectors) = try eigh(Tensor<Double>([[2, 1], [1, 2]]))
/// // values: tensor([1., 3.])
/// ```
///
/// - Throws: ``TensorError/unsupportedScalar(operation:scalar:)`` for other
///   scalars, ``TensorError/lapackFailure(operation:routine:info:)`` if it
///   does not converge, and the shape and finiteness errors.
public func eigh<Scalar>(_ a: Tensor<Scalar>) throws -> (eigenvalues: Tensor<Scalar>, eigenvectors: Tensor<Scalar>) {
    let r = try Tensor._opMulti("eigh", "LinalgEighBackward0", [a], saving: [a], {
        let (w, v) = try _eighValue(a)
        return [w, v]
    }) { grads in
        let (w, v) = try eigh(a)
        let n = a.shape[a.rank - 1]
        let vt = v.transposed()
        var inner = Tensor<Scalar>.zeros(a.shape)
        if let gv = grads[1] {
            let m = vt.matmul(gv)
            let skew = (m - m.transposed()) / 2
            // E_ij = w_j − w_i off the diagonal; 1 on it (then masked).
            let e = w.unsqueezed(axis: -2) - w.unsqueezed(axis: -1)
            var off = [Scalar](repeating: 1, count: n * n)
            for i in 0..<n { off[i * n + i] = 0 }
            let offMask = Tensor<Scalar>(_shape: [n, n], _scalars: off)
            inner = inner + skew / (e + (1 - offMask)) * offMask
        }
        if let gw = grads[0] { inner = inner + gw.diagonalMatrixBatched() }
        return [v.matmul(inner).matmul(vt)]
    }
    return (r[0], r[1])
}

/// The thin singular value decomposition A = U·diag(S)·Vᵀ
/// (`torch.linalg.svd(full_matrices=False)`); Float and Double only.
/// Differentiable for distinct nonzero singular values (PyTorch's `svd_backward`).
///
/// ```swift
/// let (u, s, vt) = try svd(Tensor<Double>([[3, 0], [0, 4]]))
/// // s: tensor([4., 3.])
/// ```
///
/// - Throws: as ``eigh(_:)``.
public func svd<Scalar>(_ a: Tensor<Scalar>) throws -> (u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>) {
    let r = try Tensor._opMulti("svd", "LinalgSvdBackward0", [a], saving: [a], {
        let (u, s, vt) = try _svdValue(a)
        return [u, s, vt]
    }) { grads in
        let (u, s, vt) = try svd(a)
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        let gS = grads[1]
        if grads[0] == nil && grads[2] == nil {
            return [u.matmul((gS ?? Tensor.zeros(s.shape)).diagonalMatrixBatched()).matmul(vt)]
        }
        let v = vt.transposed()
        let gU = grads[0] ?? Tensor.zeros(u.shape)
        let gV = (grads[2] ?? Tensor.zeros(vt.shape)).transposed()
        let utgu = u.transposed().matmul(gU)
        let vtgv = vt.matmul(gV)
        let skewU = utgu - utgu.transposed()
        let skewV = vtgv - vtgv.transposed()
        let s2 = s * s
        var off = [Scalar](repeating: 1, count: k * k)
        for i in 0..<k { off[i * k + i] = 0 }
        let offMask = Tensor<Scalar>(_shape: [k, k], _scalars: off)
        let e = s2.unsqueezed(axis: -2) - s2.unsqueezed(axis: -1) + (1 - offMask)
        var inner = (skewU * s.unsqueezed(axis: -2) + s.unsqueezed(axis: -1) * skewV) / e * offMask
        if let gS { inner = inner + gS.diagonalMatrixBatched() }
        var gA: Tensor<Scalar>
        if m > k {
            let gUSinv = gU / s.unsqueezed(axis: -2)
            gA = u.matmul(inner) + gUSinv - u.matmul(u.transposed().matmul(gUSinv))
            gA = gA.matmul(vt)
        } else if n > k {
            let gVSinv = gV / s.unsqueezed(axis: -2)
            gA = inner.matmul(vt) + gVSinv.transposed() - gVSinv.transposed().matmul(v).matmul(vt)
            gA = u.matmul(gA)
        } else {
            gA = u.matmul(inner).matmul(vt)
        }
        return [gA]
    }
    return (r[0], r[1], r[2])
}

extension Tensor {
    /// Diagonal matrices from the last dimension (recorded; a batched `diagonalMatrix`).
    func diagonalMatrixBatched() -> Tensor {
        let n = shape[rank - 1]
        let batch = Array(shape.dropLast())
        let b = batch.reduce(1, *)
        var offsets = [Int]()
        offsets.reserveCapacity(b * n)
        for bi in 0..<b { for i in 0..<n { offsets.append(bi * n * n + i * n + i) } }
        return _reshapeTo([b * n])._scatterRecorded(into: [b * n * n], at: offsets, name: "DiagEmbedBackward0")
            ._reshapeTo(batch + [n, n])
    }
}
