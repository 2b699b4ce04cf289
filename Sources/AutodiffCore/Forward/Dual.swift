import RealModule
internal import Synchronization

/// A dual number `value + derivative·ε` (ε² = 0): forward-mode automatic
/// differentiation as a number type.
///
/// `Dual<T>` conforms to swift-numerics' `Real`, so code written against `Real`
/// computes derivatives unchanged. Every operation applies one entry of the rule
/// table (``UnaryFunction``, ``BinaryFunction``) to the value and multiplies the
/// derivative by the rule's partial.
///
/// ```swift
/// func f<S: Real>(_ x: S) -> S { 9 * S.pow(x, 4) + 2 * S.pow(x, 3) + 3 * x * x + 6 * x + 1 }
/// let x = Dual(2.0, derivative: 1)
/// f(x).derivative                                 // 330.0
/// derivative(at: 2.0) { x in f(x) }               // 330.0, the same through the operator
/// ```
///
/// Duals nest: `Dual<Dual<Double>>` carries second derivatives and
/// `Dual<Reverse<Double>>` gives forward-over-reverse.
///
/// **Zero tangents are exact zeros.** A zero derivative stays zero through every
/// rule, even where the partial is infinite or NaN (`sqrt` at 0): constants never
/// turn a derivative into NaN.
///
/// **Levels are kept apart.** Each differentiation operator tags the duals it
/// seeds. Combining duals seeded by two different operator calls (a `Dual` that
/// escaped one closure and was used in another) stops with a message saying that
/// two differentiation levels were mixed, instead of returning a wrong number.
/// Duals you build yourself with ``init(_:derivative:)`` are untagged and combine
/// with anything.
@frozen
public struct Dual<T: Real>: AutodiffNumber {
    /// The primal value.
    public var value: T
    /// The derivative (tangent) carried along with the value.
    public var derivative: T
    /// The differentiation level that seeded this dual; 0 for untagged duals.
    @usableFromInline internal var tag: UInt32

    /// A dual number with the given value and derivative.
    ///
    /// ```swift
    /// let x = Dual(3.0, derivative: 1)   // seeds d/dx
    /// (x * x).derivative                 // 6.0
    /// ```
    @inlinable
    public init(_ value: T, derivative: T) {
        self.value = value
        self.derivative = derivative
        self.tag = 0
    }

    /// A constant: derivative zero.
    @inlinable
    public init(constant: T) {
        self.value = constant
        self.derivative = 0
        self.tag = 0
    }

    @inlinable
    internal init(value: T, derivative: T, tag: UInt32) {
        self.value = value
        self.derivative = derivative
        self.tag = tag
    }

    @inlinable @inline(__always)
    public static func applying(_ function: UnaryFunction, _ x: Dual) -> Dual {
        let (v, d) = function.evaluate(x.value)
        return Dual(value: v, derivative: _scaled(x.derivative, by: d), tag: x.tag)
    }

    @inlinable @inline(__always)
    public static func applying(_ function: BinaryFunction, _ x: Dual, _ y: Dual) -> Dual {
        let tag = _combinedTag(x.tag, y.tag, function)
        switch function {
        case .add:
            return Dual(value: x.value + y.value, derivative: x.derivative + y.derivative, tag: tag)
        case .subtract:
            return Dual(value: x.value - y.value, derivative: x.derivative - y.derivative, tag: tag)
        case .multiply:
            return Dual(value: x.value * y.value,
                        derivative: _scaled(x.derivative, by: y.value) + _scaled(y.derivative, by: x.value),
                        tag: tag)
        default:
            let (v, dx, dy) = function.evaluate(x.value, y.value)
            return Dual(value: v, derivative: _scaled(x.derivative, by: dx) + _scaled(y.derivative, by: dy), tag: tag)
        }
    }

    @inlinable
    internal static func _combinedTag(_ a: UInt32, _ b: UInt32, _ function: BinaryFunction) -> UInt32 {
        if a == b || b == 0 { return a }
        if a == 0 { return b }
        _mixedLevels(a, b, function.name)
    }
}

@usableFromInline
internal func _mixedLevels(_ a: UInt32, _ b: UInt32, _ operation: String) -> Never {
    autodiffFailure(operation, """
        two differentiation levels were mixed: a Dual seeded by one \
        differentiation call (level \(a)) met a Dual seeded by another (level \(b)). A Dual must not \
        escape the closure it was passed to; to differentiate a derivative, nest the calls \
        (derivative(at: x) { x in derivative(at: x) { y in ... } }) so each level has its own type.
        """)
}

/// `tangent * partial`, except that an exactly-zero tangent stays exactly zero
/// even when the partial is infinite or NaN.
@inlinable
internal func _scaled<T: Real>(_ tangent: T, by partial: T) -> T {
    let product = tangent * partial
    if product.isFinite { return product }
    return _isStructurallyZero(tangent) ? 0 : product
}

/// True when `x` is zero in its value and in all derivative information it
/// carries (for nested AD numbers), so that dropping it changes nothing.
@usableFromInline
internal func _isStructurallyZero<T: Real>(_ x: T) -> Bool {
    if let ad = x as? any _StructuralZero { return ad._isStructurallyZero }
    return x == 0
}

@usableFromInline
internal protocol _StructuralZero {
    var _isStructurallyZero: Bool { get }
}

extension Dual: _StructuralZero {
    @usableFromInline
    internal var _isStructurallyZero: Bool {
        AutodiffCore._isStructurallyZero(value) && AutodiffCore._isStructurallyZero(derivative)
    }
}

// MARK: - Tags for differentiation levels

private let _dualTagCounter = Atomic<UInt32>(0)

extension Dual {
    /// A fresh level tag for one differentiation call (never 0).
    @usableFromInline
    internal static func _newTag() -> UInt32 {
        while true {
            let t = _dualTagCounter.wrappingAdd(1, ordering: .relaxed).newValue
            if t != 0 { return t }
        }
    }

    /// A dual seeded for the differentiation call with the given tag.
    @inlinable
    internal static func _seeded(_ value: T, derivative: T, tag: UInt32) -> Dual {
        Dual(value: value, derivative: derivative, tag: tag)
    }

    /// The derivative carried by `self` for the call with the given tag (0 when
    /// `self` does not depend on that call's input).
    @inlinable
    internal func _derivative(forTag tag: UInt32, operation: StaticString) -> T {
        if self.tag == tag { return derivative }
        if self.tag == 0 { return derivative }
        _mixedLevels(tag, self.tag, "\(operation)")
    }
}

// MARK: - Literals, printing, coding

extension Dual: ExpressibleByFloatLiteral where T: ExpressibleByFloatLiteral {
    @inlinable
    public init(floatLiteral value: T.FloatLiteralType) {
        self.init(constant: T(floatLiteral: value))
    }
}

extension Dual: CustomStringConvertible {
    /// `value + derivative·ε`, e.g. `2.0 + 1.0ε`.
    public var description: String { "\(value) + \(derivative)ε" }
}

extension Dual: Codable where T: Codable {
    private enum CodingKeys: String, CodingKey { case value, derivative }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode(T.self, forKey: .value), derivative: try c.decode(T.self, forKey: .derivative))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value, forKey: .value)
        try c.encode(derivative, forKey: .derivative)
    }
}
