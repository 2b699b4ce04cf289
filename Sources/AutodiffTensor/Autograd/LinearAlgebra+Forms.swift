import AutodiffCore
import RealModule

// Every linear-algebra operation in both forms: a method on the matrix (`a.solve(b)`,
// `a.inverse()`) and a free function named as in torch.linalg (`solve(a, b)`,
// `inverse(a)`). Each form calls the other; the derivative lives in one place. (`luSolve`,
// which takes the three factors of `lu`, is a free function only.)

extension Tensor {
    /// The solution `x` of `self · x = b` (PyTorch: `torch.linalg.solve(self, b)`).
    ///
    /// ```swift
    /// let x = try Tensor<Double>([[2, 0], [0, 4]]).solve(Tensor([2.0, 8.0]))   // [1, 2]
    /// ```
    public func solve(_ b: Tensor) throws -> Tensor { try AutodiffTensor.solve(self, b) }

    /// The solution of a triangular system `self · x = b` (PyTorch: `torch.linalg.solve_triangular`).
    ///
    /// ```swift
    /// let x = try Tensor<Double>([[2, 0], [1, 1]]).triangularSolve(Tensor([[2.0], [3.0]]), lower: true)
    /// ```
    public func triangularSolve(_ b: Tensor, lower: Bool, unitDiagonal: Bool = false) throws -> Tensor {
        try AutodiffTensor.triangularSolve(self, b, lower: lower, unitDiagonal: unitDiagonal)
    }

    /// The lower Cholesky factor (PyTorch: `torch.linalg.cholesky`).
    ///
    /// ```swift
    /// let l = try Tensor<Double>([[4, 2], [2, 3]]).cholesky()
    /// ```
    public func cholesky() throws -> Tensor { try AutodiffTensor.cholesky(self) }

    /// Eigenvalues (ascending) and eigenvectors of a symmetric matrix (PyTorch: `torch.linalg.eigh`).
    ///
    /// ```swift
    /// let (values, vectors) = try Tensor<Double>([[2, 1], [1, 2]]).eigh()   // values [1, 3]
    /// ```
    public func eigh() throws -> (eigenvalues: Tensor, eigenvectors: Tensor) { try AutodiffTensor.eigh(self) }

    /// The thin singular value decomposition (PyTorch: `torch.linalg.svd(full_matrices=False)`).
    ///
    /// ```swift
    /// let (u, s, vt) = try Tensor<Double>([[3, 0], [0, 4]]).svd()   // s [4, 3]
    /// ```
    public func svd() throws -> (u: Tensor, s: Tensor, vt: Tensor) { try AutodiffTensor.svd(self) }

    /// The reduced QR factorisation (PyTorch: `torch.linalg.qr`).
    ///
    /// ```swift
    /// let (q, r) = try Tensor<Double>([[1, 2], [3, 4], [5, 6]]).qr()
    /// ```
    public func qr() throws -> (q: Tensor, r: Tensor) { try AutodiffTensor.qr(self) }

    /// The least-squares solution of `self · x ≈ b` (PyTorch: `torch.linalg.lstsq(self, b).solution`).
    ///
    /// ```swift
    /// let x = try Tensor<Double>([[1, 0], [0, 1], [1, 1]]).leastSquares(Tensor([[1.0], [2.0], [3.0]]))
    /// ```
    public func leastSquares(_ b: Tensor) throws -> Tensor { try AutodiffTensor.leastSquares(self, b) }

    /// The solution `x` of `(self · selfᵀ) · x = b`, `self` being a lower Cholesky factor
    /// (PyTorch: `torch.cholesky_solve(b, self)`).
    ///
    /// ```swift
    /// let l = try Tensor<Double>([[4, 2], [2, 3]]).cholesky()
    /// let x = try l.choleskySolve(Tensor([[6.0], [5.0]]))   // [[1], [1]]
    /// ```
    public func choleskySolve(_ b: Tensor) throws -> Tensor { try AutodiffTensor.choleskySolve(b, cholesky: self) }

    /// The LU factorisation with partial pivoting `self = p · l · u` (PyTorch: `torch.linalg.lu`);
    /// ``luSolve(_:_:)`` solves with the factors.
    ///
    /// ```swift
    /// let (p, l, u) = try Tensor<Double>([[1, 2], [3, 4]]).lu()
    /// ```
    public func lu() throws -> (p: Tensor, l: Tensor, u: Tensor) { try AutodiffTensor.lu(self) }

    /// The Moore–Penrose pseudo-inverse (PyTorch: `torch.linalg.pinv`).
    ///
    /// ```swift
    /// let p = try Tensor<Double>([[1, 0], [0, 2], [0, 0]]).pinv()   // [[1, 0, 0], [0, 0.5, 0]]
    /// ```
    public func pinv() throws -> Tensor { try AutodiffTensor.pinv(self) }

    /// The matrix exponential (PyTorch: `torch.linalg.matrix_exp`).
    ///
    /// ```swift
    /// let e = try Tensor<Double>([[0, 1], [0, 0]]).matrixExp()   // [[1, 1], [0, 1]]
    /// ```
    public func matrixExp() throws -> Tensor { try AutodiffTensor.matrixExp(self) }
}

/// The inverse of a square matrix or a batch of them (PyTorch: `torch.linalg.inv`).
///
/// ```swift
/// let inv = try inverse(Tensor<Double>([[2, 0], [0, 4]]))   // [[0.5, 0], [0, 0.25]]
/// ```
public func inverse<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> { try a.inverse() }

/// The determinant (PyTorch: `torch.linalg.det`).
///
/// ```swift
/// let d = try determinant(Tensor<Double>([[2, 1], [1, 3]]))   // 5
/// ```
public func determinant<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> { try a.determinant() }

/// The sign and the log of the absolute determinant (PyTorch: `torch.linalg.slogdet`).
///
/// ```swift
/// let (sign, logAbs) = try logDeterminant(Tensor<Double>([[2, 1], [1, 3]]))   // 1, log 5
/// ```
public func logDeterminant<Scalar>(_ a: Tensor<Scalar>) throws
    -> (sign: Tensor<Scalar>, logAbsDeterminant: Tensor<Scalar>) { try a.logDeterminant() }
