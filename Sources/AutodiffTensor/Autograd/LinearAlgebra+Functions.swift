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

/// The LU factorisation with partial pivoting A = P·L·U of a matrix (or batch) `[…, m, n]`
/// (PyTorch: `torch.linalg.lu`): P `[…, m, m]` a permutation matrix, L `[…, m, k]` unit lower
/// triangular, U `[…, k, n]` upper triangular, k = min(m, n). LAPACK `?getrf` for Float and
/// Double (any shape); generic LU for other scalars (square matrices).
///
/// ```swift
/// let (p, l, u) = try lu(Tensor<Double>([[1, 2], [3, 4]]))
/// // p: [[0, 1], [1, 0]], l: [[1, 0], [0.3333, 1]], u: [[3, 4], [0, 0.6667]]
/// ```
///
/// Differentiable in L and U (P is constant), with PyTorch's `linalg_lu_backward`
/// (FunctionsManual.cpp). For a square A: G_A = P·L⁻ᵀ·[tril₋₁(Lᵀ·G_L) + triu(G_U·Uᵀ)]·U⁻ᵀ.
/// For a tall A, L = [L₁; L₂] with L₂ = A₂·U⁻¹ (A₂ the last m − n rows of Pᵀ·A): the square
/// formula for L₁, U with G_U − L₂ᵀ·G_{L₂}·U⁻ᵀ, and G_{A₂} = G_{L₂}·U⁻ᵀ. For a wide A,
/// U = [U₁ | U₂] with U₂ = L⁻¹·A₂: the square formula for L, U₁ with G_L − L⁻ᵀ·G_{U₂}·U₂ᵀ,
/// and G_{A₂} = L⁻ᵀ·G_{U₂}. Recorded, so it differentiates again.
///
/// - Throws: ``TensorError/rankMismatch(operation:shape:expected:)``,
///   ``TensorError/nonFinite(operation:)``, and
///   ``TensorError/unsupportedScalar(operation:scalar:)`` for a rectangular matrix of a
///   non-LAPACK scalar, each naming `lu`. A singular matrix is factorised (U has a zero on
///   its diagonal), as in PyTorch; its derivative needs an invertible U.
public func lu<Scalar>(_ a: Tensor<Scalar>) throws -> (p: Tensor<Scalar>, l: Tensor<Scalar>, u: Tensor<Scalar>) {
    let r = try Tensor._opMulti("lu", "LinalgLuBackward0", [a], saving: [a], {
        let f = try _luValue(a)
        return [f.p, f.l, f.u]
    }) { grads in
        let (p, l, u) = try lu(a)
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        var gL = grads[1], gU = grads[2]
        let gA: Tensor<Scalar>
        if m == n {
            gA = try _luBackwardSquare(l, u, gL: gL, gU: gU)
        } else if m > n {
            // L = [L₁; L₂], L₂ = A₂·U⁻¹.
            let ls = l.split(sizes: [n, m - n], axis: -2)
            var gA2 = Tensor<Scalar>.zeros(ls[1].shape)
            if let g = gL {
                let gs = g.split(sizes: [n, m - n], axis: -2)
                gA2 = try triangularSolve(u, gs[1].transposed(), lower: false).transposed()
                let viaL2 = -ls[1].transposed().matmul(gA2)
                gU = gU.map { $0 + viaL2 } ?? viaL2
                gL = gs[0]
            }
            gA = concatenate([try _luBackwardSquare(ls[0], u, gL: gL, gU: gU), gA2], axis: -2)
        } else {
            // U = [U₁ | U₂], U₂ = L⁻¹·A₂.
            let us = u.split(sizes: [m, n - m], axis: -1)
            var gA2 = Tensor<Scalar>.zeros(us[1].shape)
            if let g = gU {
                let gs = g.split(sizes: [m, n - m], axis: -1)
                gA2 = try triangularSolve(l, gs[1], lower: true, transpose: true, unitDiagonal: true)
                let viaU2 = -gA2.matmul(us[1].transposed())
                gL = gL.map { $0 + viaU2 } ?? viaU2
                gU = gs[0]
            }
            gA = concatenate([try _luBackwardSquare(l, us[0], gL: gL, gU: gU), gA2], axis: -1)
        }
        return [p.matmul(gA)]
    }
    return (r[0], r[1], r[2])
}

/// Pᵀ times the gradient of a square A = P·L·U (PyTorch's `linalg_lu_backward`, m = n):
/// L⁻ᵀ·[tril₋₁(Lᵀ·G_L) + triu(G_U·Uᵀ)]·U⁻ᵀ; recorded.
func _luBackwardSquare<Scalar>(_ l: Tensor<Scalar>, _ u: Tensor<Scalar>, gL: Tensor<Scalar>?,
                               gU: Tensor<Scalar>?) throws -> Tensor<Scalar> {
    var inner = Tensor<Scalar>.zeros(u.shape)
    if let gL { inner = inner + l.transposed().matmul(gL).lowerTriangle(diagonal: -1) }
    if let gU { inner = inner + gU.matmul(u.transposed()).upperTriangle() }
    // X·U⁻ᵀ = (U⁻¹·Xᵀ)ᵀ, then L⁻ᵀ·(…).
    let right = try triangularSolve(u, inner.transposed(), lower: false).transposed()
    return try triangularSolve(l, right, lower: true, transpose: true, unitDiagonal: true)
}

/// The value of ``lu(_:)``.
func _luValue<Scalar>(_ a: Tensor<Scalar>) throws -> (p: Tensor<Scalar>, l: Tensor<Scalar>, u: Tensor<Scalar>) {
    let op = "lu"
    let (batch, m, n) = try a._checkMatrices(op, square: false)
    let k = Swift.min(m, n)
    let lapack = _lapackType(Scalar.self)
    if lapack == nil && m != n { throw TensorError.unsupportedScalar(operation: op, scalar: "\(Scalar.self)") }
    var ps = [Scalar](), ls = [Scalar](), us = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        let am = a._matrix(i, m * n)
        // Packed factors and the row order of the factorisation: (Pᵀ·A)[r] = A[perm[r]].
        var packed = am, perm = Array(0..<m)
        if let t = lapack, k > 0 {
            let r = LAPACK.lu(t, am, m: m, n: n)
            if r.info < 0 { throw TensorError.lapackFailure(operation: op, routine: "getrf", info: r.info) }
            packed = r.lu
            for j in 0..<k { perm.swapAt(j, Int(r.pivots[j]) - 1) }
        } else if k > 0 {
            let f = Tensor<Scalar>._genericLU(am, n: n)
            (packed, perm) = (f.lu, f.perm)
        }
        var p = [Scalar](repeating: 0, count: m * m), l = [Scalar](repeating: 0, count: m * k)
        var u = [Scalar](repeating: 0, count: k * n)
        for r in 0..<m {
            p[perm[r] * m + r] = 1
            for c in 0..<Swift.min(r, k) { l[r * k + c] = packed[r * n + c] }
            if r < k { l[r * k + r] = 1 }
        }
        for r in 0..<k { for c in r..<n { u[r * n + c] = packed[r * n + c] } }
        ps += p; ls += l; us += u
    }
    return (Tensor(_shape: batch + [m, m], _scalars: ps), Tensor(_shape: batch + [m, k], _scalars: ls),
            Tensor(_shape: batch + [k, n], _scalars: us))
}

/// The solution X of A·X = B from the factors of ``lu(_:)`` of a square A, X = U⁻¹·L⁻¹·Pᵀ·B
/// (PyTorch: `torch.linalg.lu_solve(LU, pivots, B)`, with the factors unpacked). B is
/// `[…, n, k]`, or a vector `[n]` or batch of vectors `[…, n]` by ``solve(_:_:)``'s rule;
/// batch dimensions broadcast.
///
/// ```swift
/// let a: Tensor<Double> = [[3, 1], [1, 2]]
/// let factors = try lu(a)
/// try luSolve(factors, Tensor([9, 8]))   // tensor([2., 3.]), as solve(a, b), reusing the factors
/// ```
///
/// Differentiable in L, U and B through its two triangular solves; this is PyTorch's
/// `linalg_lu_solve_LU` gradient split into L's strictly lower and U's upper triangle.
///
/// - Throws: ``TensorError/shapeMismatch(operation:lhs:rhs:)`` naming `luSolve` when the
///   factors are not those of a square matrix or B does not fit them;
///   ``TensorError/singularMatrix(operation:shape:info:)`` for a zero on U's diagonal.
public func luSolve<Scalar>(_ factors: (p: Tensor<Scalar>, l: Tensor<Scalar>, u: Tensor<Scalar>),
                            _ b: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let (p, l, u) = factors
    let isVector = _isVectorRightHandSide(l, b)
    let b2 = isVector ? b.unsqueezed(axis: -1) : b
    let n = l.rank >= 2 ? l.shape[l.rank - 1] : -1
    // The factors of a square matrix (or batch) all have its shape.
    guard l.rank >= 2, l.shape[l.rank - 2] == n, p.shape == l.shape, u.shape == l.shape,
          b2.rank >= 2, b2.shape[b2.rank - 2] == n,
          Tensor<Scalar>._broadcastShapeOrNil(Array(l.shape.dropLast(2)), Array(b2.shape.dropLast(2))) != nil else {
        throw TensorError.shapeMismatch(operation: "luSolve", lhs: l.shape, rhs: b.shape)
    }
    let y = try triangularSolve(l, p.transposed().matmul(b2), lower: true, unitDiagonal: true)
    let x = try triangularSolve(u, y, lower: false)
    return isVector ? x.squeezed(axis: -1) : x
}
