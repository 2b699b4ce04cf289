import RealModule

// MARK: - The recorded program

/// One recorded operation of a ``GradientTape``: its kind, the slots it reads and the
/// slot it writes. Codes: 0 add, 1 subtract, 2 multiply, 3 divide, 4 unary rule, 5 binary rule.
@usableFromInline
internal struct _TraceOp {
    @usableFromInline var code: UInt8
    @usableFromInline var out: UInt32
    @usableFromInline var a: UInt32
    @usableFromInline var b: UInt32
    @usableFromInline var function: UInt32
    @inlinable init(code: UInt8, out: UInt32, a: UInt32, b: UInt32, function: UInt32) {
        self.code = code; self.out = out; self.a = a; self.b = b; self.function = function
    }
}

/// A comparison taken while recording: the operand slots, the kind
/// (0 `<`, 1 `<=`, 2 `==`, 3 sign is minus) and the outcome seen.
@usableFromInline
internal struct _TraceComparison {
    @usableFromInline var a: UInt32
    @usableFromInline var b: UInt32
    @usableFromInline var kind: UInt8
    @usableFromInline var outcome: Bool
    @inlinable init(a: UInt32, b: UInt32, kind: UInt8, outcome: Bool) {
        self.a = a; self.b = b; self.kind = kind; self.outcome = outcome
    }
}

/// The program recorded by a ``GradientTape``: slots (inputs, constants, results)
/// and the operations and comparisons over them.
@usableFromInline
internal final class _Trace<T: Real> {
    @usableFromInline var values: [T] = []
    @usableFromInline var dl: [T] = []
    @usableFromInline var dr: [T] = []
    @usableFromInline var ops: [_TraceOp] = []
    @usableFromInline var unaries: [UnaryFunction] = []
    @usableFromInline var binaries: [BinaryFunction] = []
    @usableFromInline var comparisons: [_TraceComparison] = []
    @usableFromInline var isRecording = false
    @usableFromInline let id: UInt32

    @usableFromInline init(id: UInt32) { self.id = id }

    @usableFromInline
    func newSlot(_ value: T, dl l: T = 0, dr r: T = 0) -> UInt32 {
        values.append(value)
        dl.append(l)
        dr.append(r)
        return UInt32(values.count - 1)
    }

    @usableFromInline
    func slot(of x: Traced<T>) -> UInt32 {
        if let t = x.trace {
            x.check(t, "GradientTape")
            precondition(t === self, """
                Autodiff: GradientTape: a Traced value recorded by another GradientTape was used here; \
                Traced values must not cross tapes.
                """)
            return x.slot
        }
        return newSlot(x.value)  // a constant: written once, never replayed
    }
}

// MARK: - The traced number

/// The number type a ``GradientTape`` records with: each operation on it is kept
/// with its rule-table entry (so the tape can be re-run for new inputs) and each
/// comparison with its outcome (so a replay that would take another branch is
/// detected). Conforms to `Real`; you only meet it as the closure's parameter type.
public struct Traced<T: Real>: AutodiffNumber {
    /// The primal value.
    public var value: T
    @usableFromInline internal var slot: UInt32
    @usableFromInline internal var trace: _Trace<T>?
    @usableFromInline internal var recordingID: UInt32

    /// A constant (not recorded).
    public init(constant: T) {
        self.value = constant
        self.slot = 0
        self.trace = nil
        self.recordingID = 0
    }

    @usableFromInline
    internal init(value: T, slot: UInt32, trace: _Trace<T>) {
        self.value = value
        self.slot = slot
        self.trace = trace
        self.recordingID = trace.id
    }

    @usableFromInline
    internal func check(_ t: _Trace<T>, _ operation: String) {
        if !t.isRecording || t.id != recordingID {
            preconditionFailure("""
                Autodiff: '\(operation)' used a Traced<\(T.self)> value after its GradientTape recording \
                ended; Traced values must not escape the closure given to GradientTape.
                """)
        }
    }

    public static func applying(_ function: UnaryFunction, _ x: Traced) -> Traced {
        let (v, d) = function.evaluate(x.value)
        guard let t = x.trace else { return Traced(constant: v) }
        let a = t.slot(of: x)
        let out = t.newSlot(v, dl: d)
        let code: UInt8 = 4
        t.unaries.append(function)
        t.ops.append(_TraceOp(code: code, out: out, a: a, b: 0, function: UInt32(t.unaries.count - 1)))
        return Traced(value: v, slot: out, trace: t)
    }

    public static func applying(_ function: BinaryFunction, _ x: Traced, _ y: Traced) -> Traced {
        let (v, dx, dy) = function.evaluate(x.value, y.value)
        guard let t = x.trace ?? y.trace else { return Traced(constant: v) }
        let a = t.slot(of: x)
        let b = t.slot(of: y)
        let out = t.newSlot(v, dl: dx, dr: dy)
        let code: UInt8
        var index: UInt32 = 0
        switch function {
        case .add: code = 0
        case .subtract: code = 1
        case .multiply: code = 2
        case .divide: code = 3
        default:
            code = 5
            t.binaries.append(function)
            index = UInt32(t.binaries.count - 1)
        }
        t.ops.append(_TraceOp(code: code, out: out, a: a, b: b, function: index))
        return Traced(value: v, slot: out, trace: t)
    }

    private static func compare(_ x: Traced, _ y: Traced, _ kind: UInt8, _ outcome: Bool) -> Bool {
        guard let t = x.trace ?? y.trace else { return outcome }
        let a = t.slot(of: x)
        let b = t.slot(of: y)
        t.comparisons.append(_TraceComparison(a: a, b: b, kind: kind, outcome: outcome))
        return outcome
    }

    // Comparisons are recorded, then re-checked at every replay.
    public static func < (x: Traced, y: Traced) -> Bool { compare(x, y, 0, x.value < y.value) }
    public static func <= (x: Traced, y: Traced) -> Bool { compare(x, y, 1, x.value <= y.value) }
    public static func > (x: Traced, y: Traced) -> Bool { compare(y, x, 0, y.value < x.value) }
    public static func >= (x: Traced, y: Traced) -> Bool { compare(y, x, 1, y.value <= x.value) }
    public static func == (x: Traced, y: Traced) -> Bool { compare(x, y, 2, x.value == y.value) }
    public func isLess(than other: Traced) -> Bool { self < other }
    public func isLessThanOrEqualTo(_ other: Traced) -> Bool { self <= other }
    public func isEqual(to other: Traced) -> Bool { self == other }
    /// The sign of the value (recorded as a comparison, like `<`).
    public var sign: FloatingPointSign {
        let s = value.sign
        _ = Traced.compare(self, self, 3, s == .minus)
        return s
    }
}

extension Traced: CustomStringConvertible {
    public var description: String { trace == nil ? "\(value) (constant)" : "\(value) (slot \(slot))" }
}

// MARK: - The reusable tape

/// What a ``GradientTape`` does when a replay's input makes a recorded comparison
/// come out differently (the function would take another branch).
public enum BranchChangePolicy: Sendable {
    /// Record the function again at the new input (and keep the new recording).
    case rerecord
    /// Throw ``GradientTapeError/branchChanged(comparison:recordedOutcome:)``.
    case throwError
}

/// Why a ``GradientTape`` replay refused to return a gradient.
public enum GradientTapeError: Error, Equatable, CustomStringConvertible {
    /// Comparison number `comparison` (in recording order) taken while recording came
    /// out differently at the replay input, so the recorded operations do not compute
    /// the function there.
    case branchChanged(comparison: Int, recordedOutcome: Bool)

    public var description: String {
        switch self {
        case let .branchChanged(k, outcome):
            return "GradientTape: comparison #\(k) was \(outcome) when recorded and is \(!outcome) at the replay input; "
                + "the function takes another branch there, so the recorded tape does not apply"
        }
    }
}

/// A scalar function's operations recorded once and replayed for new inputs
/// (ReverseDiff.jl's compiled `GradientTape`, CppAD's `ADFun`), several times faster
/// than recording anew.
///
/// Unlike those, a replay is never silently wrong when the function branches on its
/// input: every comparison made on a ``Traced`` value while recording is kept with
/// its outcome and checked at each replay. If one comes out differently, the tape
/// either records the function again at the new input (``BranchChangePolicy/rerecord``,
/// the default) or throws ``GradientTapeError/branchChanged(comparison:recordedOutcome:)``.
///
/// ```swift
/// func rosenbrock<S: Real>(_ x: [S]) -> S { ... }
/// let tape = GradientTape(at: x0) { x in rosenbrock(x) }
/// let g1 = try tape.gradient(at: x1)            // replayed, no recording
/// let strict = GradientTape(at: [1.0], onBranchChange: .throwError) { x in
///     x[0] > 0 ? x[0] * x[0] : -x[0]
/// }
/// _ = try strict.gradient(at: [-1.0])           // throws .branchChanged
/// ```
///
/// Only comparisons and `sign` are tracked: code that reads `.value` to decide a
/// branch is not (use comparisons on the numbers themselves). A tape is not
/// thread-safe; use one per thread.
public final class GradientTape<T: Real> {
    @usableFromInline internal var trace: _Trace<T>
    @usableFromInline internal var inputCount: Int
    @usableFromInline internal var output: UInt32?
    @usableFromInline internal var outputValue: T
    @usableFromInline internal let function: ([Traced<T>]) -> Traced<T>
    @usableFromInline internal var adjoints: [T] = []
    /// What a replay does when a recorded comparison changes outcome.
    public let policy: BranchChangePolicy
    /// How many times the function has been recorded (1 after `init`).
    public private(set) var recordings = 0

    /// Records `f` at `x`.
    public init(at x: [T], onBranchChange policy: BranchChangePolicy = .rerecord,
                of f: @escaping ([Traced<T>]) -> Traced<T>) {
        self.function = f
        self.policy = policy
        self.trace = _Trace(id: 0)
        self.inputCount = x.count
        self.output = nil
        self.outputValue = 0
        record(at: x)
    }

    /// The number of recorded operations.
    public var operationCount: Int { trace.ops.count }

    /// The number of recorded comparisons.
    public var comparisonCount: Int { trace.comparisons.count }

    @usableFromInline
    internal func record(at x: [T]) {
        recordings += 1
        let t = _Trace<T>(id: UInt32(truncatingIfNeeded: recordings))
        t.values.reserveCapacity(trace.values.count)
        t.dl.reserveCapacity(trace.values.count)
        t.dr.reserveCapacity(trace.values.count)
        t.ops.reserveCapacity(trace.ops.count)
        t.isRecording = true
        let inputs = x.map { Traced(value: $0, slot: t.newSlot($0), trace: t) }
        let y = function(inputs)
        if let yt = y.trace { y.check(yt, "GradientTape") }
        t.isRecording = false
        trace = t
        inputCount = x.count
        output = y.trace == nil ? nil : y.slot
        outputValue = y.value
    }

    /// The gradient at `x`, by replaying the tape (see ``valueWithGradient(at:)``).
    @inlinable
    public func gradient(at x: [T]) throws(GradientTapeError) -> [T] {
        try valueWithGradient(at: x).gradient
    }

    /// The value and gradient at `x`, by replaying the recorded operations forward for
    /// the new input and sweeping them backward. If a recorded comparison comes out
    /// differently at `x`, the tape re-records or throws, as its ``policy`` says.
    @inlinable
    public func valueWithGradient(at x: [T]) throws(GradientTapeError) -> (value: T, gradient: [T]) {
        precondition(x.count == inputCount, """
            Autodiff: GradientTape.gradient(at:): the input has \(x.count) entries but the tape was \
            recorded with \(inputCount)
            """)
        let t = trace
        for i in 0..<x.count { t.values[i] = x[i] }
        _forward(t)
        for (k, c) in t.comparisons.enumerated() where _outcome(t, c) != c.outcome {
            switch policy {
            case .throwError:
                throw .branchChanged(comparison: k, recordedOutcome: c.outcome)
            case .rerecord:
                record(at: x)
                return _backward(trace)
            }
        }
        return _backward(t)
    }

    @inlinable
    internal func _outcome(_ t: _Trace<T>, _ c: _TraceComparison) -> Bool {
        let a = t.values[Int(c.a)], b = t.values[Int(c.b)]
        switch c.kind {
        case 0: return a < b
        case 1: return a <= b
        case 2: return a == b
        default: return a.sign == .minus
        }
    }

    @inlinable
    internal func _forward(_ t: _Trace<T>) {
        let unaries = t.unaries, binaries = t.binaries
        t.ops.withUnsafeBufferPointer { ops in
            t.values.withUnsafeMutableBufferPointer { v in
                t.dl.withUnsafeMutableBufferPointer { dl in
                    t.dr.withUnsafeMutableBufferPointer { dr in
                        for op in ops {
                            let a = v[Int(op.a)], b = v[Int(op.b)]
                            let o = Int(op.out)
                            switch op.code {
                            case 0: v[o] = a + b
                            case 1: v[o] = a - b
                            case 2: v[o] = a * b
                            case 3: v[o] = a / b
                            case 4:
                                let (value, d) = unaries[Int(op.function)].evaluate(a)
                                v[o] = value
                                dl[o] = d
                            default:
                                let (value, dx, dy) = binaries[Int(op.function)].evaluate(a, b)
                                v[o] = value
                                dl[o] = dx
                                dr[o] = dy
                            }
                        }
                    }
                }
            }
        }
        if let out = output { outputValue = t.values[Int(out)] }
    }

    @inlinable
    internal func _backward(_ t: _Trace<T>) -> (value: T, gradient: [T]) {
        let n = inputCount
        guard let out = output else { return (outputValue, [T](repeating: 0, count: n)) }
        let count = t.values.count
        if adjoints.count < count { adjoints = [T](repeating: 0, count: count) }
        adjoints.withUnsafeMutableBufferPointer { adj in
            for i in 0..<count { adj[i] = 0 }
            adj[Int(out)] = 1
            t.ops.withUnsafeBufferPointer { ops in
                t.values.withUnsafeBufferPointer { v in
                    t.dl.withUnsafeBufferPointer { dl in
                        t.dr.withUnsafeBufferPointer { dr in
                            var k = ops.count - 1
                            while k >= 0 {
                                let op = ops[k]
                                k -= 1
                                let g = adj[Int(op.out)]
                                if g == 0 && _isStructurallyZero(g) { continue }
                                let a = Int(op.a), b = Int(op.b)
                                switch op.code {
                                case 0:
                                    adj[a] += g
                                    adj[b] += g
                                case 1:
                                    adj[a] += g
                                    adj[b] -= g
                                case 2:
                                    adj[a] += g * v[b]
                                    adj[b] += g * v[a]
                                case 3:
                                    let q = g / v[b]
                                    adj[a] += q
                                    adj[b] -= q * v[Int(op.out)]
                                case 4:
                                    adj[a] += g * dl[Int(op.out)]
                                default:
                                    adj[a] += g * dl[Int(op.out)]
                                    adj[b] += g * dr[Int(op.out)]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (outputValue, Array(adjoints[0..<n]))
    }
}
