internal import _CLAPACK
import AutodiffCore
import RealModule

// Thin wrappers over CBLAS and LAPACKE for Float and Double. Every wrapper
// works on copies (Swift arrays are copied on the first write through
// `withUnsafeMutableBufferPointer`), so caller storage is never overwritten by
// LAPACK. Callers check shapes and finiteness first.
//
// The hot drivers (solve, Cholesky, inverse, triangular solve) call the
// column-major `LAPACKE_?xxx_work` routines directly on the row-major buffer,
// which LAPACK then sees as the transpose Aᵀ, and adjust `uplo`/`trans`
// accordingly. This avoids LAPACKE's row-major path, which transposes every
// matrix into a new allocation on the way in and out, and its NaN scan
// (the callers have already checked finiteness).

/// The scalars with BLAS/LAPACK routines (`Float`, `Double`).
@usableFromInline
protocol LAPACKScalar: Real {
    static var _prefix: String { get }
    static func _gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                      _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
                      _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    static func _gemv(_ m: Int, _ n: Int, _ a: UnsafePointer<Self>, _ x: UnsafePointer<Self>,
                      _ y: UnsafeMutablePointer<Self>)
    static func _dot(_ n: Int, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>) -> Self
    static func _getrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Self>, _ ipiv: UnsafeMutablePointer<Int32>) -> Int32
    static func _syevd(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ w: UnsafeMutablePointer<Self>) -> Int32
    static func _gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Self>, _ s: UnsafeMutablePointer<Self>,
                       _ u: UnsafeMutablePointer<Self>, _ vt: UnsafeMutablePointer<Self>) -> Int32
    static func _geqrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Self>, _ tau: UnsafeMutablePointer<Self>) -> Int32
    static func _orgqr(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafeMutablePointer<Self>, _ tau: UnsafePointer<Self>) -> Int32
    static func _gels(_ m: Int, _ n: Int, _ nrhs: Int, _ a: UnsafeMutablePointer<Self>,
                      _ b: UnsafeMutablePointer<Self>, _ ldb: Int) -> Int32
    // Column-major `_work` routines (no layout transposition, no NaN scan).
    static func _getrfColumnMajor(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ ipiv: UnsafeMutablePointer<Int32>) -> Int32
    static func _getrsColumnMajor(_ transpose: Bool, _ n: Int, _ nrhs: Int, _ a: UnsafePointer<Self>,
                                  _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Self>) -> Int32
    static func _getriColumnMajor(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ ipiv: UnsafePointer<Int32>) -> Int32
    static func _potrfColumnMajor(_ upper: Bool, _ n: Int, _ a: UnsafeMutablePointer<Self>) -> Int32
    static func _trtrsColumnMajor(_ upper: Bool, _ transpose: Bool, _ unit: Bool, _ n: Int, _ nrhs: Int,
                                  _ a: UnsafePointer<Self>, _ b: UnsafeMutablePointer<Self>) -> Int32
}

@inline(__always) private func i32(_ x: Int) -> Int32 { Int32(truncatingIfNeeded: x) }
@inline(__always) private func ch(_ c: Character) -> CChar { CChar(c.asciiValue!) }
private let rowMajor = Int32(LAPACK_ROW_MAJOR)
private let columnMajor = Int32(LAPACK_COL_MAJOR)

extension Double: LAPACKScalar {
    @usableFromInline static var _prefix: String { "d" }
    @usableFromInline static func _gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                                        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                                        _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    i32(m), i32(n), i32(k), 1, a, i32(lda), b, i32(ldb), 0, c, i32(ldc))
    }
    @usableFromInline static func _gemv(_ m: Int, _ n: Int, _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                                        _ y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, i32(m), i32(n), 1, a, i32(n), x, 1, 0, y, 1)
    }
    @usableFromInline static func _dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        cblas_ddot(i32(n), x, 1, y, 1)
    }
    @usableFromInline static func _getrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>,
                                         _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgetrf(rowMajor, i32(m), i32(n), a, i32(Swift.max(n, 1)), ipiv)
    }
    @usableFromInline static func _syevd(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(rowMajor, ch("V"), ch("L"), i32(n), a, i32(Swift.max(n, 1)), w)
    }
    @usableFromInline static func _gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>,
                                         _ u: UnsafeMutablePointer<Double>, _ vt: UnsafeMutablePointer<Double>) -> Int32 {
        let k = Swift.min(m, n)
        return LAPACKE_dgesdd(rowMajor, ch("S"), i32(m), i32(n), a, i32(Swift.max(n, 1)), s, u, i32(Swift.max(k, 1)),
                              vt, i32(Swift.max(n, 1)))
    }
    @usableFromInline static func _geqrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>,
                                         _ tau: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgeqrf(rowMajor, i32(m), i32(n), a, i32(Swift.max(n, 1)), tau)
    }
    @usableFromInline static func _orgqr(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafeMutablePointer<Double>,
                                         _ tau: UnsafePointer<Double>) -> Int32 {
        LAPACKE_dorgqr(rowMajor, i32(m), i32(n), i32(k), a, i32(Swift.max(n, 1)), tau)
    }
    @usableFromInline static func _gels(_ m: Int, _ n: Int, _ nrhs: Int, _ a: UnsafeMutablePointer<Double>,
                                        _ b: UnsafeMutablePointer<Double>, _ ldb: Int) -> Int32 {
        LAPACKE_dgels(rowMajor, ch("N"), i32(m), i32(n), i32(nrhs), a, i32(Swift.max(n, 1)), b, i32(ldb))
    }
    @usableFromInline static func _getrfColumnMajor(_ n: Int, _ a: UnsafeMutablePointer<Double>,
                                                    _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgetrf_work(columnMajor, i32(n), i32(n), a, i32(Swift.max(n, 1)), ipiv)
    }
    @usableFromInline static func _getrsColumnMajor(_ transpose: Bool, _ n: Int, _ nrhs: Int, _ a: UnsafePointer<Double>,
                                                    _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgetrs_work(columnMajor, ch(transpose ? "T" : "N"), i32(n), i32(nrhs), a, i32(Swift.max(n, 1)), ipiv,
                           b, i32(Swift.max(n, 1)))
    }
    @usableFromInline static func _getriColumnMajor(_ n: Int, _ a: UnsafeMutablePointer<Double>,
                                                    _ ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_dgetri(columnMajor, i32(n), a, i32(Swift.max(n, 1)), ipiv)
    }
    @usableFromInline static func _potrfColumnMajor(_ upper: Bool, _ n: Int, _ a: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dpotrf_work(columnMajor, ch(upper ? "U" : "L"), i32(n), a, i32(Swift.max(n, 1)))
    }
    @usableFromInline static func _trtrsColumnMajor(_ upper: Bool, _ transpose: Bool, _ unit: Bool, _ n: Int, _ nrhs: Int,
                                                    _ a: UnsafePointer<Double>, _ b: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dtrtrs_work(columnMajor, ch(upper ? "U" : "L"), ch(transpose ? "T" : "N"), ch(unit ? "U" : "N"),
                           i32(n), i32(nrhs), a, i32(Swift.max(n, 1)), b, i32(Swift.max(n, 1)))
    }
}

extension Float: LAPACKScalar {
    @usableFromInline static var _prefix: String { "s" }
    @usableFromInline static func _gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                                        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                                        _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    i32(m), i32(n), i32(k), 1, a, i32(lda), b, i32(ldb), 0, c, i32(ldc))
    }
    @usableFromInline static func _gemv(_ m: Int, _ n: Int, _ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                        _ y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, i32(m), i32(n), 1, a, i32(n), x, 1, 0, y, 1)
    }
    @usableFromInline static func _dot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        cblas_sdot(i32(n), x, 1, y, 1)
    }
    @usableFromInline static func _getrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Float>,
                                         _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgetrf(rowMajor, i32(m), i32(n), a, i32(Swift.max(n, 1)), ipiv)
    }
    @usableFromInline static func _syevd(_ n: Int, _ a: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(rowMajor, ch("V"), ch("L"), i32(n), a, i32(Swift.max(n, 1)), w)
    }
    @usableFromInline static func _gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>,
                                         _ u: UnsafeMutablePointer<Float>, _ vt: UnsafeMutablePointer<Float>) -> Int32 {
        let k = Swift.min(m, n)
        return LAPACKE_sgesdd(rowMajor, ch("S"), i32(m), i32(n), a, i32(Swift.max(n, 1)), s, u, i32(Swift.max(k, 1)),
                              vt, i32(Swift.max(n, 1)))
    }
    @usableFromInline static func _geqrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Float>,
                                         _ tau: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgeqrf(rowMajor, i32(m), i32(n), a, i32(Swift.max(n, 1)), tau)
    }
    @usableFromInline static func _orgqr(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafeMutablePointer<Float>,
                                         _ tau: UnsafePointer<Float>) -> Int32 {
        LAPACKE_sorgqr(rowMajor, i32(m), i32(n), i32(k), a, i32(Swift.max(n, 1)), tau)
    }
    @usableFromInline static func _gels(_ m: Int, _ n: Int, _ nrhs: Int, _ a: UnsafeMutablePointer<Float>,
                                        _ b: UnsafeMutablePointer<Float>, _ ldb: Int) -> Int32 {
        LAPACKE_sgels(rowMajor, ch("N"), i32(m), i32(n), i32(nrhs), a, i32(Swift.max(n, 1)), b, i32(ldb))
    }
    @usableFromInline static func _getrfColumnMajor(_ n: Int, _ a: UnsafeMutablePointer<Float>,
                                                    _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgetrf_work(columnMajor, i32(n), i32(n), a, i32(Swift.max(n, 1)), ipiv)
    }
    @usableFromInline static func _getrsColumnMajor(_ transpose: Bool, _ n: Int, _ nrhs: Int, _ a: UnsafePointer<Float>,
                                                    _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgetrs_work(columnMajor, ch(transpose ? "T" : "N"), i32(n), i32(nrhs), a, i32(Swift.max(n, 1)), ipiv,
                           b, i32(Swift.max(n, 1)))
    }
    @usableFromInline static func _getriColumnMajor(_ n: Int, _ a: UnsafeMutablePointer<Float>,
                                                    _ ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_sgetri(columnMajor, i32(n), a, i32(Swift.max(n, 1)), ipiv)
    }
    @usableFromInline static func _potrfColumnMajor(_ upper: Bool, _ n: Int, _ a: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_spotrf_work(columnMajor, ch(upper ? "U" : "L"), i32(n), a, i32(Swift.max(n, 1)))
    }
    @usableFromInline static func _trtrsColumnMajor(_ upper: Bool, _ transpose: Bool, _ unit: Bool, _ n: Int, _ nrhs: Int,
                                                    _ a: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_strtrs_work(columnMajor, ch(upper ? "U" : "L"), ch(transpose ? "T" : "N"), ch(unit ? "U" : "N"),
                           i32(n), i32(nrhs), a, i32(Swift.max(n, 1)), b, i32(Swift.max(n, 1)))
    }
}

/// Single-matrix LAPACK drivers on row-major arrays of any scalar `S` that is
/// at run time the LAPACK type `T` (the arrays are reinterpreted, not converted).
/// Each returns LAPACK's `info` with the results.
@usableFromInline
enum LAPACK {
    @inline(__always) static func cast<A, B>(_ x: [A], _: B.Type) -> [B] {
        precondition(A.self == B.self)   // internal invariant: callers dispatch on the scalar type
        return unsafeBitCast(x, to: [B].self)
    }

    /// `x` (rows×cols, row-major) transposed, i.e. the same matrix in column-major order.
    @inline(__always)
    static func transposed<T>(_ x: [T], rows: Int, cols: Int) -> [T] {
        [T](unsafeUninitializedCapacity: rows * cols) { out, initialized in
            x.withUnsafeBufferPointer { src in
                for i in 0..<rows { for j in 0..<cols { (out.baseAddress! + (j * rows + i)).initialize(to: src[i * cols + j]) } }
            }
            initialized = rows * cols
        }
    }

    /// A·X = B for square A (n×n) and B (n×nrhs): `?getrf` of the row-major
    /// buffer seen column-major (i.e. of Aᵀ), then `?getrs` with the transpose,
    /// which solves (Aᵀ)ᵀ·X = A·X = B. Same work as `?gesv`, no layout copies.
    /// `info > 0` is the 1-based index of an exactly zero pivot of that factorisation.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func solve<T: LAPACKScalar, S>(_: T.Type, _ a: [S], _ b: [S], n: Int, nrhs: Int) -> (x: [S], info: Int) {
        var A = cast(a, T.self)
        // Column-major B: the same buffer for a single right-hand side.
        var B = nrhs == 1 ? cast(b, T.self) : transposed(cast(b, T.self), rows: n, cols: nrhs)
        var ipiv = [Int32](repeating: 0, count: Swift.max(n, 1))
        let info = A.withUnsafeMutableBufferPointer { pa in
            ipiv.withUnsafeMutableBufferPointer { pp in
                let info = T._getrfColumnMajor(n, pa.baseAddress!, pp.baseAddress!)
                if info != 0 { return info }
                return B.withUnsafeMutableBufferPointer { pb in
                    T._getrsColumnMajor(true, n, nrhs, pa.baseAddress!, pp.baseAddress!, pb.baseAddress!)
                }
            }
        }
        if info != 0 { return ([], Int(info)) }
        return (cast(nrhs == 1 ? B : transposed(B, rows: nrhs, cols: n), S.self), 0)
    }

    /// LU factorisation with partial pivoting of an m×n matrix: `?getrf`; returns the packed
    /// LU (row-major m×n) and the min(m, n) 1-based pivots (row i was swapped with row ipiv[i]).
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func lu<T: LAPACKScalar, S>(_: T.Type, _ a: [S], m: Int, n: Int) -> (lu: [S], pivots: [Int32], info: Int) {
        var A = cast(a, T.self)
        var ipiv = [Int32](repeating: 0, count: Swift.max(Swift.min(m, n), 1))
        let info = A.withUnsafeMutableBufferPointer { T._getrf(m, n, $0.baseAddress!, &ipiv) }
        return (cast(A, S.self), ipiv, Int(info))
    }

    /// The inverse of an n×n matrix: `?getrf` then `?getri` on the buffer seen
    /// column-major (inv(Aᵀ) = inv(A)ᵀ, so the result read row-major is inv(A));
    /// `routine` names the failing one.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func inverse<T: LAPACKScalar, S>(_: T.Type, _ a: [S], n: Int) -> (inverse: [S], info: Int, routine: String) {
        var A = cast(a, T.self)
        var ipiv = [Int32](repeating: 0, count: Swift.max(n, 1))
        let info = A.withUnsafeMutableBufferPointer { T._getrfColumnMajor(n, $0.baseAddress!, &ipiv) }
        if info != 0 { return ([], Int(info), T._prefix + "getrf") }
        let info2 = A.withUnsafeMutableBufferPointer { T._getriColumnMajor(n, $0.baseAddress!, ipiv) }
        return (cast(A, S.self), Int(info2), T._prefix + "getri")
    }

    /// Lower Cholesky factor (upper triangle zeroed): `?potrf`. The row-major
    /// lower triangle is the column-major upper one, so this is `uplo = U` on
    /// the buffer as it is; LAPACK leaves the other triangle, zeroed here.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func cholesky<T: LAPACKScalar, S>(_: T.Type, _ a: [S], n: Int) -> (l: [S], info: Int) {
        var A = cast(a, T.self)
        let info = A.withUnsafeMutableBufferPointer { pa in
            let p = pa.baseAddress!
            let info = T._potrfColumnMajor(true, n, p)
            for i in 0..<n { (p + i * n + i + 1).update(repeating: 0, count: n - i - 1) }
            return info
        }
        return (cast(A, S.self), Int(info))
    }

    /// Triangular solve op(A)·X = B: `?trtrs` on the buffer seen column-major,
    /// i.e. on Aᵀ with the triangle and the transposition flipped.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func triangularSolve<T: LAPACKScalar, S>(_: T.Type, _ a: [S], _ b: [S], n: Int, nrhs: Int, lower: Bool,
                                                    transpose: Bool, unitDiagonal: Bool) -> (x: [S], info: Int) {
        let A = cast(a, T.self)
        var B = nrhs == 1 ? cast(b, T.self) : transposed(cast(b, T.self), rows: n, cols: nrhs)
        let info = A.withUnsafeBufferPointer { pa in
            B.withUnsafeMutableBufferPointer { pb in
                T._trtrsColumnMajor(lower, !transpose, unitDiagonal, n, nrhs, pa.baseAddress!, pb.baseAddress!)
            }
        }
        if info != 0 { return ([], Int(info)) }
        return (cast(nrhs == 1 ? B : transposed(B, rows: nrhs, cols: n), S.self), 0)
    }

    /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix
    /// from its lower triangle: `?syevd`.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func eigh<T: LAPACKScalar, S>(_: T.Type, _ a: [S], n: Int) -> (values: [S], vectors: [S], info: Int) {
        var A = cast(a, T.self)
        var w = [T](repeating: 0, count: n)
        let info = A.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { T._syevd(n, pa.baseAddress!, $0.baseAddress!) }
        }
        return (cast(w, S.self), cast(A, S.self), Int(info))
    }

    /// Thin SVD A = U·diag(S)·Vᵀ of an m×n matrix: `?gesdd`.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func svd<T: LAPACKScalar, S>(_: T.Type, _ a: [S], m: Int, n: Int) -> (u: [S], s: [S], vt: [S], info: Int) {
        let k = Swift.min(m, n)
        var A = cast(a, T.self)
        var s = [T](repeating: 0, count: Swift.max(k, 1))
        var u = [T](repeating: 0, count: Swift.max(m * k, 1))
        var vt = [T](repeating: 0, count: Swift.max(k * n, 1))
        let info = A.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.withUnsafeMutableBufferPointer { pu in
                    vt.withUnsafeMutableBufferPointer { pv in
                        T._gesdd(m, n, pa.baseAddress!, ps.baseAddress!, pu.baseAddress!, pv.baseAddress!)
                    }
                }
            }
        }
        return (cast(Array(u.prefix(m * k)), S.self), cast(Array(s.prefix(k)), S.self),
                cast(Array(vt.prefix(k * n)), S.self), Int(info))
    }

    /// Reduced QR of an m×n matrix: Q (m×k) and R (k×n), k = min(m, n): `?geqrf`, `?orgqr`.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func qr<T: LAPACKScalar, S>(_: T.Type, _ a: [S], m: Int, n: Int) -> (q: [S], r: [S], info: Int, routine: String) {
        let k = Swift.min(m, n)
        var A = cast(a, T.self)
        var tau = [T](repeating: 0, count: Swift.max(k, 1))
        let info = A.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { T._geqrf(m, n, pa.baseAddress!, $0.baseAddress!) }
        }
        if info != 0 { return ([], [], Int(info), T._prefix + "geqrf") }
        var r = [T](repeating: 0, count: k * n)
        for i in 0..<k { for j in i..<n { r[i * n + j] = A[i * n + j] } }
        // Q: the first k columns of the reflectors, as an m×k row-major matrix.
        var q = [T](repeating: 0, count: Swift.max(m * k, 1))
        for i in 0..<m { for j in 0..<k { q[i * k + j] = A[i * n + j] } }
        if m == 0 || k == 0 { return (cast(Array(q.prefix(m * k)), S.self), cast(r, S.self), 0, "") }
        let info2 = q.withUnsafeMutableBufferPointer { pq in
            tau.withUnsafeBufferPointer { T._orgqr(m, k, k, pq.baseAddress!, $0.baseAddress!) }
        }
        return (cast(q, S.self), cast(r, S.self), Int(info2), T._prefix + "orgqr")
    }

    /// Least-squares / minimum-norm solution of A·X ≈ B, A m×n of full rank: `?gels`.
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    static func leastSquares<T: LAPACKScalar, S>(_: T.Type, _ a: [S], _ b: [S], m: Int, n: Int, nrhs: Int)
        -> (x: [S], info: Int) {
        var A = cast(a, T.self)
        let rows = Swift.max(m, n)
        var B = [T](repeating: 0, count: Swift.max(rows * nrhs, 1))
        let b0 = cast(b, T.self)
        for i in 0..<m { for j in 0..<nrhs { B[i * nrhs + j] = b0[i * nrhs + j] } }
        let info = A.withUnsafeMutableBufferPointer { pa in
            B.withUnsafeMutableBufferPointer { T._gels(m, n, nrhs, pa.baseAddress!, $0.baseAddress!, Swift.max(nrhs, 1)) }
        }
        return (cast(Array(B.prefix(n * nrhs)), S.self), Int(info))
    }
}
