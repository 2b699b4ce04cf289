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

    /// The function's value and its partial derivatives at `(x, y)`.
    @inlinable
    public func evaluate<T: Real>(_ x: T, _ y: T) -> (value: T, dx: T, dy: T) {
        switch self {
        case .add:
            return (x + y, 1, 1)
        case .subtract:
            return (x - y, 1, -1)
        case .multiply:
            return (x * y, y, x)
        case .divide:
            let v = x / y
            return (v, 1 / y, -v / y)
        case .pow:
            let v = T.pow(x, y)
            let dx: T = y == 0 ? 0 : y * T.pow(x, y - 1)
            let dy: T = (x == 0 && y > 0) ? 0 : v * T.log(x)
            return (v, dx, dy)
        case .atan2:
            let r2 = x * x + y * y
            return (T.atan2(y: x, x: y), y / r2, -x / r2)
        case .hypot:
            let v = T.hypot(x, y)
            if v == 0 { return (v, 0, 0) }
            return (v, x / v, y / v)
        case .minimum:
            let v = T.minimum(x, y)
            if x == y { return (v, 1 / 2, 1 / 2) }
            let first = v.isNaN ? x.isNaN : x < y
            return first ? (v, 1, 0) : (v, 0, 1)
        case .maximum:
            let v = T.maximum(x, y)
            if x == y { return (v, 1 / 2, 1 / 2) }
            let first = v.isNaN ? x.isNaN : x > y
            return first ? (v, 1, 0) : (v, 0, 1)
        case .remainder:
            let n = (x / y).rounded(.toNearestOrEven)
            return (x.remainder(dividingBy: y), 1, -n)
        case .truncatingRemainder:
            let n = (x / y).rounded(.towardZero)
            return (x.truncatingRemainder(dividingBy: y), 1, -n)
        }
    }

    /// The function's value at `(x, y)`.
    @inlinable
    public func callAsFunction<T: Real>(_ x: T, _ y: T) -> T { evaluate(x, y).value }
}
