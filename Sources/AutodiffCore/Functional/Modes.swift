import RealModule

/// A function `Rⁿ → Rᵐ` written once, generic over `Real`, so that every operator
/// can run it in the mode it chooses (forward, chunked forward, reverse, nested).
///
/// Closures cannot be generic, so a closure fixes its mode by its parameter type;
/// a conforming type leaves the choice to the operator (``JacobianMode/automatic``).
///
/// ```swift
/// struct Chain: DifferentiableFunction {
///     func callAsFunction<S: Real>(_ x: [S]) -> [S] { x.map { S.exp($0) } }
/// }
/// let J = jacobian(at: [1.0, 2.0], of: Chain())                    // automatic by shape
/// let R = jacobian(at: [1.0, 2.0], of: Chain(), mode: .reverse)    // explicit
/// ```
public protocol DifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> [S]
}

/// A scalar function `Rⁿ → R` written once, generic over `Real` (see
/// ``DifferentiableFunction``); used by the gradient checker and by custom rules.
///
/// ```swift
/// struct SumOfSquares: ScalarDifferentiableFunction {
///     func callAsFunction<S: Real>(_ x: [S]) -> S { x.reduce(0) { $0 + $1 * $1 } }
/// }
/// let g = gradient(at: [1.0, 2.0]) { x in SumOfSquares()(x) }   // [2.0, 4.0]
/// ```
public protocol ScalarDifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> S
}

/// How a Jacobian of a ``DifferentiableFunction`` is computed.
///
/// - ``forward``: chunked forward mode, ⌈n/N⌉ evaluations on ``DualVector`` values
///   (N chosen from n unless `chunk:` is given).
/// - ``reverse``: one recording, one reverse sweep per output row.
/// - ``automatic``: forward when inputs ≤ outputs, else reverse.
public enum JacobianMode: Sendable, Hashable {
    case automatic
    case forward
    case reverse
}

/// Selects forward mode for a closure operator: `jacobian(at: x, mode: .forward) { x in F(x) }`.
public struct ForwardMode: Sendable {
    @inlinable public init() {}
    /// Forward mode (chunked dual numbers).
    @inlinable public static var forward: ForwardMode { ForwardMode() }
}

/// Selects reverse mode for a closure operator: `jacobian(at: x, mode: .reverse) { x in F(x) }`.
public struct ReverseMode: Sendable {
    @inlinable public init() {}
    /// Reverse mode (one tape, one sweep per output).
    @inlinable public static var reverse: ReverseMode { ReverseMode() }
}

/// The lane count chunked forward mode uses for `n` inputs when none is given:
/// the smallest power of two that covers n (one pass) up to 64 lanes, and 64 above,
/// whatever the scalar type. One pass evaluates each elementary function once instead
/// of once per pass; beyond 64 lanes the larger values cost more than the passes they
/// save (chain-jac n = 100: 64 lanes 0.5–0.6x the time of 8 lanes, 128 lanes in one
/// pass 0.7x; LanesBench, "Forward-mode lanes" in Benchmarks/RESULTS.md).
@inlinable
public func defaultChunkSize(inputs n: Int) -> Int {
    var lanes = 1
    while lanes < n && lanes < 64 { lanes *= 2 }
    return lanes
}
