import AutodiffCore
/// Why a tensor operation failed.
///
/// Operations backed by LAPACK (``solve(_:_:)``, ``Tensor/inverse()``,
/// ``cholesky(_:)``, …) and reductions that need at least one value
/// (``Tensor/min()``, ``Tensor/argmax()``, …) throw these. Programmer errors
/// that PyTorch reports immediately (mismatched shapes in broadcasting or
/// `matmul`, an axis out of range) stop the program, in debug and release builds,
/// with `Autodiff: ` and the ``description`` of the corresponding case.
///
/// ```swift
/// do {
///     _ = try Tensor<Double>([[1, 2], [2, 4]]).inverse()
/// } catch let error as TensorError {
///     print(error)   // inverse: matrix of shape [2, 2] is singular (LAPACK info = 2)
/// }
/// ```
public enum TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Two shapes that the operation cannot combine.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
    /// The matrix is singular (exactly, as detected by the factorisation);
    /// `info` is LAPACK's, i.e. the 1-based index of the zero pivot.
    case singularMatrix(operation: String, shape: [Int], info: Int)
    /// The matrix is not (numerically) positive definite; `info` is the order
    /// of the leading minor that is not.
    case notPositiveDefinite(operation: String, shape: [Int], info: Int)
    /// The operation needs square matrices (in the last two dimensions).
    case notSquare(operation: String, shape: [Int])
    /// The operation needs at least one element.
    case empty(operation: String)
    /// A NaN or infinity was found in an input that would be passed to LAPACK.
    case nonFinite(operation: String)
    /// The operation needs a tensor of another rank.
    case rankMismatch(operation: String, shape: [Int], expected: String)
    /// The matrix is (numerically) rank-deficient: its triangular factor has `rank`
    /// diagonal entries above max(m, n)·ε·max|Rᵢᵢ|, fewer than min(m, n).
    case rankDeficient(operation: String, shape: [Int], rank: Int)
    /// LAPACK reported a failure not covered above (e.g. no convergence).
    case lapackFailure(operation: String, routine: String, info: Int)
    /// No implementation exists for this scalar type (the LAPACK-only
    /// decompositions for scalars other than `Float` and `Double`).
    case unsupportedScalar(operation: String, scalar: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs):
            return "\(op): " + TensorError._incompatible(lhs, rhs)
        case let .singularMatrix(op, shape, info):
            return "\(op): matrix of shape \(shape) is singular (LAPACK info = \(info))"
        case let .notPositiveDefinite(op, shape, info):
            return "\(op): matrix of shape \(shape) is not positive definite (leading minor \(info), LAPACK info = \(info))"
        case let .notSquare(op, shape):
            return "\(op): expected square matrices, got shape \(shape)"
        case let .empty(op):
            return "\(op): the tensor is empty, a value is needed"
        case let .nonFinite(op):
            return "\(op): input contains NaN or infinity"
        case let .rankMismatch(op, shape, expected):
            return "\(op): expected \(expected), got shape \(shape)"
        case let .rankDeficient(op, shape, rank):
            return "\(op): matrix of shape \(shape) is rank-deficient (numerical rank \(rank))"
        case let .lapackFailure(op, routine, info):
            return "\(op): LAPACK \(routine) failed with info = \(info)"
        case let .unsupportedScalar(op, scalar):
            return "\(op): not available for scalar type \(scalar) (only Float and Double, through LAPACK)"
        }
    }
}

extension TensorError {
    /// The text of ``shapeMismatch(operation:lhs:rhs:)`` after the operation's name, also
    /// used by the checks that stop the program on a shape mismatch.
    static func _incompatible(_ lhs: [Int], _ rhs: [Int]) -> String {
        "shapes \(lhs) and \(rhs) are incompatible"
    }
}
