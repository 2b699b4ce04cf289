import RealModule

// MARK: - The traced number

/// The number type a ``RecordedGradient`` records with: each operation on it is kept
/// with its rule-table entry (so the tape can be re-run for new inputs) and each
/// comparison with its outcome (so a replay that would take another branch is
/// detected). Conforms to `Real`; you only meet it as the closure's parameter type.
///
/// Like ``Reverse``, a `Traced` value is a plain struct: its value, the index of its
/// slot, and an unsafe pointer to its tape's raw, pooled storage. Recording an
/// operation writes one byte and two indices there; no reference is counted.
@frozen
public struct Traced<T: Real>: AutodiffNumber {
    /// The primal value.
    public var value: T
    @usableFromInline internal var slot: UInt32
    @usableFromInline internal var state: UnsafeMutablePointer<_TraceState<T>>?
    @usableFromInline internal var generation: UInt32

    /// A constant (not recorded).
    @inlinable
    public init(constant: T) {
        self.value = constant
        self.slot = 0
        self.state = nil
        self.generation = 0
    }

    @inlinable
    internal init(value: T, slot: UInt32, state: UnsafeMutablePointer<_TraceState<T>>, generation: UInt32) {
        self.value = value
        self.slot = slot
        self.state = state
        self.generation = generation
    }

    /// The storage both operands are recorded on (nil when both are constants),
    /// after checking that they belong to the same recording and that it is open.
    @inlinable @inline(__always)
    internal static func _state(_ x: Traced, _ y: Traced,
                                _ operation: @autoclosure () -> String) -> UnsafeMutablePointer<_TraceState<T>>? {
        let s: UnsafeMutablePointer<_TraceState<T>>
        let generation: UInt32
        if let sx = x.state {
            s = sx
            generation = x.generation
            if let sy = y.state, sy != sx || y.generation != generation { _mixedTraces(x, y, operation()) }
        } else if let sy = y.state {
            s = sy
            generation = y.generation
        } else {
            return nil
        }
        if s.pointee.generation != generation { _staleTraced(T.self, operation()) }
        return s
    }

    /// The operand index of `x` on `s`: its slot, or a new constant.
    @inlinable @inline(__always)
    internal func _operand(_ s: UnsafeMutablePointer<_TraceState<T>>) -> UInt32 {
        state == nil ? _TraceState.pushConstant(s, value) : slot
    }

    @inlinable @inline(__always)
    public static func applying(_ function: UnaryFunction, _ x: Traced) -> Traced {
        let v = function.evaluate(x.value).value
        guard let s = x.state else { return Traced(constant: v) }
        if s.pointee.generation != x.generation { _staleTraced(T.self, function.name) }
        s.pointee.unaries.append(function)
        let i = _TraceState.push(s, .unary, x.slot, _TraceState<T>.sink)
        return Traced(value: v, slot: i, state: s, generation: x.generation)
    }

    @inlinable @inline(__always)
    public static func applying(_ function: BinaryFunction, _ x: Traced, _ y: Traced) -> Traced {
        let v = function.evaluate(x.value, y.value).value
        guard let s = _state(x, y, function.name) else { return Traced(constant: v) }
        let a = x._operand(s)
        let b = y._operand(s)
        let i = _TraceState.push(s, .binary(function), a, b)
        return Traced(value: v, slot: i, state: s, generation: s.pointee.generation)
    }

    @inlinable @inline(__always)
    internal static func _compare(_ x: Traced, _ y: Traced, _ kind: UInt8, _ outcome: Bool) -> Bool {
        guard let s = _state(x, y, "comparison") else { return outcome }
        let a = x._operand(s)
        let b = y._operand(s)
        s.pointee.comparisons.append(_TraceComparison(
            a: a, b: b, position: UInt32(truncatingIfNeeded: s.pointee.count), kind: kind, outcome: outcome))
        return outcome
    }

    // Comparisons are recorded, then re-checked at every replay.
    @inlinable public static func < (x: Traced, y: Traced) -> Bool { _compare(x, y, 0, x.value < y.value) }
    @inlinable public static func <= (x: Traced, y: Traced) -> Bool { _compare(x, y, 1, x.value <= y.value) }
    @inlinable public static func > (x: Traced, y: Traced) -> Bool { _compare(y, x, 0, y.value < x.value) }
    @inlinable public static func >= (x: Traced, y: Traced) -> Bool { _compare(y, x, 1, y.value <= x.value) }
    @inlinable public static func == (x: Traced, y: Traced) -> Bool { _compare(x, y, 2, x.value == y.value) }
    @inlinable public func isLess(than other: Traced) -> Bool { self < other }
    @inlinable public func isLessThanOrEqualTo(_ other: Traced) -> Bool { self <= other }
    @inlinable public func isEqual(to other: Traced) -> Bool { self == other }
    /// The sign of the value (recorded as a comparison, like `<`).
    @inlinable public var sign: FloatingPointSign {
        let s = value.sign
        _ = Traced._compare(self, self, 3, s == .minus)
        return s
    }
}

@usableFromInline
@inline(never)
internal func _staleTraced<T>(_: T.Type, _ operation: String) -> Never {
    autodiffFailure(operation, """
        used a Traced<\(T.self)> value after its RecordedGradient recording ended; Traced values \
        must not escape the closure given to RecordedGradient.
        """)
}

@usableFromInline
@inline(never)
internal func _mixedTraces<T>(_ x: Traced<T>, _ y: Traced<T>, _ operation: String) -> Never {
    if let s = x.state, s.pointee.generation != x.generation { _staleTraced(T.self, operation) }
    if let s = y.state, s.pointee.generation != y.generation { _staleTraced(T.self, operation) }
    autodiffFailure(operation, """
        was given Traced<\(T.self)> values recorded by two different RecordedGradients; Traced \
        values must not cross tapes.
        """)
}

extension Traced: _StructuralZero {
    @usableFromInline
    internal var _isStructurallyZero: Bool { state == nil && AutodiffCore._isStructurallyZero(value) }
}

extension Traced: CustomStringConvertible {
    public var description: String { state == nil ? "\(value) (constant)" : "\(value) (slot \(slot))" }
}

// MARK: - The reusable tape

/// What a ``RecordedGradient`` does when a replay's input makes a recorded comparison
/// come out differently (the function would take another branch).
public enum BranchChangePolicy: Sendable {
    /// Record the function again at the new input (and keep the new recording).
    case rerecord
    /// Throw ``RecordedGradientError/branchChanged(comparison:recordedOutcome:)``.
    case throwError
}

/// Why a ``RecordedGradient`` replay refused to return a gradient.
public enum RecordedGradientError: Error, Equatable, CustomStringConvertible {
    /// Comparison number `comparison` (in recording order) taken while recording came
    /// out differently at the replay input, so the recorded operations do not compute
    /// the function there.
    case branchChanged(comparison: Int, recordedOutcome: Bool)

    public var description: String {
        switch self {
        case let .branchChanged(k, outcome):
            return "RecordedGradient: comparison #\(k) was \(outcome) when recorded and is \(!outcome) at the replay input; "
                + "the function takes another branch there, so the recorded tape does not apply"
        }
    }
}

/// A scalar function's operations recorded once and replayed for new inputs
/// (ReverseDiff.jl's compiled `RecordedGradient`, CppAD's `ADFun`), several times faster
/// than recording anew.
///
/// Unlike those, a replay is never silently wrong when the function branches on its
/// input: every comparison made on a ``Traced`` value while recording is kept with
/// its outcome and checked at each replay. If one comes out differently, the tape
/// either records the function again at the new input (``BranchChangePolicy/rerecord``,
/// the default) or throws ``RecordedGradientError/branchChanged(comparison:recordedOutcome:)``.
///
/// ```swift
/// func rosenbrock<S: Real>(_ x: [S]) -> S { ... }
/// let tape = RecordedGradient(at: x0) { x in rosenbrock(x) }
/// let g1 = try tape.gradient(at: x1)            // replayed, no recording
/// let strict = RecordedGradient(at: [1.0], onBranchChange: .throwError) { x in
///     x[0] > 0 ? x[0] * x[0] : -x[0]
/// }
/// _ = try strict.gradient(at: [-1.0])           // throws .branchChanged
/// ```
///
/// The recording is a flat program (one opcode byte and two slot indices per
/// operation, constants kept once) in pooled raw memory, written without reference
/// counting; it is the recording of ``RecordedFunction``, which replays it in the other
/// modes (Jacobians, Hessians, sparsity). A replay is one forward loop that evaluates
/// each operation's rule-table entry (value and the partials not already at hand),
/// checking each recorded comparison as soon as its operands are known, then one
/// backward pass that gathers each slot's adjoint from its uses. The replayed value and
/// gradient are bit for bit those of `gradient(at:)`. `Benchmarks/RESULTS.md` has the
/// measured times (FunctionalBench, ReplayBench).
///
/// Only comparisons and `sign` are tracked: code that reads `.value` to decide a
/// branch is not (use comparisons on the numbers themselves). `Real`'s own functions
/// that decide something (`maximumMagnitude`, `init(signOf:magnitudeOf:)`,
/// `significand`, `ulp`, `nextUp`, `exponent`, `reciprocal`, `isTotallyOrdered`)
/// decide it with comparisons, so they are tracked. A tape is not
/// thread-safe; use one per thread.
public final class RecordedGradient<T: Real> {
    /// The recording, with its one output: ``RecordedFunction`` replays it in every mode,
    /// and this class keeps the scalar gradient's names.
    @usableFromInline internal let recording: RecordedFunction<T>

    /// What a replay does when a recorded comparison changes outcome.
    public var policy: BranchChangePolicy { recording.policy }
    /// How many times the function has been recorded (1 after `init`).
    public var recordings: Int { recording.recordings }
    /// The number of recorded operations.
    public var operationCount: Int { recording.operationCount }
    /// The number of recorded comparisons.
    public var comparisonCount: Int { recording.comparisonCount }

    /// Records `f` at `x`.
    @inlinable
    public init(at x: [T], onBranchChange policy: BranchChangePolicy = .rerecord,
                of f: @escaping ([Traced<T>]) -> Traced<T>) {
        recording = RecordedFunction(at: x, onBranchChange: policy, of: f)
    }

    /// The gradient at `x`, by replaying the tape (see ``valueWithGradient(at:)``).
    @inlinable
    public func gradient(at x: [T]) throws(RecordedGradientError) -> [T] {
        try valueWithGradient(at: x).gradient
    }

    /// The value and gradient at `x`, by replaying the recorded operations forward for
    /// the new input and sweeping them backward. If a recorded comparison comes out
    /// differently at `x`, the tape re-records or throws, as its ``policy`` says.
    @inlinable
    public func valueWithGradient(at x: [T]) throws(RecordedGradientError) -> (value: T, gradient: [T]) {
        try recording._valueWithGradient(at: x, "RecordedGradient.gradient(at:)")
    }
}

// MARK: - Former names (one release)

/// The former name of ``RecordedGradient``: in TensorFlow a `GradientTape` is the
/// one-shot recorder, which this type is not.
@available(*, deprecated, renamed: "RecordedGradient")
public typealias GradientTape = RecordedGradient

@available(*, deprecated, renamed: "RecordedGradientError")
public typealias GradientTapeError = RecordedGradientError

extension Traced: ExpressibleByFloatLiteral where T: ExpressibleByFloatLiteral {
    /// A constant, as for ``Reverse``: `<S: Real & ExpressibleByFloatLiteral>` code records too.
    @inlinable
    public init(floatLiteral value: T.FloatLiteralType) {
        self.init(constant: T(floatLiteral: value))
    }
}
