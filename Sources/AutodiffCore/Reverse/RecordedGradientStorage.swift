import RealModule
internal import Synchronization

// The storage behind ``RecordedGradient`` and ``Traced``: one pooled, raw-memory
// program per tape, laid out as struct-of-arrays so that recording is a few
// stores per operation (no class, no reference count) and replay is two flat loops.

/// The kind of one recorded slot: an input, an entry of the rule table, or one of
/// the replay's own forms of `+`, `−`, `×`.
///
/// One byte per operation (``BinaryFunction``'s spare values hold the other
/// cases). Unary rules are kept, in recording order, in ``_TraceState/unaries``;
/// replay evaluates them through the rule table, so the table stays the only list
/// of functions.
@frozen @usableFromInline
internal enum _TraceCode {
    case input
    case unary
    case binary(BinaryFunction)
    /// A slot of a custom rule's operation (see ``_TraceCustom``).
    case custom
    // Set by `finish`: `+`, `−`, `×` whose left, right or both operands are the
    // slot computed just before.
    case addPreviousLeft, addPreviousRight, subtractPreviousLeft, subtractPreviousRight
    case multiplyPreviousLeft, multiplyPreviousRight, squarePrevious
}

/// A comparison taken while recording: the operand slots, the kind
/// (0 `<`, 1 `<=`, 2 `==`, 3 sign is minus), the outcome seen, and how many slots
/// had been recorded when it was taken (replay checks it right after computing them).
@usableFromInline
internal struct _TraceComparison {
    @usableFromInline var a: UInt32
    @usableFromInline var b: UInt32
    @usableFromInline var position: UInt32
    @usableFromInline var kind: UInt8
    @usableFromInline var outcome: Bool
    @inlinable init(a: UInt32, b: UInt32, position: UInt32, kind: UInt8, outcome: Bool) {
        self.a = a; self.b = b; self.position = position; self.kind = kind; self.outcome = outcome
    }

    /// Whether the comparison comes out as recorded on the slot values `v` (of any
    /// `Real` type: lanes compare their values).
    @inlinable @inline(__always)
    func holds<V: Real>(_ v: UnsafeMutablePointer<V>) -> Bool {
        holds(v[Int(a)], v[Int(b)])
    }

    /// Whether the comparison comes out as recorded on operand values `x` and `y`.
    @inlinable @inline(__always)
    func holds<V: Real>(_ x: V, _ y: V) -> Bool {
        let result: Bool
        switch kind {
        case 0: result = x < y
        case 1: result = x <= y
        case 2: result = x == y
        default: result = x.sign == .minus
        }
        return result == outcome
    }
}

/// The two operand slots of one recorded operation.
@frozen @usableFromInline
internal struct _TraceOperands {
    @usableFromInline var lhs: UInt32
    @usableFromInline var rhs: UInt32
    @inlinable init(_ lhs: UInt32, _ rhs: UInt32) { self.lhs = lhs; self.rhs = rhs }
}

/// A ``CustomDerivativeRule`` recorded as one operation: its inputs' operands, and the
/// `count` slots from `first` it takes, as a chain of two-operand slots so that the use
/// lists and the reverse pass need nothing new (as ``Tape/record(value:inputs:partials:)``
/// does): the first slot reads inputs 0 and 1 with partials g₀ and g₁, each next one the
/// slot before (partial 1) and the next input. Replay evaluates the rule once at the first
/// slot, from the inputs' replayed values, and writes every slot's value and partials.
@usableFromInline
internal struct _TraceCustom {
    @usableFromInline let rule: any CustomDerivativeRule
    @usableFromInline var operands: [UInt32]
    @usableFromInline let first: Int
    @usableFromInline let count: Int
    @inlinable init(rule: any CustomDerivativeRule, operands: [UInt32], first: Int, count: Int) {
        self.rule = rule; self.operands = operands; self.first = first; self.count = count
    }
}

/// One tape's program and replay buffers, in raw memory whose header is never freed
/// (so a stale ``Traced`` can always read its generation and fail cleanly), reused
/// through a pool like ``Tape``'s.
///
/// Slots `0..<count` are the inputs followed by one result per operation, in
/// recording order (so that order is topological, and slot k is written by
/// operation k). While recording, a constant operand is written as
/// `constantFlag | j` (constant number j). Constants 0, 1 and −1 are always there:
/// 0 is the unused operand of unary operations, 1 and −1 are the partials of `+`
/// and `−`. ``finish(_:inputs:outputs:)`` rewrites constant operands to slot `count + j` and copies
/// the constants there, so replay reads every operand from one buffer, and lists
/// each slot's uses for the backward pass.
///
/// The backward pass reads each partial where it already is: the partials of `+`
/// and `−` are the constant slots 1 and −1, those of `×` are its operands' values,
/// and only the other rules store theirs (in the second part of ``values``), so
/// the forward pass of `+`, `−`, `×` writes nothing but the result.
@usableFromInline
internal struct _TraceState<T: Real> {
    /// Changes when a recording starts or ends and when the state is pooled; a
    /// ``Traced`` remembers the generation it was recorded in.
    @usableFromInline var generation: UInt32
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    @usableFromInline var codes: UnsafeMutablePointer<_TraceCode>
    @usableFromInline var operands: UnsafeMutablePointer<_TraceOperands>
    @usableFromInline var constantCount: Int
    @usableFromInline var constantCapacity: Int
    @usableFromInline var constants: UnsafeMutablePointer<T>
    /// The unary rules, in recording order.
    @usableFromInline var unaries: [UnaryFunction]
    /// The custom rules, in recording order.
    @usableFromInline var customs: [_TraceCustom]
    @usableFromInline var comparisons: [_TraceComparison]
    /// The number of slots (results and constants) the replay buffers can hold.
    @usableFromInline var slotCapacity: Int
    /// `3 × slotCapacity` numbers: every slot's value (constants included), then at
    /// `slotCapacity + 2k + side` the stored partials of operation k.
    @usableFromInline var values: UnsafeMutablePointer<T>
    @usableFromInline var adjoints: UnsafeMutablePointer<T>
    /// The uses of each result slot, built by ``finish(_:inputs:outputs:)``: slot k is read by the
    /// uses `uses[useStart[k]..<useStart[k + 1]]`, latest operation first, left
    /// operand before right (the order in which ``Tape``'s sweep adds them up).
    @usableFromInline var useStart: UnsafeMutablePointer<UInt32>
    /// Each use as `user | partial << 32`: the slot of the operation that reads (or
    /// ``previousMarker`` when that is the slot right after the operand), and where in
    /// ``values`` the partial toward the operand is.
    @usableFromInline var uses: UnsafeMutablePointer<UInt64>

    @inlinable static var constantFlag: UInt32 { 0x8000_0000 }
    /// The user written in ``uses`` for a use by the slot right after the operand.
    @inlinable static var previousMarker: UInt64 { 0xffff_ffff }
    /// The operand that reads constant 0 (the zero sink).
    @inlinable static var sink: UInt32 { constantFlag }
}

// MARK: - Recording

extension _TraceState {
    /// Appends a slot and returns its index.
    @inlinable @inline(__always)
    static func push(_ s: UnsafeMutablePointer<_TraceState>, _ code: _TraceCode, _ a: UInt32, _ b: UInt32) -> UInt32 {
        let i = s.pointee.count
        if i == s.pointee.capacity { grow(s) }
        s.pointee.codes[i] = code
        s.pointee.operands[i] = _TraceOperands(a, b)
        s.pointee.count = i + 1
        return UInt32(truncatingIfNeeded: i)
    }

    /// Stores a constant operand and returns its (flagged) operand index.
    @inlinable @inline(__always)
    static func pushConstant(_ s: UnsafeMutablePointer<_TraceState>, _ value: T) -> UInt32 {
        let j = s.pointee.constantCount
        if j == s.pointee.constantCapacity { growConstants(s) }
        s.pointee.constants[j] = value
        s.pointee.constantCount = j + 1
        return constantFlag | UInt32(truncatingIfNeeded: j)
    }

    @inlinable @inline(never)
    static func grow(_ s: UnsafeMutablePointer<_TraceState>) {
        let old = s.pointee.capacity
        autodiffRequire(old < Int(constantFlag / 4), "RecordedGradient", "overflow (\(old) operations recorded)")
        let new = old * 2
        let codes = UnsafeMutablePointer<_TraceCode>.allocate(capacity: new)
        codes.moveInitialize(from: s.pointee.codes, count: s.pointee.count)
        s.pointee.codes.deallocate()
        s.pointee.codes = codes
        let operands = UnsafeMutablePointer<_TraceOperands>.allocate(capacity: new)
        operands.moveInitialize(from: s.pointee.operands, count: s.pointee.count)
        s.pointee.operands.deallocate()
        s.pointee.operands = operands
        s.pointee.capacity = new
    }

    @inlinable @inline(never)
    static func growConstants(_ s: UnsafeMutablePointer<_TraceState>) {
        let old = s.pointee.constantCapacity
        autodiffRequire(old < Int(constantFlag / 4), "RecordedGradient", "overflow (\(old) constants recorded)")
        s.pointee.constants = _reallocated(s.pointee.constants, from: old, to: old * 2)
        s.pointee.constantCapacity = old * 2
    }

    /// Opens a recording with one input slot per entry of `x`, and returns the inputs.
    @inlinable
    static func beginRecording(_ s: UnsafeMutablePointer<_TraceState>, at x: [T]) -> [Traced<T>] {
        let generation = begin(s)
        return x.map { xi in
            Traced(value: xi, slot: push(s, .input, sink, sink), state: s, generation: generation)
        }
    }

    /// Stops unless `y`, a recorded function's result, is a constant or was recorded on `s`
    /// in the recording still open.
    @inlinable
    static func checkResult(_ y: Traced<T>, of s: UnsafeMutablePointer<_TraceState>, _ operation: StaticString) {
        guard let ys = y.state else { return }
        if ys.pointee.generation != y.generation { _staleTraced(T.self, "\(operation)") }
        autodiffRequire(ys == s, "\(operation)", """
            the function returned a Traced value recorded by another recording; Traced \
            values must not cross tapes.
            """)
    }

    /// Opens a recording: empties the program and returns the new generation.
    @inlinable
    static func begin(_ s: UnsafeMutablePointer<_TraceState>) -> UInt32 {
        s.pointee.generation &+= 1
        s.pointee.count = 0
        s.pointee.constantCount = 0
        s.pointee.unaries.removeAll(keepingCapacity: true)
        s.pointee.customs.removeAll(keepingCapacity: true)
        s.pointee.comparisons.removeAll(keepingCapacity: true)
        _ = pushConstant(s, 0)   // the sink
        _ = pushConstant(s, 1)   // ∂(x + y), ∂(x − y)/∂x
        _ = pushConstant(s, -1)  // ∂(x − y)/∂y
        return s.pointee.generation
    }

    /// Closes the recording (values recorded in it become stale) and lays the
    /// program out for replay: constant operands become slots after the last result,
    /// and each result slot's uses by operations that reach one of the `outputs` are listed with
    /// where their partials are. Uses by operations the output never reaches (unused
    /// intermediates) are left out, so the backward pass adds every listed term, a
    /// zero adjoint times an infinite partial included, as ``Tape``'s sweep does.
    @inlinable
    static func finish(_ s: UnsafeMutablePointer<_TraceState>, inputs: Int, outputs: [Int]) {
        s.pointee.generation &+= 1
        let m = s.pointee.count, c = s.pointee.constantCount
        autodiffRequire(m + c < Int(constantFlag / 2), "RecordedGradient", "overflow (\(m + c) slots)")
        if s.pointee.slotCapacity < m + c { growSlots(s, to: m + c) }
        let offset = UInt32(truncatingIfNeeded: m) &- constantFlag
        @inline(__always) func remap(_ o: UInt32) -> UInt32 { o >= constantFlag ? o &+ offset : o }
        let codes = s.pointee.codes, operands = s.pointee.operands
        let bound = UInt32(truncatingIfNeeded: m)
        let one = UInt64(bound &+ 1), minusOne = UInt64(bound &+ 2)
        let stored = UInt64(s.pointee.slotCapacity)
        // One pass from the newest operation down (users before what they use): remap the
        // constant operands, mark the operations the outputs reach (none when every output
        // is a constant), and count the uses of each result slot by reached operations
        // (constants need no adjoint; inputs have no operands).
        let reached = UnsafeMutablePointer<Bool>.allocate(capacity: Swift.max(m, 1))
        defer { reached.deallocate() }
        reached.initialize(repeating: false, count: Swift.max(m, 1))
        for output in outputs { reached[output] = true }
        let start = s.pointee.useStart
        start.update(repeating: 0, count: m + 1)
        var k = m
        while k > inputs {
            k &-= 1
            let a = remap(operands[k].lhs), b = remap(operands[k].rhs)
            operands[k] = _TraceOperands(a, b)
            guard reached[k] else { continue }
            if a < bound { reached[Int(a)] = true; start[Int(a) &+ 1] &+= 1 }
            if b < bound { reached[Int(b)] = true; start[Int(b) &+ 1] &+= 1 }
        }
        for k in 0..<m { start[k &+ 1] &+= start[k] }
        // A second pass down: fill the lists (latest operation first, left operand before
        // right), and give `+`, `−`, `×` whose operand is the slot computed just before a
        // variant that takes it from a register (see `_run`), after reading their code.
        let uses = s.pointee.uses
        k = m
        while k > inputs {
            k &-= 1
            let a = operands[k].lhs, b = operands[k].rhs
            let code = codes[k]
            if reached[k] {
                let left: UInt64, right: UInt64
                switch code {
                case .binary(.add): left = one; right = one
                case .binary(.subtract): left = one; right = minusOne
                case .binary(.multiply): left = UInt64(b); right = UInt64(a)
                default:
                    left = stored &+ 2 &* UInt64(k)
                    right = left &+ 1
                }
                // A use by the next slot is marked: the backward pass has that adjoint in a register.
                let user = UInt64(k)
                let next = UInt32(truncatingIfNeeded: k) &- 1
                if a < bound {
                    uses[Int(start[Int(a)])] = (a == next ? previousMarker : user) | left &<< 32
                    start[Int(a)] &+= 1
                }
                if b < bound {
                    uses[Int(start[Int(b)])] = (b == next ? previousMarker : user) | right &<< 32
                    start[Int(b)] &+= 1
                }
            }
            guard k >= 1 else { continue }
            let previous = UInt32(truncatingIfNeeded: k &- 1)
            let l = a == previous, r = b == previous
            guard l || r else { continue }
            switch code {
            case .binary(.add): codes[k] = l ? .addPreviousLeft : .addPreviousRight
            case .binary(.subtract): codes[k] = l ? .subtractPreviousLeft : .subtractPreviousRight
            case .binary(.multiply): codes[k] = l && r ? .squarePrevious : l ? .multiplyPreviousLeft : .multiplyPreviousRight
            default: break
            }
        }
        // The fill moved each start to the next slot's start: shift back.
        var i = m
        while i > 0 {
            start[i] = start[i &- 1]
            i &-= 1
        }
        start[0] = 0
        for j in s.pointee.customs.indices {
            s.pointee.customs[j].operands = s.pointee.customs[j].operands.map(remap)
        }
        let n = s.pointee.comparisons.count
        s.pointee.comparisons.withUnsafeMutableBufferPointer { cs in
            for k in 0..<n {
                cs[k].a = remap(cs[k].a)
                cs[k].b = remap(cs[k].b)
            }
        }
        (s.pointee.values + m).update(from: s.pointee.constants, count: c)
    }

    @inlinable @inline(never)
    static func growSlots(_ s: UnsafeMutablePointer<_TraceState>, to n: Int) {
        let old = s.pointee.slotCapacity
        let new = Swift.max(n, old * 2)
        s.pointee.values = _reallocated(s.pointee.values, from: 3 * old, to: 3 * new)
        s.pointee.adjoints = _reallocated(s.pointee.adjoints, from: old, to: new)
        s.pointee.useStart.deallocate()
        s.pointee.useStart = .allocate(capacity: new + 1)
        s.pointee.uses.deallocate()
        s.pointee.uses = .allocate(capacity: 2 * new)
        s.pointee.slotCapacity = new
    }
}

/// A buffer of `new` elements holding `old`'s elements then zeros (`old` is freed).
/// Buffers of `T` are kept fully initialized, so any `T` (not only trivial ones) is safe.
@inlinable
internal func _reallocated<T: Real>(_ p: UnsafeMutablePointer<T>, from old: Int, to new: Int) -> UnsafeMutablePointer<T> {
    let q = UnsafeMutablePointer<T>.allocate(capacity: new)
    q.moveInitialize(from: p, count: old)
    (q + old).initialize(repeating: 0, count: new - old)
    p.deallocate()
    return q
}

// MARK: - Replay

extension _TraceState {
    /// Computes slots `start..<end` from their operands, with one rule-table
    /// evaluation per operation, and stores the partials that ``finish(_:inputs:outputs:)``
    /// did not find elsewhere (all but those of `+`, `−`, `×`). The `previous`
    /// variants of `+`, `−`, `×` take the slot just computed from a register instead
    /// of reloading it, which shortens chains of dependent operations.
    /// (`unaries` is the recording's list of unary rules, read in order through `cursor`.)
    @inlinable @inline(__always)
    static func _run(_ s: UnsafeMutablePointer<_TraceState>, _ start: Int, _ end: Int, _ cursor: inout Int,
                     _ unaries: UnsafeBufferPointer<UnaryFunction>) {
        guard start < end else { return }
        let codes = s.pointee.codes, operands = s.pointee.operands
        let v = s.pointee.values
        let d = v + s.pointee.slotCapacity
        var last = v[start &- 1]
        var k = start
        while k < end {
            let o = operands[k]
            // Operands are loaded only where used: a load of the slot just stored,
            // issued early, would only compete with the register copy.
            var x: T { v[Int(o.lhs)] }
            var y: T { v[Int(o.rhs)] }
            @inline(__always) func store(_ r: (value: T, dx: T, dy: T)) -> T {
                d[2 &* k] = r.dx
                d[2 &* k &+ 1] = r.dy
                return r.value
            }
            @inline(__always) func store(_ r: (value: T, derivative: T)) -> T {
                d[2 &* k] = r.derivative
                return r.value
            }
            let value: T
            switch codes[k] {
            case .binary(.add): value = x + y
            case .binary(.subtract): value = x - y
            case .binary(.multiply): value = x * y
            case .addPreviousLeft: value = last + y
            case .addPreviousRight: value = x + last
            case .subtractPreviousLeft: value = last - y
            case .subtractPreviousRight: value = x - last
            case .multiplyPreviousLeft: value = last * y
            case .multiplyPreviousRight: value = x * last
            case .squarePrevious: value = last * last
            case .binary(let f): value = store(f.evaluate(x, y))
            case .unary:
                value = store(unaries[cursor].evaluate(x))
                cursor &+= 1
            case .custom:
                // Evaluated once for all its slots; continue after them.
                let taken = _runCustom(s, at: k, values: v, partials: true, lift: { $0 })
                k &+= taken &- 1
                value = v[k]
            case .input:
                value = v[k]  // never reached: replay starts after the inputs
            }
            v[k] = value
            last = value
            k &+= 1
        }
    }

    /// The forward pass at the inputs already written to slots `0..<inputs`: every
    /// slot, every stored partial, and every recorded comparison checked as soon as
    /// its operands are computed. Returns the number of the first comparison that
    /// came out differently (the pass stops there), or nil.
    @inlinable
    static func forward(_ s: UnsafeMutablePointer<_TraceState>, inputs: Int, checking: Bool) -> Int? {
        // The unary rules are read through one buffer pointer for the whole pass (taking it
        // per segment between comparisons cost ~15 ns a segment).
        s.pointee.unaries.withUnsafeBufferPointer { unaries in
            var cursor = 0
            var k = inputs
            if checking && !s.pointee.comparisons.isEmpty {
                let v = s.pointee.values
                let changed: Int? = s.pointee.comparisons.withUnsafeBufferPointer { cs in
                    for j in cs.indices {
                        let c = cs[j]
                        let p = Int(c.position)
                        if p > k {
                            _run(s, k, p, &cursor, unaries)
                            k = p
                        }
                        if !c.holds(v) { return j }
                    }
                    return nil
                }
                if changed != nil { return changed }
            }
            _run(s, k, s.pointee.count, &cursor, unaries)
            return nil
        }
    }

    /// The backward pass from slot `output`: each slot's adjoint is gathered from its
    /// uses (the user's adjoint times the partial), with the values of the last
    /// forward pass. The terms are added in the order, and with the same arithmetic,
    /// as in ``Tape``'s reverse sweep, so the adjoints are bit for bit those of
    /// `gradient(at:)`. Only users that reach the output are listed (see
    /// ``finish(_:inputs:outputs:)``), so every term is added: a zero adjoint times an
    /// infinite partial is NaN there, as in the sweep, and a zero times a finite
    /// partial adds a zero to a sum that (starting from +0) is never −0.
    @inlinable
    static func backward(_ s: UnsafeMutablePointer<_TraceState>, from output: Int) {
        let m = s.pointee.count
        let p = s.pointee.values, adj = s.pointee.adjoints
        let start = s.pointee.useStart, uses = s.pointee.uses
        (adj + output).update(repeating: 0, count: m - output)
        adj[output] = 1
        let marker = UInt32(truncatingIfNeeded: previousMarker)
        do {
            // The adjoint of slot k + 1 (just computed) is read from a register, not
            // reloaded: on chains of operations that halves the latency per step.
            var previous: T = 1
            var k = output
            while k > 0 {
                k &-= 1
                var e = Int(start[k])
                let end = Int(start[k &+ 1])
                let sum: T
                if end &- e == 1 {
                    // Most slots are used once: no loop.
                    let u = uses[e]
                    let user = UInt32(truncatingIfNeeded: u)
                    let a: T
                    if user == marker { a = previous } else { a = adj[Int(user)] }
                    sum = 0 + a * p[Int(truncatingIfNeeded: u &>> 32)]  // as the sweep: +0 + term, never −0
                } else {
                    var total: T = 0
                    while e < end {
                        let u = uses[e]
                        let user = UInt32(truncatingIfNeeded: u)
                        let a: T
                        if user == marker { a = previous } else { a = adj[Int(user)] }
                        total += a * p[Int(truncatingIfNeeded: u &>> 32)]
                        e &+= 1
                    }
                    sum = total
                }
                adj[k] = sum
                previous = sum
            }
        }
    }
}

extension _TraceState {
    /// The backward passes from up to `L` output slots at once, after a forward pass with
    /// partials: lane `ℓ` of `adj[k]` is slot `k`'s adjoint for a pass from the slot seeded
    /// in lane `ℓ`, for every slot. `seeds` holds (lane, slot) pairs ordered by decreasing
    /// slot. Each lane adds the terms of ``backward(from:)`` in the same order; the terms a
    /// lane gets from above its own output are exact zeros, which change no sum, unless a
    /// partial there is infinite: then a lane can come out NaN where its own pass is not,
    /// and the caller must check (``RecordedFunction/_reverse(seeds:rows:)`` redoes such a
    /// row).
    @inlinable
    static func backward<let L: Int>(_ s: UnsafeMutablePointer<_TraceState>,
                                     seeds: UnsafeBufferPointer<(lane: Int, slot: Int)>,
                                     into adj: UnsafeMutablePointer<InlineArray<L, T>>) {
        let m = s.pointee.count
        let p = s.pointee.values
        let start = s.pointee.useStart, uses = s.pointee.uses
        guard let top = seeds.first?.slot else { return }
        (adj + top).update(repeating: InlineArray(repeating: 0), count: m - top)
        let marker = UInt32(truncatingIfNeeded: previousMarker)
        var next = 0
        var k = top
        while k >= 0 {
            var e = Int(start[k])
            let end = Int(start[k &+ 1])
            var sum: InlineArray<L, T>
            @inline(__always) func term(_ u: UInt64) -> (a: InlineArray<L, T>, partial: T) {
                let user = UInt32(truncatingIfNeeded: u)
                return (adj[user == marker ? k &+ 1 : Int(user)], p[Int(truncatingIfNeeded: u &>> 32)])
            }
            if end &- e == 1 {
                // Most slots are used once: the lanes straight from one product (a sum kept
                // across a loop would live in memory, one store-to-load latency per use).
                let (a, partial) = term(uses[e])
                sum = InlineArray { l in 0 + a[l] * partial }
            } else {
                sum = InlineArray(repeating: 0)
                while e < end {
                    let (a, partial) = term(uses[e])
                    for l in 0..<L { sum[l] += a[l] * partial }
                    e &+= 1
                }
            }
            while next < seeds.count && seeds[next].slot == k {
                sum[seeds[next].lane] = 1
                next &+= 1
            }
            adj[k] = sum
            k &-= 1
        }
    }
}

// MARK: - Pool

/// Free trace states by scalar type. Headers are never deallocated; their buffers
/// are kept for reuse and trimmed when they grew very large.
private let _tracePool = Mutex<[ObjectIdentifier: [_PooledTrace]]>([:])

/// A free trace state. Only the tape that takes it from the pool touches it.
private struct _PooledTrace: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

extension _TraceState {
    /// Buffers above this many elements are freed on release instead of being kept.
    static var retainedCapacityLimit: Int { 1 << 22 }
    static var initialCapacity: Int { 1024 }

    @usableFromInline
    static func acquire() -> UnsafeMutablePointer<_TraceState> {
        let key = ObjectIdentifier(T.self)
        if let reused = _tracePool.withLock({ pool in pool[key]?.popLast() })?.pointer {
            return reused.assumingMemoryBound(to: _TraceState.self)
        }
        let c = initialCapacity
        let s = UnsafeMutablePointer<_TraceState>.allocate(capacity: 1)
        s.initialize(to: _TraceState(
            generation: 0, count: 0, capacity: c, codes: .allocate(capacity: c), operands: .allocate(capacity: c),
            constantCount: 0, constantCapacity: c, constants: _zeros(c), unaries: [], customs: [], comparisons: [],
            slotCapacity: c, values: _zeros(3 * c), adjoints: _zeros(c),
            useStart: .allocate(capacity: c + 1), uses: .allocate(capacity: 2 * c)))
        return s
    }

    @usableFromInline
    static func release(_ s: UnsafeMutablePointer<_TraceState>) {
        s.pointee.generation &+= 1
        s.pointee.count = 0
        s.pointee.constantCount = 0
        s.pointee.unaries = []
        s.pointee.customs = []
        s.pointee.comparisons = []
        let c = initialCapacity
        if s.pointee.capacity > retainedCapacityLimit {
            s.pointee.codes.deallocate()
            s.pointee.operands.deallocate()
            s.pointee.codes = .allocate(capacity: c)
            s.pointee.operands = .allocate(capacity: c)
            s.pointee.capacity = c
        }
        func free(_ p: UnsafeMutablePointer<T>, _ n: Int) {
            p.deinitialize(count: n)
            p.deallocate()
        }
        if s.pointee.constantCapacity > retainedCapacityLimit {
            free(s.pointee.constants, s.pointee.constantCapacity)
            s.pointee.constants = _zeros(c)
            s.pointee.constantCapacity = c
        }
        if s.pointee.slotCapacity > retainedCapacityLimit {
            free(s.pointee.values, 3 * s.pointee.slotCapacity)
            free(s.pointee.adjoints, s.pointee.slotCapacity)
            s.pointee.values = _zeros(3 * c)
            s.pointee.adjoints = _zeros(c)
            s.pointee.useStart.deallocate()
            s.pointee.useStart = .allocate(capacity: c + 1)
            s.pointee.uses.deallocate()
            s.pointee.uses = .allocate(capacity: 2 * c)
            s.pointee.slotCapacity = c
        }
        let key = ObjectIdentifier(T.self)
        _tracePool.withLock { pool in pool[key, default: []].append(_PooledTrace(pointer: UnsafeMutableRawPointer(s))) }
    }

    private static func _zeros(_ n: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }
}
