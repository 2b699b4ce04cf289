import AutodiffCore
import RealModule

// Linear algebra. Products go through `_matmulKernel` (CBLAS gemm/gemv for
// Float and Double, a generic loop otherwise). Factorisations go through the
// LAPACK drivers of LAPACK.swift for Float and Double; solve, inverse,
// determinants, Cholesky and triangular solves also have generic kernels (LU
// with partial pivoting, etc.) so that `Tensor<Dual<Double>>` works.
// Every LAPACK-backed operation throws a `TensorError` instead of calling
// LAPACK with a bad shape, NaN or infinity, and never modifies its inputs.

@usableFromInline
func _lapackType<S>(_: S.Type) -> (any LAPACKScalar.Type)? { S.self as? any LAPACKScalar.Type }

extension Tensor {
    // MARK: Product kernels

    /// Value-space kernel: the batched matrix product of `a` (…, m, k) and
    /// `b` (…, k, n), broadcasting the leading dimensions.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    static func _matmulKernel(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2)   // internal invariant: matmul reshapes 1-d operands
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        autodiffRequire(k == k2, "matmul",
                        TensorError._incompatible(a.shape, b.shape) + " (inner dimensions \(k) and \(k2) differ)")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        guard let batch = _broadcastShapeOrNil(batchA, batchB) else {
            autodiffFailure("matmul", TensorError._incompatible(a.shape, b.shape) + " (batch dimensions do not broadcast)")
        }
        let nb = batch.reduce(1, *)
        // [B…, m, k] · [k, n]: one product with the batch folded into the rows.
        if batchB.reduce(1, *) == 1 && batchA == batch {
            let c = _matmul2D(a._buffer.elements, b._buffer.elements, m: nb * m, k: k, n: n)
            return Tensor(_shape: batch + [m, n], _scalars: c)
        }
        // Float/Double: gemm per batch entry straight from the operands' storage.
        if let t = _lapackType(Scalar.self), m > 0, k > 0, n > 0 {
            return Tensor(_shape: batch + [m, n], _scalars: _blasBatchedMatmul(t, a, b, batch: batch, m: m, k: k, n: n))
        }
        let ea = a._expand(to: batch + [m, k])._buffer.elements
        let eb = b._expand(to: batch + [k, n])._buffer.elements
        var out = [Scalar]()
        out.reserveCapacity(nb * m * n)
        for i in 0..<nb {
            out.append(contentsOf: _matmul2D(Array(ea[(i * m * k)..<((i + 1) * m * k)]),
                                             Array(eb[(i * k * n)..<((i + 1) * k * n)]), m: m, k: k, n: n))
        }
        return Tensor(_shape: batch + [m, n], _scalars: out)
    }

    /// C = A·B for row-major A (m×k) and B (k×n).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    static func _matmul2D(_ a: [Scalar], _ b: [Scalar], m: Int, k: Int, n: Int) -> [Scalar] {
        if m == 0 || n == 0 { return [] }
        if k == 0 { return [Scalar](repeating: 0, count: m * n) }
        if let t = _lapackType(Scalar.self) { return _blasMatmul(t, a, b, m: m, k: k, n: n) }
        return _genericMatmul(a, b, m: m, k: k, n: n)
    }

    static func _blasMatmul<T: LAPACKScalar>(_: T.Type, _ a: [Scalar], _ b: [Scalar], m: Int, k: Int, n: Int) -> [Scalar] {
        let A = LAPACK.cast(a, T.self), B = LAPACK.cast(b, T.self)
        let c = [T](unsafeUninitializedCapacity: m * n) { pc, initialized in
            A.withUnsafeBufferPointer { pa in
                B.withUnsafeBufferPointer { pb in
                    if n == 1 {
                        T._gemv(m, k, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                    } else if m == 1 {
                        // xᵀ·B as Bᵀ·x.
                        T._gemm(false, false, 1, n, k, pa.baseAddress!, k, pb.baseAddress!, n, pc.baseAddress!, n)
                    } else {
                        T._gemm(false, false, m, n, k, pa.baseAddress!, k, pb.baseAddress!, n, pc.baseAddress!, n)
                    }
                }
            }
            initialized = m * n
        }
        return LAPACK.cast(c, Scalar.self)
    }

    /// The generic i-k-j matrix product (used for non-BLAS scalars, and by the
    /// tests to check the BLAS path).
    @usableFromInline
    static func _genericMatmul(_ a: [Scalar], _ b: [Scalar], m: Int, k: Int, n: Int) -> [Scalar] {
        var c = [Scalar](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let x = a[i * k + p]
                for j in 0..<n { c[i * n + j] = c[i * n + j] + x * b[p * n + j] }
            }
        }
        return c
    }

    // MARK: Factorisation helpers

    /// Checks that `self` is a (batch of) matrices, square if asked, and finite.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _checkMatrices(_ operation: String, square: Bool) throws -> (batch: [Int], m: Int, n: Int) {
        guard rank >= 2 else {
            throw TensorError.rankMismatch(operation: operation, shape: shape, expected: "a matrix or a batch of matrices")
        }
        let m = shape[rank - 2], n = shape[rank - 1]
        if square && m != n { throw TensorError.notSquare(operation: operation, shape: shape) }
        if !_buffer.elements.allSatisfy({ $0.isFinite }) { throw TensorError.nonFinite(operation: operation) }
        return (Array(shape.dropLast(2)), m, n)
    }

    /// The i-th matrix of a batch, as a row-major array.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _matrix(_ i: Int, _ size: Int) -> [Scalar] {
        // A single matrix shares the buffer (copy-on-write) instead of copying it.
        if i == 0 && size == _buffer.elements.count { return _buffer.elements }
        return Array(_buffer.elements[(i * size)..<((i + 1) * size)])
    }

    // MARK: Generic kernels (non-LAPACK scalars)

    /// LU with partial pivoting of an n×n matrix: packed factors, row
    /// permutation, permutation sign and LAPACK-style `info` (1-based index of
    /// the first exactly zero pivot, 0 if none).
    @usableFromInline
    static func _genericLU(_ a: [Scalar], n: Int) -> (lu: [Scalar], perm: [Int], sign: Scalar, info: Int) {
        var lu = a
        var perm = Array(0..<n)
        var sign: Scalar = 1
        var info = 0
        for c in 0..<n {
            var p = c
            var best = (lu[c * n + c]).magnitude
            for r in (c + 1)..<Swift.max(n, c + 1) where (lu[r * n + c]).magnitude > best {
                best = (lu[r * n + c]).magnitude; p = r
            }
            if p != c {
                for j in 0..<n { lu.swapAt(c * n + j, p * n + j) }
                perm.swapAt(c, p)
                sign = -sign
            }
            let pivot = lu[c * n + c]
            if pivot == 0 {
                if info == 0 { info = c + 1 }
                continue
            }
            for r in (c + 1)..<Swift.max(n, c + 1) {
                let f = lu[r * n + c] / pivot
                lu[r * n + c] = f
                for j in (c + 1)..<n { lu[r * n + j] = lu[r * n + j] - f * lu[c * n + j] }
            }
        }
        return (lu, perm, sign, info)
    }

    /// Solves with packed LU factors (no zero pivots) for an n×nrhs right-hand side.
    @usableFromInline
    static func _genericLUSolve(_ lu: [Scalar], _ perm: [Int], _ b: [Scalar], n: Int, nrhs: Int) -> [Scalar] {
        var x = [Scalar](repeating: 0, count: n * nrhs)
        for i in 0..<n { for j in 0..<nrhs { x[i * nrhs + j] = b[perm[i] * nrhs + j] } }
        for i in 0..<n {
            for p in 0..<i { let f = lu[i * n + p]; for j in 0..<nrhs { x[i * nrhs + j] = x[i * nrhs + j] - f * x[p * nrhs + j] } }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for p in (i + 1)..<Swift.max(n, i + 1) {
                let f = lu[i * n + p]; for j in 0..<nrhs { x[i * nrhs + j] = x[i * nrhs + j] - f * x[p * nrhs + j] }
            }
            let d = lu[i * n + i]
            for j in 0..<nrhs { x[i * nrhs + j] = x[i * nrhs + j] / d }
        }
        return x
    }

    /// Lower Cholesky factor; `info` is the order of the first non-positive leading minor.
    @usableFromInline
    static func _genericCholesky(_ a: [Scalar], n: Int) -> (l: [Scalar], info: Int) {
        var l = [Scalar](repeating: 0, count: n * n)
        for j in 0..<n {
            var d = a[j * n + j]
            for p in 0..<j { d = d - l[j * n + p] * l[j * n + p] }
            if !(d > 0) { return (l, j + 1) }
            let s = Scalar.sqrt(d)
            l[j * n + j] = s
            for i in (j + 1)..<Swift.max(n, j + 1) {
                var v = a[i * n + j]
                for p in 0..<j { v = v - l[i * n + p] * l[j * n + p] }
                l[i * n + j] = v / s
            }
        }
        return (l, 0)
    }

    /// Solves op(A)·X = B with A triangular; `info` is the 1-based index of a zero diagonal.
    @usableFromInline
    static func _genericTriangularSolve(_ a: [Scalar], _ b: [Scalar], n: Int, nrhs: Int, lower: Bool,
                                        transpose: Bool, unitDiagonal: Bool) -> (x: [Scalar], info: Int) {
        if !unitDiagonal, let z = (0..<n).first(where: { a[$0 * n + $0] == 0 }) { return ([], z + 1) }
        // op(A) is lower triangular iff lower != transpose.
        let effLower = lower != transpose
        func at(_ i: Int, _ j: Int) -> Scalar { transpose ? a[j * n + i] : a[i * n + j] }
        var x = b
        let order = effLower ? Array(0..<n) : Array((0..<n).reversed())
        for i in order {
            let range = effLower ? 0..<i : (i + 1)..<Swift.max(n, i + 1)
            for p in range {
                let f = at(i, p)
                for j in 0..<nrhs { x[i * nrhs + j] = x[i * nrhs + j] - f * x[p * nrhs + j] }
            }
            if !unitDiagonal { let d = at(i, i); for j in 0..<nrhs { x[i * nrhs + j] = x[i * nrhs + j] / d } }
        }
        return (x, 0)
    }
}

// MARK: - Public products

/// The matrix product with PyTorch's `matmul` rules: 1-d·1-d is a dot
/// product, a 1-d argument is promoted to a row (left) or column (right)
/// vector and the added dimension removed, and leading (batch) dimensions
/// broadcast. `Float`/`Double` use CBLAS `gemm`/`gemv`.
///
/// ```swift
/// let a: Tensor<Double> = [[1, 2], [3, 4]]
/// matmul(a, Tensor([1, 1]))      // tensor([3., 7.])
/// matmul(a, a)                   // tensor([[ 7., 10.], [15., 22.]])
/// ```
///
/// - Precondition: the inner dimensions agree and the batch dimensions
///   broadcast; the message names both shapes.
public func matmul<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    autodiffRequire(a.rank >= 1 && b.rank >= 1, "matmul",
                    TensorError._incompatible(a.shape, b.shape) + " (0-d arguments; use * for scalars)")
    if a.rank == 1 && b.rank == 1 { return dot(a, b) }
    let a2 = a.rank == 1 ? a._reshapeTo([1, a.count], name: "UnsqueezeBackward0") : a
    let b2 = b.rank == 1 ? b._reshapeTo([b.count, 1], name: "UnsqueezeBackward0") : b
    var c = Tensor._matmulRecorded(a2, b2)
    if a.rank == 1 { var s = c.shape; s.remove(at: s.count - 2); c = c._reshapeTo(s, name: "SqueezeBackward1") }
    if b.rank == 1 { var s = c.shape; s.removeLast(); c = c._reshapeTo(s, name: "SqueezeBackward1") }
    return c
}

/// The dot product of two 1-d tensors of equal length, as a 0-d tensor (`torch.dot`).
///
/// ```swift
/// dot(Tensor<Double>([1, 2, 3]), Tensor([4, 5, 6]))   // tensor(32.)
/// ```
public func dot<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    autodiffRequire(a.rank == 1 && b.rank == 1 && a.count == b.count, "dot",
                    TensorError._incompatible(a.shape, b.shape) + " (expected two 1-d tensors of equal length)")
    return Tensor._op("dot", "DotBackward0", [a, b], saving: [a, b], {
        if a.count == 0 { return Tensor(0) }
        let c = Tensor<Scalar>._matmul2D(a.scalars, b.scalars, m: 1, k: a.count, n: 1)
        return Tensor(_shape: [], _scalars: c)
    }) { g in [Tensor._if(a.requiresGrad) { g * b }, Tensor._if(b.requiresGrad) { g * a }] }
}

/// The outer product of two 1-d tensors, shape `[a.count, b.count]` (`torch.outer`).
///
/// ```swift
/// outer(Tensor<Double>([1, 2]), Tensor([1, 10, 100]))   // shape [2, 3]
/// ```
public func outer<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    autodiffRequire(a.rank == 1 && b.rank == 1, "outer",
                    TensorError._incompatible(a.shape, b.shape) + " (expected two 1-d tensors)")
    return a._reshapeTo([a.count, 1], name: "UnsqueezeBackward0") * b._reshapeTo([1, b.count], name: "UnsqueezeBackward0")
}

// MARK: - Public factorisations

/// The solution X of A·X = B (`torch.linalg.solve`), for a square A of shape
/// `[…, n, n]` and B of shape `[…, n, k]`, or a vector: `[n]`, or a batch of
/// vectors `[…, n]` with the batch of A (B is a vector exactly when PyTorch's
/// rule says so: `b.ndim == 1` or `b.shape == a.shape[:-1]`); batch
/// dimensions broadcast. LAPACK `?gesv` for Float/Double.
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
@_specialize(where Scalar == Double)
@_specialize(where Scalar == Float)
func _solveValue<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let op = "solve"
    return try _batchedSolve(op, a, b) { am, bm, n, _, nrhs in
        if let t = _lapackType(Scalar.self) {
            let r = LAPACK.solve(t, am, bm, n: n, nrhs: nrhs)
            if r.info > 0 { throw TensorError.singularMatrix(operation: op, shape: a.shape, info: r.info) }
            if r.info < 0 { throw TensorError.lapackFailure(operation: op, routine: "gesv", info: r.info) }
            return r.x
        }
        let f = Tensor<Scalar>._genericLU(am, n: n)
        if f.info > 0 { throw TensorError.singularMatrix(operation: op, shape: a.shape, info: f.info) }
        return Tensor<Scalar>._genericLUSolve(f.lu, f.perm, bm, n: n, nrhs: nrhs)
    }
}

/// Whether `b` is read as a vector (or a batch of vectors) by `solve(a, b)`:
/// torch.linalg.solve's rule, `b.ndim == 1` or (`b.ndim == a.ndim - 1` and
/// `b.shape == a.shape[:-1]`). Otherwise `b` is a (batch of) matrix.
func _isVectorRightHandSide<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Bool {
    b.rank == 1 || (b.rank == a.rank - 1 && b.shape == Array(a.shape.dropLast()))
}

/// The batched right-hand-side loop shared by `solve`, `triangularSolve` and
/// `leastSquares`: checks that `a` holds matrices (square if `square`) and `b` is finite
/// with matching rows (a vector, a batch of vectors, or a batch of matrices; batch
/// dimensions broadcast), then solves each matrix with `solveOne(a, b, m, n, nrhs)`
/// (row-major arrays; A is m×n, B m×nrhs, the result n×nrhs) and assembles the result.
@inline(__always)
func _batchedSolve<Scalar>(_ op: String, _ a: Tensor<Scalar>, _ b: Tensor<Scalar>, square: Bool = true,
                           _ solveOne: ([Scalar], [Scalar], Int, Int, Int) throws -> [Scalar]) throws -> Tensor<Scalar> {
    let (batchA, m, n) = try a._checkMatrices(op, square: square)
    if !b.scalars.allSatisfy({ $0.isFinite }) { throw TensorError.nonFinite(operation: op) }
    let isVector = _isVectorRightHandSide(a, b)
    let b2 = isVector ? b._reshape(b.shape + [1]) : b
    guard b2.rank >= 2, b2.shape[b2.rank - 2] == m,
          let batch = Tensor<Scalar>._broadcastShapeOrNil(batchA, Array(b2.shape.dropLast(2))) else {
        throw TensorError.shapeMismatch(operation: op, lhs: a.shape, rhs: b.shape)
    }
    let nrhs = b2.shape[b2.rank - 1]
    let ea = a._expand(to: batch + [m, n]), eb = b2._expand(to: batch + [m, nrhs])
    var out = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        out._appendBatch(try solveOne(ea._matrix(i, m * n), eb._matrix(i, m * nrhs), m, n, nrhs))
    }
    return Tensor(_shape: isVector ? batch + [n] : batch + [n, nrhs], _scalars: out)
}

/// The lower-triangular Cholesky factor L with A = L·Lᵀ of a symmetric
/// positive-definite matrix (or batch); only the lower triangle of A is read.
/// LAPACK `?potrf` for Float/Double.
///
/// ```swift
/// try cholesky(Tensor<Double>([[4, 2], [2, 3]]))   // tensor([[2.0000, 0.0000], [1.0000, 1.4142]])
/// ```
///
/// - Throws: ``TensorError/notPositiveDefinite(operation:shape:info:)`` and
///   the shape and finiteness errors.
@_specialize(where Scalar == Double)
@_specialize(where Scalar == Float)
func _choleskyValue<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let op = "cholesky"
    let (batch, n, _) = try a._checkMatrices(op, square: true)
    var out = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        let am = a._matrix(i, n * n)
        let (l, info): ([Scalar], Int)
        if let t = _lapackType(Scalar.self) { (l, info) = LAPACK.cholesky(t, am, n: n) } else {
            (l, info) = Tensor<Scalar>._genericCholesky(am, n: n)
        }
        if info > 0 { throw TensorError.notPositiveDefinite(operation: op, shape: a.shape, info: info) }
        if info < 0 { throw TensorError.lapackFailure(operation: op, routine: "potrf", info: info) }
        out._appendBatch(l)
    }
    return Tensor(_shape: a.shape, _scalars: out)
}

/// Solves op(A)·X = B for a triangular A (`torch.linalg.solve_triangular`),
/// reading only the `lower` or upper triangle; `transpose` solves with Aᵀ,
/// `unitDiagonal` assumes ones on the diagonal. B is `[…, n, k]` or `[n]`.
/// LAPACK `?trtrs` for Float/Double.
///
/// ```swift
/// let l: Tensor<Double> = [[2, 0], [1, 1]]
/// try triangularSolve(l, Tensor([2, 3]), lower: true)   // tensor([1., 2.])
/// ```
///
/// - Throws: ``TensorError/singularMatrix(operation:shape:info:)`` for a zero
///   on the diagonal, and the shape and finiteness errors.
@_specialize(where Scalar == Double)
@_specialize(where Scalar == Float)
func _triangularSolveValue<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, lower: Bool,
                                    transpose: Bool = false, unitDiagonal: Bool = false,
                                    operation op: String = "triangularSolve") throws -> Tensor<Scalar> {
    return try _batchedSolve(op, a, b) { am, bm, n, _, nrhs in
        let (x, info): ([Scalar], Int)
        if let t = _lapackType(Scalar.self), nrhs > 0 {
            (x, info) = LAPACK.triangularSolve(t, am, bm, n: n, nrhs: nrhs, lower: lower, transpose: transpose,
                                               unitDiagonal: unitDiagonal)
        } else {
            (x, info) = Tensor<Scalar>._genericTriangularSolve(am, bm, n: n, nrhs: nrhs, lower: lower,
                                                               transpose: transpose, unitDiagonal: unitDiagonal)
        }
        if info > 0 { throw TensorError.singularMatrix(operation: op, shape: a.shape, info: info) }
        if info < 0 { throw TensorError.lapackFailure(operation: op, routine: "trtrs", info: info) }
        return x
    }
}

/// Eigenvalues (ascending) and orthonormal eigenvectors (as columns) of a
/// symmetric matrix, reading its lower triangle (`torch.linalg.eigh`).
/// LAPACK `?syevd`; Float and Double only.
///
/// ```swift
/// let (values, vectors) = try eigh(Tensor<Double>([[2, 1], [1, 2]]))
/// // values: tensor([1., 3.])
/// ```
///
/// - Throws: ``TensorError/unsupportedScalar(operation:scalar:)`` for other
///   scalars, ``TensorError/lapackFailure(operation:routine:info:)`` if it
///   does not converge, and the shape and finiteness errors.
func _eighValue<Scalar>(_ a: Tensor<Scalar>) throws -> (eigenvalues: Tensor<Scalar>, eigenvectors: Tensor<Scalar>) {
    let op = "eigh"
    let (batch, n, _) = try a._checkMatrices(op, square: true)
    guard let t = _lapackType(Scalar.self) else {
        throw TensorError.unsupportedScalar(operation: op, scalar: "\(Scalar.self)")
    }
    var values = [Scalar](), vectors = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        let r = LAPACK.eigh(t, a._matrix(i, n * n), n: n)
        if r.info != 0 { throw TensorError.lapackFailure(operation: op, routine: "syevd", info: r.info) }
        values += r.values
        vectors += r.vectors
    }
    return (Tensor(_shape: batch + [n], _scalars: values), Tensor(_shape: batch + [n, n], _scalars: vectors))
}

/// The thin singular value decomposition A = U·diag(S)·Vᵀ with singular
/// values in descending order (`torch.linalg.svd(full_matrices=False)`).
/// LAPACK `?gesdd`; Float and Double only.
///
/// ```swift
/// let (u, s, vt) = try svd(Tensor<Double>([[3, 0], [0, 4]]))
/// // s: tensor([4., 3.])
/// ```
///
/// - Throws: as ``eigh(_:)``.
func _svdValue<Scalar>(_ a: Tensor<Scalar>, operation op: String = "svd") throws
    -> (u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>) {
    let (batch, m, n) = try a._checkMatrices(op, square: false)
    guard let t = _lapackType(Scalar.self) else {
        throw TensorError.unsupportedScalar(operation: op, scalar: "\(Scalar.self)")
    }
    let k = Swift.min(m, n)
    var us = [Scalar](), ss = [Scalar](), vts = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        if k == 0 { break }
        let r = LAPACK.svd(t, a._matrix(i, m * n), m: m, n: n)
        if r.info != 0 { throw TensorError.lapackFailure(operation: op, routine: "gesdd", info: r.info) }
        us += r.u; ss += r.s; vts += r.vt
    }
    if k == 0 {
        let nb = batch.reduce(1, *)
        return (Tensor(_shape: batch + [m, 0], _scalars: []), Tensor(_shape: batch + [0], _scalars: []),
                Tensor(_shape: batch + [0, n], _scalars: [Scalar](repeating: 0, count: nb * 0)))
    }
    return (Tensor(_shape: batch + [m, k], _scalars: us), Tensor(_shape: batch + [k], _scalars: ss),
            Tensor(_shape: batch + [k, n], _scalars: vts))
}

/// The reduced QR decomposition A = Q·R, Q `[…, m, k]` with orthonormal
/// columns and R `[…, k, n]` upper triangular, k = min(m, n)
/// (`torch.linalg.qr(mode="reduced")`). LAPACK `?geqrf`/`?orgqr`; Float and Double only.
///
/// ```swift
/// let (q, r) = try qr(Tensor<Double>([[1, 2], [3, 4], [5, 6]]))   // q: [3, 2], r: [2, 2]
/// let (qw, rw) = try qr(Tensor<Double>([[1, 2, 3], [4, 5, 6]]))   // wide: qw [2, 2], rw [2, 3]
/// ```
///
/// Differentiable for inputs whose leading min(m, n) columns are linearly independent, with
/// PyTorch's `linalg_qr_backward` (FunctionsManual.cpp), reduced mode. For m ≥ n:
/// G_A = [G_Q + Q·syminvadj(triu(G_R·Rᵀ − Qᵀ·G_Q))]·R⁻ᵀ, where
/// syminvadj(X) = X + Xᵀ with the diagonal of X. For a wide A (m < n), split
/// A = [X | Y] and R = [R₁ | R₂]: X = Q·R₁ is a square QR and R₂ = Qᵀ·Y, so
/// G_Y = Q·G_{R₂} and G_X is the square formula with G_Q + Y·G_{R₂}ᵀ and G_{R₁}.
/// The backward is written with recorded operations, so it can be differentiated again.
///
/// - Throws: as ``eigh(_:)``.
public func qr<Scalar>(_ a: Tensor<Scalar>) throws -> (q: Tensor<Scalar>, r: Tensor<Scalar>) {
    let f = try Tensor._opMulti("qr", "LinalgQrBackward0", [a], saving: [a], {
        let (q, r) = try _qrValue(a)
        return [q, r]
    }) { grads in
        let (q, r) = try qr(a)
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        if m >= n { return [try _qrBackwardSquareOrTall(q, r, gQ: grads[0], gR: grads[1])] }
        // Wide: A = [X | Y], R = [R₁ | R₂], X = Q·R₁, R₂ = Qᵀ·Y.
        let y = a.split(sizes: [m, n - m], axis: -1)[1]
        let r1 = r.split(sizes: [m, n - m], axis: -1)[0]
        var gQ = grads[0], gR1: Tensor<Scalar>? = nil
        var gY = Tensor<Scalar>.zeros(y.shape)
        if let gR = grads[1] {
            let parts = gR.split(sizes: [m, n - m], axis: -1)
            gR1 = parts[0]
            let viaY = y.matmul(parts[1].transposed())
            gQ = gQ.map { $0 + viaY } ?? viaY
            gY = q.matmul(parts[1])
        }
        let gX = try _qrBackwardSquareOrTall(q, r1, gQ: gQ, gR: gR1)
        return [concatenate([gX, gY], axis: -1)]
    }
    return (f[0], f[1])
}

/// The gradient of A = Q·R for m ≥ n (PyTorch's `linalg_qr_backward`, FunctionsManual.cpp):
/// [G_Q + Q·syminvadj(triu(G_R·Rᵀ − Qᵀ·G_Q))]·R⁻ᵀ; recorded.
func _qrBackwardSquareOrTall<Scalar>(_ q: Tensor<Scalar>, _ r: Tensor<Scalar>, gQ: Tensor<Scalar>?,
                                     gR: Tensor<Scalar>?) throws -> Tensor<Scalar> {
    var m = Tensor<Scalar>.zeros(r.shape)
    if let gR { m = m + gR.matmul(r.transposed()) }
    if let gQ { m = m - q.transposed().matmul(gQ) }
    let upper = m.upperTriangle()
    let k = r.shape[r.rank - 1]
    let sym = upper + upper.transposed() - (upper * Tensor<Scalar>.eye(k))
    var b = q.matmul(sym)
    if let gQ { b = b + gQ }
    // B·R⁻ᵀ = (R⁻¹·Bᵀ)ᵀ.
    return try triangularSolve(r, b.transposed(), lower: false).transposed()
}

/// The value of ``qr(_:)``.
func _qrValue<Scalar>(_ a: Tensor<Scalar>) throws -> (q: Tensor<Scalar>, r: Tensor<Scalar>) {
    let op = "qr"
    let (batch, m, n) = try a._checkMatrices(op, square: false)
    guard let t = _lapackType(Scalar.self) else {
        throw TensorError.unsupportedScalar(operation: op, scalar: "\(Scalar.self)")
    }
    let k = Swift.min(m, n)
    var qs = [Scalar](), rs = [Scalar]()
    for i in 0..<batch.reduce(1, *) {
        let r = LAPACK.qr(t, a._matrix(i, m * n), m: m, n: n)
        if r.info != 0 { throw TensorError.lapackFailure(operation: op, routine: r.routine, info: r.info) }
        qs += r.q; rs += r.r
    }
    return (Tensor(_shape: batch + [m, k], _scalars: qs), Tensor(_shape: batch + [k, n], _scalars: rs))
}

/// The least-squares solution of A·X ≈ B for a full-rank A of shape `[…, m, n]`
/// (`torch.linalg.lstsq(a, b).solution`): for m ≥ n the X minimising ‖A·X − B‖, for a
/// wide A (m < n) the minimum-norm solution of A·X = B, X = Aᵀ(AAᵀ)⁻¹B = A⁺B, as
/// PyTorch's default driver (`gelsy`) and `torch.linalg.pinv(a) @ b` give for a full-rank A.
/// B is `[…, m, k]`, or a vector: `[m]`, or a batch of vectors `[…, m]` with the batch of A
/// (`torch.linalg.solve`'s rule); batch dimensions broadcast. LAPACK `?gels`; Float and
/// Double only.
///
/// ```swift
/// let a: Tensor<Double> = [[1, 0], [1, 1], [1, 2]]
/// try leastSquares(a, Tensor([1, 2, 3]))                        // tensor([1., 1.])
/// try leastSquares(Tensor<Double>([[1, 1]]), Tensor([2]))       // minimum norm: tensor([1., 1.])
/// ```
///
/// - Throws: ``TensorError/rankDeficient(operation:shape:rank:)`` when a matrix of A is
///   (numerically) rank-deficient, checked on the R factor of a QR factorisation of it
///   (of its transpose when m < n); ``TensorError/shapeMismatch(operation:lhs:rhs:)``
///   when the rows of B are not those of A or the batch dimensions do not broadcast; and
///   the rank, finiteness and scalar errors.
///
/// Differentiable in A and B, to every order (the backward is recorded). PyTorch
/// (`linalg_lstsq_backward`, FunctionsManual.cpp) differentiates X = A⁺B through
/// `pinv_backward`; for a full-rank A this is, with G the gradient of X:
/// for m ≥ n, Z = (AᵀA)⁻¹G, G_B = A·Z and G_A = (B − A·X)·Zᵀ − A·Z·Xᵀ;
/// for m < n, W = (AAᵀ)⁻¹A·G, Z = (AAᵀ)⁻¹B, G_B = W and G_A = Z·(G − Aᵀ·W)ᵀ − W·Xᵀ;
/// each summed over the batch dimensions its input was broadcast along.
public func leastSquares<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) throws -> Tensor<Scalar> {
    try Tensor._op("lstsq", "LinalgLstsqBackward0", [a, b], saving: [a, b], {
        try _leastSquaresValue(a, b)
    }) { g in
        let isVector = _isVectorRightHandSide(a, b)
        let x = try leastSquares(a, b)
        let g2 = isVector ? g.unsqueezed(axis: -1) : g
        let x2 = isVector ? x.unsqueezed(axis: -1) : x
        let at = a.transposed()
        let gA: Tensor<Scalar>, gB: Tensor<Scalar>
        if a.shape[a.rank - 2] >= a.shape[a.rank - 1] {
            let b2 = isVector ? b.unsqueezed(axis: -1) : b
            let z = try solve(at.matmul(a), g2)
            let az = a.matmul(z)
            gA = (b2 - a.matmul(x2)).matmul(z.transposed()) - az.matmul(x2.transposed())
            gB = az
        } else {
            // A·X = B here; solving with A·X and A·G (full batch shape) keeps solve's
            // vector rule from reading a matrix B of another rank as a batch of vectors.
            let gram = a.matmul(at)
            let w = try solve(gram, a.matmul(g2))
            let z = try solve(gram, a.matmul(x2))
            gA = z.matmul((g2 - at.matmul(w)).transposed()) - w.matmul(x2.transposed())
            gB = w
        }
        return [Tensor._if(a.requiresGrad) { gA._sumTo(a.shape) },
                Tensor._if(b.requiresGrad) { (isVector ? gB.squeezed(axis: -1) : gB)._sumTo(b.shape) }]
    }
}

/// The value of ``leastSquares(_:_:)``.
func _leastSquaresValue<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let op = "leastSquares"
    guard a.rank >= 2 else {
        throw TensorError.rankMismatch(operation: op, shape: a.shape, expected: "a matrix or a batch of matrices")
    }
    guard let t = _lapackType(Scalar.self) else {
        throw TensorError.unsupportedScalar(operation: op, scalar: "\(Scalar.self)")
    }
    return try _batchedSolve(op, a, b, square: false) { am, bm, m, n, nrhs in
        if m == 0 || n == 0 || nrhs == 0 { return [Scalar](repeating: 0, count: n * nrhs) }
        let rank = try _numericalRank(t, m >= n ? am : LAPACK.transposed(am, rows: m, cols: n),
                                      rows: Swift.max(m, n), columns: Swift.min(m, n), op)
        if rank < Swift.min(m, n) { throw TensorError.rankDeficient(operation: op, shape: a.shape, rank: rank) }
        let r = LAPACK.leastSquares(t, am, bm, m: m, n: n, nrhs: nrhs)
        if r.info > 0 { throw TensorError.rankDeficient(operation: op, shape: a.shape, rank: r.info - 1) }
        if r.info < 0 { throw TensorError.lapackFailure(operation: op, routine: "gels", info: r.info) }
        return r.x
    }
}

/// The numerical rank of a tall row-major matrix `rows × columns` (rows ≥ columns): the
/// number of diagonal entries of R in its QR factorisation above
/// rows·ε·max|Rᵢᵢ| (LAPACK's gelsy-style test).
func _numericalRank<Scalar, T: LAPACKScalar>(_ t: T.Type, _ a: [Scalar], rows m: Int, columns n: Int,
                                             _ op: String) throws -> Int {
    let f = LAPACK.qr(t, a, m: m, n: n)
    if f.info != 0 { throw TensorError.lapackFailure(operation: op, routine: f.routine, info: f.info) }
    let r = LAPACK.cast(f.r, T.self)
    let diagonal = (0..<n).map { r[$0 * n + $0].magnitude }
    let largest = diagonal.max() ?? 0
    let tolerance = T(m) * T.ulpOfOne * largest
    return diagonal.filter { $0 > tolerance }.count
}

extension Tensor {
    /// The inverse of a square matrix (or batch) (`torch.linalg.inv`).
    /// LAPACK `?getrf`/`?getri` for Float/Double, generic LU otherwise.
    ///
    /// ```swift
    /// try Tensor<Double>([[2, 0], [0, 4]]).inverse()   // tensor([[0.5000, 0.0000], [0.0000, 0.2500]])
    /// ```
    ///
    /// - Throws: ``TensorError/singularMatrix(operation:shape:info:)`` and the
    ///   shape and finiteness errors.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _inverseValue() throws -> Tensor {
        let op = "inverse"
        let (batch, n, _) = try _checkMatrices(op, square: true)
        var out = [Scalar]()
        for i in 0..<batch.reduce(1, *) {
            let am = _matrix(i, n * n)
            if n == 0 { continue }
            if let t = _lapackType(Scalar.self) {
                let r = LAPACK.inverse(t, am, n: n)
                if r.info > 0 { throw TensorError.singularMatrix(operation: op, shape: shape, info: r.info) }
                if r.info < 0 { throw TensorError.lapackFailure(operation: op, routine: r.routine, info: r.info) }
                out._appendBatch(r.inverse)
            } else {
                let f = Tensor._genericLU(am, n: n)
                if f.info > 0 { throw TensorError.singularMatrix(operation: op, shape: shape, info: f.info) }
                out._appendBatch(Tensor._genericLUSolve(f.lu, f.perm, Tensor.eye(n)._buffer.elements, n: n, nrhs: n))
            }
        }
        return Tensor(_shape: shape, _scalars: out)
    }

    /// LU factors of each matrix: the diagonal of U and the permutation sign.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _luDiagonal(_ op: String) throws -> (batch: [Int], diagonals: [[Scalar]], signs: [Scalar]) {
        let (batch, n, _) = try _checkMatrices(op, square: true)
        var diagonals = [[Scalar]](), signs = [Scalar]()
        for i in 0..<batch.reduce(1, *) {
            let am = _matrix(i, n * n)
            if let t = _lapackType(Scalar.self), n > 0 {
                let r = LAPACK.lu(t, am, m: n, n: n)
                if r.info < 0 { throw TensorError.lapackFailure(operation: op, routine: "getrf", info: r.info) }
                diagonals.append((0..<n).map { r.lu[$0 * n + $0] })
                // ipiv is 1-based: each row swap flips the sign.
                signs.append((0..<n).reduce(Scalar(1)) { s, j in Int(r.pivots[j]) != j + 1 ? -s : s })
            } else {
                let f = Tensor._genericLU(am, n: n)
                diagonals.append((0..<n).map { f.lu[$0 * n + $0] })
                signs.append(f.sign)
            }
        }
        return (batch, diagonals, signs)
    }

    /// The determinant of a square matrix (or batch); 0 for a singular matrix
    /// (`torch.linalg.det`). Computed from an LU factorisation.
    ///
    /// ```swift
    /// try Tensor<Double>([[1, 2], [3, 4]]).determinant()   // tensor(-2.0000)
    /// ```
    ///
    /// - Throws: the shape and finiteness errors.
    func _determinantValue() throws -> Tensor {
        let (batch, diagonals, signs) = try _luDiagonal("determinant")
        let dets = Swift.zip(diagonals, signs).map { d, s in d.reduce(s, *) }
        return Tensor(_shape: batch, _scalars: dets)
    }

    /// The sign (−1, 0 or 1) and the natural log of the absolute value of the
    /// determinant, without overflow (`torch.linalg.slogdet`); a singular
    /// matrix gives sign 0 and log −∞.
    ///
    /// ```swift
    /// let (sign, logAbs) = try Tensor<Double>([[1, 2], [3, 4]]).logDeterminant()
    /// // sign: tensor(-1.), logAbs: tensor(0.6931)
    /// ```
    ///
    /// - Throws: the shape and finiteness errors.
    func _logDeterminantValue() throws -> (sign: Tensor, logAbsDeterminant: Tensor) {
        let (batch, diagonals, signs) = try _luDiagonal("logDeterminant")
        var sign = [Scalar](), logs = [Scalar]()
        for (d, s0) in Swift.zip(diagonals, signs) {
            var s = s0, l: Scalar = 0
            for x in d {
                if x == 0 { s = 0; l = -.infinity; break }
                if x < 0 { s = -s }
                l = l + Scalar.log((x).magnitude)
            }
            sign.append(s); logs.append(l)
        }
        return (Tensor(_shape: batch, _scalars: sign), Tensor(_shape: batch, _scalars: logs))
    }
}

// MARK: - Products of transposed matrices (for pullbacks)

extension Tensor {
    /// op(a)·op(b) for two matrices, or two batches of matrices whose batch dimensions
    /// broadcast, where op transposes (the last two dimensions) when its flag is set.
    ///
    /// For `Float` and `Double` this calls gemm with its transposition flags, so no
    /// transposed copy is made (the pullbacks of `matmul` and `Linear` need Gᵀ-free
    /// products like G·Bᵀ and Aᵀ·G); other scalars materialise the transpose.
    static func _matmulTransposing(_ a: Tensor, _ transposeA: Bool, _ b: Tensor, _ transposeB: Bool) -> Tensor {
        // Internal invariants: only pullbacks call this, with the shapes matmul checked.
        precondition(a.rank >= 2 && b.rank >= 2,
                     "matmul: expected two matrices or batches, got shapes \(a.shape) and \(b.shape)")
        guard let t = _lapackType(Scalar.self) else {
            return _matmulKernel(transposeA ? a._transposeLast2() : a, transposeB ? b._transposeLast2() : b)
        }
        if a.rank == 2 && b.rank == 2 { return _gemmTransposing(t, a, transposeA, b, transposeB) }
        let (ra, ca) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (rb, cb) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ca, ra) : (ra, ca)
        let (kb, n) = transposeB ? (cb, rb) : (rb, cb)
        let batch = _broadcastShapeOrNil(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
        precondition(k == kb && batch != nil, "matmul: shapes \(a.shape) and \(b.shape) do not match")
        if m == 0 || n == 0 || k == 0 {
            return _matmulKernel(transposeA ? a._transposeLast2() : a, transposeB ? b._transposeLast2() : b)
        }
        return Tensor(_shape: batch! + [m, n],
                      _scalars: _blasBatchedMatmul(t, a, b, batch: batch!, m: m, k: k, n: n,
                                                   transposeA: transposeA, transposeB: transposeB))
    }

    /// Value-space kernel: the last two dimensions swapped (a copy).
    func _transposeLast2() -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(rank - 2, rank - 1)
        return _permute(axes)
    }

    @_specialize(where Scalar == Double, T == Double)
    @_specialize(where Scalar == Float, T == Float)
    private static func _gemmTransposing<T: LAPACKScalar>(_: T.Type, _ a: Tensor, _ ta: Bool,
                                                          _ b: Tensor, _ tb: Bool) -> Tensor {
        let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = tb ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        // Internal invariant: reached only through _matmulTransposing (pullbacks).
        precondition(k == kb, "matmul: inner dimensions differ: \(ta ? "transposed " : "")\(a.shape) · "
                     + "\(tb ? "transposed " : "")\(b.shape)")
        if m == 0 || n == 0 || k == 0 {
            return _matmulKernel(ta ? a._permute([1, 0]) : a, tb ? b._permute([1, 0]) : b)
        }
        let A = LAPACK.cast(a._buffer.elements, T.self), B = LAPACK.cast(b._buffer.elements, T.self)
        let c = [T](unsafeUninitializedCapacity: m * n) { out, initialized in
            A.withUnsafeBufferPointer { pa in
                B.withUnsafeBufferPointer { pb in
                    T._gemm(ta, tb, m, n, k, pa.baseAddress!, a.shape[1], pb.baseAddress!, b.shape[1],
                            out.baseAddress!, n)
                }
            }
            initialized = m * n
        }
        return Tensor(_shape: [m, n], _scalars: LAPACK.cast(c, Scalar.self))
    }
}

extension Array {
    /// Appends one batch entry's result; the first is taken as is (no copy into an
    /// empty array), which is the whole result for an unbatched matrix.
    @inline(__always)
    mutating func _appendBatch(_ x: [Element]) {
        if isEmpty { self = x } else { append(contentsOf: x) }
    }
}
