import RealModule

/// Every differentiable scalar function of two arguments, with its partial
/// derivatives: the binary half of Autodiff's single rule table (see
/// ``UnaryFunction`` for how the table is consumed).
///
/// ```swift
/// let (value, dx, dy) = BinaryFunction.atan2.evaluate(1.0, 2.0)
/// // atan2(y: 1, x: 2) with ∂/∂y = 2/5 and ∂/∂x = −1/5
/// ```
///
/// The arguments are `(x, y)` in the order the function's name suggests,
/// except ``atan2``, whose arguments are `(y, x)` as in `atan2(y:x:)`.
public enum BinaryFunction: Hashable, Sendable, CaseIterable {
    /// x + y; partials (1, 1).
    case add
    /// x − y; partials (1, −1).
    case subtract
    /// x·y; partials (y, x).
    case multiply
    /// x/y; partials (1/y, −Ω/y).
    case divide
    /// xʸ for real y; partials (y·xʸ⁻¹, Ω·ln x). By PyTorch's conventions
    /// ∂/∂x is 0 everywhere when y = 0, and ∂/∂y is 0 where x = 0 and y > 0.
    case pow
    /// atan2(y, x); partials (x/(x² + y²), −y/(x² + y²)).
    case atan2
    /// √(x² + y²); partials (x/Ω, y/Ω), and (0, 0) at the origin.
    case hypot
    /// The smaller argument (`T.minimum`); a tie splits the gradient equally
    /// (0.5, 0.5), as PyTorch does; a NaN argument takes the whole gradient
    /// where it is returned.
    case minimum
    /// The larger argument (`T.maximum`); ties split the gradient equally.
    case maximum
    /// IEEE remainder x − n·y with n = x/y rounded to nearest even; partials (1, −n).
    case remainder
    /// x − n·y with n = x/y rounded toward zero; partials (1, −n).
    case truncatingRemainder

    /// The name used in messages and in printed graphs.
    public var name: String { "\(self)" }

    /// The function's value and its partial derivatives at `(x, y)` (the partials
    /// reuse the value).
    @inlinable @inline(__always)
    public func evaluate<T: Real>(_ x: T, _ y: T) -> (value: T, dx: T, dy: T) {
        let v = value(x, y)
        let (dx, dy) = partials(at: x, y, value: v)
        return (v, dx, dy)
    }

    /// The function's value at `(x, y)`.
    @inlinable
    public func callAsFunction<T: Real>(_ x: T, _ y: T) -> T { value(x, y) }

    // MARK: The table: value, partials and test points of every function

    /// The function's value at `(x, y)`.
    @inlinable @inline(__always)
    public func value<T: Real>(_ x: T, _ y: T) -> T {
        switch self {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide: return x / y
        case .pow: return T.pow(x, y)
        case .atan2: return T.atan2(y: x, x: y)
        case .hypot: return T.hypot(x, y)
        case .minimum: return T.minimum(x, y)
        case .maximum: return T.maximum(x, y)
        case .remainder: return x.remainder(dividingBy: y)
        case .truncatingRemainder: return x.truncatingRemainder(dividingBy: y)
        }
    }

    /// The partial derivatives at `(x, y)`, given the value `Ω` there.
    @inlinable @inline(__always)
    public func partials<T: Real>(at x: T, _ y: T, value Ω: T) -> (dx: T, dy: T) {
        switch self {
        case .add: return (1, 1)
        case .subtract: return (1, -1)
        case .multiply: return (y, x)
        case .divide: return (1 / y, -Ω / y)
        case .pow:
            // d/dx x^0 = 0 everywhere (PyTorch), written as y times a factor made finite
            // there, not as a constant: its own derivative in y (1/x, the mixed second
            // derivative) survives, so Hessians stay symmetric at y = 0.
            var factor = T.pow(x, y - 1)
            if y == 0 && !factor.isFinite { factor = 0 }
            let dx: T = y * factor
            let dy: T = (x == 0 && y > 0) ? 0 : Ω * T.log(x)
            return (dx, dy)
        case .atan2:
            let r2 = x * x + y * y
            return (y / r2, -x / r2)
        case .hypot:
            if Ω == 0 { return (0, 0) }
            return (x / Ω, y / Ω)
        case .minimum:
            if x == y { return (1 / 2, 1 / 2) }
            let first = Ω.isNaN ? x.isNaN : x < y
            return first ? (1, 0) : (0, 1)
        case .maximum:
            if x == y { return (1 / 2, 1 / 2) }
            let first = Ω.isNaN ? x.isNaN : x > y
            return first ? (1, 0) : (0, 1)
        case .remainder:
            return (1, -(x / y).rounded(.toNearestOrEven))
        case .truncatingRemainder:
            return (1, -(x / y).rounded(.towardZero))
        }
    }

    /// Points where the function is smooth, so that its rule can be checked against
    /// central finite differences there.
    public var testPoints: [(Double, Double)] {
        switch self {
        case .pow: return [(0.7, 1.3), (2.2, -0.6), (1.5, 2.5), (3.0, 0.5)]
        case .remainder, .truncatingRemainder: return [(5.3, 2.1), (-4.2, 1.5), (2.9, -0.8)]
        case .add, .subtract, .multiply, .divide, .atan2, .hypot, .minimum, .maximum:
            return [(0.7, 1.3), (2.2, -0.6), (-1.4, 0.9), (3.0, 2.0)]
        }
    }

    /// Which second partial derivatives of the function are not identically zero
    /// (`xx` = ∂²f/∂x², `xy` = ∂²f/∂x∂y, `yy` = ∂²f/∂y²): what the function adds to a
    /// Hessian's sparsity pattern (see ``RecordedFunction/hessianSparsity``). A test
    /// checks it against second derivatives at ``testPoints``.
    ///
    /// ```swift
    /// BinaryFunction.multiply.secondOrderInteractions   // (xx: false, xy: true, yy: false)
    /// ```
    public var secondOrderInteractions: (xx: Bool, xy: Bool, yy: Bool) {
        switch self {
        case .add, .subtract, .minimum, .maximum, .remainder, .truncatingRemainder:
            return (false, false, false)
        case .multiply: return (false, true, false)
        case .divide: return (false, true, true)
        case .pow, .atan2, .hypot: return (true, true, true)
        }
    }

    /// Whether an elementwise loop of this function is cheap arithmetic rather than
    /// a library call (decides how finely tensor loops are split across cores).
    public var isCheap: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .minimum, .maximum: return true
        case .pow, .atan2, .hypot, .remainder, .truncatingRemainder: return false
        }
    }

    /// Calls `body` with `self` spelled as a constant, once per case (see
    /// ``UnaryFunction/withConstantRule(_:)``).
    @inlinable @inline(__always)
    public func withConstantRule<R>(_ body: (BinaryFunction) throws -> R) rethrows -> R {
        switch self {
        case .add: return try body(.add)
        case .subtract: return try body(.subtract)
        case .multiply: return try body(.multiply)
        case .divide: return try body(.divide)
        case .pow: return try body(.pow)
        case .atan2: return try body(.atan2)
        case .hypot: return try body(.hypot)
        case .minimum: return try body(.minimum)
        case .maximum: return try body(.maximum)
        case .remainder: return try body(.remainder)
        case .truncatingRemainder: return try body(.truncatingRemainder)
        }
    }
}
