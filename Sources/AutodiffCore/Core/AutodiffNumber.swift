import RealModule

/// A number that carries derivative information alongside a value: the common
/// shape of ``Dual`` (forward mode) and ``Reverse`` (reverse mode).
///
/// A conforming type provides only its primitives: how to lift a constant, and
/// how to apply one unary or binary entry of the rule table
/// (``UnaryFunction``, ``BinaryFunction``). Everything else that swift-numerics'
/// `Real` asks for (`FloatingPoint`, `ElementaryFunctions`, `RealFunctions`,
/// `AlgebraicField`) is written once, here, in terms of those primitives.
/// Comparisons, classification and rounding act on ``value``; piecewise-constant
/// functions have derivative 0.
///
/// Code written against `Real` therefore differentiates unchanged:
/// ```swift
/// func f<S: Real>(_ x: S) -> S { S.exp(x) * S.sin(x) }
/// let slope = derivative(at: 1.0) { x in f(x) }   // x is a Dual<Double>
/// ```
public protocol AutodiffNumber: Real, CustomStringConvertible, _RuleApplying {
    /// The type of the value (and of the derivative information).
    associatedtype Value: Real

    /// The primal value.
    var value: Value { get }

    /// A number whose derivative information is zero.
    init(constant: Value)

    /// Applies one entry of the unary rule table.
    static func applying(_ function: UnaryFunction, _ x: Self) -> Self

    /// Applies one entry of the binary rule table.
    static func applying(_ function: BinaryFunction, _ x: Self, _ y: Self) -> Self
}

// MARK: - Literals and conversions

extension AutodiffNumber {
    @inlinable
    public init(integerLiteral value: Value.IntegerLiteralType) {
        self.init(constant: Value(integerLiteral: value))
    }

    @inlinable
    public init(_ value: Int) { self.init(constant: Value(value)) }

    @inlinable
    public init<Source: BinaryInteger>(_ value: Source) { self.init(constant: Value(value)) }

    @inlinable
    public init?<Source: BinaryInteger>(exactly value: Source) {
        guard let v = Value(exactly: value) else { return nil }
        self.init(constant: v)
    }

    @inlinable
    public init(sign: FloatingPointSign, exponent: Value.Exponent, significand: Self) {
        let scale = Value(sign: sign, exponent: exponent, significand: 1)
        self = significand * Self(constant: scale)
    }

    /// The sign is read through `sign` (which ``Traced`` records), not from the value.
    @inlinable
    public init(signOf: Self, magnitudeOf: Self) {
        let m = magnitudeOf.magnitude
        self = signOf.sign == .minus ? -m : m
    }
}

// MARK: - Constants

extension AutodiffNumber {
    @inlinable public static var radix: Int { Value.radix }
    @inlinable public static var nan: Self { Self(constant: .nan) }
    @inlinable public static var signalingNaN: Self { Self(constant: .signalingNaN) }
    @inlinable public static var infinity: Self { Self(constant: .infinity) }
    @inlinable public static var greatestFiniteMagnitude: Self { Self(constant: .greatestFiniteMagnitude) }
    @inlinable public static var pi: Self { Self(constant: .pi) }
    @inlinable public static var leastNormalMagnitude: Self { Self(constant: .leastNormalMagnitude) }
    @inlinable public static var leastNonzeroMagnitude: Self { Self(constant: .leastNonzeroMagnitude) }
    @inlinable public static var zero: Self { Self(constant: 0) }
}

// MARK: - Properties that act on the value

// Every decision these make about the value (its binade, whether it is zero or finite,
// which operand is larger) is taken with comparisons on `Self`, never on `value`, so
// that ``Traced`` records it and a ``RecordedGradient`` replay where it comes out
// differently re-records or throws instead of returning a stale result.
extension AutodiffNumber {
    /// Compares `self` with the ends of its binade (and with 0, ±inf or itself where
    /// it has none), so that a constant derived from the exponent is recorded as valid
    /// only there. Free on every type but ``Traced``, where the comparisons are recorded.
    @inlinable
    internal func _pinBinade() {
        let v = value
        guard v.isFinite, !v.isZero else {
            _ = self == Self(constant: v.isNaN ? 0 : v)   // 0, ±inf, or (false) NaN
            return
        }
        let e = v.exponent
        let low = Self(constant: Value(sign: v.sign, exponent: e, significand: 1))
        let high = Self(constant: Value(sign: v.sign, exponent: e + 1, significand: 1))
        if v > 0 {
            _ = low <= self
            _ = self < high
        } else {
            _ = high < self
            _ = self <= low
        }
        _ = self == low   // the step to the next number is smaller on the binade's lower end
    }

    /// The unit in the last place: a constant valid in the binade of `self`.
    @inlinable public var ulp: Self {
        _pinBinade()
        return Self(constant: value.ulp)
    }
    @inlinable public var sign: FloatingPointSign { value.sign }
    @inlinable public var exponent: Value.Exponent {
        _pinBinade()
        return value.exponent
    }
    /// The significand, x·2^−exponent: a scaling of `self`, so its derivative is scaled too.
    @inlinable public var significand: Self {
        _pinBinade()
        guard value.isFinite, !value.isZero else { return Self(constant: value.significand) }
        let scale = Value(sign: .plus, exponent: -value.exponent, significand: 1)
        return self.magnitude * Self(constant: scale)
    }
    @inlinable public var nextUp: Self {
        _pinBinade()
        return self + Self(constant: value.nextUp - value)
    }
    @inlinable public var nextDown: Self {
        _pinBinade()
        return self + Self(constant: value.nextDown - value)
    }
    @inlinable public var isNormal: Bool { value.isNormal }
    @inlinable public var isFinite: Bool { value.isFinite }
    @inlinable public var isZero: Bool { value.isZero }
    @inlinable public var isSubnormal: Bool { value.isSubnormal }
    @inlinable public var isInfinite: Bool { value.isInfinite }
    @inlinable public var isNaN: Bool { value.isNaN }
    @inlinable public var isSignalingNaN: Bool { value.isSignalingNaN }
    @inlinable public var isCanonical: Bool { value.isCanonical }
    /// |x|, with derivative sign(x) and 0 at x = 0 (PyTorch's convention).
    @inlinable public var magnitude: Self { Self.applying(.abs, self) }
    /// 1/x, or `nil` where `Real`'s rule says it has no exact reciprocal (1/x is not a
    /// normal number while x is finite and not zero), decided by comparisons on `Self`.
    @inlinable public var reciprocal: Self? {
        let r = 1 / self
        let m = r.magnitude
        if Self(constant: .leastNormalMagnitude) <= m && m < Self.infinity { return r }
        if self == 0 || !(self.magnitude < Self.infinity) { return r }
        return nil
    }
}

// MARK: - Comparison (on the value)

extension AutodiffNumber {
    @inlinable public static func == (lhs: Self, rhs: Self) -> Bool { lhs.value == rhs.value }
    @inlinable public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
    @inlinable public static func <= (lhs: Self, rhs: Self) -> Bool { lhs.value <= rhs.value }
    @inlinable public static func > (lhs: Self, rhs: Self) -> Bool { lhs.value > rhs.value }
    @inlinable public static func >= (lhs: Self, rhs: Self) -> Bool { lhs.value >= rhs.value }
    @inlinable public func isEqual(to other: Self) -> Bool { value.isEqual(to: other.value) }
    @inlinable public func isLess(than other: Self) -> Bool { value.isLess(than: other.value) }
    @inlinable public func isLessThanOrEqualTo(_ other: Self) -> Bool { value.isLessThanOrEqualTo(other.value) }
    /// IEEE 754's total order, decided by comparisons on `Self` and, for equal values
    /// (±0) and NaNs, by `sign` (all recorded by ``Traced``).
    @inlinable public func isTotallyOrdered(belowOrEqualTo other: Self) -> Bool {
        if self < other { return true }
        if other < self { return false }
        _ = (self == other, self == self, other == other, self.sign, other.sign)
        return value.isTotallyOrdered(belowOrEqualTo: other.value)
    }
    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

// MARK: - Arithmetic

extension AutodiffNumber {
    @inlinable @inline(__always) public static func + (lhs: Self, rhs: Self) -> Self { applying(.add, lhs, rhs) }
    @inlinable @inline(__always) public static func - (lhs: Self, rhs: Self) -> Self { applying(.subtract, lhs, rhs) }
    @inlinable @inline(__always) public static func * (lhs: Self, rhs: Self) -> Self { applying(.multiply, lhs, rhs) }
    @inlinable @inline(__always) public static func / (lhs: Self, rhs: Self) -> Self { applying(.divide, lhs, rhs) }
    @inlinable public static prefix func - (operand: Self) -> Self { applying(.negate, operand) }
    @inlinable @inline(__always) public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable @inline(__always) public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    @inlinable @inline(__always) public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }
    @inlinable @inline(__always) public static func /= (lhs: inout Self, rhs: Self) { lhs = lhs / rhs }
    @inlinable @inline(__always) public mutating func negate() { self = -self }

    // Mixed arithmetic with a plain number (a `Double` or `Float` of the surrounding code,
    // at any nesting: `Reverse<DualVector<Double, 8>> * Double`), which is a constant.
    // Disfavoured, so that ordinary `Double` expressions never pay for these overloads
    // (scripts/typecheck/measure.py checks it).
    @_disfavoredOverload @inlinable @inline(__always)
    public static func + <P: BinaryFloatingPoint>(lhs: Self, rhs: P) -> Self { lhs + Self(constant: Value(converting: rhs)) }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func + <P: BinaryFloatingPoint>(lhs: P, rhs: Self) -> Self { Self(constant: Value(converting: lhs)) + rhs }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func - <P: BinaryFloatingPoint>(lhs: Self, rhs: P) -> Self { lhs - Self(constant: Value(converting: rhs)) }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func - <P: BinaryFloatingPoint>(lhs: P, rhs: Self) -> Self { Self(constant: Value(converting: lhs)) - rhs }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func * <P: BinaryFloatingPoint>(lhs: Self, rhs: P) -> Self { lhs * Self(constant: Value(converting: rhs)) }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func * <P: BinaryFloatingPoint>(lhs: P, rhs: Self) -> Self { Self(constant: Value(converting: lhs)) * rhs }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func / <P: BinaryFloatingPoint>(lhs: Self, rhs: P) -> Self { lhs / Self(constant: Value(converting: rhs)) }
    @_disfavoredOverload @inlinable @inline(__always)
    public static func / <P: BinaryFloatingPoint>(lhs: P, rhs: Self) -> Self { Self(constant: Value(converting: lhs)) / rhs }

    @inlinable public func squareRoot() -> Self { Self.applying(.sqrt, self) }
    @inlinable public mutating func formSquareRoot() { self = squareRoot() }
    /// self + lhs·rhs.
    @inlinable public func addingProduct(_ lhs: Self, _ rhs: Self) -> Self { self + lhs * rhs }
    @inlinable public mutating func formAddingProduct(_ lhs: Self, _ rhs: Self) { self = addingProduct(lhs, rhs) }
    @inlinable public mutating func addProduct(_ lhs: Self, _ rhs: Self) { self = addingProduct(lhs, rhs) }
    @inlinable public func remainder(dividingBy other: Self) -> Self { Self.applying(.remainder, self, other) }
    @inlinable public mutating func formRemainder(dividingBy other: Self) { self = remainder(dividingBy: other) }
    @inlinable public func truncatingRemainder(dividingBy other: Self) -> Self {
        Self.applying(.truncatingRemainder, self, other)
    }
    @inlinable public mutating func formTruncatingRemainder(dividingBy other: Self) {
        self = truncatingRemainder(dividingBy: other)
    }
    @inlinable public func rounded(_ rule: FloatingPointRoundingRule) -> Self { Self.applying(.rounded(RoundingMode(rule)), self) }
    @inlinable public mutating func round(_ rule: FloatingPointRoundingRule) { self = rounded(rule) }

    /// The smaller argument; a tie splits the derivative equally (PyTorch's convention).
    @inlinable public static func minimum(_ x: Self, _ y: Self) -> Self { applying(.minimum, x, y) }
    /// The larger argument; a tie splits the derivative equally (PyTorch's convention).
    @inlinable public static func maximum(_ x: Self, _ y: Self) -> Self { applying(.maximum, x, y) }
    /// The argument of smaller magnitude (compared on `Self`, so ``Traced`` records the
    /// choice). Equal arguments are ``minimum(_:_:)`` (the derivative split equally);
    /// otherwise, on a tie (x = −y) or a NaN, the value's own choice: x, unless y is
    /// the NaN.
    @inlinable public static func minimumMagnitude(_ x: Self, _ y: Self) -> Self {
        let mx = x.magnitude, my = y.magnitude
        if mx < my { return x }
        if my < mx { return y }
        if x == y { return minimum(x, y) }
        return x == x || !(y == y) ? x : y
    }
    /// The argument of larger magnitude (compared on `Self`, so ``Traced`` records the
    /// choice). Equal arguments are ``maximum(_:_:)`` (the derivative split equally);
    /// otherwise, on a tie (x = −y) or a NaN, the value's own choice: y, unless y is
    /// the NaN.
    @inlinable public static func maximumMagnitude(_ x: Self, _ y: Self) -> Self {
        let mx = x.magnitude, my = y.magnitude
        if mx > my { return x }
        if my > mx { return y }
        if x == y { return maximum(x, y) }
        return y == y ? y : x
    }

    // Strideable
    @inlinable public func distance(to other: Self) -> Self { other - self }
    @inlinable public func advanced(by n: Self) -> Self { self + n }
}

// MARK: - ElementaryFunctions and RealFunctions, all from the rule table

extension AutodiffNumber {
    @inlinable public static func exp(_ x: Self) -> Self { applying(.exp, x) }
    @inlinable public static func expMinusOne(_ x: Self) -> Self { applying(.expMinusOne, x) }
    @inlinable public static func cosh(_ x: Self) -> Self { applying(.cosh, x) }
    @inlinable public static func sinh(_ x: Self) -> Self { applying(.sinh, x) }
    @inlinable public static func tanh(_ x: Self) -> Self { applying(.tanh, x) }
    @inlinable public static func cos(_ x: Self) -> Self { applying(.cos, x) }
    @inlinable public static func sin(_ x: Self) -> Self { applying(.sin, x) }
    @inlinable public static func tan(_ x: Self) -> Self { applying(.tan, x) }
    @inlinable public static func log(_ x: Self) -> Self { applying(.log, x) }
    @inlinable public static func log(onePlus x: Self) -> Self { applying(.logOnePlus, x) }
    @inlinable public static func acosh(_ x: Self) -> Self { applying(.acosh, x) }
    @inlinable public static func asinh(_ x: Self) -> Self { applying(.asinh, x) }
    @inlinable public static func atanh(_ x: Self) -> Self { applying(.atanh, x) }
    @inlinable public static func acos(_ x: Self) -> Self { applying(.acos, x) }
    @inlinable public static func asin(_ x: Self) -> Self { applying(.asin, x) }
    @inlinable public static func atan(_ x: Self) -> Self { applying(.atan, x) }
    @inlinable public static func pow(_ x: Self, _ y: Self) -> Self { applying(.pow, x, y) }
    @inlinable public static func pow(_ x: Self, _ n: Int) -> Self { applying(.power(n), x) }
    @inlinable public static func sqrt(_ x: Self) -> Self { applying(.sqrt, x) }
    @inlinable public static func root(_ x: Self, _ n: Int) -> Self { applying(.root(n), x) }
    @inlinable public static func atan2(y: Self, x: Self) -> Self { applying(.atan2, y, x) }
    @inlinable public static func erf(_ x: Self) -> Self { applying(.erf, x) }
    @inlinable public static func erfc(_ x: Self) -> Self { applying(.erfc, x) }
    @inlinable public static func exp2(_ x: Self) -> Self { applying(.exp2, x) }
    @inlinable public static func exp10(_ x: Self) -> Self { applying(.exp10, x) }
    @inlinable public static func hypot(_ x: Self, _ y: Self) -> Self { applying(.hypot, x, y) }
    @inlinable public static func gamma(_ x: Self) -> Self { applying(.gamma, x) }
    @inlinable public static func log2(_ x: Self) -> Self { applying(.log2, x) }
    @inlinable public static func log10(_ x: Self) -> Self { applying(.log10, x) }
    @inlinable public static func logGamma(_ x: Self) -> Self { applying(.logGamma, x) }
    @inlinable public static func signGamma(_ x: Self) -> FloatingPointSign { Value.signGamma(x.value) }
}

// MARK: - Functions of the rule table that `Real` does not name

/// How ``Real`` code reaches the rule table: a number type of Autodiff records
/// one operation of the rule, a plain type computes the rule's value.
public protocol _RuleApplying {
    static func _applyingErased<S>(_ function: UnaryFunction, _ x: S) -> S
    static func _constantErased<P: BinaryFloatingPoint, S>(_ x: P, as: S.Type) -> S
}

extension AutodiffNumber {
    @inlinable @inline(__always)
    public static func _constantErased<P: BinaryFloatingPoint, S>(_ x: P, as: S.Type) -> S {
        Self(constant: Value(converting: x)) as! S
    }

    @inlinable @inline(__always)
    public static func _applyingErased<S>(_ function: UnaryFunction, _ x: S) -> S {
        applying(function, x as! Self) as! S
    }
}

extension Real {
    /// A number of your data (a `Double`, a `Float`) as a constant of any `Real` type:
    /// the way to bring data into code generic over `Real`. Exact where the target
    /// holds the value (`Double` into `Double` or into `Reverse<Dual<Double>>`),
    /// correctly rounded where it does not (`Double` into `Float`); on Autodiff's number
    /// types the result is a constant, with derivative zero, at any nesting. For
    /// integers, `S(i)` works already.
    ///
    /// ```swift
    /// let xs: [Double] = [0.5, 1.5, 2.5]
    /// func model<S: Real>(_ w: [S]) -> S {
    ///     xs.reduce(S(0)) { total, x in total + w[0] * S(converting: x) + w[1] }
    /// }
    /// let g = gradient(at: [1.0, 0.0]) { w in model(w) }   // [4.5, 3.0]
    /// ```
    @inlinable @inline(__always)
    public init<Source: BinaryFloatingPoint>(converting value: Source) {
        // Every test below folds away in specialised code for Double, Float and
        // Autodiff's types (a type comparison or a conformance the compiler can see).
        if let same = value as? Self { self = same; return }
        if Self.self == Double.self { self = unsafeBitCast(Double(value), to: Self.self); return }
        if Self.self == Float.self { self = unsafeBitCast(Float(value), to: Self.self); return }
        if let number = Self.self as? any _RuleApplying.Type { self = number._constantErased(value, as: Self.self); return }
        if let float = Self.self as? any BinaryFloatingPoint.Type { self = float.init(value) as! Self; return }
        self.init(_constant: Double(value))
    }

    /// One entry of the rule table applied to `x`, from code generic over `Real`:
    /// on Autodiff's number types it is one recorded operation with the table's
    /// derivative; on `Double` and `Float` it is the table's value.
    ///
    /// ```swift
    /// func f<S: Real>(_ x: S) -> S { S.rule(.sigmoid, x) * 2 }
    /// derivative(at: 0.0) { x in f(x) }   // 0.5
    /// ```
    @inlinable @inline(__always)
    public static func rule(_ function: UnaryFunction, _ x: Self) -> Self {
        if let number = Self.self as? any _RuleApplying.Type { return number._applyingErased(function, x) }
        return function.value(x)
    }

    /// The logistic sigmoid 1/(1 + e⁻ˣ), one rule of the table (derivative Ω(1 − Ω)).
    ///
    /// ```swift
    /// func p<S: Real>(_ x: S) -> S { S.sigmoid(x) }
    /// gradient(at: [0.0]) { x in p(x[0]) }   // [0.25]
    /// ```
    @inlinable public static func sigmoid(_ x: Self) -> Self { rule(.sigmoid, x) }
    /// ln(1 + eˣ) without overflow, one rule of the table (derivative sigmoid(x)).
    @inlinable public static func softplus(_ x: Self) -> Self { rule(.softplus, x) }
    /// max(x, 0), one rule of the table (derivative 1 for x > 0, else 0).
    @inlinable public static func relu(_ x: Self) -> Self { rule(.relu, x) }
}
