import RealModule

/// The derivative of a scalar function at `x`, in forward mode.
///
/// `f` receives a ``Dual`` seeded with derivative 1. Nest calls for higher
/// derivatives: each level has its own type, so levels never mix.
///
/// ```swift
/// func f<S: Real>(_ x: S) -> S { 9 * S.pow(x, 4) + 2 * S.pow(x, 3) + 3 * x * x + 6 * x + 1 }
/// let d  = derivative(at: 2.0) { x in f(x) }                                   // 330.0
/// let d2 = derivative(at: 2.0) { x in derivative(at: x) { y in f(y) } }       // 462.0
/// ```
@inlinable
public func derivative<S: Real>(at x: S, of f: (Dual<S>) throws -> Dual<S>) rethrows -> S {
    try valueWithDerivative(at: x, of: f).derivative
}

/// The value and the derivative of a scalar function at `x`, in forward mode.
///
/// ```swift
/// let (y, dy) = valueWithDerivative(at: 0.5) { x in Dual.sin(x) }   // (sin 0.5, cos 0.5)
/// ```
@inlinable
public func valueWithDerivative<S: Real>(
    at x: S, of f: (Dual<S>) throws -> Dual<S>
) rethrows -> (value: S, derivative: S) {
    let tag = Dual<S>._newTag()
    let y = try f(Dual._seeded(x, derivative: 1, tag: tag))
    return (y.value, y._derivative(forTag: tag, operation: "derivative(at:)"))
}

/// The gradient of a scalar function of several variables at `x`, in reverse mode.
///
/// `f` receives its inputs as ``Reverse`` values recorded on a fresh tape; the
/// gradient costs one forward recording and one reverse sweep, whatever the
/// number of inputs. The tape's memory is reused by the next call.
///
/// ```swift
/// func h<S: Real>(_ x: [S]) -> S { x[0] * x[0] + x[1] * x[1] * x[1] }
/// let g = gradient(at: [1.0, 2.0]) { x in h(x) }        // [2.0, 12.0]
/// ```
@inlinable
public func gradient<S: Real>(
    at x: [S], of f: ([Reverse<S>]) throws -> Reverse<S>,
    file: StaticString = #fileID, line: UInt = #line
) rethrows -> [S] {
    try valueWithGradient(at: x, of: f, file: file, line: line).gradient
}

/// The value and the gradient of a scalar function of several variables, in
/// reverse mode.
///
/// ```swift
/// let (value, grad) = valueWithGradient(at: [1.0, 2.0]) { x in x[0] * x[0] + x[1] * x[1] * x[1] }
/// // value == 9.0, grad == [2.0, 12.0]
/// ```
@inlinable
public func valueWithGradient<S: Real>(
    at x: [S], of f: ([Reverse<S>]) throws -> Reverse<S>,
    file: StaticString = #fileID, line: UInt = #line
) rethrows -> (value: S, gradient: [S]) {
    try Tape<S>.withTape(origin: TapeOrigin("valueWithGradient(at:of:)", file: file, line: line)) { tape in
        let inputs = x.map { tape.variable($0) }
        let y = try f(inputs)
        return (y.value, tape.gradient(of: y, withRespectTo: inputs))
    }
}

/// The gradient of a scalar function of one variable, in reverse mode
/// (the same number as ``derivative(at:of:)``, by the other mode).
///
/// ```swift
/// let g = gradient(at: 3.0) { x in x * x }   // 6.0
/// ```
@inlinable
public func gradient<S: Real>(
    at x: S, of f: (Reverse<S>) throws -> Reverse<S>,
    file: StaticString = #fileID, line: UInt = #line
) rethrows -> S {
    try Tape<S>.withTape(origin: TapeOrigin("gradient(at:of:)", file: file, line: line)) { tape in
        let input = tape.variable(x)
        let y = try f(input)
        return tape.gradient(of: y, withRespectTo: [input])[0]
    }
}
