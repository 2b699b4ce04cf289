import AutodiffCore
import RealModule

// choleskySolve, pinv and matrixExp: each one recorded node, its value from the kernels of
// Tensor+LinearAlgebra.swift and its pullback, PyTorch's formula, written with recorded
// operations (so `createGraph` differentiates it again).

/// The solution X of A·X = B given the lower Cholesky factor L of A = L·Lᵀ
/// (PyTorch: `torch.cholesky_solve(b, l)`, same argument order), reading only the lower
/// triangle of `l`. B is `[…, n, k]`, or a vector `[n]` or batch of vectors `[…, n]` by
/// ``solve(_:_:)``'s rule; batch dimensions broadcast.
///
/// ```swift
/// let a: Tensor<Double> = [[4, 2], [2, 3]]
/// let x = try choleskySolve(Tensor([[6], [5]]), cholesky: try cholesky(a))   // [[1], [1]], as solve(a, b)
/// ```
///
/// Differentiable in both arguments, as PyTorch's `cholesky_solve_backward`
/// (FunctionsManual.cpp): G_B = (L·Lᵀ)⁻¹·G and G_L = −(G_B·Xᵀ + X·G_Bᵀ)·L, the gradient of
/// (L·Lᵀ)⁻¹·B for a full L (so, as in PyTorch, not restricted to the lower triangle; a
/// `cholesky` before it ignores the upper part); each summed over broadcast batch dimensions.
///
/// - Throws: ``TensorError/singularMatrix(operation:shape:info:)`` for a zero on the
///   diagonal of L, ``TensorError/notSquare(operation:shape:)``,
///   ``TensorError/shapeMismatch(operation:lhs:rhs:)`` and ``TensorError/nonFinite(operation:)``,
///   each naming `choleskySolve`.
public func choleskySolve<Scalar>(_ b: Tensor<Scalar>, cholesky l: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try Tensor._op("cholesky_solve", "CholeskySolveBackward0", [b, l], saving: [b, l], savesOutput: true, {
        let y = try _triangularSolveValue(l, b, lower: true, operation: "choleskySolve")
        return try _triangularSolveValue(l, y, lower: true, transpose: true, operation: "choleskySolve")
    }) { g in
        let isVector = _isVectorRightHandSide(l, b)
        let gb = try choleskySolve(g, cholesky: l)
        let x = try choleskySolve(b, cholesky: l)
        let gb2 = isVector ? gb.unsqueezed(axis: -1) : gb
        let x2 = isVector ? x.unsqueezed(axis: -1) : x
        let common = gb2.matmul(x2.transposed())
        return [Tensor._if(b.requiresGrad) { gb._sumTo(b.shape) },
                Tensor._if(l.requiresGrad) { (-(common + common.transposed()).matmul(l))._sumTo(l.shape) }]
    }
}

/// The Moore–Penrose pseudo-inverse A⁺ of a matrix (or batch) `[…, m, n]`, shape `[…, n, m]`
/// (PyTorch: `torch.linalg.pinv` with its default tolerance): from the SVD A = U·diag(s)·Vᵀ,
/// A⁺ = V·diag(s⁺)·Uᵀ where singular values at most max(m, n)·ε·s_max count as zero.
/// Float and Double only.
///
/// ```swift
/// let p = try pinv(Tensor<Double>([[1, 0], [0, 2], [0, 0]]))   // [[1, 0, 0], [0, 0.5, 0]]
/// ```
///
/// Differentiable where the rank is locally constant, with PyTorch's `pinv_backward`
/// (FunctionsManual.cpp); with P = A⁺ and K = Gᵀ·P (m ≤ n):
/// G_A = −(P·K)ᵀ + K·Pᵀ − A·P·K·Pᵀ + Pᵀ·P·(Gᵀ − K·A), and the transposed arrangement for
/// m > n. Recorded, so it differentiates again.
///
/// - Throws: ``TensorError/unsupportedScalar(operation:scalar:)`` for other scalars,
///   ``TensorError/rankMismatch(operation:shape:expected:)`` below rank 2,
///   ``TensorError/nonFinite(operation:)`` and LAPACK failures, each naming `pinv`.
public func pinv<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try Tensor._op("pinv", "LinalgPinvBackward0", [a], saving: [a], savesOutput: true, { try _pinvValue(a) }) { g in
        let p = try pinv(a)
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        let pt = p.transposed(), gt = g.transposed()
        if m <= n {
            let k = gt.matmul(p)
            let kpt = k.matmul(pt)
            return [-p.matmul(k).transposed() + kpt - a.matmul(p).matmul(kpt) + pt.matmul(p).matmul(gt - k.matmul(a))]
        }
        let k = p.matmul(gt)
        let ptk = pt.matmul(k)
        return [-k.matmul(p).transposed() + (gt - a.matmul(k)).matmul(p).matmul(pt) + ptk - ptk.matmul(p).matmul(a)]
    }
}

/// The value of ``pinv(_:)``.
func _pinvValue<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let op = "pinv"
    let (batch, m, n) = try a._checkMatrices(op, square: false)
    let k = Swift.min(m, n)
    if k == 0 { return Tensor.zeros(batch + [n, m]) }
    let (u, s, vt) = try _svdValue(a, operation: op)
    let rtol = Scalar(Swift.max(m, n)) * Scalar.ulpOfOne
    var inverted = s._buffer.elements
    for start in stride(from: 0, to: inverted.count, by: k) {
        let cutoff = rtol * inverted[start]   // singular values are descending
        for i in start..<(start + k) { inverted[i] = inverted[i] > cutoff ? 1 / inverted[i] : 0 }
    }
    let sPlus = Tensor(_shape: s.shape, _scalars: inverted)
    // V·diag(s⁺)·Uᵀ = (U·diag(s⁺)·Vᵀ)ᵀ.
    return Tensor._matmulKernel(u * sPlus.unsqueezed(axis: -2), vt).transposed()
}

/// The matrix exponential exp(A) = Σ Aᵏ/k! of a square matrix (or batch)
/// (PyTorch: `torch.linalg.matrix_exp`): scaling and squaring with the [13/13] Padé
/// approximant (Higham 2005, as SciPy's `expm`). Any scalar with a `solve`.
///
/// ```swift
/// let e = try matrixExp(Tensor<Double>([[0, 1], [0, 0]]))   // [[1, 1], [0, 1]]
/// ```
///
/// Differentiable, as PyTorch's `linalg_matrix_exp_differential` (FunctionsManual.cpp):
/// G_A is the upper-right n×n block of exp([[Aᵀ, G], [0, Aᵀ]]), computed by this
/// operation again, so every order is available.
///
/// - Throws: ``TensorError/notSquare(operation:shape:)``,
///   ``TensorError/rankMismatch(operation:shape:expected:)`` and
///   ``TensorError/nonFinite(operation:)``, each naming `matrixExp`.
public func matrixExp<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try Tensor._op("matrix_exp", "LinalgMatrixExpBackward0", [a], saving: [a], { try _matrixExpValue(a) }) { g in
        let n = a.shape[a.rank - 1]
        let at = a.transposed()
        let block = concatenate([concatenate([at, g], axis: -1),
                                 concatenate([Tensor<Scalar>.zeros(at.shape), at], axis: -1)], axis: -2)
        let e = try matrixExp(block)
        return [e.split(sizes: [n, n], axis: -2)[0].split(sizes: [n, n], axis: -1)[1]]
    }
}

/// The value of ``matrixExp(_:)``, one matrix at a time (each with its own scaling).
func _matrixExpValue<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let op = "matrixExp"
    let (batch, n, _) = try a._checkMatrices(op, square: true)
    if n == 0 { return a }
    // The [13/13] Padé coefficients and the 1-norm up to which it is accurate to ε (Higham 2005).
    let b: [Scalar] = [64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800,
                       129060195264000, 10559470521600, 670442572800, 33522128640, 1323241920,
                       40840800, 960960, 16380, 182, 1]
    let theta = Scalar(5371920351148152) / Scalar(1_000_000_000_000_000)   // 5.371920351148152
    let eye = Tensor<Scalar>.eye(n)
    var out = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        let m = a._matrix(i, n * n)
        let norm = (0..<n).map { j in (0..<n).reduce(Scalar(0)) { $0 + m[$1 * n + j].magnitude } }.max()!
        var squarings = 0
        var scaled = norm
        while scaled > theta { scaled = scaled / 2; squarings += 1 }
        let x = Tensor(_shape: [n, n], _scalars: m) * Scalar.pow(2, -squarings)
        let x2 = x.matmul(x), x4 = x2.matmul(x2), x6 = x4.matmul(x2)
        let u = x.matmul(x6.matmul(x6 * b[13] + x4 * b[11] + x2 * b[9]) + x6 * b[7] + x4 * b[5] + x2 * b[3] + eye * b[1])
        let v = x6.matmul(x6 * b[12] + x4 * b[10] + x2 * b[8]) + x6 * b[6] + x4 * b[4] + x2 * b[2] + eye * b[0]
        var r = try _solveValue(v - u, v + u)
        for _ in 0..<squarings { r = r.matmul(r) }
        out._appendBatch(r._buffer.elements)
    }
    return Tensor(_shape: a.shape, _scalars: out)
}
