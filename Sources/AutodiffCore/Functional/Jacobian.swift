import RealModule

// MARK: - Engines

/// Forward Jacobian with `N` lanes: ⌈n/N⌉ evaluations of `f`.
@inlinable
internal func _forwardJacobian<S: Real, let N: Int>(
    _ x: [S], _ f: ([DualVector<S, N>]) -> [DualVector<S, N>], _ operation: StaticString
) -> (value: [S], jacobian: [[S]]) {
    let n = x.count
    let tag = Dual<S>._newTag()
    var inputs = x.map { DualVector<S, N>(value: $0, partials: InlineArray(repeating: 0), tag: tag) }
    if n == 0 {
        let y = f(inputs)
        return (y.map(\.value), Array(repeating: [], count: y.count))
    }
    var value: [S] = []
    var flat: [S] = []
    var m = -1
    var start = 0
    while start < n {
        let width = Swift.min(N, n - start)
        for k in 0..<width { inputs[start + k].partials[k] = 1 }
        let y = f(inputs)
        if m < 0 {
            m = y.count
            value = y.map(\.value)
            flat = Array(repeating: 0, count: m * n)
        } else {
            _checkOutputCount(y.count, m, operation)
        }
        flat.withUnsafeMutableBufferPointer { J in
            for i in 0..<m {
                let p = y[i]._partials(forTag: tag, operation: operation)
                for k in 0..<width { J[i * n + start + k] = p[k] }
            }
        }
        for k in 0..<width { inputs[start + k].partials[k] = 0 }
        start += width
    }
    return (value, _rows(flat, m, n))
}

/// Reverse Jacobian: one recording, then sweeps of 8 outputs at once (adjoint lanes), or
/// one sweep per output for nested AD scalars. Each row is bit for bit the one of its own
/// sweep.
@inlinable
internal func _reverseJacobian<S: Real>(
    _ x: [S], _ f: ([Reverse<S>]) -> [Reverse<S>], _ origin: TapeOrigin
) -> (value: [S], jacobian: [[S]]) {
    Tape<S>.withTape(origin: origin) { tape in
        let inputs = x.map { tape.variable($0) }
        let y = f(inputs)
        let n = x.count
        for output in y where output.tape != nil { output.checkTape(tape.state, tape.generation, "jacobian") }
        if y.count > 1 && !(S.self is any _StructuralZero.Type) {
            return (y.map(\.value), _reverseJacobianRows(tape, inputs, y, lanes: y.count >= 8 ? 8 : y.count > 2 ? 4 : 2))
        }
        var rows: [[S]] = []
        rows.reserveCapacity(y.count)
        for output in y {
            tape.backward(from: [(output, 1)])
            var row = [S](repeating: 0, count: n)
            for j in 0..<n { row[j] = tape.adjoint(of: inputs[j]) }
            rows.append(row)
        }
        return (y.map(\.value), rows)
    }
}

/// The rows of a reverse Jacobian, `L` outputs per sweep (``TapeState/sweepLanes(_:outputs:into:)``).
@inlinable
internal func _reverseJacobianRows<S: Real>(_ tape: Tape<S>, _ inputs: [Reverse<S>], _ y: [Reverse<S>],
                                            lanes: Int) -> [[S]] {
    switch lanes {
    case 2: return _reverseJacobianRows(tape, inputs, y, InlineArray<2, S>.self)
    case 4: return _reverseJacobianRows(tape, inputs, y, InlineArray<4, S>.self)
    default: return _reverseJacobianRows(tape, inputs, y, InlineArray<8, S>.self)
    }
}

@inlinable
internal func _reverseJacobianRows<S: Real, let L: Int>(_ tape: Tape<S>, _ inputs: [Reverse<S>], _ y: [Reverse<S>],
                                                        _: InlineArray<L, S>.Type) -> [[S]] {
    let n = inputs.count
    var rows = [[S]](repeating: [S](repeating: 0, count: n), count: y.count)
    let adj = UnsafeMutablePointer<InlineArray<L, S>>.allocate(capacity: tape.state.pointee.count)
    defer { adj.deallocate() }
    var start = 0
    while start < y.count {
        let group = Array(y[start..<Swift.min(start + L, y.count)])
        TapeState.sweepLanes(tape.state, outputs: group, into: adj)
        let top = group.lazy.filter { $0.tape != nil }.map { Int($0.index) }.max() ?? 0
        for (lane, output) in group.enumerated() where output.tape != nil {
            for j in 0..<n where inputs[j].tape != nil && Int(inputs[j].index) <= top {
                rows[start + lane][j] = adj[Int(inputs[j].index)][lane]
            }
        }
        adj.deinitialize(count: top + 1)
        start += L
    }
    return rows
}

@inlinable
internal func _rows<S>(_ flat: [S], _ m: Int, _ n: Int) -> [[S]] {
    (0..<m).map { i in Array(flat[(i * n)..<(i * n + n)]) }
}

@usableFromInline
internal func _checkOutputCount(_ count: Int, _ expected: Int, _ operation: StaticString) {
    autodiffRequire(count == expected, "\(operation)", """
        the function returned \(count) outputs on one call and \(expected) on \
        an earlier one; the number of outputs must not depend on the input or on the pass.
        """)
}

/// A computation generic over the `DualVector` lane count, run by ``_withChunk`` with
/// the count chosen at run time (closures cannot be generic, so the operators that
/// choose the chunk size wrap their work in small conforming structs).
@usableFromInline
internal protocol _ChunkBody {
    associatedtype Scalar: Real
    associatedtype Result
    func run<let N: Int>(_ lanes: DualVector<Scalar, N>.Type) -> Result
}

/// Runs `body` with `lanes` lanes, one of the powers of two 1…64 (the values
/// ``defaultChunkSize(inputs:)`` returns), for any scalar type.
@inlinable
internal func _withChunk<B: _ChunkBody>(_ lanes: Int, _ operation: StaticString, _ body: B) -> B.Result {
    typealias S = B.Scalar
    switch lanes {
    case 1: return body.run(DualVector<S, 1>.self)
    case 2: return body.run(DualVector<S, 2>.self)
    case 4: return body.run(DualVector<S, 4>.self)
    case 8: return body.run(DualVector<S, 8>.self)
    case 16: return body.run(DualVector<S, 16>.self)
    case 32: return body.run(DualVector<S, 32>.self)
    case 64: return body.run(DualVector<S, 64>.self)
    default:
        autodiffFailure("\(operation)", "chunk size \(lanes) is not one of 1, 2, 4, 8, 16, 32, 64")
    }
}

// MARK: - Jacobian of closures

/// The Jacobian of `f` at `x`, `m` rows by `n` columns (`J[i][j] = ∂fᵢ/∂xⱼ`), in
/// chunked forward mode: `f` receives ``DualVector`` values with 8 lanes, so the
/// Jacobian costs ⌈n/8⌉ calls of `f`.
///
/// The mode follows from the closure's parameter type: write it as
/// `{ (x: [DualVector<Double, 4>]) in F(x) }` for another chunk size,
/// `{ (x: [Dual<Double>]) in F(x) }` for one lane, `{ (x: [Reverse<Double>]) in F(x) }`
/// (or pass `mode: .reverse`) for reverse mode. For the automatic choice by shape,
/// pass a ``DifferentiableFunction`` instead of a closure.
///
/// ```swift
/// func F<S: Real>(_ x: [S]) -> [S] { [x[0] * x[1], S.sin(x[0])] }
/// let J = jacobian(at: [1.0, 2.0]) { x in F(x) }     // [[2, 1], [cos 1, 0]]
/// let R = jacobian(at: [1.0, 2.0], mode: .reverse) { x in F(x) }
/// ```
@inlinable
public func jacobian<S: Real>(
    at x: [S], of f: ([DualVector<S, 8>]) -> [DualVector<S, 8>]
) -> [[S]] {
    _forwardJacobian(x, f, "jacobian(at:of:)").jacobian
}

/// The Jacobian in forward mode with the lane count of the closure's parameter type.
///
/// ```swift
/// let J = jacobian(at: x) { (x: [DualVector<Double, 4>]) in F(x) }   // ⌈n/4⌉ passes
/// ```
@inlinable
public func jacobian<S: Real, let N: Int>(
    at x: [S], of f: ([DualVector<S, N>]) -> [DualVector<S, N>]
) -> [[S]] {
    _forwardJacobian(x, f, "jacobian(at:of:)").jacobian
}

/// The Jacobian in forward mode with explicit mode selection (8 lanes).
///
/// ```swift
/// let J = jacobian(at: x, mode: .forward) { x in F(x) }
/// ```
@inlinable
public func jacobian<S: Real>(
    at x: [S], mode: ForwardMode, of f: ([DualVector<S, 8>]) -> [DualVector<S, 8>]
) -> [[S]] {
    _forwardJacobian(x, f, "jacobian(at:mode:of:)").jacobian
}

/// The Jacobian in one-lane forward mode (`n` calls of `f`), chosen by a closure
/// taking ``Dual`` values.
///
/// ```swift
/// let J = jacobian(at: x) { (x: [Dual<Double>]) in F(x) }
/// ```
@_disfavoredOverload
@inlinable
public func jacobian<S: Real>(at x: [S], of f: ([Dual<S>]) -> [Dual<S>]) -> [[S]] {
    let tag = Dual<S>._newTag()
    let n = x.count
    var columns: [[S]] = []
    var m = -1
    var inputs = x.map { Dual<S>(value: $0, derivative: 0, tag: tag) }
    for j in 0..<n {
        inputs[j].derivative = 1
        let y = f(inputs)
        if m < 0 { m = y.count } else { _checkOutputCount(y.count, m, "jacobian(at:of:)") }
        columns.append(y.map { $0._derivative(forTag: tag, operation: "jacobian(at:of:)") })
        inputs[j].derivative = 0
    }
    if n == 0 { return Array(repeating: [], count: f(inputs).count) }
    return (0..<m).map { i in (0..<n).map { j in columns[j][i] } }
}

/// The Jacobian in reverse mode: `f` is recorded once on a tape of ``Reverse``
/// values and swept once per output row. Chosen by the closure's parameter type
/// or with `mode: .reverse`.
///
/// ```swift
/// let J = jacobian(at: x, mode: .reverse) { x in F(x) }
/// let K = jacobian(at: x) { (x: [Reverse<Double>]) in F(x) }
/// ```
@_disfavoredOverload
@inlinable
public func jacobian<S: Real>(
    at x: [S], of f: ([Reverse<S>]) -> [Reverse<S>],
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    _reverseJacobian(x, f, TapeOrigin("jacobian(at:of:)", file: file, line: line)).jacobian
}

/// The Jacobian in reverse mode, selected explicitly.
@inlinable
public func jacobian<S: Real>(
    at x: [S], mode: ReverseMode, of f: ([Reverse<S>]) -> [Reverse<S>],
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    _reverseJacobian(x, f, TapeOrigin("jacobian(at:mode:of:)", file: file, line: line)).jacobian
}

/// The value and the Jacobian of `f` at `x`, in chunked forward mode (8 lanes).
///
/// ```swift
/// let (y, J) = valueWithJacobian(at: [1.0, 2.0]) { x in F(x) }
/// ```
@inlinable
public func valueWithJacobian<S: Real>(
    at x: [S], of f: ([DualVector<S, 8>]) -> [DualVector<S, 8>]
) -> (value: [S], jacobian: [[S]]) {
    _forwardJacobian(x, f, "valueWithJacobian(at:of:)")
}

/// The value and the Jacobian of `f` at `x`, in reverse mode.
///
/// ```swift
/// let (y, J) = valueWithJacobian(at: [1.0, 2.0], mode: .reverse) { x in F(x) }
/// ```
@inlinable
public func valueWithJacobian<S: Real>(
    at x: [S], mode: ReverseMode, of f: ([Reverse<S>]) -> [Reverse<S>],
    file: StaticString = #fileID, line: UInt = #line
) -> (value: [S], jacobian: [[S]]) {
    _reverseJacobian(x, f, TapeOrigin("valueWithJacobian(at:mode:of:)", file: file, line: line))
}

// MARK: - Jacobian of a DifferentiableFunction (automatic mode)

/// The value and the Jacobian of a ``DifferentiableFunction``, in the mode given
/// (``JacobianMode/automatic`` by default: forward when inputs ≤ outputs, else
/// reverse). `chunk` overrides the forward lane count (1, 2, 4, …, 64; default
/// ``defaultChunkSize(inputs:)``).
///
/// ```swift
/// struct Wide: DifferentiableFunction {
///     func callAsFunction<S: Real>(_ x: [S]) -> [S] { wideG(x, outputs: 1000) }
/// }
/// let (y, J) = valueWithJacobian(at: x, of: Wide())                         // forward (8 ≤ 1000)
/// let (_, K) = valueWithJacobian(at: x, of: Wide(), mode: .forward, chunk: 4)
/// ```
@inlinable
public func valueWithJacobian<F: DifferentiableFunction, S: Real>(
    at x: [S], of f: F, mode: JacobianMode = .automatic, chunk: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) -> (value: [S], jacobian: [[S]]) {
    var useForward: Bool
    switch mode {
    case .forward: useForward = true
    case .reverse: useForward = false
    case .automatic:
        // The output count needs one plain evaluation; it is cheap next to a Jacobian.
        useForward = x.count <= f(x).count
    }
    if !useForward {
        return _reverseJacobian(x, { f($0) }, TapeOrigin("valueWithJacobian(at:of:mode:)", file: file, line: line))
    }
    let lanes = chunk ?? defaultChunkSize(inputs: x.count)
    return _withChunk(lanes, "valueWithJacobian(at:of:mode:chunk:)", _ForwardJacobianBody(x: x, f: f))
}

@usableFromInline
internal struct _ForwardJacobianBody<F: DifferentiableFunction, Scalar: Real>: _ChunkBody {
    @usableFromInline let x: [Scalar]
    @usableFromInline let f: F
    @inlinable init(x: [Scalar], f: F) { self.x = x; self.f = f }
    @inlinable
    func run<let N: Int>(_: DualVector<Scalar, N>.Type) -> (value: [Scalar], jacobian: [[Scalar]]) {
        _forwardJacobian(x, { (v: [DualVector<Scalar, N>]) in f(v) }, "valueWithJacobian(at:of:mode:chunk:)")
    }
}

/// The Jacobian of a ``DifferentiableFunction`` (see ``valueWithJacobian(at:of:mode:chunk:file:line:)``).
///
/// ```swift
/// let J = jacobian(at: x, of: Wide())                    // automatic: forward here
/// let K = jacobian(at: x, of: Wide(), mode: .reverse)
/// ```
@inlinable
public func jacobian<F: DifferentiableFunction, S: Real>(
    at x: [S], of f: F, mode: JacobianMode = .automatic, chunk: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) -> [[S]] {
    valueWithJacobian(at: x, of: f, mode: mode, chunk: chunk, file: file, line: line).jacobian
}

// MARK: - Functions of two arguments

/// The Jacobians of a function of two arrays with respect to each argument
/// (PyTorch's tuple of blocks), in chunked forward mode.
///
/// ```swift
/// func expAdder<S: Real>(_ x: [S], _ y: [S]) -> [S] { zip(x, y).map { 2 * S.exp($0) + 3 * $1 } }
/// let (Jx, Jy) = jacobian(at: [1.0], [2.0]) { x, y in expAdder(x, y) }   // ([[2e]], [[3]])
/// ```
@inlinable
public func jacobian<S: Real>(
    at x: [S], _ y: [S], of f: ([DualVector<S, 8>], [DualVector<S, 8>]) -> [DualVector<S, 8>]
) -> ([[S]], [[S]]) {
    let nx = x.count
    let J = _forwardJacobian(x + y, { z in f(Array(z[..<nx]), Array(z[nx...])) },
                                 "jacobian(at:_:of:)").jacobian
    return (J.map { Array($0[..<nx]) }, J.map { Array($0[nx...]) })
}

/// The Jacobians of a function of two arrays with respect to each argument, in reverse mode.
///
/// ```swift
/// let (Jx, Jy) = jacobian(at: [1.0], [2.0], mode: .reverse) { x, y in expAdder(x, y) }
/// ```
@inlinable
public func jacobian<S: Real>(
    at x: [S], _ y: [S], mode: ReverseMode, of f: ([Reverse<S>], [Reverse<S>]) -> [Reverse<S>],
    file: StaticString = #fileID, line: UInt = #line
) -> ([[S]], [[S]]) {
    let nx = x.count
    let J = _reverseJacobian(x + y, { z in f(Array(z[..<nx]), Array(z[nx...])) },
                                 TapeOrigin("jacobian(at:_:mode:of:)", file: file, line: line)).jacobian
    return (J.map { Array($0[..<nx]) }, J.map { Array($0[nx...]) })
}

// MARK: - Forward gradient

/// The gradient of a scalar function in chunked forward mode (⌈n/8⌉ calls of `f`):
/// cheaper than reverse mode for a handful of inputs, and needs no tape.
///
/// ```swift
/// let g = gradientForward(at: [1.0, 2.0]) { x in x[0] * x[0] + x[1] * x[1] * x[1] }   // [2, 12]
/// ```
@inlinable
public func gradientForward<S: Real>(
    at x: [S], of f: (_ x: [DualVector<S, 8>]) -> DualVector<S, 8>
) -> [S] {
    _forwardJacobian(x, { [f($0)] }, "gradientForward(at:of:)").jacobian[0]
}

// MARK: - jvp and vjp

/// `f(x)` and the Jacobian-vector product `J·v` (the tangent of the output), in
/// forward mode (one evaluation).
///
/// ```swift
/// let (y, t) = jvp(at: [1.0, 2.0], direction: [1, 0]) { x in F(x) }   // t = first column of J
/// ```
@inlinable
public func jvp<S: Real>(
    at x: [S], direction v: [S], of f: ([Dual<S>]) -> [Dual<S>]
) -> (value: [S], tangent: [S]) {
    autodiffRequire(v.count == x.count, "jvp(at:direction:of:)",
                    "the direction has \(v.count) entries but the input has \(x.count)")
    let tag = Dual<S>._newTag()
    let inputs = zip(x, v).map { Dual<S>(value: $0, derivative: $1, tag: tag) }
    let y = f(inputs)
    return (y.map(\.value), y.map { $0._derivative(forTag: tag, operation: "jvp(at:direction:of:)") })
}

/// `f(x)` and the vector-Jacobian product `uᵀJ` (the cotangent of the input), in
/// reverse mode (one recording, one sweep seeded with all of `u`).
///
/// ```swift
/// let (y, c) = vjp(at: [1.0, 2.0], cotangent: [1, 0]) { x in F(x) }   // c = first row of J
/// ```
@inlinable
public func vjp<S: Real>(
    at x: [S], cotangent u: [S], of f: ([Reverse<S>]) -> [Reverse<S>],
    file: StaticString = #fileID, line: UInt = #line
) -> (value: [S], cotangent: [S]) {
    Tape<S>.withTape(origin: TapeOrigin("vjp(at:cotangent:of:)", file: file, line: line)) { tape in
        let inputs = x.map { tape.variable($0) }
        let y = f(inputs)
        autodiffRequire(u.count == y.count, "vjp(at:cotangent:of:)", """
            the cotangent has \(u.count) entries but the function \
            returned \(y.count) outputs (for \(x.count) inputs)
            """)
        tape.backward(from: Array(zip(y, u)))
        return (y.map(\.value), inputs.map { tape.adjoint(of: $0) })
    }
}
