import RealModule

/// A function `Rⁿ → Rᵐ` recorded once and replayed, without running its code again,
/// in every mode: values, vector–Jacobian and Jacobian–vector products, dense and
/// sparse Jacobians, and (for a scalar function, or a weighted sum of the outputs)
/// Hessian–vector products, dense and sparse Hessians by forward-over-reverse replay
/// (CppAD's `ADFun`, ADOL-C's tapes).
///
/// ```swift
/// let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], Traced.sin(x[0])] }
/// let J = try f.jacobian(at: [0.5, 3.0])          // [[3.0, 0.5], [cos(0.5), 0.0]]
/// let g = RecordedFunction(at: [1.0, 2.0]) { x in x[0] * x[0] * x[1] }
/// let H = try g.hessian(at: [1.0, 2.0])           // [[4.0, 2.0], [2.0, 0.0]]
/// ```
///
/// The recording is the one ``RecordedGradient`` makes (one rule-table entry and two
/// operand slots per operation, each comparison with its outcome), and a replay is
/// never silently wrong when the function branches: each recorded comparison is
/// checked at the new point, and if one comes out differently the function is
/// recorded again there (``BranchChangePolicy/rerecord``, the default; ``recordings``
/// counts them) or the call throws ``RecordedGradientError/branchChanged(comparison:recordedOutcome:)``.
///
/// Sparsity patterns (``jacobianSparsity``, ``hessianSparsity``) are those of the
/// operations recorded, so they hold at every point where the recorded comparisons
/// come out the same; ``sparseJacobian(at:mode:)`` and ``sparseHessian(at:weights:)``
/// keep the pattern and its colouring with the recording and recompute them only when
/// the function is recorded again. Not thread-safe: use one per thread.
public final class RecordedFunction<T: Real> {
    @usableFromInline internal let state: UnsafeMutablePointer<_TraceState<T>>
    @usableFromInline internal var _inputCount: Int
    /// The slot of each output, or nil for an output that is a constant.
    @usableFromInline internal var outputSlots: [Int?]
    /// The outputs' values when recorded (what constant outputs always are).
    @usableFromInline internal var recordedOutputs: [T]
    @usableFromInline internal let function: ([Traced<T>]) -> [Traced<T>]
    @usableFromInline internal var _recordings = 0
    @usableFromInline internal var scratch = _ReplayScratch()
    /// Sparsity patterns and colourings of the current recording, made when first asked for.
    @usableFromInline internal var prepared = _PreparedSparsity()
    /// What a replay does when a recorded comparison changes outcome.
    public let policy: BranchChangePolicy

    /// Records `f` at `x`.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [0.0, 0.0]) { x in [x[0] + x[1], x[0] * x[1]] }
    /// ```
    @inlinable
    public init(at x: [T], onBranchChange policy: BranchChangePolicy = .rerecord,
                of f: @escaping ([Traced<T>]) -> [Traced<T>]) {
        self.function = f
        self.policy = policy
        self.state = _TraceState<T>.acquire()
        self._inputCount = x.count
        self.outputSlots = []
        self.recordedOutputs = []
        record(at: x)
    }

    /// Records the scalar function `f` at `x` (one output).
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in x[0] * x[0] * x[1] }
    /// ```
    @inlinable
    public convenience init(at x: [T], onBranchChange policy: BranchChangePolicy = .rerecord,
                            of f: @escaping ([Traced<T>]) -> Traced<T>) {
        self.init(at: x, onBranchChange: policy) { x in [f(x)] }
    }

    deinit {
        scratch.deallocate()
        _TraceState<T>.release(state)
    }

    /// The number of inputs.
    public var inputCount: Int { _inputCount }
    /// The number of outputs.
    public var outputCount: Int { outputSlots.count }
    /// How many times the function has been recorded (1 after `init`).
    public var recordings: Int { _recordings }
    /// The number of recorded operations.
    public var operationCount: Int { state.pointee.count - _inputCount }
    /// The number of recorded comparisons.
    public var comparisonCount: Int { state.pointee.comparisons.count }

    @inlinable
    internal func record(at x: [T]) {
        _recordings += 1
        prepared = _PreparedSparsity()
        let s = state
        let y = function(_TraceState.beginRecording(s, at: x))
        for yi in y { _TraceState.checkResult(yi, of: s, "RecordedFunction") }
        if _recordings > 1 {
            autodiffRequire(y.count == outputSlots.count, "RecordedFunction", """
                the function returned \(y.count) outputs when recorded again, but \(outputSlots.count) \
                when first recorded
                """)
        }
        outputSlots = y.map { $0.state == nil ? nil : Int($0.slot) }
        recordedOutputs = y.map(\.value)
        _TraceState.finish(s, inputs: x.count, outputs: outputSlots.compactMap { $0 })
        _inputCount = x.count
    }

    /// Stops with a message unless `x` has one entry per input.
    @inlinable
    internal func _checkInput(_ x: [T], _ operation: StaticString) {
        autodiffRequire(x.count == _inputCount, "\(operation)", """
            the input has \(x.count) entries but the function was recorded with \(_inputCount)
            """)
    }

    /// Runs `pass` (a replay at `x`; given whether to check the recorded comparisons, it
    /// returns the first that came out differently) and handles a branch change as the
    /// ``policy`` says: records again at `x` and runs `pass` once more, or throws.
    @inlinable
    internal func _replaying(at x: [T], _ pass: (_ checking: Bool) -> Int?) throws(RecordedGradientError) {
        guard let k = pass(true) else { return }
        switch policy {
        case .throwError:
            throw .branchChanged(comparison: k, recordedOutcome: state.pointee.comparisons[k].outcome)
        case .rerecord:
            record(at: x)
            _ = pass(false)
        }
    }

    /// Replays with values of type `V` (inputs from `input`, constants from `lift`) into
    /// scratch memory laid out as the storage's values, with room for adjoints after,
    /// and hands the buffer to `read` after a pass that went through.
    @inlinable
    internal func _withReplay<V: Real>(at x: [T], partials: Bool, lift: (T) -> V,
                                       passes: Int = 1, input: (_ pass: Int, _ i: Int) -> V,
                                       read: (_ pass: Int, _ values: UnsafeMutablePointer<V>,
                                              _ adjoints: UnsafeMutablePointer<V>) -> Void) throws(RecordedGradientError) {
        try _replaying(at: x) { checking in
            let s = state
            let capacity = s.pointee.slotCapacity
            return scratch.with(V.self, count: 4 * capacity) { v in
                for pass in 0..<passes {
                    for i in 0..<_inputCount { v[i] = input(pass, i) }
                    if let k = _TraceState.replay(s, inputs: _inputCount, into: v, partials: partials,
                                                  checking: checking && pass == 0, lift: lift) {
                        return k
                    }
                    read(pass, v, v + 3 * capacity)
                }
                return nil
            }
        }
    }

    /// Output `i`'s value of type `V` in a replay buffer.
    @inlinable
    internal func _output<V: Real>(_ i: Int, _ v: UnsafeMutablePointer<V>, _ lift: (T) -> V) -> V {
        if let slot = outputSlots[i] { return v[slot] }
        return lift(recordedOutputs[i])
    }

    // MARK: Values and first order

    /// The function's value at `x`, by replay.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0]) { x in [x[0] * x[0]] }
    /// let y = try f.value(at: [3.0])          // [9.0]
    /// ```
    @inlinable
    public func value(at x: [T]) throws(RecordedGradientError) -> [T] {
        _checkInput(x, "RecordedFunction.value(at:)")
        var y: [T] = []
        try _withReplay(at: x, partials: false, lift: { $0 }, input: { x[$1] }) { _, v, _ in
            y = (0..<outputCount).map { _output($0, v, { $0 }) }
        }
        return y
    }

    /// The value and the Jacobian–vector product `J·v` at `x`, by one forward replay
    /// with tangents.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1]] }
    /// let (y, t) = try f.jvp(at: [1.0, 2.0], direction: [1, 0])   // ([2.0], [2.0])
    /// ```
    @inlinable
    public func jvp(at x: [T], direction v: [T]) throws(RecordedGradientError) -> (value: [T], tangent: [T]) {
        _checkInput(x, "RecordedFunction.jvp(at:direction:)")
        autodiffRequire(v.count == x.count, "RecordedFunction.jvp(at:direction:)",
                        "the direction has \(v.count) entries but the input has \(x.count)")
        var result: (value: [T], tangent: [T]) = ([], [])
        let lift = { (c: T) in Dual<T>(constant: c) }
        try _withReplay(at: x, partials: false, lift: lift, input: { Dual(x[$1], derivative: v[$1]) }) { _, values, _ in
            let y = (0..<outputCount).map { _output($0, values, lift) }
            result = (y.map(\.value), y.map(\.derivative))
        }
        return result
    }

    /// The value and the vector–Jacobian product `uᵀ·J` at `x`, by one replay and one
    /// reverse pass.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0]] }
    /// let (y, c) = try f.vjp(at: [1.0, 2.0], cotangent: [1, 1])   // ([2.0, 1.0], [3.0, 1.0])
    /// ```
    @inlinable
    public func vjp(at x: [T], cotangent u: [T]) throws(RecordedGradientError) -> (value: [T], cotangent: [T]) {
        _checkInput(x, "RecordedFunction.vjp(at:cotangent:)")
        autodiffRequire(u.count == outputCount, "RecordedFunction.vjp(at:cotangent:)",
                        "the cotangent has \(u.count) entries but the function has \(outputCount) outputs")
        var result: (value: [T], cotangent: [T]) = ([], [])
        try _withReplay(at: x, partials: true, lift: { $0 }, input: { x[$1] }) { _, v, adj in
            result.value = (0..<outputCount).map { _output($0, v, { $0 }) }
            result.cotangent = _reverse(v, adj, seeds: u)
        }
        return result
    }

    /// The gradient at `x` of a function with one output.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in x[0] * x[1] }
    /// let g = try f.gradient(at: [3.0, 4.0])         // [4.0, 3.0]
    /// ```
    @inlinable
    public func gradient(at x: [T]) throws(RecordedGradientError) -> [T] {
        _requireScalar("RecordedFunction.gradient(at:)")
        return try vjp(at: x, cotangent: [1]).cotangent
    }

    /// The reverse pass seeded with `seeds` (one per output) over a replay with
    /// partials; the input adjoints.
    @inlinable
    internal func _reverse<V: Real>(_ v: UnsafeMutablePointer<V>, _ adj: UnsafeMutablePointer<V>, seeds: [V]) -> [V] {
        var pairs: [(slot: Int, seed: V)] = []
        for (i, slot) in outputSlots.enumerated() { if let slot { pairs.append((slot, seeds[i])) } }
        guard let top = pairs.map(\.slot).max() else { return [V](repeating: 0, count: _inputCount) }
        pairs.withUnsafeBufferPointer { _TraceState.replayBackward(state, values: v, adjoints: adj, top: top, seeds: $0) }
        return (0..<_inputCount).map { $0 <= top ? adj[$0] : 0 }
    }

    @inlinable
    internal func _requireScalar(_ operation: StaticString) {
        autodiffRequire(outputCount == 1, "\(operation)", """
            the function has \(outputCount) outputs; give weights for the outputs, or record a function with one output
            """)
    }

    // MARK: Jacobians

    /// The Jacobian at `x` (m rows of n), by forward replays with ⌈n/8⌉ groups of
    /// tangent lanes or by one replay and a reverse pass per output, as `mode` says
    /// (``JacobianMode/automatic``: forward when n ≤ m).
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0] + x[1]] }
    /// let J = try f.jacobian(at: [3.0, 4.0])          // [[4.0, 3.0], [1.0, 1.0]]
    /// ```
    @inlinable
    public func jacobian(at x: [T], mode: JacobianMode = .automatic) throws(RecordedGradientError) -> [[T]] {
        _checkInput(x, "RecordedFunction.jacobian(at:mode:)")
        let n = _inputCount, m = outputCount
        var J = [[T]](repeating: [T](repeating: 0, count: n), count: m)
        let forward = mode == .forward || (mode == .automatic && n <= m)
        if forward {
            try _forwardLanes(at: x, directions: n, seed: { i, d in i == d ? 1 : 0 }) { d, tangent in
                for r in 0..<m { J[r][d] = tangent(r) }
            }
        } else {
            try _withReplay(at: x, partials: true, lift: { $0 }, input: { x[$1] }) { _, v, adj in
                for r in 0..<m {
                    var seeds = [T](repeating: 0, count: m)
                    seeds[r] = 1
                    J[r] = _reverse(v, adj, seeds: seeds)
                }
            }
        }
        return J
    }

    /// Forward replays with `directions` tangent directions, 8 (or fewer) at a time:
    /// direction `d` has entry `seed(i, d)` for input `i`; `read(d, tangent)` gets output
    /// `r`'s tangent in direction `d` as `tangent(r)`.
    @inlinable
    internal func _forwardLanes(at x: [T], directions: Int, seed: (Int, Int) -> T,
                                read: (Int, (Int) -> T) -> Void) throws(RecordedGradientError) {
        switch defaultChunkSize(inputs: directions) {
        case 1: try _forwardLanes(DualVector<T, 1>.self, at: x, directions: directions, seed: seed, read: read)
        case 2: try _forwardLanes(DualVector<T, 2>.self, at: x, directions: directions, seed: seed, read: read)
        case 4: try _forwardLanes(DualVector<T, 4>.self, at: x, directions: directions, seed: seed, read: read)
        default: try _forwardLanes(DualVector<T, 8>.self, at: x, directions: directions, seed: seed, read: read)
        }
    }

    @inlinable
    internal func _forwardLanes<let N: Int>(_: DualVector<T, N>.Type, at x: [T], directions: Int, seed: (Int, Int) -> T,
                                            read: (Int, (Int) -> T) -> Void) throws(RecordedGradientError) {
        let passes = Swift.max(1, (directions + N - 1) / N)
        let lift = { (c: T) in DualVector<T, N>(constant: c) }
        try _withReplay(at: x, partials: false, lift: lift, passes: passes, input: { pass, i in
            var p = InlineArray<N, T>(repeating: 0)
            for l in 0..<N where pass * N + l < directions { p[l] = seed(i, pass * N + l) }
            return DualVector(x[i], partials: p)
        }) { pass, v, _ in
            let outputs = (0..<outputCount).map { _output($0, v, lift) }
            for l in 0..<N where pass * N + l < directions {
                read(pass * N + l) { outputs[$0].partials[l] }
            }
        }
    }

    // MARK: Second order

    /// The Hessian at `x` of the function (one output), or of `Σ weights[i]·fᵢ`, by
    /// forward-over-reverse replay: ⌈n/8⌉ replays with 8 tangent lanes, each with one
    /// reverse pass, and no run of the function's code.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in x[0] * x[0] * x[1] }
    /// let H = try f.hessian(at: [1.0, 2.0])           // [[4.0, 2.0], [2.0, 0.0]]
    /// ```
    @inlinable
    public func hessian(at x: [T], weights: [T]? = nil) throws(RecordedGradientError) -> [[T]] {
        _checkInput(x, "RecordedFunction.hessian(at:weights:)")
        let w = _weights(weights, "RecordedFunction.hessian(at:weights:)")
        let n = _inputCount
        var H = [[T]](repeating: [T](repeating: 0, count: n), count: n)
        try _secondOrderLanes(at: x, directions: n, weights: w, seed: { i, d in i == d ? 1 : 0 }) { d, column in
            for i in 0..<n { H[i][d] = column(i) }
        }
        return H
    }

    /// The Hessian–vector product `H·v` at `x` of the function (one output), or of
    /// `Σ weights[i]·fᵢ`, by one forward-over-reverse replay.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in x[0] * x[0] * x[1] }
    /// let hv = try f.hvp(at: [1.0, 2.0], direction: [1, 0])   // [4.0, 2.0]
    /// ```
    @inlinable
    public func hvp(at x: [T], direction v: [T], weights: [T]? = nil) throws(RecordedGradientError) -> [T] {
        _checkInput(x, "RecordedFunction.hvp(at:direction:weights:)")
        autodiffRequire(v.count == x.count, "RecordedFunction.hvp(at:direction:weights:)",
                        "the direction has \(v.count) entries but the input has \(x.count)")
        let w = _weights(weights, "RecordedFunction.hvp(at:direction:weights:)")
        var product = [T](repeating: 0, count: _inputCount)
        try _secondOrderLanes(at: x, directions: 1, weights: w, seed: { i, _ in v[i] }) { _, column in
            for i in 0..<product.count { product[i] = column(i) }
        }
        return product
    }

    @inlinable
    internal func _weights(_ weights: [T]?, _ operation: StaticString) -> [T] {
        guard let weights else {
            _requireScalar(operation)
            return [1]
        }
        autodiffRequire(weights.count == outputCount, "\(operation)",
                        "\(weights.count) weights for \(outputCount) outputs")
        return weights
    }

    /// Forward-over-reverse replays with `directions` directions, 8 (or fewer) at a
    /// time; `read(d, column)` gets `(H·s_d)ᵢ` as `column(i)`.
    @inlinable
    internal func _secondOrderLanes(at x: [T], directions: Int, weights: [T], seed: (Int, Int) -> T,
                                    read: (Int, (Int) -> T) -> Void) throws(RecordedGradientError) {
        switch defaultChunkSize(inputs: directions) {
        case 1: try _secondOrderLanes(DualVector<T, 1>.self, at: x, directions: directions, weights: weights, seed: seed, read: read)
        case 2: try _secondOrderLanes(DualVector<T, 2>.self, at: x, directions: directions, weights: weights, seed: seed, read: read)
        case 4: try _secondOrderLanes(DualVector<T, 4>.self, at: x, directions: directions, weights: weights, seed: seed, read: read)
        default: try _secondOrderLanes(DualVector<T, 8>.self, at: x, directions: directions, weights: weights, seed: seed, read: read)
        }
    }

    @inlinable
    internal func _secondOrderLanes<let N: Int>(_: DualVector<T, N>.Type, at x: [T], directions: Int, weights: [T],
                                                seed: (Int, Int) -> T,
                                                read: (Int, (Int) -> T) -> Void) throws(RecordedGradientError) {
        let passes = Swift.max(1, (directions + N - 1) / N)
        let lift = { (c: T) in DualVector<T, N>(constant: c) }
        let seeds = weights.map(lift)
        try _withReplay(at: x, partials: true, lift: lift, passes: passes, input: { pass, i in
            var p = InlineArray<N, T>(repeating: 0)
            for l in 0..<N where pass * N + l < directions { p[l] = seed(i, pass * N + l) }
            return DualVector(x[i], partials: p)
        }) { pass, v, adj in
            let g = _reverse(v, adj, seeds: seeds)
            for l in 0..<N where pass * N + l < directions {
                read(pass * N + l) { g[$0].partials[l] }
            }
        }
    }
}
