import RealModule

/// A scalar function with its own derivative rule, given once and used by every
/// mode and operator: ``Dual``, ``DualVector``, ``Reverse`` and their nestings
/// (like `jax.custom_jvp`, `torch.autograd.Function` or Swift's `@derivative(of:)`).
///
/// Implement ``value(_:)`` (the function on plain numbers of any `Real` type) and
/// ``gradient(_:)`` (its partial derivatives, written with `V`'s arithmetic so that
/// they are differentiable again: second derivatives come from differentiating
/// the rule, never the value code). Call the rule like a function: on plain numbers
/// it runs ``value(_:)``; on differentiable numbers it records one operation whose
/// partials are ``gradient(_:)``.
///
/// A numerically stable log-sum-exp:
/// ```swift
/// struct LogSumExp: CustomDerivativeRule {
///     func value<V: Real>(_ x: [V]) -> V {
///         let m = x.max()!
///         return m + V.log(x.reduce(0) { $0 + V.exp($1 - m) })
///     }
///     func gradient<V: Real>(_ x: [V]) -> [V] {      // softmax
///         let m = x.max()!
///         let e = x.map { V.exp($0 - m) }
///         let s = e.reduce(0, +)
///         return e.map { $0 / s }
///     }
/// }
/// let g = gradient(at: [1000.0, 1000.0]) { x in LogSumExp()(x) }   // [0.5, 0.5], no overflow
/// ```
///
/// An implicit function: the root r(θ) of r³ + r − θ = 0, found by Newton's method
/// and differentiated by the implicit function theorem (dr/dθ = 1/(3r² + 1)),
/// not through the iterations:
/// ```swift
/// struct CubicRoot: CustomDerivativeRule {
///     func value<V: Real>(_ x: [V]) -> V {
///         var r = x[0]
///         for _ in 0..<60 { r = r - (r * r * r + r - x[0]) / (3 * r * r + 1) }
///         return r
///     }
///     func gradient<V: Real>(_ x: [V]) -> [V] {
///         let r = self(x)                    // the root, itself through the rule
///         return [1 / (3 * r * r + 1)]
///     }
/// }
/// let slope = derivative(at: 2.0) { t in CubicRoot()([t]) }      // 1/(3·1² + 1) = 0.25
/// ```
public protocol CustomDerivativeRule: ScalarDifferentiableFunction {
    /// The function's value on plain numbers.
    func value<V: Real>(_ x: [V]) -> V
    /// The partial derivatives ∂f/∂xᵢ, one per input, computed with `V`'s arithmetic.
    func gradient<V: Real>(_ x: [V]) -> [V]
}

extension CustomDerivativeRule {
    /// Applies the rule: ``value(_:)`` on plain numbers, one recorded operation with
    /// partials ``gradient(_:)`` on differentiable numbers (at every nesting level).
    @inlinable
    public func callAsFunction<S: Real>(_ x: [S]) -> S {
        if let carrier = S.self as? any _CustomRuleCarrier.Type {
            return _applyCustomRule(carrier, x)
        }
        return value(x)
    }

    @inlinable
    internal func _applyCustomRule<C: _CustomRuleCarrier, S: Real>(_ carrier: C.Type, _ x: [S]) -> S {
        let inputs = unsafeBitCast(x, to: [C].self)
        return unsafeBitCast(C._applyCustomRule(self, inputs), to: S.self)
    }

    @inlinable
    internal func _checkedGradient<V: Real>(_ values: [V]) -> [V] {
        let g = gradient(values)
        autodiffRequire(g.count == values.count, "CustomDerivativeRule.gradient(_:)",
                        "the custom rule \(Self.self) returned \(g.count) partials for \(values.count) inputs")
        return g
    }
}

/// A differentiable number type on which a ``CustomDerivativeRule`` records itself.
@usableFromInline
internal protocol _CustomRuleCarrier: Real {
    static func _applyCustomRule<R: CustomDerivativeRule>(_ rule: R, _ x: [Self]) -> Self
}

extension Dual: _CustomRuleCarrier {
    @inlinable
    internal static func _applyCustomRule<R: CustomDerivativeRule>(_ rule: R, _ x: [Dual]) -> Dual {
        let values = x.map(\.value)
        let v = rule(values)
        let g = rule._checkedGradient(values)
        var tag: UInt32 = 0
        var d = T.zero
        for i in x.indices {
            tag = _combinedTag(tag, x[i].tag, .multiply)
            d += _scaled(x[i].derivative, by: g[i])
        }
        return Dual(value: v, derivative: d, tag: tag)
    }
}

extension DualVector: _CustomRuleCarrier {
    @inlinable
    internal static func _applyCustomRule<R: CustomDerivativeRule>(_ rule: R, _ x: [DualVector]) -> DualVector {
        let values = x.map(\.value)
        let v = rule(values)
        let g = rule._checkedGradient(values)
        var tag: UInt32 = 0
        var p = InlineArray<N, T>(repeating: 0)
        for i in x.indices {
            tag = Dual<T>._combinedTag(tag, x[i].tag, .multiply)
            for k in 0..<N { p[k] += _scaled(x[i].partials[k], by: g[i]) }
        }
        return DualVector(value: v, partials: p, tag: tag)
    }
}

extension Reverse: _CustomRuleCarrier {
    @inlinable
    internal static func _applyCustomRule<R: CustomDerivativeRule>(_ rule: R, _ x: [Reverse]) -> Reverse {
        let values = x.map(\.value)
        let v = rule(values)
        guard let onTape = x.first(where: { $0.tape != nil }), let s = onTape.tape else {
            return Reverse(constant: v)
        }
        onTape.checkActive(s, "custom rule \(R.self)")
        let g = rule._checkedGradient(values)
        return Tape(state: s).record(value: v, inputs: x, partials: g)
    }
}

extension Traced: _CustomRuleCarrier {
    /// Records the rule as one operation (a chain of slots, see ``_TraceCustom``) whose
    /// replay evaluates the rule on the replayed inputs, never on values captured here.
    @inlinable
    internal static func _applyCustomRule<R: CustomDerivativeRule>(_ rule: R, _ x: [Traced]) -> Traced {
        let values = x.map(\.value)
        let v = rule(values)
        guard let onTape = x.first(where: { $0.state != nil }), let s = onTape.state else {
            return Traced(constant: v)
        }
        let name = "custom rule \(R.self)"
        for xi in x { _ = _state(onTape, xi, name) }
        _ = rule._checkedGradient(values)  // the partials' count is checked here, where the rule is applied
        let operands = x.map { $0._operand(s) }
        let count = Swift.max(1, operands.count - 1)
        let first = _TraceState.push(s, .custom, operands[0], operands.count > 1 ? operands[1] : _TraceState<T>.sink)
        var last = first
        for j in 1..<count { last = _TraceState.push(s, .custom, last, operands[j + 1]) }
        s.pointee.customs.append(_TraceCustom(rule: rule, operands: operands, first: Int(first), count: count))
        return Traced(value: v, slot: last, state: s, generation: onTape.generation)
    }
}
