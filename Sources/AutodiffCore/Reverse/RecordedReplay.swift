import RealModule

// The recorded program of a `_TraceState`, replayed with values of any `Real` type `V`:
// plain numbers (vector–Jacobian products), `DualVector` lanes (tangents, forward
// Jacobians) and `DualVector` lanes with a reverse pass (forward-over-reverse Hessians).
// The fast one-type replay of `RecordedGradient` (`_run`, `backward`) stays as it is;
// these passes read the same program (codes, operands, unary rules, constants,
// comparisons, use lists), so there is one recording and one list of rules.

extension _TraceState {
    /// Computes every slot after the `inputs` (already written to `v[0..<inputs]`) with
    /// values of type `V`, in the layout of ``values``: slots, then constants (lifted
    /// with `lift`), then, when `partials`, the stored partials of each operation that is
    /// not `+`, `−`, `×` at `slotCapacity + 2k + side`. When `checking`, each recorded
    /// comparison is checked (on `V`'s comparison, which compares values) as soon as its
    /// operands are computed; returns the number of the first that comes out
    /// differently (the pass stops there), or nil.
    @inlinable
    static func replay<V: Real>(_ s: UnsafeMutablePointer<_TraceState>, inputs: Int,
                                into v: UnsafeMutablePointer<V>, partials: Bool, checking: Bool,
                                lift: (T) -> V) -> Int? {
        let m = s.pointee.count, c = s.pointee.constantCount
        let constants = s.pointee.constants
        for j in 0..<c { v[m &+ j] = lift(constants[j]) }
        let d = v + s.pointee.slotCapacity
        let codes = s.pointee.codes, operands = s.pointee.operands
        return s.pointee.unaries.withUnsafeBufferPointer { unaries in
            s.pointee.comparisons.withUnsafeBufferPointer { comparisons in
                var cursor = 0
                var next = 0
                @inline(__always) func check(upTo k: Int) -> Int? {
                    while next < comparisons.count && Int(comparisons[next].position) <= k {
                        if !comparisons[next].holds(v) { return next }
                        next &+= 1
                    }
                    return nil
                }
                var k = inputs
                while k < m {
                    if checking, let changed = check(upTo: k) { return changed }
                    let o = operands[k]
                    let x = v[Int(o.lhs)]
                    let value: V
                    switch codes[k] {
                    case .input: value = v[k]
                    case .custom:
                        let taken = _runCustom(s, at: k, values: v, partials: partials, lift: lift)
                        k &+= taken &- 1
                        value = v[k]
                    case .unary:
                        let f = unaries[cursor]
                        cursor &+= 1
                        if partials {
                            let r = f.evaluate(x)
                            d[2 &* k] = r.derivative
                            value = r.value
                        } else {
                            // The rule itself (on lanes: the table's derivative, not the value formula's).
                            value = V.rule(f, x)
                        }
                    case .binary(.add), .addPreviousLeft, .addPreviousRight: value = x + v[Int(o.rhs)]
                    case .binary(.subtract), .subtractPreviousLeft, .subtractPreviousRight: value = x - v[Int(o.rhs)]
                    case .binary(.multiply), .multiplyPreviousLeft, .multiplyPreviousRight, .squarePrevious:
                        value = x * v[Int(o.rhs)]
                    case .binary(let f):
                        let y = v[Int(o.rhs)]
                        if partials {
                            let r = f.evaluate(x, y)
                            d[2 &* k] = r.dx
                            d[2 &* k &+ 1] = r.dy
                            value = r.value
                        } else {
                            value = f.value(x, y)
                        }
                    }
                    v[k] = value
                    k &+= 1
                }
                return checking ? check(upTo: m) : nil
            }
        }
    }

    /// The reverse pass over values `p` of a ``replay(_:inputs:into:partials:checking:lift:)``
    /// with partials: `adj[k]` for every slot `k ≤ top`, the seed of slot `k` (from
    /// `seed`, zero for slots without one) plus the adjoints of its uses times their
    /// partials. The uses listed are those that reach the outputs given to
    /// ``finish(_:inputs:outputs:)``, so `top` and the seeded slots must be among them.
    /// With `reaching` (one flag per slot up to `top`, from ``reaching(_:from:top:)``), the
    /// uses by slots whose flag is false are skipped.
    @inlinable
    static func replayBackward<V: Real>(_ s: UnsafeMutablePointer<_TraceState>, values p: UnsafeMutablePointer<V>,
                                        adjoints adj: UnsafeMutablePointer<V>, top: Int,
                                        seeds: UnsafeBufferPointer<(slot: Int, seed: V)>,
                                        reaching mask: UnsafePointer<Bool>? = nil) {
        let start = s.pointee.useStart, uses = s.pointee.uses
        adj.update(repeating: V.zero, count: top + 1)
        for (slot, seed) in seeds { adj[slot] += seed }
        let marker = UInt32(truncatingIfNeeded: previousMarker)
        // The partials of `+` and `−` are the constant slots 1 and −1 (see `finish`): added
        // or subtracted without a multiplication, which on lanes is most of the work.
        let one = UInt64(s.pointee.count &+ 1), minusOne = UInt64(s.pointee.count &+ 2)
        var k = top
        while k >= 0 {
            var sum = adj[k]
            var e = Int(start[k])
            let end = Int(start[k &+ 1])
            while e < end {
                let u = uses[e]
                let user = UInt32(truncatingIfNeeded: u)
                if let mask, !mask[user == marker ? k &+ 1 : Int(user)] {
                    e &+= 1
                    continue
                }
                let a = user == marker ? adj[k &+ 1] : adj[Int(user)]
                let partial = u &>> 32
                if partial == one {
                    sum += a
                } else if partial == minusOne {
                    sum -= a
                } else {
                    sum += a * p[Int(truncatingIfNeeded: partial)]
                }
                e &+= 1
            }
            adj[k] = sum
            k &-= 1
        }
    }
}

extension _TraceState {
    /// Which slots up to `top` reach one of the slots `outputs` through the listed uses:
    /// the operations a reverse pass seeded at those outputs alone may count.
    @inlinable
    static func reaching(_ s: UnsafeMutablePointer<_TraceState>, from outputs: [Int], top: Int) -> [Bool] {
        let start = s.pointee.useStart, uses = s.pointee.uses
        let marker = UInt32(truncatingIfNeeded: previousMarker)
        var mask = [Bool](repeating: false, count: top + 1)
        for slot in outputs { mask[slot] = true }
        var k = top
        while k >= 0 {
            if !mask[k] {
                for e in Int(start[k])..<Int(start[k &+ 1]) {
                    let user = UInt32(truncatingIfNeeded: uses[e])
                    let index = user == marker ? k &+ 1 : Int(user)
                    if index <= top && mask[index] {
                        mask[k] = true
                        break
                    }
                }
            }
            k &-= 1
        }
        return mask
    }
}

extension _TraceState {
    /// Evaluates the custom rule whose first slot is `k` on the replayed values of its
    /// inputs (``CustomDerivativeRule``'s own application: on lanes, the rule's value with
    /// its gradient's tangents), writes the value to each of its slots and, when
    /// `partials`, their partials (see ``_TraceCustom``). Returns the number of slots.
    @inlinable @inline(never)
    static func _runCustom<V: Real>(_ s: UnsafeMutablePointer<_TraceState>, at k: Int, values v: UnsafeMutablePointer<V>,
                                    partials: Bool, lift: (T) -> V) -> Int {
        // The customs are in slot order: binary search for the one starting at k.
        let customs = s.pointee.customs
        var low = 0, high = customs.count
        while low < high {
            let mid = (low + high) / 2
            if customs[mid].first < k { low = mid + 1 } else { high = mid }
        }
        let custom = customs[low]
        let inputs = custom.operands.map { v[Int($0)] }
        let value: V = custom.rule(inputs)
        for j in 0..<custom.count { v[k + j] = value }
        if partials {
            let g = custom.rule._checkedGradient(inputs)
            let d = v + s.pointee.slotCapacity
            d[2 * k] = g[0]
            d[2 * k + 1] = g.count > 1 ? g[1] : V.zero
            for j in 1..<Swift.max(1, custom.count) {
                d[2 * (k + j)] = 1
                d[2 * (k + j) + 1] = g[j + 1]
            }
        }
        return custom.count
    }
}

/// Scratch memory for replays with other value types, kept by a recorded function and
/// reused across calls (a prepared evaluation allocates nothing after the first).
@usableFromInline
internal struct _ReplayScratch {
    @usableFromInline var memory: UnsafeMutableRawPointer?
    @usableFromInline var bytes = 0

    @inlinable init() {}

    /// `count` values of `V` for the duration of `body`: zeros for types that are not
    /// trivial, left as they are for trivial ones (the replays write before they read).
    @inlinable
    mutating func with<V: Real, R>(_: V.Type, count: Int, _ body: (UnsafeMutablePointer<V>) throws -> R) rethrows -> R {
        let needed = count * MemoryLayout<V>.stride
        if needed > bytes {
            memory?.deallocate()
            bytes = Swift.max(needed, 2 * bytes)
            memory = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        }
        let p = memory!.bindMemory(to: V.self, capacity: count)
        if _isPOD(V.self) { return try body(p) }
        p.initialize(repeating: V.zero, count: count)
        defer { p.deinitialize(count: count) }
        return try body(p)
    }

    @inlinable
    func deallocate() { memory?.deallocate() }
}
