import RealModule

/// Every differentiable scalar function of one argument, with its derivative rule.
///
/// This is the single table of unary derivative rules in Autodiff. ``Dual``,
/// ``Reverse`` and the elementwise tensor operations all consume it through
/// ``evaluate(_:)``, which returns the function's value together with its
/// derivative, reusing the value where the derivative is a function of it
/// (`exp` has derivative `Ω`, `tanh` has `1 − Ω²`). A new function cannot be
/// added without its rule: the `switch` below is exhaustive.
///
/// Both results are computed with `T`'s own arithmetic, so when `T` is itself a
/// ``Dual`` or ``Reverse`` the derivative is differentiable again (higher
/// derivatives by nesting).
///
/// At non-differentiable points the rules follow PyTorch's conventions, stated
/// on each case.
///
/// ```swift
/// let (value, slope) = UnaryFunction.tanh.evaluate(0.5)
/// // value == tanh(0.5), slope == 1 - value * value
/// ```
@frozen
public enum UnaryFunction: Hashable, Sendable {
    /// −x; derivative −1.
    case negate
    /// √x; derivative 1/(2√x), which is +∞ at x = 0 (PyTorch's convention).
    case sqrt
    /// eˣ; derivative Ω.
    case exp
    /// eˣ − 1; derivative Ω + 1.
    case expMinusOne
    /// 2ˣ; derivative Ω·ln 2.
    case exp2
    /// 10ˣ; derivative Ω·ln 10.
    case exp10
    /// cosh x; derivative sinh x.
    case cosh
    /// sinh x; derivative cosh x.
    case sinh
    /// tanh x; derivative 1 − Ω².
    case tanh
    /// cos x; derivative −sin x.
    case cos
    /// sin x; derivative cos x.
    case sin
    /// tan x; derivative 1 + Ω².
    case tan
    /// ln x; derivative 1/x.
    case log
    /// ln(1 + x); derivative 1/(1 + x).
    case logOnePlus
    /// log₂ x; derivative 1/(x ln 2).
    case log2
    /// log₁₀ x; derivative 1/(x ln 10).
    case log10
    /// acosh x; derivative 1/√(x² − 1).
    case acosh
    /// asinh x; derivative 1/√(x² + 1).
    case asinh
    /// atanh x; derivative 1/(1 − x²).
    case atanh
    /// acos x; derivative −1/√(1 − x²).
    case acos
    /// asin x; derivative 1/√(1 − x²).
    case asin
    /// atan x; derivative 1/(1 + x²).
    case atan
    /// erf x; derivative (2/√π)·e^(−x²).
    case erf
    /// erfc x; derivative −(2/√π)·e^(−x²).
    case erfc
    /// Γ(x); derivative Ω·ψ(x), with ψ the digamma function.
    case gamma
    /// ln|Γ(x)|; derivative ψ(x).
    case logGamma
    /// |x|; derivative sign(x), and 0 at x = 0 (PyTorch's convention).
    case abs
    /// 1/(1 + e⁻ˣ); derivative Ω(1 − Ω).
    case sigmoid
    /// ln(1 + eˣ), computed without overflow; derivative sigmoid(x).
    case softplus
    /// max(x, 0); derivative 1 for x > 0, else 0 (0 at x = 0, PyTorch's convention).
    case relu
    /// xⁿ for an integer n; derivative n·xⁿ⁻¹, and 0 everywhere for n = 0.
    case power(Int)
    /// The n-th root of x; derivative 1/(n·Ωⁿ⁻¹), +∞ at x = 0.
    case root(Int)
    /// x rounded with the given rule; piecewise constant, derivative 0.
    case rounded(RoundingMode)

    /// Every function, with representative parameters for the parameterised
    /// ones: the list the rule tests iterate over.
    public static let allCases: [UnaryFunction] = [
        .negate, .sqrt, .exp, .expMinusOne, .exp2, .exp10, .cosh, .sinh, .tanh,
        .cos, .sin, .tan, .log, .logOnePlus, .log2, .log10, .acosh, .asinh, .atanh,
        .acos, .asin, .atan, .erf, .erfc, .gamma, .logGamma, .abs, .sigmoid,
        .softplus, .relu, .power(0), .power(1), .power(2), .power(3), .power(-2),
        .root(2), .root(3), .rounded(.toNearestOrEven), .rounded(.down), .rounded(.up),
        .rounded(.towardZero), .rounded(.toNearestOrAwayFromZero), .rounded(.awayFromZero),
    ]

    /// The name used in messages and in printed graphs (`"exp"`, `"pow(·, 3)"`).
    public var name: String {
        switch self {
        case .power(let n): return "pow(·, \(n))"
        case .root(let n): return "root(·, \(n))"
        case .rounded(let rule): return "rounded(\(rule))"
        default: return "\(self)"
        }
    }

    /// The function's value at `x`.
    @inlinable
    public func callAsFunction<T: Real>(_ x: T) -> T { evaluate(x).value }

    /// The function's value and its derivative at `x`.
    @inlinable
    public func evaluate<T: Real>(_ x: T) -> (value: T, derivative: T) {
        switch self {
        case .negate:
            return (-x, -1)
        case .sqrt:
            let v = T.sqrt(x)
            return (v, 1 / (2 * v))
        case .exp:
            let v = T.exp(x)
            return (v, v)
        case .expMinusOne:
            let v = T.expMinusOne(x)
            return (v, v + 1)
        case .exp2:
            let v = T.exp2(x)
            return (v, v * _ln2())
        case .exp10:
            let v = T.exp10(x)
            return (v, v * _ln10())
        case .cosh:
            return (T.cosh(x), T.sinh(x))
        case .sinh:
            return (T.sinh(x), T.cosh(x))
        case .tanh:
            let v = T.tanh(x)
            return (v, 1 - v * v)
        case .cos:
            return (T.cos(x), -T.sin(x))
        case .sin:
            return (T.sin(x), T.cos(x))
        case .tan:
            let v = T.tan(x)
            return (v, 1 + v * v)
        case .log:
            return (T.log(x), 1 / x)
        case .logOnePlus:
            return (T.log(onePlus: x), 1 / (1 + x))
        case .log2:
            return (T.log2(x), 1 / (x * _ln2()))
        case .log10:
            return (T.log10(x), 1 / (x * _ln10()))
        case .acosh:
            return (T.acosh(x), 1 / T.sqrt(x * x - 1))
        case .asinh:
            return (T.asinh(x), 1 / T.sqrt(x * x + 1))
        case .atanh:
            return (T.atanh(x), 1 / (1 - x * x))
        case .acos:
            return (T.acos(x), -1 / T.sqrt(1 - x * x))
        case .asin:
            return (T.asin(x), 1 / T.sqrt(1 - x * x))
        case .atan:
            return (T.atan(x), 1 / (1 + x * x))
        case .erf:
            return (T.erf(x), _twoOverSqrtPi() * T.exp(-x * x))
        case .erfc:
            return (T.erfc(x), -_twoOverSqrtPi() * T.exp(-x * x))
        case .gamma:
            let v = T.gamma(x)
            return (v, v * digamma(x))
        case .logGamma:
            return (T.logGamma(x), digamma(x))
        case .abs:
            if x > 0 { return (x, 1) }
            if x < 0 { return (-x, -1) }
            return (x.magnitude, 0)
        case .sigmoid:
            let v: T
            if x >= 0 {
                v = 1 / (1 + T.exp(-x))
            } else {
                let e = T.exp(x)
                v = e / (1 + e)
            }
            return (v, v * (1 - v))
        case .softplus:
            let v: T
            let s: T
            if x > 0 {
                let e = T.exp(-x)
                v = x + T.log(onePlus: e)
                s = 1 / (1 + e)
            } else {
                let e = T.exp(x)
                v = T.log(onePlus: e)
                s = e / (1 + e)
            }
            return (v, s)
        case .relu:
            return x > 0 ? (x, 1) : (0, 0)
        case .power(let n):
            if n == 0 { return (1, 0) }
            if n == 1 { return (x, 1) }
            return (T.pow(x, n), T(n) * T.pow(x, n - 1))
        case .root(let n):
            let v = T.root(x, n)
            return (v, 1 / (T(n) * T.pow(v, n - 1)))
        case .rounded(let mode):
            return (x.rounded(mode.rule), 0)
        }
    }
}

@inlinable func _ln2<T: Real>() -> T { T(_constant: 0.693147180559945309417232121458176568) }
@inlinable func _ln10<T: Real>() -> T { T(_constant: 2.30258509299404568401799145468436421) }
@inlinable func _twoOverSqrtPi<T: Real>() -> T { T(_constant: 1.12837916709551257389615890312154517) }

extension Real {
    /// Converts a `Double` constant into any `Real` type (used for rule constants;
    /// exact for `Double`, correctly rounded for `Float`).
    @inlinable
    public init(_constant d: Double) {
        if let s = d as? Self { self = s; return }
        if let f = Float(d) as? Self { self = f; return }
        // Generic fallback: build the constant from its exact binary expansion.
        let sign: FloatingPointSign = d < 0 ? .minus : .plus
        let m = d.magnitude
        if m == 0 { self = sign == .minus ? -0 : 0; return }
        let e = m.exponent
        let bits = Int64(m.significand * Double(1 << 52))
        var v = Self(bits)
        v = Self(sign: .plus, exponent: Self.Exponent(Int(e) - 52), significand: 1) * v
        self = sign == .minus ? -v : v
    }
}

/// A rounding rule, as a frozen enum of the library's own.
///
/// The rule table stores this rather than the standard library's
/// `FloatingPointRoundingRule`, which is a resilient type: as a payload it would
/// make every ``UnaryFunction`` value opaque to the optimizer and cost runtime
/// enum calls on each operation (measured: 5x slower forward mode).
///
/// ```swift
/// UnaryFunction.rounded(RoundingMode(.down)).evaluate(2.7)   // (2.0, 0.0)
/// ```
@frozen
public enum RoundingMode: UInt8, Hashable, Sendable, CaseIterable {
    case toNearestOrAwayFromZero, toNearestOrEven, up, down, towardZero, awayFromZero

    /// The mode for a standard-library rounding rule.
    @inlinable
    public init(_ rule: FloatingPointRoundingRule) {
        switch rule {
        case .toNearestOrAwayFromZero: self = .toNearestOrAwayFromZero
        case .toNearestOrEven: self = .toNearestOrEven
        case .up: self = .up
        case .down: self = .down
        case .towardZero: self = .towardZero
        case .awayFromZero: self = .awayFromZero
        @unknown default:
            autodiffFailure("RoundingMode.init(_:)", "unsupported rounding rule \(rule)")
        }
    }

    /// The standard-library rounding rule.
    @inlinable
    public var rule: FloatingPointRoundingRule {
        switch self {
        case .toNearestOrAwayFromZero: return .toNearestOrAwayFromZero
        case .toNearestOrEven: return .toNearestOrEven
        case .up: return .up
        case .down: return .down
        case .towardZero: return .towardZero
        case .awayFromZero: return .awayFromZero
        }
    }
}
