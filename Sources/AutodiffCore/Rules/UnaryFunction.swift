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
    /// ∛x, the real cube root (negative for negative x); derivative 1/(3Ω²), +∞ at x = 0.
    case cbrt

    /// Every function, with representative parameters for the parameterised
    /// ones: the list the rule tests, the tensor tests and the fuzzers iterate
    /// over. A test checks that it names every case (through ``ordinal``).
    public static let allCases: [UnaryFunction] = [
        .negate, .sqrt, .exp, .expMinusOne, .exp2, .exp10, .cosh, .sinh, .tanh,
        .cos, .sin, .tan, .log, .logOnePlus, .log2, .log10, .acosh, .asinh, .atanh,
        .acos, .asin, .atan, .erf, .erfc, .gamma, .logGamma, .abs, .sigmoid,
        .softplus, .relu, .cbrt, .power(0), .power(1), .power(2), .power(3), .power(-2),
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
    public func callAsFunction<T: Real>(_ x: T) -> T { value(x) }

    /// The function's value and its derivative at `x` (the derivative reuses the value).
    @inlinable @inline(__always)
    public func evaluate<T: Real>(_ x: T) -> (value: T, derivative: T) {
        let v = value(x)
        return (v, derivative(at: x, value: v))
    }

    // MARK: The table: value, derivative and test points of every function

    /// The function's value at `x`.
    @inlinable @inline(__always)
    public func value<T: Real>(_ x: T) -> T {
        switch self {
        case .negate: return -x
        case .sqrt: return T.sqrt(x)
        case .exp: return T.exp(x)
        case .expMinusOne: return T.expMinusOne(x)
        case .exp2: return T.exp2(x)
        case .exp10: return T.exp10(x)
        case .cosh: return T.cosh(x)
        case .sinh: return T.sinh(x)
        case .tanh: return T.tanh(x)
        case .cos: return T.cos(x)
        case .sin: return T.sin(x)
        case .tan: return T.tan(x)
        case .log: return T.log(x)
        case .logOnePlus: return T.log(onePlus: x)
        case .log2: return T.log2(x)
        case .log10: return T.log10(x)
        case .acosh: return T.acosh(x)
        case .asinh: return T.asinh(x)
        case .atanh: return T.atanh(x)
        case .acos: return T.acos(x)
        case .asin: return T.asin(x)
        case .atan: return T.atan(x)
        case .erf: return T.erf(x)
        case .erfc: return T.erfc(x)
        case .gamma: return T.gamma(x)
        case .logGamma: return T.logGamma(x)
        case .abs: return x.magnitude
        case .sigmoid:
            if x >= 0 { return 1 / (1 + T.exp(-x)) }
            let e = T.exp(x)
            return e / (1 + e)
        case .softplus:
            return x > 0 ? x + T.log(onePlus: T.exp(-x)) : T.log(onePlus: T.exp(x))
        case .relu: return x > 0 ? x : 0
        case .power(let n):
            if n == 0 { return 1 }
            if n == 1 { return x }
            return T.pow(x, n)
        case .root(let n): return T.root(x, n)
        case .rounded(let mode): return x.rounded(mode.rule)
        case .cbrt: return T.root(x, 3)
        }
    }

    /// The derivative at `x`, given the value `Ω` there (ChainRules' `@scalar_rule`
    /// shape: where the derivative is a function of the value it reuses it).
    @inlinable @inline(__always)
    public func derivative<T: Real>(at x: T, value Ω: T) -> T {
        switch self {
        case .negate: return -1
        case .sqrt: return 1 / (2 * Ω)
        case .exp: return Ω
        case .expMinusOne: return Ω + 1
        case .exp2: return Ω * _ln2()
        case .exp10: return Ω * _ln10()
        case .cosh: return T.sinh(x)
        case .sinh: return T.cosh(x)
        case .tanh: return 1 - Ω * Ω
        case .cos: return -T.sin(x)
        case .sin: return T.cos(x)
        case .tan: return 1 + Ω * Ω
        case .log: return 1 / x
        case .logOnePlus: return 1 / (1 + x)
        case .log2: return 1 / (x * _ln2())
        case .log10: return 1 / (x * _ln10())
        case .acosh: return 1 / T.sqrt(x * x - 1)
        case .asinh: return 1 / T.sqrt(x * x + 1)
        case .atanh: return 1 / (1 - x * x)
        case .acos: return -1 / T.sqrt(1 - x * x)
        case .asin: return 1 / T.sqrt(1 - x * x)
        case .atan: return 1 / (1 + x * x)
        case .erf: return _twoOverSqrtPi() * T.exp(-x * x)
        case .erfc: return -_twoOverSqrtPi() * T.exp(-x * x)
        case .gamma: return Ω * digamma(x)
        case .logGamma: return digamma(x)
        case .abs: return x > 0 ? 1 : x < 0 ? -1 : 0
        case .sigmoid: return Ω * (1 - Ω)
        case .softplus:
            // sigmoid(x), as its value: computed without overflow on both sides.
            if x > 0 { return 1 / (1 + T.exp(-x)) }
            let e = T.exp(x)
            return e / (1 + e)
        case .relu: return x > 0 ? 1 : 0
        case .power(let n):
            if n == 0 { return 0 }
            if n == 1 { return 1 }
            return T(n) * T.pow(x, n - 1)
        case .root(let n): return 1 / (T(n) * T.pow(Ω, n - 1))
        case .rounded: return 0
        case .cbrt: return 1 / (3 * Ω * Ω)
        }
    }

    /// Points where the function is smooth, so that its rule can be checked against
    /// central finite differences there (the rule tests use them; so can yours).
    public var testPoints: [Double] {
        switch self {
        case .log, .log2, .log10, .sqrt: return [0.3, 1.0, 2.5, 7.0]
        case .logOnePlus: return [-0.5, 0.2, 3.0]
        case .acosh: return [1.3, 2.0, 5.0]
        case .atanh, .acos, .asin: return [-0.7, -0.1, 0.4, 0.8]
        case .tan: return [-1.0, 0.3, 1.2]
        case .gamma: return [-1.5, 0.4, 1.0, 2.5, 4.2]
        case .logGamma: return [0.4, 1.0, 2.5, 7.3, 15.0]
        case .abs, .relu, .cbrt: return [-2.0, -0.3, 0.4, 1.5]
        case .root(let n) where n % 2 == 0: return [0.3, 1.0, 4.0]
        case .root: return [-3.0, 0.3, 1.0, 4.0]
        case .power(let n) where n < 0: return [-2.0, 0.5, 1.5]
        case .rounded: return [-1.3, 0.2, 2.7]
        case .negate, .exp, .expMinusOne, .exp2, .exp10, .cosh, .sinh, .tanh, .cos, .sin,
             .asinh, .atan, .erf, .erfc, .sigmoid, .softplus, .power:
            return [-1.7, -0.4, 0.0, 0.6, 2.1]
        }
    }

    /// Whether the function's second derivative is zero wherever it is defined (it is
    /// linear, or linear piece by piece): such a function adds nothing to a Hessian's
    /// sparsity pattern (see ``RecordedFunction/hessianSparsity``). A test checks it
    /// against second derivatives at ``testPoints``.
    ///
    /// ```swift
    /// UnaryFunction.relu.isPiecewiseLinear    // true
    /// UnaryFunction.exp.isPiecewiseLinear     // false
    /// ```
    public var isPiecewiseLinear: Bool {
        switch self {
        case .negate, .abs, .relu, .rounded: return true
        case .power(let n): return n == 0 || n == 1
        case .root(let n): return n == 1
        case .sqrt, .exp, .expMinusOne, .exp2, .exp10, .cosh, .sinh, .tanh, .cos, .sin, .tan, .log,
             .logOnePlus, .log2, .log10, .acosh, .asinh, .atanh, .acos, .asin, .atan, .erf, .erfc,
             .gamma, .logGamma, .sigmoid, .softplus, .cbrt:
            return false
        }
    }

    /// Whether the function's derivative is zero wherever it is defined (rounding):
    /// its result depends on no input in a Jacobian's sparsity pattern.
    ///
    /// ```swift
    /// UnaryFunction.rounded(.toNearestOrEven).hasZeroDerivative   // true
    /// ```
    public var hasZeroDerivative: Bool {
        if case .rounded = self { return true }
        return false
    }

    /// Whether an elementwise loop of this function is cheap (arithmetic) rather than
    /// a transcendental call: decides how finely tensor loops are split across cores.
    public var isCheap: Bool {
        switch self {
        case .negate, .sqrt, .abs, .relu, .rounded: return true
        case .power(let n): return n == 0 || n == 1
        default: return false
        }
    }

    /// The position of the function's case in the table (parameters ignored): the
    /// tests check that ``allCases`` reaches every position below ``caseCount``.
    public var ordinal: Int {
        switch self {
        case .negate: 0
        case .sqrt: 1
        case .exp: 2
        case .expMinusOne: 3
        case .exp2: 4
        case .exp10: 5
        case .cosh: 6
        case .sinh: 7
        case .tanh: 8
        case .cos: 9
        case .sin: 10
        case .tan: 11
        case .log: 12
        case .logOnePlus: 13
        case .log2: 14
        case .log10: 15
        case .acosh: 16
        case .asinh: 17
        case .atanh: 18
        case .acos: 19
        case .asin: 20
        case .atan: 21
        case .erf: 22
        case .erfc: 23
        case .gamma: 24
        case .logGamma: 25
        case .abs: 26
        case .sigmoid: 27
        case .softplus: 28
        case .relu: 29
        case .power: 30
        case .root: 31
        case .rounded: 32
        case .cbrt: 33
        }
    }

    /// The number of cases of the table (one more than the largest ``ordinal``).
    public static var caseCount: Int { 34 }

    /// Calls `body` with `self` spelled as a constant, once per case, so that a loop
    /// written in `body` is compiled once per function with the rule's code inlined
    /// (the tensor kernels use it; the switch over the rule runs once per call, not
    /// once per element).
    @inlinable @inline(__always)
    public func withConstantRule<R>(_ body: (UnaryFunction) throws -> R) rethrows -> R {
        switch self {
        case .negate: return try body(.negate)
        case .sqrt: return try body(.sqrt)
        case .exp: return try body(.exp)
        case .expMinusOne: return try body(.expMinusOne)
        case .exp2: return try body(.exp2)
        case .exp10: return try body(.exp10)
        case .cosh: return try body(.cosh)
        case .sinh: return try body(.sinh)
        case .tanh: return try body(.tanh)
        case .cos: return try body(.cos)
        case .sin: return try body(.sin)
        case .tan: return try body(.tan)
        case .log: return try body(.log)
        case .logOnePlus: return try body(.logOnePlus)
        case .log2: return try body(.log2)
        case .log10: return try body(.log10)
        case .acosh: return try body(.acosh)
        case .asinh: return try body(.asinh)
        case .atanh: return try body(.atanh)
        case .acos: return try body(.acos)
        case .asin: return try body(.asin)
        case .atan: return try body(.atan)
        case .erf: return try body(.erf)
        case .erfc: return try body(.erfc)
        case .gamma: return try body(.gamma)
        case .logGamma: return try body(.logGamma)
        case .abs: return try body(.abs)
        case .sigmoid: return try body(.sigmoid)
        case .softplus: return try body(.softplus)
        case .relu: return try body(.relu)
        case .power(let n): return try body(.power(n))
        case .root(let n): return try body(.root(n))
        case .rounded(let mode): return try body(.rounded(mode))
        case .cbrt: return try body(.cbrt)
        }
    }
}

@inlinable func _ln2<T: Real>() -> T { T(converting: 0.693147180559945309417232121458176568) }
@inlinable func _ln10<T: Real>() -> T { T(converting: 2.30258509299404568401799145468436421) }
@inlinable func _twoOverSqrtPi<T: Real>() -> T { T(converting: 1.12837916709551257389615890312154517) }

extension Real {
    /// A `Double` rebuilt in any `Real` type from its binary expansion: the fallback of
    /// ``init(converting:)`` for `Real` types that are neither binary floating-point
    /// types nor Autodiff's own.
    @inlinable
    init(_constant d: Double) {
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
