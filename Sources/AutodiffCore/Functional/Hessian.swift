import RealModule

/// Hessian columns `start..<start+width` (and the value and gradient) by
/// forward-over-reverse: one recording of `f` on ``Reverse`` values whose
/// partials are ``DualVector`` numbers seeded in those columns, and one reverse
/// sweep, whose adjoints carry the gradient and `width` columns of H at once.
@inlinable
internal func _hessianColumns<S: Real, let N: Int>(
    _ x: [S], start: Int, tag: UInt32, into H: UnsafeMutablePointer<S>, gradient: UnsafeMutablePointer<S>?,
    _ f: ([Reverse<DualVector<S, N>>]) -> Reverse<DualVector<S, N>>, _ origin: TapeOrigin
) -> S {
    let n = x.count
    let width = Swift.min(N, n - start)
    return Tape<DualVector<S, N>>.withTape(origin: origin) { tape in
        var inputs: [Reverse<DualVector<S, N>>] = []
        inputs.reserveCapacity(n)
        for j in 0..<n {
            var d = DualVector<S, N>(value: x[j], partials: InlineArray(repeating: 0), tag: tag)
            if j >= start && j < start + width { d.partials[j - start] = 1 }
            inputs.append(tape.variable(d))
        }
        let y = f(inputs)
        tape.backward(from: [(y, 1)])
        for j in 0..<n {
            let a = tape.adjoint(of: inputs[j])
            gradient?[j] = a.value
            let p = a._partials(forTag: tag, operation: origin.operation)
            for k in 0..<width { H[j * n + start + k] = p[k] }
        }
        return y.value.value
    }
}

/// The Hessian on the calling thread: `f` need not be `Sendable`.
@inlinable
internal func _hessianSerial<S: Real, let N: Int>(
    _ x: [S], _ f: ([Reverse<DualVector<S, N>>]) -> Reverse<DualVector<S, N>>, _ origin: TapeOrigin
) -> (value: S, gradient: [S], hessian: [[S]]) {
    let n = x.count
    if n == 0 {
        let v = Tape<DualVector<S, N>>.withTape(origin: origin) { _ in f([]).value.value }
        return (v, [], [])
    }
    let tag = Dual<S>._newTag()
    let chunks = (n + N - 1) / N
    var flat = [S](repeating: 0, count: n * n)
    var grad = [S](repeating: 0, count: n)
    var value = S.zero
    flat.withUnsafeMutableBufferPointer { hb in
        grad.withUnsafeMutableBufferPointer { gb in
            for c in 0..<chunks {
                value = _hessianColumns(x, start: c * N, tag: tag, into: hb.baseAddress!,
                                        gradient: c == 0 ? gb.baseAddress! : nil, f, origin)
            }
        }
    }
    return (value, grad, _rows(flat, n, n))
}

/// The Hessian with its column chunks spread over the cores when `parallel` (and
/// there are at least two chunks): `f` is then called from several threads at once.
@inlinable
internal func _hessian<S: Real & SendableMetatype, let N: Int>(
    _ x: [S], parallel: Bool, _ f: @Sendable ([Reverse<DualVector<S, N>>]) -> Reverse<DualVector<S, N>>,
    _ origin: TapeOrigin
) -> (value: S, gradient: [S], hessian: [[S]]) {
    let n = x.count
    let chunks = (n + N - 1) / N
    let workers = Swift.min(chunks, _coreCount)
    guard parallel && workers > 1 else { return _hessianSerial(x, f, origin) }
    let tag = Dual<S>._newTag()
    var flat = [S](repeating: 0, count: n * n)
    var grad = [S](repeating: 0, count: n)
    var value = S.zero
    flat.withUnsafeMutableBufferPointer { hb in
        grad.withUnsafeMutableBufferPointer { gb in
            let H = _SendablePointer(hb.baseAddress!)
            let G = _SendablePointer(gb.baseAddress!)
            // Each worker takes every `workers`-th chunk; chunks write disjoint columns.
            let input = _SharedInput(x)
            _concurrentPerform(iterations: workers) { w in
                let x = input.value
                var c = w
                while c < chunks {
                    _ = _hessianColumns(x, start: c * N, tag: tag, into: H.pointer,
                                        gradient: c == 0 ? G.pointer : nil, f, origin)
                    c += workers
                }
            }
            value = Tape<DualVector<S, N>>.withTape(origin: origin) { tape in
                f(x.map { tape.variable(DualVector(constant: $0)) }).value.value
            }
        }
    }
    return (value, grad, _rows(flat, n, n))
}

/// A pointer handed to worker threads that write disjoint parts of one buffer.
@usableFromInline
internal struct _SendablePointer<S>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<S>
    @inlinable init(_ pointer: UnsafeMutablePointer<S>) { self.pointer = pointer }
}

/// Values read (never written) by worker threads.
@usableFromInline
internal struct _SharedInput<S>: @unchecked Sendable {
    @usableFromInline let value: S
    @inlinable init(_ value: S) { self.value = value }
}


/// The Hessian of a scalar function at `x` (n × n, symmetric), by forward-over-reverse:
/// `f` is recorded on ``Reverse`` values whose partials are 8-lane ``DualVector``
/// numbers, and each reverse sweep yields 8 columns, so the Hessian costs ⌈n/8⌉
/// recordings and sweeps, on the calling thread. `f` may capture anything a
/// ``gradient(at:of:)`` closure may (local functions, `var`s); to spread the columns
/// over the cores, pass `parallel: true` and a `@Sendable` closure.
///
/// ```swift
/// func h<S: Real>(_ x: [S]) -> S { x[0] * x[0] * x[1] + S.exp(x[1]) }
/// let H = hessian(at: [1.0, 2.0]) { x in h(x) }    // [[4, 2], [2, e²]]
/// ```
@inlinable
public func hessian<S: Real>(
    at x: [S], of f: ([Reverse<DualVector<S, 8>>]) -> Reverse<DualVector<S, 8>>,
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    _hessianSerial(x, f, TapeOrigin("hessian(at:of:)", file: file, line: line)).hessian
}

/// The Hessian with the lane count of the closure's parameter type
/// (`{ (x: [Reverse<DualVector<Double, 4>>]) in h(x) }`).
@inlinable
public func hessian<S: Real, let N: Int>(
    at x: [S], of f: ([Reverse<DualVector<S, N>>]) -> Reverse<DualVector<S, N>>,
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    _hessianSerial(x, f, TapeOrigin("hessian(at:of:)", file: file, line: line)).hessian
}

/// The Hessian, with its column chunks spread over the cores when `parallel` is true
/// (and there are at least two chunks of 8 columns): `f` is then called from several
/// threads at once, which is why it must be `@Sendable` here (local functions it calls
/// must be `@Sendable` too; a global function is).
///
/// ```swift
/// func h<S: Real>(_ x: [S]) -> S { x.reduce(0) { $0 + $1 * $1 * $1 } }
/// let H = hessian(at: Array(repeating: 1.0, count: 200), parallel: true) { x in h(x) }
/// ```
@inlinable
public func hessian<S: Real & SendableMetatype>(
    at x: [S], parallel: Bool,
    of f: @Sendable ([Reverse<DualVector<S, 8>>]) -> Reverse<DualVector<S, 8>>,
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    _hessian(x, parallel: parallel, f, TapeOrigin("hessian(at:of:)", file: file, line: line)).hessian
}

/// The Hessian over several cores with the lane count of the closure's parameter type.
@inlinable
public func hessian<S: Real & SendableMetatype, let N: Int>(
    at x: [S], parallel: Bool,
    of f: @Sendable ([Reverse<DualVector<S, N>>]) -> Reverse<DualVector<S, N>>,
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    _hessian(x, parallel: parallel, f, TapeOrigin("hessian(at:of:)", file: file, line: line)).hessian
}

/// The value, gradient and Hessian of a scalar function at `x`, from the same sweeps,
/// on the calling thread.
///
/// ```swift
/// let (v, g, H) = valueWithHessian(at: [1.0, 2.0]) { x in h(x) }
/// ```
@inlinable
public func valueWithHessian<S: Real>(
    at x: [S], of f: ([Reverse<DualVector<S, 8>>]) -> Reverse<DualVector<S, 8>>,
    file: StaticString = #fileID, line: UInt = #line
) -> (value: S, gradient: [S], hessian: [[S]]) {
    _hessianSerial(x, f, TapeOrigin("valueWithHessian(at:of:)", file: file, line: line))
}

/// The value, gradient and Hessian, with the columns spread over the cores when
/// `parallel` is true (`f` must then be `@Sendable`).
@inlinable
public func valueWithHessian<S: Real & SendableMetatype>(
    at x: [S], parallel: Bool,
    of f: @Sendable ([Reverse<DualVector<S, 8>>]) -> Reverse<DualVector<S, 8>>,
    file: StaticString = #fileID, line: UInt = #line
) -> (value: S, gradient: [S], hessian: [[S]]) {
    _hessian(x, parallel: parallel, f, TapeOrigin("valueWithHessian(at:of:)", file: file, line: line))
}

/// The Hessian-vector product `H·v` without forming H: one recording on
/// `Reverse<Dual<S>>` values seeded with `v`, one reverse sweep (forward-over-reverse).
///
/// ```swift
/// let hv = hvp(at: [1.0, 2.0], direction: [1, 0]) { x in h(x) }   // first column of H
/// ```
@inlinable
public func hvp<S: Real>(
    at x: [S], direction v: [S], of f: ([Reverse<Dual<S>>]) -> Reverse<Dual<S>>,
    file: StaticString = #fileID, line: UInt = #line
) -> [S] {
    valueWithHVP(at: x, direction: v, of: f, file: file, line: line).hvp
}

/// The value, the gradient and the Hessian-vector product `H·v` of a scalar function.
///
/// ```swift
/// let (y, g, hv) = valueWithHVP(at: [1.0, 2.0], direction: [0, 1]) { x in h(x) }
/// ```
@inlinable
public func valueWithHVP<S: Real>(
    at x: [S], direction v: [S], of f: ([Reverse<Dual<S>>]) -> Reverse<Dual<S>>,
    file: StaticString = #fileID, line: UInt = #line
) -> (value: S, gradient: [S], hvp: [S]) {
    autodiffRequire(v.count == x.count, "hvp(at:direction:of:)",
                    "the direction has \(v.count) entries but the input has \(x.count)")
    let tag = Dual<S>._newTag()
    return Tape<Dual<S>>.withTape(origin: TapeOrigin("hvp(at:direction:of:)", file: file, line: line)) { tape in
        let inputs = zip(x, v).map { tape.variable(Dual(value: $0, derivative: $1, tag: tag)) }
        let y = f(inputs)
        tape.backward(from: [(y, 1)])
        let adjoints = inputs.map { tape.adjoint(of: $0) }
        return (y.value.value, adjoints.map(\.value),
                adjoints.map { $0._derivative(forTag: tag, operation: "hvp(at:direction:of:)") })
    }
}
