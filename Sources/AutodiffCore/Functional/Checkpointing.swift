import RealModule

// Checkpointing: the gradient of a long loop `state_{k+1} = step(state_k, parameters)`
// without keeping the whole loop on one tape. The forward sweep runs on constants (records
// nothing) and keeps a few states (checkpoints); the backward sweep records one segment at a
// time from its checkpoint, pulls the next segment's adjoint back through it (a
// vector-Jacobian product) and frees the tape. Memory falls from all steps to one segment,
// at the price of evaluating some steps more than once.

/// Which states of a loop ``valueWithCheckpointedGradient(at:parameters:steps:schedule:step:loss:file:line:)``
/// stores, and so how much it recomputes.
///
/// For `l` steps (`r` is defined under ``binomial(snapshots:)``):
///
/// | schedule | recomputed steps | longest tape | stored states |
/// |---|---|---|---|
/// | ``none`` | 0 | all `l` steps | 1 (the initial state) |
/// | ``uniform(every:)`` `c` | `c·(⌈l/c⌉ − 1)`, less than `l` | `c` steps | `⌈l/c⌉ − 1` (at least 1) |
/// | ``squareRoot`` | less than `l` | `⌈√l⌉` steps | about `√l` |
/// | ``binomial(snapshots:)`` `s` | `r·l − C(s + r, r − 1)`, the fewest possible with `s` states | 1 step | at most `s` |
///
/// A recomputed step is an evaluation of `step` beyond the one recorded evaluation every
/// step gets (on constants, so it records nothing). ``CheckpointSchedule/recomputedSteps(forSteps:)`` gives the number in advance,
/// ``CheckpointStatistics`` the numbers of a call.
///
/// ```swift
/// let s = CheckpointSchedule.binomial(snapshots: 20)
/// let extra = s.recomputedSteps(forSteps: 100_000)    // 534220: 5.3 more evaluations per step
/// ```
public enum CheckpointSchedule: Sendable, Hashable {
    /// One tape for the whole loop: no recomputation, memory for every step.
    case none
    /// A checkpoint every `every` steps: the backward sweep records `every` steps at a time.
    case uniform(every: Int)
    /// ``uniform(every:)`` with `every` = ⌈√steps⌉: about √steps stored states and a tape
    /// of √steps steps, for less than one extra evaluation of every step.
    case squareRoot
    /// Griewank and Walther's binomial checkpointing (revolve): at most `snapshots` states
    /// stored at once (the initial state included) and a tape of one step, with the fewest
    /// recomputed steps any schedule with that many states can have.
    ///
    /// With `r` the smallest number such that `C(snapshots + r, r) ≥ steps`, every step is
    /// evaluated on constants at most `r` times, and `r·steps − C(snapshots + r, r − 1)`
    /// times in all. `r` grows like the `snapshots`-th root of `steps`: 20 snapshots reverse
    /// 10⁵ steps with `r` = 6 (5.3 extra evaluations per step), 40 with `r` = 4.
    case binomial(snapshots: Int)
}

extension CheckpointSchedule {
    /// How many evaluations of `step` beyond one per step this schedule costs for a loop of
    /// `steps` steps (the ``CheckpointStatistics/recomputedSteps`` a call will report).
    ///
    /// ```swift
    /// CheckpointSchedule.squareRoot.recomputedSteps(forSteps: 100)         // 90
    /// CheckpointSchedule.binomial(snapshots: 2).recomputedSteps(forSteps: 3) // 2
    /// ```
    public func recomputedSteps(forSteps steps: Int) -> Int {
        let operation = "CheckpointSchedule.recomputedSteps(forSteps:)"
        autodiffRequire(steps >= 0, operation, "steps must be at least 0, got \(steps)")
        switch _validated(steps: steps, operation) {
        case .none:
            return 0
        case let .uniform(every: c):
            return steps == 0 ? 0 : (steps - 1) / c * c
        case let .binomial(snapshots: s):
            guard steps > 1 else { return 0 }
            let r = _revolveRepetitions(steps: steps, snapshots: s)
            return r * steps - _revolveBeta(s + 1, r - 1)
        case .squareRoot:
            preconditionFailure("_validated replaces squareRoot")  // internal invariant
        }
    }

    /// The schedule with its arguments checked, `squareRoot` turned into `uniform`, and
    /// more snapshots than steps cut down to the steps (they would stay unused).
    @usableFromInline
    internal func _validated(steps: Int, _ operation: @autoclosure () -> String) -> CheckpointSchedule {
        switch self {
        case .none:
            return .none
        case let .uniform(every: c):
            autodiffRequire(c >= 1, operation(), "uniform(every:) needs a segment of at least 1 step, got \(c)")
            return .uniform(every: c)
        case .squareRoot:
            var c = Int(Double(steps).squareRoot())
            while c * c < steps { c += 1 }
            while c > 1 && (c - 1) * (c - 1) >= steps { c -= 1 }
            return .uniform(every: Swift.max(c, 1))
        case let .binomial(snapshots: s):
            autodiffRequire(s >= 1, operation(), """
                binomial(snapshots:) needs at least 1 snapshot (the initial state is one), got \(s)
                """)
            return .binomial(snapshots: Swift.min(s, Swift.max(steps, 1)))
        }
    }

    /// Where the segment of steps `start..<end`, whose start state has `snapshots` free
    /// snapshots (its own included), is split: the end of the steps advanced on constants
    /// before the rest is reversed, or nil to record the segment on one tape.
    @usableFromInline
    internal func _split(from start: Int, to end: Int, snapshots: Int) -> Int? {
        switch self {
        case .none, .squareRoot:
            return nil
        case let .uniform(every: c):
            return end - start > c ? start + c : nil
        case .binomial:
            return end - start > 1 ? start + _revolveSplit(steps: end - start, snapshots: snapshots) : nil
        }
    }
}

/// β(s, r) = C(s + r, s): the most steps `s` snapshots can reverse when every step is
/// advanced at most `r` times (Griewank 1992). Zero for a negative argument; `Int.max` when
/// it would overflow (only ever compared with a step count then).
@usableFromInline
internal func _revolveBeta(_ s: Int, _ r: Int) -> Int {
    guard s >= 0 && r >= 0 else { return 0 }
    let k = Swift.min(s, r)
    let n = s + r
    var c = 1
    var i = 1
    while i <= k {
        // c = C(n − k + i − 1, i − 1) on entry; the product is divisible by i.
        let (p, overflow) = c.multipliedReportingOverflow(by: n - k + i)
        if overflow { return .max }
        c = p / i
        i += 1
    }
    return c
}

/// The repetition number of revolve: the smallest `r` with β(s, r) ≥ `steps`.
@usableFromInline
internal func _revolveRepetitions(steps: Int, snapshots s: Int) -> Int {
    var r = 0
    while _revolveBeta(s, r) < steps { r += 1 }
    return r
}

/// How many of `steps` ≥ 2 steps to advance before storing the next snapshot, so that the
/// whole reversal with `snapshots` ≥ 1 states recomputes the fewest steps.
///
/// With β(s, r − 1) < l ≤ β(s, r), the optimal cost is t(l, s) = r·l − β(s + 1, r − 1), and
/// a split m reaches it when the left part (m steps, s snapshots) has repetition number
/// r − 1 and the right part (l − m steps, s − 1 snapshots) has r: then
/// m + t(m, s) + t(l − m, s − 1) = r·l − β(s + 1, r − 2) − β(s, r − 1) = t(l, s). Both hold
/// for m = max(β(s, r − 2), l − β(s − 1, r)) (at least 1): m ≤ β(s, r − 1) and
/// l − m ≥ β(s − 1, r − 1) follow from β(s, r) = β(s, r − 1) + β(s − 1, r).
@usableFromInline
internal func _revolveSplit(steps l: Int, snapshots s: Int) -> Int {
    let r = _revolveRepetitions(steps: l, snapshots: s)
    let m = Swift.max(1, _revolveBeta(s, r - 2), l - _revolveBeta(s - 1, r))
    assert(m < l && (s > 1 || m == l - 1), "revolve split \(m) of \(l) steps")  // internal invariant
    return m
}

/// What one call of ``valueWithCheckpointedGradient(at:parameters:steps:schedule:step:loss:file:line:)``
/// cost: how often it evaluated `step`, and the most memory it held at once.
///
/// ```swift
/// let result = valueWithCheckpointedGradient(at: [1.0], steps: 100, schedule: .squareRoot,
///                                            step: { x, _ in [x[0] * 0.99] }, loss: { x, _ in x[0] })
/// result.statistics.peakTapeNodes    // the nodes of 10 steps, the loss and the inputs
/// ```
public struct CheckpointStatistics: Sendable, Hashable {
    /// The number of steps of the loop.
    public var steps: Int
    /// Evaluations of `step` recorded on a tape: `steps`, each step once.
    public var recordedSteps: Int
    /// Evaluations of `step` on constants (nothing recorded): the forward sweep to the
    /// checkpoints and every recomputation from them. This is the schedule's time cost over
    /// ``CheckpointSchedule/none``, which evaluates every step once.
    public var recomputedSteps: Int
    /// The number of tapes recorded (segments of the loop); one for ``CheckpointSchedule/none``.
    public var tapes: Int
    /// The most nodes one tape held (the inputs and the sink included). The tapes are
    /// recorded one after the other, so this is the most nodes held at once.
    public var peakTapeNodes: Int
    /// The bytes of ``peakTapeNodes`` nodes and their adjoints (the tape's buffers may be
    /// larger: they grow by doubling and are reused across calls).
    public var peakTapeBytes: Int
    /// The most states stored at once as checkpoints, the initial state included (the state
    /// of the segment being recorded lives on its tape and is not counted).
    public var peakStoredStates: Int

    @inlinable
    public init(steps: Int, recordedSteps: Int = 0, recomputedSteps: Int = 0, tapes: Int = 0,
                peakTapeNodes: Int = 0, peakTapeBytes: Int = 0, peakStoredStates: Int = 0) {
        self.steps = steps
        self.recordedSteps = recordedSteps
        self.recomputedSteps = recomputedSteps
        self.tapes = tapes
        self.peakTapeNodes = peakTapeNodes
        self.peakTapeBytes = peakTapeBytes
        self.peakStoredStates = peakStoredStates
    }
}

/// The result of ``valueWithCheckpointedGradient(at:parameters:steps:schedule:step:loss:file:line:)``:
/// the loss, its gradient with respect to the initial state and to the parameters, and
/// what the schedule cost.
public struct CheckpointedGradient<T: Real> {
    /// The loss at the final state.
    public var value: T
    /// ∂loss/∂state₀, one entry per entry of the initial state.
    public var initialStateGradient: [T]
    /// ∂loss/∂parameters, one entry per parameter (summed over all steps and the loss).
    public var parametersGradient: [T]
    /// Steps evaluated and memory held.
    public var statistics: CheckpointStatistics

    @inlinable
    public init(value: T, initialStateGradient: [T], parametersGradient: [T], statistics: CheckpointStatistics) {
        self.value = value
        self.initialStateGradient = initialStateGradient
        self.parametersGradient = parametersGradient
        self.statistics = statistics
    }
}

extension CheckpointedGradient: Sendable where T: Sendable {}

/// The value and gradient of a loss after a loop of `steps` steps, in reverse mode with
/// checkpoints: `state₀ = initialState`, `stateₖ₊₁ = step(stateₖ, parameters)`, then
/// `loss(state_steps, parameters)`.
///
/// The forward sweep runs `step` on constants (recording nothing) and stores only the
/// states the `schedule` asks for. The backward sweep then records one segment at a time:
/// it makes the segment's start state and the parameters variables of a fresh tape,
/// re-runs the segment, seeds its end state with that state's adjoint (a vector-Jacobian
/// product; the last segment seeds the loss instead), and reads off the start state's
/// adjoint and the parameters' share. The tape holds one segment instead of the whole
/// loop; ``CheckpointSchedule`` lists what each schedule recomputes for it.
///
/// The gradient is that of ``valueWithGradient(at:of:file:line:)`` on the unrolled loop, to the last
/// bit as a rule: the segments' sweeps add the same partials in the same order as one
/// sweep over the whole loop (the parameters' adjoint is carried from tape to tape as a
/// seed, not summed per segment). Only a state that holds one value in two entries sums
/// that value's adjoint in another order.
///
/// `step` must return a state of as many entries as `initialState`, and must compute the
/// same function every time it is called with the same step (it is called again during
/// the backward sweep). It is told neither the step number nor whether it is recorded.
///
/// ```swift
/// // Explicit Euler for x' = −θ·x, 10 000 steps; d loss/dθ with about 100 steps on a tape.
/// let r = valueWithCheckpointedGradient(
///     at: [1.0], parameters: [0.5], steps: 10_000, schedule: .squareRoot,
///     step: { x, p in [x[0] - 1e-4 * p[0] * x[0]] },
///     loss: { x, _ in x[0] * x[0] })
/// // r.value ≈ e⁻¹, r.parametersGradient ≈ [−2·e⁻¹], r.initialStateGradient ≈ [2·e⁻¹]
/// ```
@inlinable
public func valueWithCheckpointedGradient<T: Real>(
    at initialState: [T], parameters: [T] = [], steps: Int, schedule: CheckpointSchedule = .squareRoot,
    step: ([Reverse<T>], [Reverse<T>]) -> [Reverse<T>],
    loss: ([Reverse<T>], [Reverse<T>]) -> Reverse<T>,
    file: StaticString = #fileID, line: UInt = #line
) -> CheckpointedGradient<T> {
    let origin = TapeOrigin("valueWithCheckpointedGradient(at:parameters:steps:schedule:step:loss:)",
                            file: file, line: line)
    autodiffRequire(steps >= 0, "\(origin.operation)", "steps must be at least 0, got \(steps)")
    let plan = schedule._validated(steps: steps, "\(origin.operation)")
    let n = initialState.count
    var statistics = CheckpointStatistics(steps: steps)
    var value: T = 0
    var parametersGradient = [T](repeating: 0, count: parameters.count)
    let constantParameters = parameters.map { Reverse<T>(constant: $0) }

    func checked(_ state: [Reverse<T>], _ k: Int) -> [Reverse<T>] {
        autodiffRequire(state.count == n, "\(origin.operation)", """
            step \(k) (of 0..<\(steps)) returned a state of \(state.count) entries, but the initial \
            state has \(n)
            """)
        return state
    }

    /// Steps `start..<end` on constants: nothing is recorded.
    func advance(_ x: [T], from start: Int, to end: Int) -> [T] {
        var state = x.map { Reverse<T>(constant: $0) }
        for k in start..<end { state = checked(step(state, constantParameters), k) }
        statistics.recomputedSteps += end - start
        return state.map(\.value)
    }

    /// Steps `start..<end` recorded from `x`; pulls `adjoint` (of the state after the
    /// segment), or the loss when it is nil, back to the start state and the parameters.
    func record(_ x: [T], from start: Int, to end: Int, adjoint: [T]?) -> [T] {
        Tape<T>.withTape(origin: origin) { tape in
            let startState = x.map { tape.variable($0) }
            let p = parameters.map { tape.variable($0) }
            var state = startState
            for k in start..<end { state = checked(step(state, p), k) }
            // The parameters' adjoint so far is a seed too: the sweep adds this segment's
            // partials onto it in the order one tape for the whole loop would.
            var seeds = Array(zip(p, parametersGradient))
            if let adjoint {
                seeds += zip(state, adjoint)
            } else {
                let y = loss(state, p)
                value = y.value
                seeds.append((y, 1))
            }
            tape.backward(from: seeds)
            statistics.recordedSteps += end - start
            statistics.tapes += 1
            statistics.peakTapeNodes = Swift.max(statistics.peakTapeNodes, tape.count)
            for j in p.indices { parametersGradient[j] = tape.adjoint(of: p[j]) }
            return startState.map { tape.adjoint(of: $0) }
        }
    }

    // The checkpoints, innermost last, each with the snapshots left to the segment it
    // starts (its own included). The segment being reversed runs from the last
    // checkpoint to `end`: split it (advance and store one more checkpoint) while the
    // schedule says so, else record it, and continue with the segment before it.
    var checkpoints: [(start: Int, state: [T], snapshots: Int)] = []
    let snapshots: Int
    if case let .binomial(s) = plan { snapshots = s } else { snapshots = steps + 1 }
    checkpoints.append((0, initialState, snapshots))
    statistics.peakStoredStates = 1
    var end = steps
    var adjoint: [T]? = nil
    while let top = checkpoints.last {
        guard let middle = plan._split(from: top.start, to: end, snapshots: top.snapshots) else {
            adjoint = record(top.state, from: top.start, to: end, adjoint: adjoint)
            end = top.start
            checkpoints.removeLast()
            continue
        }
        let state = advance(top.state, from: top.start, to: middle)
        if plan._split(from: middle, to: end, snapshots: top.snapshots - 1) == nil {
            // The rest is one segment: record it from the state in hand, store nothing.
            adjoint = record(state, from: middle, to: end, adjoint: adjoint)
            end = middle
        } else {
            checkpoints.append((middle, state, top.snapshots - 1))
            statistics.peakStoredStates = Swift.max(statistics.peakStoredStates, checkpoints.count)
        }
    }
    statistics.peakTapeBytes = statistics.peakTapeNodes * (MemoryLayout<TapeNode<T>>.stride + MemoryLayout<T>.stride)
    return CheckpointedGradient(value: value, initialStateGradient: adjoint ?? [],
                                parametersGradient: parametersGradient, statistics: statistics)
}
