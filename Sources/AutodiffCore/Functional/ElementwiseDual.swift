import RealModule

/// The fast forward-mode number of the fused tensor maps' backward: a value and
/// up to three tangent lanes (one per argument of an ``ElementwiseFunction1``,
/// ``ElementwiseFunction2`` or ``ElementwiseFunction3``), in plain fields.
///
/// It applies the one rule table as ``DualVector`` does, with two things left
/// out, and a caller that uses it must handle both:
/// - No differentiation-level tag: an elementwise function's only `S` values
///   are its arguments, so no number from another evaluation can reach it.
/// - No special case for an exactly-zero tangent times an infinite or NaN
///   partial: ``DualVector`` gives 0 there, this type gives NaN. Such a NaN
///   stays in the result (a tangent is only ever summed and scaled), except
///   where the function drops a whole number by comparing values, which
///   ``DualVector`` does in the same place. So a result whose lanes are all
///   finite equals ``DualVector``'s bit for bit, and the caller evaluates the
///   elements whose lanes are not finite again on ``DualVector``.
///
/// Why: the check for a non-finite partial in every operation, and lanes in an
/// `InlineArray`, each made the fused maps' backward loop several times slower
/// than plain lanes; Benchmarks/RESULTS.md ("rosen-grad with one fused
/// elementwise map") has the per-element times.
///
/// ```swift
/// let a = _ElementwiseDual<Double>(3, 1, 0, 0), b = _ElementwiseDual<Double>(2, 0, 1, 0)
/// (a * a * b).d0     // ∂(a²b)/∂a = 2ab = 12
/// ```
@frozen
public struct _ElementwiseDual<T: Real>: AutodiffNumber {
    /// The primal value.
    public var value: T
    /// The tangent lanes (∂/∂ of the first, second and third argument).
    public var d0: T, d1: T, d2: T

    /// A constant: all lanes zero.
    @inlinable @inline(__always)
    public init(constant: T) {
        (value, d0, d1, d2) = (constant, 0, 0, 0)
    }

    /// A value with the given lanes.
    @inlinable @inline(__always)
    public init(_ value: T, _ d0: T, _ d1: T, _ d2: T) {
        (self.value, self.d0, self.d1, self.d2) = (value, d0, d1, d2)
    }

    @inlinable @inline(__always)
    public static func applying(_ function: UnaryFunction, _ x: _ElementwiseDual) -> _ElementwiseDual {
        let (v, d) = function.evaluate(x.value)
        return _ElementwiseDual(v, x.d0 * d, x.d1 * d, x.d2 * d)
    }

    @inlinable @inline(__always)
    public static func applying(_ function: BinaryFunction, _ x: _ElementwiseDual, _ y: _ElementwiseDual) -> _ElementwiseDual {
        switch function {
        case .add:
            return _ElementwiseDual(x.value + y.value, x.d0 + y.d0, x.d1 + y.d1, x.d2 + y.d2)
        case .subtract:
            return _ElementwiseDual(x.value - y.value, x.d0 - y.d0, x.d1 - y.d1, x.d2 - y.d2)
        case .multiply:
            return _ElementwiseDual(x.value * y.value, x.d0 * y.value + y.d0 * x.value,
                                    x.d1 * y.value + y.d1 * x.value, x.d2 * y.value + y.d2 * x.value)
        default:
            let (v, dx, dy) = function.evaluate(x.value, y.value)
            return _ElementwiseDual(v, x.d0 * dx + y.d0 * dy, x.d1 * dx + y.d1 * dy, x.d2 * dx + y.d2 * dy)
        }
    }

    /// Whether every lane is finite (then the lanes are ``DualVector``'s).
    @inlinable @inline(__always)
    public var _lanesAreFinite: Bool { d0.isFinite && d1.isFinite && d2.isFinite }

    /// `value + [d0, d1, d2]ε`.
    public var description: String { "\(value) + [\(d0), \(d1), \(d2)]ε" }
}

extension _ElementwiseDual: _CustomRuleCarrier {
    @inlinable
    internal static func _applyCustomRule<R: CustomDerivativeRule>(_ rule: R, _ x: [_ElementwiseDual]) -> _ElementwiseDual {
        let values = x.map(\.value)
        let g = rule._checkedGradient(values)
        var z = _ElementwiseDual(constant: rule(values))
        for i in x.indices {
            z.d0 += x[i].d0 * g[i]
            z.d1 += x[i].d1 * g[i]
            z.d2 += x[i].d2 * g[i]
        }
        return z
    }
}
