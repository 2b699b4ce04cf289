import RealModule

/// A number recorded on a tape: reverse-mode automatic differentiation as a
/// number type.
///
/// `Reverse<T>` conforms to swift-numerics' `Real`. Each operation on a value
/// that depends on an input records one node (two parent indices and two
/// partials from the rule table) on the tape of the differentiation call that
/// created the input; ``gradient(at:of:)`` then runs one reverse sweep over the
/// tape. Operations on constants record nothing.
///
/// ```swift
/// func h<S: Real>(_ x: [S]) -> S { x[0] * x[0] + x[1] * x[1] * x[1] }
/// gradient(at: [1.0, 2.0]) { x in h(x) }          // [2.0, 12.0]
/// ```
///
/// A `Reverse` value belongs to the call that recorded it. Used after that call
/// has returned, or together with a value from another tape, it stops with a
/// message naming both, never a wrong gradient. Values nest: a tape of
/// `Reverse<Double>` partials differentiates gradients again.
@frozen
public struct Reverse<T: Real>: AutodiffNumber {
    /// The primal value.
    public var value: T
    @usableFromInline internal var tape: UnsafeMutablePointer<TapeState<T>>?
    @usableFromInline internal var index: UInt32
    @usableFromInline internal var generation: UInt32

    /// A constant: on no tape, derivative zero.
    @inlinable
    public init(constant: T) {
        self.value = constant
        self.tape = nil
        self.index = 0
        self.generation = 0
    }

    @inlinable
    internal init(value: T, tape: UnsafeMutablePointer<TapeState<T>>, index: UInt32, generation: UInt32) {
        self.value = value
        self.tape = tape
        self.index = index
        self.generation = generation
    }

    /// Whether this value depends on a differentiation input (is on a tape).
    @inlinable public var isVariable: Bool { tape != nil }

    @inlinable @inline(__always)
    public static func applying(_ function: UnaryFunction, _ x: Reverse) -> Reverse {
        let (v, d) = function.evaluate(x.value)
        guard let s = x.tape else { return Reverse(constant: v) }
        x.checkActive(s, function.name)
        let i = Tape(state: s).push(TapeNode(lhs: x.index, rhs: 0, dl: d, dr: 0))
        return Reverse(value: v, tape: s, index: i, generation: x.generation)
    }

    @inlinable @inline(__always)
    public static func applying(_ function: BinaryFunction, _ x: Reverse, _ y: Reverse) -> Reverse {
        let (v, dx, dy) = function.evaluate(x.value, y.value)
        let s: UnsafeMutablePointer<TapeState<T>>
        let generation: UInt32
        if let sx = x.tape {
            s = sx
            generation = x.generation
            if let sy = y.tape {
                if sx != sy || x.generation != y.generation { _mixedTapes(x, y, function.name) }
            }
        } else if let sy = y.tape {
            s = sy
            generation = y.generation
        } else {
            return Reverse(constant: v)
        }
        if s.pointee.generation != generation { _staleTape(s, generation, function.name) }
        let i = Tape(state: s).push(TapeNode(lhs: x.index, rhs: y.index, dl: dx, dr: dy))
        return Reverse(value: v, tape: s, index: i, generation: generation)
    }

    @inlinable
    internal func checkActive(_ s: UnsafeMutablePointer<TapeState<T>>, _ operation: @autoclosure () -> String) {
        if s.pointee.generation != generation { _staleTape(s, generation, operation()) }
    }

    @inlinable
    internal func checkTape(_ s: UnsafeMutablePointer<TapeState<T>>, _ g: UInt32,
                            _ operation: @autoclosure () -> String) {
        guard let mine = tape else { return }
        if mine != s || generation != g {
            if mine.pointee.generation != generation { _staleTape(mine, generation, operation()) }
            autodiffFailure(operation(), """
                was given a Reverse value recorded on another tape (by \(mine.pointee.origin)) \
                than the one in use (by \(s.pointee.origin)). Reverse values must not cross \
                differentiation calls.
                """)
        }
        if s.pointee.generation != g { _staleTape(s, g, operation()) }
    }
}

@usableFromInline
@inline(never)
internal func _staleTape<T>(_ s: UnsafeMutablePointer<TapeState<T>>, _ generation: UInt32, _ operation: String) -> Never {
    autodiffFailure(operation, """
        used a Reverse<\(T.self)> value whose tape has ended: it was recorded inside a \
        differentiation call that has already returned. Reverse values must not escape the \
        closure passed to gradient(at:) (or any other operator); return plain values instead.
        """)
}

@usableFromInline
@inline(never)
internal func _mixedTapes<T>(_ x: Reverse<T>, _ y: Reverse<T>, _ operation: String) -> Never {
    if let s = x.tape, s.pointee.generation != x.generation { _staleTape(s, x.generation, operation) }
    if let s = y.tape, s.pointee.generation != y.generation { _staleTape(s, y.generation, operation) }
    let a = x.tape.map { "\($0.pointee.origin)" } ?? "?"
    let b = y.tape.map { "\($0.pointee.origin)" } ?? "?"
    autodiffFailure(operation, """
        two differentiation levels were mixed: the operands are Reverse<\(T.self)> values recorded \
        on two different tapes (opened by \(a) and by \(b)). To differentiate a gradient, nest the \
        calls so that each level has its own type (Reverse<Reverse<Double>>).
        """)
}

extension Reverse: _StructuralZero {
    @usableFromInline
    internal var _isStructurallyZero: Bool { tape == nil && AutodiffCore._isStructurallyZero(value) }
}

extension Reverse: ExpressibleByFloatLiteral where T: ExpressibleByFloatLiteral {
    @inlinable
    public init(floatLiteral value: T.FloatLiteralType) {
        self.init(constant: T(floatLiteral: value))
    }
}

extension Reverse: CustomStringConvertible {
    /// The value, and the node it was recorded as (`3.0 (node 5)`), or `3.0 (constant)`.
    public var description: String {
        tape == nil ? "\(value) (constant)" : "\(value) (node \(index))"
    }
}
