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

    /// The replay at `x` with plain numbers, into the storage's own buffers: every slot's
    /// value and every stored partial (``_TraceState/forward(_:inputs:checking:)``, the
    /// replay ``RecordedGradient`` runs).
    @inlinable
    internal func _forward(at x: [T]) throws(RecordedGradientError) {
        try _replaying(at: x) { checking in
            let v = state.pointee.values
            for i in 0..<_inputCount { v[i] = x[i] }
            return _TraceState.forward(state, inputs: _inputCount, checking: checking)
        }
    }

    /// The outputs' values after ``_forward(at:)``.
    @inlinable
    internal var _outputs: [T] {
        let v = state.pointee.values
        return outputSlots.enumerated().map { i, slot in slot.map { v[$0] } ?? recordedOutputs[i] }
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
        try _forward(at: x)
        return _outputs
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
        var tangent = [T](repeating: 0, count: outputCount)
        let value = try _compressed(at: x, seeding: .direction(v), weights: nil, into: &tangent)
        return (value, tangent)
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
        try _forward(at: x)
        return (_outputs, _reverse(seeds: u))
    }

    /// The gradient at `x` of a function with one output.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0]) { x in x[0] * x[1] }
    /// let g = try f.gradient(at: [3.0, 4.0])         // [4.0, 3.0]
    /// ```
    @inlinable
    public func gradient(at x: [T]) throws(RecordedGradientError) -> [T] {
        try _valueWithGradient(at: x, "RecordedFunction.gradient(at:)").gradient
    }

    /// The value and gradient of the one output: the forward replay and reverse pass of
    /// ``RecordedGradient``, bit for bit those of `gradient(at:of:)`.
    @inlinable
    internal func _valueWithGradient(at x: [T], _ operation: StaticString) throws(RecordedGradientError) -> (value: T, gradient: [T]) {
        _requireScalar(operation)
        autodiffRequire(x.count == _inputCount, "\(operation)", """
            the input has \(x.count) entries but the tape was recorded with \(_inputCount)
            """)
        try _forward(at: x)
        guard let out = outputSlots[0] else { return (recordedOutputs[0], [T](repeating: 0, count: _inputCount)) }
        _TraceState.backward(state, from: out)
        let n = _inputCount, adj = state.pointee.adjoints
        let gradient = [T](unsafeUninitializedCapacity: n) { buffer, count in
            _ = buffer.initialize(from: UnsafeBufferPointer(start: adj, count: n))
            count = n
        }
        return (state.pointee.values[out], gradient)
    }

    /// The reverse pass seeded with `seeds` (one per output) after ``_forward(at:)``;
    /// the input adjoints.
    ///
    /// With `rows`, the seeds pick Jacobian rows (unit seeds, or a colour's outputs) and only
    /// operations that reach a seeded output count: a zero adjoint from an output that is not
    /// seeded, times an infinite partial, must not make another row NaN. Without it (a vjp),
    /// every output is reached, zero cotangents included (ReachabilityTests' convention).
    /// The uses the storage lists reach some output, so the first sweep is right unless it
    /// gave a NaN; only then is the sweep run again over the operations that reach the
    /// seeded outputs.
    @inlinable
    internal func _reverse(seeds: [T], rows: Bool = false) -> [T] {
        var pairs: [(slot: Int, seed: T)] = []
        for (i, slot) in outputSlots.enumerated() { if let slot { pairs.append((slot, seeds[i])) } }
        guard let top = pairs.map(\.slot).max() else { return [T](repeating: 0, count: _inputCount) }
        let adj = state.pointee.adjoints
        pairs.withUnsafeBufferPointer {
            _TraceState.replayBackward(state, values: state.pointee.values, adjoints: adj, top: top, seeds: $0)
        }
        let n = Swift.min(_inputCount, top + 1)
        if rows && pairs.contains(where: { $0.seed == 0 }) && (0..<n).contains(where: { adj[$0].isNaN }) {
            let reaching = _TraceState.reaching(state, from: pairs.filter { $0.seed != 0 }.map(\.slot), top: top)
            pairs.withUnsafeBufferPointer { seeds in
                reaching.withUnsafeBufferPointer { mask in
                    _TraceState.replayBackward(state, values: state.pointee.values, adjoints: adj, top: top,
                                               seeds: seeds, reaching: mask.baseAddress)
                }
            }
        }
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
        // Through a colouring when the pattern is sparse and the colours save passes
        // (forward: lanes of 8; reverse: one pass per colour), then densified.
        if jacobianSparsity.nonzeroCount * 2 <= m * n {
            let recordings = _recordings
            let saves = forward ? (preparedColumnColouring.colourCount + 7) / 8 < (n + 7) / 8
                                : preparedRowColouring.colourCount < m
            if saves {
                let J = try _sparseJacobian(at: x, mode: forward ? .forward : .reverse).dense
                if _recordings == recordings { return J }
                return try jacobian(at: x, mode: mode)  // recorded again across a branch
            }
        }
        if forward {
            var compressed = [T](repeating: 0, count: m * n)
            try _compressed(at: x, seeding: .colours(Array(0..<n), count: n), weights: nil, into: &compressed)
            for r in 0..<m { J[r] = Array(compressed[r * n..<(r + 1) * n]) }
        } else {
            try _forward(at: x)
            for r in 0..<m {
                var seeds = [T](repeating: 0, count: m)
                seeds[r] = 1
                J[r] = _reverse(seeds: seeds, rows: true)
            }
        }
        return J
    }

    /// The Jacobians at many points, by replay, written into one buffer: the recorded
    /// counterpart of JAX's `vmap(jacrev)` (bundle adjustment's residual blocks, per-sample
    /// derivatives). Per-point data the function needs (an observation, a sample) are
    /// further inputs, and their columns are in the result, to be skipped by the caller.
    ///
    /// `points` holds the points one after another, ``inputCount`` values each; `J` must hold
    /// `points.count / inputCount × outputCount × inputCount` entries and receives, for point
    /// `p`, its Jacobian row-major at offset `p · m · n` (`J[p·m·n + i·n + j] = ∂fᵢ/∂xⱼ`).
    /// In reverse mode (``JacobianMode/automatic`` when there are more inputs than outputs)
    /// points go eight at a time through one replay with a lane per point (JAX's `vmap`) when
    /// they take the recorded branches, else alone with the outputs' reverse passes up to
    /// eight at a time; nothing is allocated per point. In forward mode, a point costs one
    /// replay with tangent lanes. A point whose recorded
    /// comparisons come out differently is handled as ``policy`` says (recorded again, or
    /// the error thrown, with the Jacobians of the earlier points written).
    ///
    /// ```swift
    /// // f(x, c) = (x0·x1 − c, sin x0); c is per-point data, the last input
    /// let f = RecordedFunction(at: [1.0, 2.0, 0.0]) { v in [v[0] * v[1] - v[2], .sin(v[0])] }
    /// var J = [Double](repeating: 0, count: 2 * 2 * 3)
    /// try f.jacobians(at: [1, 2, 5, 3, 4, 6], into: &J)
    /// // J[0..<6] == [2, 1, -1, cos 1, 0, 0]: the Jacobian at (1, 2, 5)
    /// ```
    @inlinable
    public func jacobians(at points: [T], into J: inout [T], mode: JacobianMode = .automatic) throws(RecordedGradientError) {
        let operation: StaticString = "RecordedFunction.jacobians(at:into:mode:)"
        let n = _inputCount, m = outputCount
        autodiffRequire(n > 0 && points.count % n == 0, "\(operation)", """
            the points hold \(points.count) values, not a multiple of the \(n) inputs the function was recorded with
            """)
        let count = points.count / n
        autodiffRequire(J.count == count * m * n, "\(operation)", """
            J has \(J.count) entries; \(count) points of \(m) × \(n) Jacobians need \(count * m * n)
            """)
        var x = [T](repeating: 0, count: n)
        if mode == .forward || (mode == .automatic && n <= m) {
            let identity = _Seeding.colours(Array(0..<n), count: n)
            var block = [T](repeating: 0, count: m * n)
            for p in 0..<count {
                for j in 0..<n { x[j] = points[p &* n &+ j] }
                // Rows of constant outputs are not written: zero, whatever the last point gave.
                for k in 0..<(m * n) { block[k] = 0 }
                try _compressed(at: x, seeding: identity, weights: nil, into: &block)
                for k in 0..<(m * n) { J[p &* m &* n &+ k] = block[k] }
            }
            return
        }
        try J.withUnsafeMutableBufferPointer { out throws(RecordedGradientError) in
            switch m {
            case 0: return
            case 1: try _reverseJacobians(InlineArray<1, T>.self, at: points, count: count, x: &x, into: out.baseAddress!)
            case 2: try _reverseJacobians(InlineArray<2, T>.self, at: points, count: count, x: &x, into: out.baseAddress!)
            case 3, 4: try _reverseJacobians(InlineArray<4, T>.self, at: points, count: count, x: &x, into: out.baseAddress!)
            default: try _reverseJacobians(InlineArray<8, T>.self, at: points, count: count, x: &x, into: out.baseAddress!)
            }
        }
    }

    /// The reverse part of ``jacobians(at:into:mode:)``. Points go eight at a time through
    /// one replay with a lane per point (``_TraceState/replayPoints(_:inputs:into:)``) and one
    /// backward pass per output, when the recording has no custom rule and the eight points
    /// take the recorded branches (eight lanes measured faster than four on ba1); any other
    /// point goes alone: one forward replay (which records again across a changed branch, as
    /// ``policy`` says), then the outputs' backward passes `L` at a time (adjoint lanes). Every row is bit for bit the one of
    /// its own pass; a row that came out with a NaN is redone alone over the operations its
    /// output reaches (see ``_reverse(seeds:rows:)``).
    @inlinable
    internal func _reverseJacobians<let L: Int>(_: InlineArray<L, T>.Type, at points: [T], count: Int,
                                                x: inout [T], into J: UnsafeMutablePointer<T>) throws(RecordedGradientError) {
        typealias Points = InlineArray<8, T>
        let width = Points.count
        let n = _inputCount, m = outputCount
        // Per recording (a branch change records again and can move the outputs): the
        // (lane, slot) pairs per group of L outputs by decreasing slot, and the buffers.
        var groups: [[(lane: Int, slot: Int)]] = []
        var recording = 0
        var adj = UnsafeMutablePointer<InlineArray<L, T>>.allocate(capacity: 0)
        var lanes = UnsafeMutablePointer<Points>.allocate(capacity: 0)
        var capacity = 0
        defer {
            adj.deallocate()
            lanes.deallocate()
        }
        func prepare() {
            guard recording != _recordings else { return }
            recording = _recordings
            groups = stride(from: 0, to: m, by: L).map { first in
                (first..<Swift.min(first + L, m)).compactMap { r in outputSlots[r].map { (lane: r - first, slot: $0) } }
                    .sorted { $0.slot > $1.slot }
            }
            let needed = state.pointee.slotCapacity
            if capacity < needed {
                adj.deallocate()
                lanes.deallocate()
                capacity = needed
                adj = .allocate(capacity: capacity)
                adj.initialize(repeating: InlineArray(repeating: 0), count: capacity)
                // Values, constants and partials (3 per slot), then the adjoints.
                lanes = .allocate(capacity: 4 * capacity)
                lanes.initialize(repeating: Points(repeating: 0), count: 4 * capacity)
            }
        }
        func onePoint(_ p: Int) throws(RecordedGradientError) {
            for j in 0..<n { x[j] = points[p &* n &+ j] }
            try _forward(at: x)
            prepare()
            let block = J + p &* m &* n
            for (g, seeds) in groups.enumerated() {
                let first = g &* L
                seeds.withUnsafeBufferPointer { _TraceState.backward(state, seeds: $0, into: adj) }
                for lane in 0..<Swift.min(L, m &- first) {
                    let r = first &+ lane
                    let row = block + r &* n
                    guard outputSlots[r] != nil else {
                        row.update(repeating: 0, count: n)
                        continue
                    }
                    var nan = false
                    for j in 0..<n {
                        row[j] = adj[j][lane]
                        nan = nan || row[j].isNaN
                    }
                    if nan && m > 1 {
                        // Perhaps an operation only another output reaches (see `_reverse`).
                        var seeds = [T](repeating: 0, count: m)
                        seeds[r] = 1
                        let exact = _reverse(seeds: seeds, rows: true)
                        for j in 0..<n { row[j] = exact[j] }
                    }
                }
            }
        }
        /// Points `p..<p+width` in one replay; false (nothing written) when a comparison changed.
        func pointGroup(_ p: Int) throws(RecordedGradientError) -> Bool {
            prepare()
            let s = state
            let values = lanes, adjoints = lanes + 3 * capacity
            for j in 0..<n { values[j] = Points { l in points[(p &+ l) &* n &+ j] } }
            guard _TraceState.replayPoints(s, inputs: n, into: values) else { return false }
            var alone = InlineArray<8, Bool>(repeating: false)
            for r in 0..<m {
                guard let slot = outputSlots[r] else {
                    for l in 0..<width { (J + ((p &+ l) &* m &+ r) &* n).update(repeating: 0, count: n) }
                    continue
                }
                _TraceState.backwardPoints(s, from: slot, values: values, adjoints: adjoints)
                for l in 0..<width {
                    let row = J + ((p &+ l) &* m &+ r) &* n
                    for j in 0..<n {
                        row[j] = adjoints[j][l]
                        if row[j].isNaN { alone[l] = true }
                    }
                }
            }
            // A NaN may come from an operation only another output reaches: such a point is
            // redone alone, where `onePoint` finds the rows that need it.
            for l in 0..<width where alone[l] && m > 1 { try onePoint(p &+ l) }
            return true
        }
        let grouped = state.pointee.customs.isEmpty
        var p = 0
        while p < count {
            if grouped && p + width <= count, try pointGroup(p) {
                p &+= width
            } else {
                let end = grouped ? Swift.min(p + width, count) : p + 1
                while p < end {
                    try onePoint(p)
                    p &+= 1
                }
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
        // Through the star colouring when the pattern is sparse and the colours save
        // passes of 8 lanes, then densified.
        let recordings = _recordings
        if hessianSparsity.nonzeroCount * 2 <= n * n,
           (preparedHessianColouring.colourCount + 7) / 8 < (n + 7) / 8 {
            let H = try _sparseHessian(at: x, weights: w, preparedHessianColouring)
            if _recordings == recordings { return H.dense }
            return try hessian(at: x, weights: weights)  // recorded again across a branch
        }
        var compressed = [T](repeating: 0, count: n * n)
        try _compressed(at: x, seeding: .colours(Array(0..<n), count: n), weights: w, into: &compressed)
        return (0..<n).map { i in Array(compressed[i * n..<(i + 1) * n]) }
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
        try _compressed(at: x, seeding: .direction(v), weights: w, into: &product)
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

    /// How the tangent lanes of a compressed evaluation are seeded.
    @usableFromInline
    internal enum _Seeding {
        /// Direction `d` is the sum of the unit vectors of the inputs of colour `d`
        /// (`count` colours; colour i for input i gives the identity).
        case colours([Int], count: Int)
        /// One direction.
        case direction([T])

        @inlinable var directions: Int {
            switch self {
            case .colours(_, let count): return count
            case .direction: return 1
            }
        }
    }

    /// The compressed evaluation every lane mode reduces to: forward replays with up to
    /// 8 tangent lanes at a time, seeded as `seeding` says, and, with `weights`, a reverse
    /// pass after each from the outputs weighted by `weights` (forward over reverse).
    /// Writes `compressed[r * directions + d]`: output r's tangent in direction d, or,
    /// with weights, input r's entry of H·s_d (the Hessian of Σ wᵢ·fᵢ times direction d).
    /// Returns the outputs' values at `x`.
    @inlinable @discardableResult
    internal func _compressed(at x: [T], seeding: _Seeding, weights: [T]?,
                              into compressed: inout [T]) throws(RecordedGradientError) -> [T] {
        switch defaultChunkSize(inputs: seeding.directions) {
        case 1: return try _compressed(DualVector<T, 1>.self, at: x, seeding: seeding, weights: weights, into: &compressed)
        case 2: return try _compressed(DualVector<T, 2>.self, at: x, seeding: seeding, weights: weights, into: &compressed)
        case 4: return try _compressed(DualVector<T, 4>.self, at: x, seeding: seeding, weights: weights, into: &compressed)
        default: return try _compressed(DualVector<T, 8>.self, at: x, seeding: seeding, weights: weights, into: &compressed)
        }
    }

    @inlinable
    internal func _compressed<let N: Int>(_: DualVector<T, N>.Type, at x: [T], seeding: _Seeding, weights: [T]?,
                                          into compressed: inout [T]) throws(RecordedGradientError) -> [T] {
        typealias V = DualVector<T, N>
        let n = _inputCount, c = seeding.directions
        let passes = Swift.max(1, (c + N - 1) / N)
        var values: [T] = []
        try compressed.withUnsafeMutableBufferPointer { out throws(RecordedGradientError) in
            try _replaying(at: x) { checking in
                // The reverse pass's seeds and the highest output slot, of the recording this
                // pass replays (a branch change records again before the second pass).
                var seeds: [(slot: Int, seed: V)] = []
                if let weights {
                    for (i, slot) in outputSlots.enumerated() { if let slot { seeds.append((slot, V(constant: weights[i]))) } }
                }
                let top = seeds.map(\.slot).max()
                let s = state
                let capacity = s.pointee.slotCapacity
                return scratch.with(V.self, count: 4 * capacity) { v in
                    let adj = v + 3 * capacity
                    for pass in 0..<passes {
                        let base = pass * N, lanes = Swift.min(N, c - base)
                        switch seeding {
                        case .colours(let colours, _):
                            for i in 0..<n {
                                var p = InlineArray<N, T>(repeating: 0)
                                let d = colours[i] &- base
                                if d >= 0 && d < N { p[d] = 1 }
                                v[i] = V(x[i], partials: p)
                            }
                        case .direction(let direction):
                            for i in 0..<n {
                                var p = InlineArray<N, T>(repeating: 0)
                                p[0] = direction[i]
                                v[i] = V(x[i], partials: p)
                            }
                        }
                        if let k = _TraceState.replay(s, inputs: n, into: v, partials: weights != nil,
                                                      checking: checking && pass == 0, lift: { V(constant: $0) }) {
                            return k
                        }
                        if pass == 0 {
                            values = outputSlots.enumerated().map { i, slot in slot.map { v[$0].value } ?? recordedOutputs[i] }
                        }
                        if weights != nil {
                            guard let top else { continue }  // constant outputs: the Hessian is zero
                            seeds.withUnsafeBufferPointer {
                                _TraceState.replayBackward(s, values: v, adjoints: adj, top: top, seeds: $0)
                            }
                            for i in 0..<Swift.min(n, top + 1) {
                                let a = adj[i].partials
                                for l in 0..<lanes { out[i * c + base + l] = a[l] }
                            }
                        } else {
                            for (r, slot) in outputSlots.enumerated() {
                                guard let slot else { continue }
                                let t = v[slot].partials
                                for l in 0..<lanes { out[r * c + base + l] = t[l] }
                            }
                        }
                    }
                    return nil
                }
            }
        }
        return values
    }
}
