internal import Synchronization
import RealModule

// Many small Jacobians of one function (bundle adjustment's residual blocks, finite-element
// assembly, per-sample derivatives: JAX's `vmap(jacrev)`), and the prepared operators
// (DifferentiationInterface.jl's `prepare_jacobian`): the workspace of chunked forward mode
// (one input array of `DualVector`, one output array) is allocated once and reused for every
// point and every call.

// MARK: - Workspace

/// The reusable state of chunked forward mode for `n` inputs and `m` outputs: one input
/// array and one output array of ``DualVector``, written in place for every point.
@usableFromInline
internal struct _JacobianWorkspace<S: Real, let N: Int> {
    @usableFromInline var inputs: [DualVector<S, N>]
    @usableFromInline var outputs: [DualVector<S, N>]
    @usableFromInline let n: Int
    @usableFromInline let m: Int

    @inlinable
    init(inputs n: Int, outputs m: Int) {
        self.n = n
        self.m = m
        inputs = Array(repeating: DualVector(constant: 0), count: n)
        outputs = Array(repeating: DualVector(constant: 0), count: m)
    }

    /// Writes the `m × n` Jacobian (row-major) of point `p` (the `n` values at
    /// `points + p·n`) to `J + p·m·n`, for every `p` in `range`, and the values to
    /// `values + p·m` when given. `f(p, x, &y)` must write `m` outputs into `y`.
    @inlinable
    mutating func run(
        _ points: UnsafePointer<S>, _ range: Range<Int>, into J: UnsafeMutablePointer<S>,
        values: UnsafeMutablePointer<S>?, tag: UInt32,
        _ f: (Int, [DualVector<S, N>], inout [DualVector<S, N>]) -> Void, _ operation: StaticString
    ) {
        for j in 0..<n { inputs[j].tag = tag }
        for p in range {
            let x = points + p * n
            let block = J + p * m * n
            for j in 0..<n { inputs[j].value = x[j] }
            var start = 0
            repeat {
                let width = Swift.min(N, n - start)
                for k in 0..<width { inputs[start + k].partials[k] = 1 }
                for i in 0..<outputs.count { outputs[i] = DualVector(constant: 0) }
                f(p, inputs, &outputs)
                _checkBatchOutputs(outputs.count, m, operation)
                for i in 0..<m {
                    let d = outputs[i]._partials(forTag: tag, operation: operation)
                    for k in 0..<width { block[i * n + start + k] = d[k] }
                    if start == 0, let values { values[p * m + i] = outputs[i].value }
                }
                for k in 0..<width { inputs[start + k].partials[k] = 0 }
                start += width
            } while start < n
        }
    }
}

@usableFromInline
internal func _checkBatchOutputs(_ count: Int, _ expected: Int, _ operation: StaticString) {
    autodiffRequire(count == expected, "\(operation)", """
        the function wrote \(count) outputs but outputs: \(expected) was given \
        (the output array must keep its length; write y[i], do not append or reassign)
        """)
}

/// Checks the shapes of a batched call and returns the number of points.
@usableFromInline
internal func _batchShape(
    points: Int, n: Int, m: Int, jacobians: Int, _ operation: StaticString
) -> Int {
    autodiffRequire(n >= 1, "\(operation)", "inputs must be at least 1, got \(n)")
    autodiffRequire(m >= 0, "\(operation)", "outputs must not be negative, got \(m)")
    autodiffRequire(points % n == 0, "\(operation)", """
        the points hold \(points) values, which is not a whole number of points of inputs: \(n)
        """)
    let count = points / n
    autodiffRequire(jacobians == count * m * n, "\(operation)", """
        the Jacobian buffer has \(jacobians) entries but \(count) points × \(m) outputs × \
        \(n) inputs need \(count * m * n)
        """)
    return count
}

/// The batched engine: `count` points, serial or over `workers` threads (runs of points
/// claimed in turn, one workspace per thread). `f` is called from several threads at once when `workers > 1`.
@inlinable
internal func _batchedJacobians<S: Real, let N: Int>(
    _ points: UnsafeBufferPointer<S>, n: Int, m: Int, into J: UnsafeMutableBufferPointer<S>,
    parallel: Bool, _ f: (Int, [DualVector<S, N>], inout [DualVector<S, N>]) -> Void,
    _ operation: StaticString
) {
    let count = _batchShape(points: points.count, n: n, m: m, jacobians: J.count, operation)
    guard count > 0, m > 0 else { return }
    let tag = Dual<S>._newTag()
    let x = points.baseAddress!, out = J.baseAddress!
    let workers = parallel ? Swift.min(_coreCount, count) : 1
    if workers <= 1 {
        var workspace = _JacobianWorkspace<S, N>(inputs: n, outputs: m)
        workspace.run(x, 0..<count, into: out, values: nil, tag: tag, f, operation)
        return
    }
    // Runs of `run` points are handed out in turn, so that a thread slowed by other work on
    // a shared machine takes fewer of them; each point's arithmetic is the same on any thread.
    let run = Swift.max(16, count / (workers * 16))
    let runs = (count + run - 1) / run
    let shared = _SharedInput(x), target = _SendablePointer(out), next = _WorkCounter()
    _concurrentPerform(iterations: workers) { _ in
        var workspace = _JacobianWorkspace<S, N>(inputs: n, outputs: m)
        while true {
            let r = next.take()
            if r >= runs { break }
            workspace.run(shared.value, (r * run)..<Swift.min(count, r * run + run), into: target.pointer,
                          values: nil, tag: tag, f, operation)
        }
    }
}

/// The next unclaimed index of a run of work shared by threads.
@usableFromInline
internal final class _WorkCounter: Sendable {
    private let counter = Atomic<Int>(0)
    @usableFromInline init() {}
    /// Claims the next index (0, 1, 2, … across all threads).
    @usableFromInline func take() -> Int { counter.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Adapts a closure returning its outputs to the in-place form (the returned array is the
/// closure's own allocation).
@inlinable
internal func _writingOutputs<S: Real, let N: Int>(
    _ f: @escaping (Int, [DualVector<S, N>]) -> [DualVector<S, N>]
) -> (Int, [DualVector<S, N>], inout [DualVector<S, N>]) -> Void {
    { p, x, y in y = f(p, x) }
}

// MARK: - Batched Jacobians of closures

/// The Jacobians of one function at many points, written into one buffer without an
/// allocation per point (JAX's `vmap(jacfwd)`), in chunked forward mode on the calling thread.
///
/// `points` holds the points one after another, `inputs` values each; `J` must hold
/// `points.count / inputs × outputs × inputs` entries and receives, for point `p`, its
/// `outputs × inputs` Jacobian row-major at offset `p · outputs · inputs`
/// (`J[p·m·n + i·n + j] = ∂fᵢ/∂xⱼ` at point `p`). `f(p, x, &y)` receives the point's index
/// and its inputs, and writes the `outputs` values into `y` (already that long; write
/// `y[i]`, do not append). The lane count is the one of the closure's parameter types;
/// `f` runs ⌈inputs/N⌉ times per point. Nothing is allocated per point: one input and one
/// output array are reused for all points.
///
/// ```swift
/// func residual<S: Real>(_ x: [S], _ c: Double) -> (S, S) { (x[0] * x[1] - S(converting: c), S.sin(x[0])) }
/// let c = [1.0, 2.0, 3.0]                                  // per-point data
/// var J = [Double](repeating: 0, count: 3 * 2 * 2)
/// jacobians(at: [1, 2, 3, 4, 5, 6], inputs: 2, outputs: 2, into: &J) {
///     (p: Int, x: [DualVector<Double, 2>], y: inout [DualVector<Double, 2>]) in
///     (y[0], y[1]) = residual(x, c[p])
/// }
/// // J[0..<4] == [2, 1, cos 1, 0]: the Jacobian at (1, 2)
/// ```
@inlinable
public func jacobians<S: Real, let N: Int>(
    at points: [S], inputs: Int, outputs: Int, into J: inout [S],
    of f: (_ point: Int, _ x: [DualVector<S, N>], _ y: inout [DualVector<S, N>]) -> Void
) {
    points.withUnsafeBufferPointer { x in
        J.withUnsafeMutableBufferPointer { out in
            _batchedJacobians(x, n: inputs, m: outputs, into: out, parallel: false, f,
                              "jacobians(at:inputs:outputs:into:of:)")
        }
    }
}

/// The Jacobians of one function at many points (see
/// ``jacobians(at:inputs:outputs:into:of:)``),
/// for a closure that returns its outputs: 8 lanes unless the closure's parameter type
/// says otherwise. The array `f` returns is its own allocation, one per call of `f`; write
/// the outputs into `y` instead for no allocation at all.
///
/// ```swift
/// var J = [Double](repeating: 0, count: 3 * 2 * 2)
/// jacobians(at: [1, 2, 3, 4, 5, 6], inputs: 2, outputs: 2, into: &J) { p, x in
///     [x[0] * x[1], x[0] * x[0]]      // p: the point's index, for per-point data
/// }
/// ```
@inlinable
public func jacobians<S: Real>(
    at points: [S], inputs: Int, outputs: Int, into J: inout [S],
    of f: (_ point: Int, _ x: [DualVector<S, 8>]) -> [DualVector<S, 8>]
) {
    withoutActuallyEscaping(f) { f in
        jacobians(at: points, inputs: inputs, outputs: outputs, into: &J, of: _writingOutputs(f))
    }
}

/// The Jacobians of one function at many points, for a closure that returns its outputs,
/// with the lane count of its parameter type.
///
/// ```swift
/// jacobians(at: points, inputs: 15, outputs: 2, into: &J) { (p: Int, x: [DualVector<Double, 16>]) in
///     baResidualBlock(x, feature: features[p])
/// }
/// ```
@inlinable
public func jacobians<S: Real, let N: Int>(
    at points: [S], inputs: Int, outputs: Int, into J: inout [S],
    of f: (_ point: Int, _ x: [DualVector<S, N>]) -> [DualVector<S, N>]
) {
    withoutActuallyEscaping(f) { f in
        jacobians(at: points, inputs: inputs, outputs: outputs, into: &J, of: _writingOutputs(f))
    }
}

/// The Jacobians of one function at many points, spread over the cores when `parallel`
/// is true: each thread claims runs of points in turn and has its own workspace, so `f`
/// is called from several threads at once and must be `@Sendable`. The results are the
/// same, bit for bit, as on one thread.
///
/// ```swift
/// jacobians(at: points, inputs: 15, outputs: 2, into: &J, parallel: true) {
///     (p: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
///     (y[0], y[1]) = baReprojectionError(x, feature: features[p])
/// }
/// ```
@inlinable
public func jacobians<S: Real & SendableMetatype, let N: Int>(
    at points: [S], inputs: Int, outputs: Int, into J: inout [S], parallel: Bool,
    of f: @Sendable (_ point: Int, _ x: [DualVector<S, N>], _ y: inout [DualVector<S, N>]) -> Void
) {
    points.withUnsafeBufferPointer { x in
        J.withUnsafeMutableBufferPointer { out in
            _batchedJacobians(x, n: inputs, m: outputs, into: out, parallel: parallel, f,
                              "jacobians(at:inputs:outputs:into:parallel:of:)")
        }
    }
}

/// The Jacobians of one function at many points into caller-owned memory (a sparse
/// matrix's value array, a memory-mapped file), on the calling thread; the layout is the
/// one of ``jacobians(at:inputs:outputs:into:of:)``.
///
/// ```swift
/// let J = UnsafeMutableBufferPointer<Double>.allocate(capacity: count * 2 * 15)
/// points.withUnsafeBufferPointer { x in
///     jacobians(at: x, inputs: 15, outputs: 2, into: J) {
///         (p: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
///         (y[0], y[1]) = baReprojectionError(x, feature: features[p])
///     }
/// }
/// ```
@inlinable
public func jacobians<S: Real, let N: Int>(
    at points: UnsafeBufferPointer<S>, inputs: Int, outputs: Int, into J: UnsafeMutableBufferPointer<S>,
    of f: (_ point: Int, _ x: [DualVector<S, N>], _ y: inout [DualVector<S, N>]) -> Void
) {
    _batchedJacobians(points, n: inputs, m: outputs, into: J, parallel: false, f,
                      "jacobians(at:inputs:outputs:into:of:)")
}

/// The Jacobians of one function at many points into caller-owned memory, spread over the
/// cores when `parallel` is true (`f` must then be `@Sendable`; the results are the same,
/// bit for bit, as on one thread).
///
/// ```swift
/// points.withUnsafeBufferPointer { x in
///     jacobians(at: x, inputs: 15, outputs: 2, into: J, parallel: true) {
///         (p: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
///         (y[0], y[1]) = baReprojectionError(x, feature: features[p])
///     }
/// }
/// ```
@inlinable
public func jacobians<S: Real & SendableMetatype, let N: Int>(
    at points: UnsafeBufferPointer<S>, inputs: Int, outputs: Int, into J: UnsafeMutableBufferPointer<S>,
    parallel: Bool,
    of f: @Sendable (_ point: Int, _ x: [DualVector<S, N>], _ y: inout [DualVector<S, N>]) -> Void
) {
    _batchedJacobians(points, n: inputs, m: outputs, into: J, parallel: parallel, f,
                      "jacobians(at:inputs:outputs:into:parallel:of:)")
}

// MARK: - Batched Jacobians of a DifferentiableFunction

/// The Jacobians of a ``DifferentiableFunction`` at many points, in chunked forward mode
/// with `chunk` lanes (1, 2, 4, …, 64; default ``defaultChunkSize(inputs:)``), on the
/// calling thread. The layout of `points` and `J` is the one of
/// ``jacobians(at:inputs:outputs:into:of:)``.
/// The array the function returns is its own allocation, one per pass; nothing else is
/// allocated per point.
///
/// ```swift
/// struct Polar: DifferentiableFunction {
///     func callAsFunction<S: Real>(_ x: [S]) -> [S] { [x[0] * S.cos(x[1]), x[0] * S.sin(x[1])] }
/// }
/// var J = [Double](repeating: 0, count: 1000 * 4)
/// jacobians(at: points, inputs: 2, outputs: 2, into: &J, of: Polar())   // 1000 points
/// ```
@inlinable
public func jacobians<F: DifferentiableFunction>(
    at points: [Double], inputs: Int, outputs: Int, into J: inout [Double], chunk: Int? = nil, of f: F
) {
    _batchedJacobians(points, inputs, outputs, &J, parallel: false, chunk, f,
                      "jacobians(at:inputs:outputs:into:chunk:of:)")
}

/// The Jacobians of a `Sendable` ``DifferentiableFunction`` at many points, spread over the
/// cores when `parallel` is true (each thread claims runs of points in turn); the results are
/// the same, bit for bit, as on one thread.
///
/// ```swift
/// jacobians(at: points, inputs: 2, outputs: 2, into: &J, parallel: true, of: Polar())
/// ```
@inlinable
public func jacobians<F: DifferentiableFunction & Sendable>(
    at points: [Double], inputs: Int, outputs: Int, into J: inout [Double], parallel: Bool,
    chunk: Int? = nil, of f: F
) {
    _batchedJacobians(points, inputs, outputs, &J, parallel: parallel, chunk, f,
                      "jacobians(at:inputs:outputs:into:parallel:chunk:of:)")
}

@inlinable
internal func _batchedJacobians<F: DifferentiableFunction>(
    _ points: [Double], _ n: Int, _ m: Int, _ J: inout [Double], parallel: Bool, _ chunk: Int?,
    _ f: F, _ op: StaticString
) {
    // Only reached with `parallel: true` through the `Sendable` overload.
    let shared = _SharedInput(f)
    points.withUnsafeBufferPointer { x in
        J.withUnsafeMutableBufferPointer { out in
            _withChunk(chunk ?? defaultChunkSize(inputs: n), op, _BatchedJacobianBody(
                x: x, n: n, m: m, out: out, parallel: parallel, f: shared, op: op))
        }
    }
}

@usableFromInline
internal struct _BatchedJacobianBody<F: DifferentiableFunction>: _ChunkBody {
    @usableFromInline let x: UnsafeBufferPointer<Double>
    @usableFromInline let n: Int, m: Int
    @usableFromInline let out: UnsafeMutableBufferPointer<Double>
    @usableFromInline let parallel: Bool
    @usableFromInline let f: _SharedInput<F>
    @usableFromInline let op: StaticString
    @inlinable
    init(x: UnsafeBufferPointer<Double>, n: Int, m: Int, out: UnsafeMutableBufferPointer<Double>,
         parallel: Bool, f: _SharedInput<F>, op: StaticString) {
        (self.x, self.n, self.m, self.out, self.parallel, self.f, self.op) = (x, n, m, out, parallel, f, op)
    }
    @inlinable
    func run<let N: Int>(_: DualVector<Double, N>.Type) {
        let f = self.f
        _batchedJacobians(x, n: n, m: m, into: out, parallel: parallel,
                          { (_: Int, v: [DualVector<Double, N>], y: inout [DualVector<Double, N>]) in y = f.value(v) }, op)
    }
}

// MARK: - Prepared Jacobian and gradient

/// A Jacobian operator prepared for one function and one input size
/// (DifferentiationInterface.jl's `prepare_jacobian`): the chunked forward-mode workspace
/// (the input ``DualVector`` array and the output array) is allocated once, and each
/// ``jacobian(at:into:)`` reuses it, so a call allocates nothing when `f` writes its
/// outputs in place. For a loop that differentiates the same function again and again
/// (Newton steps, a time stepper's implicit solve).
///
/// A prepared operator holds mutable scratch space: use one per thread.
///
/// ```swift
/// let prepared = PreparedJacobian(inputs: 2, outputs: 2) {
///     (x: [DualVector<Double, 2>], y: inout [DualVector<Double, 2>]) in
///     y[0] = x[0] * x[1]; y[1] = .sin(x[0])
/// }
/// var J = [Double](repeating: 0, count: 4)
/// for x in iterates { prepared.jacobian(at: x, into: &J) }    // J row-major, 2 × 2
/// ```
public final class PreparedJacobian<S: Real> {
    /// The number of inputs `n` the operator was prepared for.
    public let inputs: Int
    /// The number of outputs `m` the operator was prepared for.
    public let outputs: Int
    @usableFromInline let _run: (UnsafePointer<S>, UnsafeMutablePointer<S>, UnsafeMutablePointer<S>?) -> Void

    @inlinable
    init(_ n: Int, _ m: Int, _ run: @escaping (UnsafePointer<S>, UnsafeMutablePointer<S>, UnsafeMutablePointer<S>?) -> Void) {
        inputs = n
        outputs = m
        _run = run
    }

    @inlinable
    static func _prepare<let N: Int>(
        _ n: Int, _ m: Int, _ f: @escaping ([DualVector<S, N>], inout [DualVector<S, N>]) -> Void,
        _ op: StaticString
    ) -> (UnsafePointer<S>, UnsafeMutablePointer<S>, UnsafeMutablePointer<S>?) -> Void {
        _ = _batchShape(points: n, n: n, m: m, jacobians: m * n, op)
        var workspace = _JacobianWorkspace<S, N>(inputs: n, outputs: m)
        return { x, J, values in
            workspace.run(x, 0..<1, into: J, values: values, tag: Dual<S>._newTag(),
                          { _, x, y in f(x, &y) }, op)
        }
    }

    /// Prepares the Jacobian of `f`, which writes its `outputs` values into `y` (already
    /// that long) for `inputs` inputs, in forward mode with the lane count of the
    /// closure's parameter types (⌈inputs/N⌉ calls of `f` per Jacobian). No call of
    /// ``jacobian(at:into:)`` allocates.
    ///
    /// ```swift
    /// let prepared = PreparedJacobian(inputs: 15, outputs: 2) {
    ///     (x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
    ///     (y[0], y[1]) = baReprojectionError(x, feature: feature)
    /// }
    /// ```
    @inlinable
    public convenience init<let N: Int>(
        inputs: Int, outputs: Int, of f: @escaping (_ x: [DualVector<S, N>], _ y: inout [DualVector<S, N>]) -> Void
    ) {
        self.init(inputs, outputs, Self._prepare(inputs, outputs, f, "PreparedJacobian(inputs:outputs:of:)"))
    }

    /// Prepares the Jacobian of a closure that returns its outputs (the returned array is
    /// the closure's own allocation, one per pass), with the lane count of its parameter type.
    ///
    /// ```swift
    /// let prepared = PreparedJacobian(inputs: 2, outputs: 2) { (x: [DualVector<Double, 2>]) in
    ///     [x[0] * x[1], .sin(x[0])]
    /// }
    /// ```
    @inlinable
    public convenience init<let N: Int>(
        inputs: Int, outputs: Int, of f: @escaping (_ x: [DualVector<S, N>]) -> [DualVector<S, N>]
    ) {
        self.init(inputs, outputs, Self._prepare(inputs, outputs, { x, y in y = f(x) },
                                                 "PreparedJacobian(inputs:outputs:of:)"))
    }

    /// Writes the Jacobian of the prepared function at `x` into `J`, row-major
    /// (`J[i·inputs + j] = ∂fᵢ/∂xⱼ`); `J` must hold `outputs × inputs` entries.
    ///
    /// ```swift
    /// var J = [Double](repeating: 0, count: prepared.outputs * prepared.inputs)
    /// prepared.jacobian(at: x, into: &J)
    /// ```
    @inlinable
    public func jacobian(at x: [S], into J: inout [S]) {
        _check(x.count, J.count, nil, "PreparedJacobian.jacobian(at:into:)")
        x.withUnsafeBufferPointer { x in
            J.withUnsafeMutableBufferPointer { J in _run(x.baseAddress!, J.baseAddress!, nil) }
        }
    }

    /// Writes the value of the prepared function at `x` into `value` (`outputs` entries)
    /// and its Jacobian into `J` (`outputs × inputs`, row-major).
    ///
    /// ```swift
    /// var y = [Double](repeating: 0, count: 2), J = [Double](repeating: 0, count: 4)
    /// prepared.valueWithJacobian(at: x, value: &y, jacobian: &J)
    /// ```
    @inlinable
    public func valueWithJacobian(at x: [S], value: inout [S], jacobian J: inout [S]) {
        _check(x.count, J.count, value.count, "PreparedJacobian.valueWithJacobian(at:value:jacobian:)")
        x.withUnsafeBufferPointer { x in
            J.withUnsafeMutableBufferPointer { J in
                value.withUnsafeMutableBufferPointer { y in _run(x.baseAddress!, J.baseAddress!, y.baseAddress!) }
            }
        }
    }

    /// The Jacobian of the prepared function at `x` as rows (allocates the result; use
    /// ``jacobian(at:into:)`` in a loop).
    ///
    /// ```swift
    /// let J = prepared.jacobian(at: [1.0, 2.0])     // [[2, 1], [cos 1, 0]]
    /// ```
    @inlinable
    public func jacobian(at x: [S]) -> [[S]] {
        var J = [S](repeating: 0, count: outputs * inputs)
        jacobian(at: x, into: &J)
        return _rows(J, outputs, inputs)
    }

    @usableFromInline
    func _check(_ x: Int, _ J: Int, _ y: Int?, _ op: StaticString) {
        autodiffRequire(x == inputs, "\(op)", "the point has \(x) entries but the operator was prepared for \(inputs) inputs")
        autodiffRequire(J == outputs * inputs, "\(op)", """
            the Jacobian buffer has \(J) entries but \(outputs) outputs × \(inputs) inputs need \(outputs * inputs)
            """)
        if let y {
            autodiffRequire(y == outputs, "\(op)", "the value buffer has \(y) entries but the operator has \(outputs) outputs")
        }
    }
}

extension PreparedJacobian where S == Double {
    /// Prepares the Jacobian of a ``DifferentiableFunction`` in chunked forward mode with
    /// `chunk` lanes (1, 2, 4, …, 64; default ``defaultChunkSize(inputs:)``).
    ///
    /// ```swift
    /// let prepared = PreparedJacobian(inputs: 2, outputs: 2, of: Polar())
    /// prepared.jacobian(at: [1, 0.5], into: &J)
    /// ```
    @inlinable
    public convenience init<F: DifferentiableFunction>(inputs: Int, outputs: Int, chunk: Int? = nil, of f: F) {
        self.init(inputs, outputs, _withChunk(chunk ?? defaultChunkSize(inputs: inputs),
                                              "PreparedJacobian(inputs:outputs:chunk:of:)",
                                              _PreparedJacobianBody<S, F>(n: inputs, m: outputs, f: f)))
    }
}

/// ``PreparedJacobian/init(inputs:outputs:chunk:of:)`` with the lane count as a type.
@usableFromInline
internal struct _PreparedJacobianBody<Scalar: Real, F: DifferentiableFunction>: _ChunkBody {
    @usableFromInline let n: Int, m: Int, f: F
    @inlinable init(n: Int, m: Int, f: F) { (self.n, self.m, self.f) = (n, m, f) }
    @inlinable
    func run<let N: Int>(_: DualVector<Scalar, N>.Type)
        -> (UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>?) -> Void {
        let f = self.f
        return PreparedJacobian<Scalar>._prepare(
            n, m, { (x: [DualVector<Scalar, N>], y: inout [DualVector<Scalar, N>]) in y = f(x) },
            "PreparedJacobian(inputs:outputs:chunk:of:)")
    }
}

/// ``PreparedGradient/init(inputs:chunk:of:)`` with the lane count as a type.
@usableFromInline
internal struct _PreparedGradientBody<Scalar: Real, F: ScalarDifferentiableFunction>: _ChunkBody {
    @usableFromInline let n: Int, f: F
    @inlinable init(n: Int, f: F) { (self.n, self.f) = (n, f) }
    @inlinable
    func run<let N: Int>(_: DualVector<Scalar, N>.Type) -> PreparedJacobian<Scalar> {
        let f = self.f
        return PreparedJacobian(n, 1, PreparedJacobian<Scalar>._prepare(
            n, 1, { (x: [DualVector<Scalar, N>], y: inout [DualVector<Scalar, N>]) in y[0] = f(x) },
            "PreparedGradient(inputs:chunk:of:)"))
    }
}

/// A gradient operator prepared for one scalar function and one input size
/// (DifferentiationInterface.jl's `prepare_gradient`), in chunked forward mode: the input
/// ``DualVector`` array is allocated once and reused by every call, which then allocates
/// nothing. Forward mode costs ⌈n/N⌉ evaluations, which suits the few-input gradients
/// called in a loop; for many inputs use reverse mode (``gradient(at:of:)``).
///
/// A prepared operator holds mutable scratch space: use one per thread.
///
/// ```swift
/// let prepared = PreparedGradient(inputs: 2) { (x: [DualVector<Double, 2>]) in
///     x[0] * x[0] + x[1] * x[1] * x[1]
/// }
/// var g = [Double](repeating: 0, count: 2)
/// prepared.gradient(at: [1, 2], into: &g)      // [2, 12]
/// ```
public final class PreparedGradient<S: Real> {
    @usableFromInline let _jacobian: PreparedJacobian<S>

    /// The number of inputs the operator was prepared for.
    @inlinable public var inputs: Int { _jacobian.inputs }

    @inlinable
    init(_ jacobian: PreparedJacobian<S>) { _jacobian = jacobian }

    /// Prepares the gradient of `f` for `inputs` inputs, with the lane count of the
    /// closure's parameter type.
    ///
    /// ```swift
    /// let prepared = PreparedGradient(inputs: 3) { (x: [DualVector<Double, 4>]) in x[0] * x[1] * x[2] }
    /// ```
    @inlinable
    public convenience init<let N: Int>(inputs: Int, of f: @escaping (_ x: [DualVector<S, N>]) -> DualVector<S, N>) {
        self.init(PreparedJacobian(inputs, 1, PreparedJacobian<S>._prepare(
            inputs, 1, { x, y in y[0] = f(x) }, "PreparedGradient(inputs:of:)")))
    }

    /// Writes the gradient of the prepared function at `x` into `g` (`inputs` entries).
    ///
    /// ```swift
    /// prepared.gradient(at: x, into: &g)
    /// ```
    @inlinable
    public func gradient(at x: [S], into g: inout [S]) {
        autodiffRequire(g.count == inputs, "PreparedGradient.gradient(at:into:)",
                        "the gradient buffer has \(g.count) entries but the operator was prepared for \(inputs) inputs")
        autodiffRequire(x.count == inputs, "PreparedGradient.gradient(at:into:)",
                        "the point has \(x.count) entries but the operator was prepared for \(inputs) inputs")
        x.withUnsafeBufferPointer { x in
            g.withUnsafeMutableBufferPointer { g in _jacobian._run(x.baseAddress!, g.baseAddress!, nil) }
        }
    }

    /// The gradient of the prepared function at `x` (allocates the result).
    ///
    /// ```swift
    /// let g = prepared.gradient(at: [1.0, 2.0])
    /// ```
    @inlinable
    public func gradient(at x: [S]) -> [S] {
        var g = [S](repeating: 0, count: inputs)
        gradient(at: x, into: &g)
        return g
    }
}

extension PreparedGradient where S == Double {
    /// Prepares the gradient of a ``ScalarDifferentiableFunction`` in chunked forward mode
    /// with `chunk` lanes (1, 2, 4, …, 64; default ``defaultChunkSize(inputs:)``).
    ///
    /// ```swift
    /// let prepared = PreparedGradient(inputs: 2, of: SumOfSquares())
    /// ```
    @inlinable
    public convenience init<F: ScalarDifferentiableFunction>(inputs: Int, chunk: Int? = nil, of f: F) {
        self.init(_withChunk(chunk ?? defaultChunkSize(inputs: inputs), "PreparedGradient(inputs:chunk:of:)",
                             _PreparedGradientBody<S, F>(n: inputs, f: f)))
    }
}
