import RealModule

// Taylor mode: all derivatives up to order K along one direction in one evaluation.
// The order is the K of the closure's parameter type, `Taylor<T, K>`.

/// The Taylor coefficients c₀…c_K of t ↦ f(x + t·v) at t = 0, by Taylor mode.
///
/// `f` receives the series x + v·t as a ``Taylor`` of order K; c_k is the k-th
/// derivative along `v` divided by k!. Costs one evaluation of `f` at O(K²) per
/// operation.
///
/// ```swift
/// let c = taylorCoefficients(at: 0.0) { (x: Taylor<Double, 4>) in Taylor.exp(x) }
/// // [1, 1, 1/2, 1/6, 1/24]
/// ```
@inlinable
public func taylorCoefficients<T: Real, let K: Int>(
    at x: T, direction v: T = 1, of f: (Taylor<T, K>) throws -> Taylor<T, K>
) rethrows -> [T] {
    try f(Taylor(x, derivative: v)).coefficients
}

/// The derivatives f(x), f′(x), …, f⁽ᴷ⁾(x) of a scalar function, by Taylor mode;
/// with a `direction` v, the derivatives of t ↦ f(x + t·v) at 0 (vᵏ·f⁽ᵏ⁾(x)).
///
/// The order K is that of the closure's parameter type. One evaluation of `f` on
/// ``Taylor`` numbers replaces K nested `derivative(at:of:)` calls.
///
/// ```swift
/// let d = higherDerivatives(at: 0.0) { (x: Taylor<Double, 10>) in 1 / (1 + x * x) }
/// // [1, 0, -2, 0, 24, 0, -720, 0, 40320, 0, -3628800]
/// ```
@inlinable
public func higherDerivatives<T: Real, let K: Int>(
    at x: T, direction v: T = 1, of f: (Taylor<T, K>) throws -> Taylor<T, K>
) rethrows -> [T] {
    try f(Taylor(x, derivative: v)).derivatives
}

/// The Taylor coefficients c₀…c_K of t ↦ f(x + t·v) at t = 0 for a function of
/// several variables, by Taylor mode.
///
/// ```swift
/// let c = taylorCoefficients(at: [1.0, 2.0], direction: [1, 1]) { (x: [Taylor<Double, 2>]) in x[0] * x[1] }
/// // (1 + t)(2 + t) = 2 + 3t + t²: [2, 3, 1]
/// ```
@inlinable
public func taylorCoefficients<T: Real, let K: Int>(
    at x: [T], direction v: [T], of f: ([Taylor<T, K>]) throws -> Taylor<T, K>
) rethrows -> [T] {
    try f(_taylorSeeds(x, v, "taylorCoefficients(at:direction:of:)")).coefficients
}

/// The directional derivatives of orders 0…K of a function of several variables:
/// the derivatives of t ↦ f(x + t·v) at t = 0, by Taylor mode.
///
/// The k-th entry is the k-th derivative tensor of f contracted k times with v
/// (for k = 2, vᵀ·H·v).
///
/// ```swift
/// let d = higherDerivatives(at: [1.0, 2.0], direction: [1, 0]) { (x: [Taylor<Double, 3>]) in
///     x[0] * x[0] * x[0] * x[1]
/// }
/// // x³·y along x: [2, 6, 12, 12]
/// ```
@inlinable
public func higherDerivatives<T: Real, let K: Int>(
    at x: [T], direction v: [T], of f: ([Taylor<T, K>]) throws -> Taylor<T, K>
) rethrows -> [T] {
    try f(_taylorSeeds(x, v, "higherDerivatives(at:direction:of:)")).derivatives
}

@inlinable
internal func _taylorSeeds<T: Real, let K: Int>(_ x: [T], _ v: [T], _ operation: StaticString) -> [Taylor<T, K>] {
    precondition(x.count == v.count,
                 "Autodiff: \(operation) was given \(x.count) inputs and a direction of \(v.count) entries")
    return (0..<x.count).map { Taylor(x[$0], derivative: v[$0]) }
}
