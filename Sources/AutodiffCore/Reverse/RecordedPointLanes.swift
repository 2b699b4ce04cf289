import RealModule

// The recorded program replayed at `P` points at once (JAX's `vmap` of a recording): each slot
// holds `P` values, one per point, so the interpreter's work per operation (decoding it,
// dispatching on its rule) is shared by the points and the arithmetic runs on lanes. Used by
// `RecordedFunction.jacobians(at:into:mode:)` for groups of points whose recorded comparisons
// all come out as recorded; each lane computes exactly what the one-point replay computes, in
// the same order, so results are bit for bit those of the point alone.

extension _TraceState {
    /// Computes every slot after the `inputs` (written to `v[0..<inputs]`, one lane per
    /// point) and the partials of every operation that is not `+`, `−`, `×`, in the layout of
    /// ``values`` (slots, constants, partials at `slotCapacity + 2k + side`). Returns false,
    /// and stops, as soon as a recorded comparison comes out differently at any of the
    /// points; the recording must have no custom rule (``customs`` empty).
    @inlinable
    static func replayPoints<let P: Int>(_ s: UnsafeMutablePointer<_TraceState>, inputs: Int,
                                         into v: UnsafeMutablePointer<InlineArray<P, T>>) -> Bool {
        typealias Lanes = InlineArray<P, T>
        let m = s.pointee.count, c = s.pointee.constantCount
        let constants = s.pointee.constants
        for j in 0..<c { v[m &+ j] = Lanes(repeating: constants[j]) }
        let d = v + s.pointee.slotCapacity
        let codes = s.pointee.codes, operands = s.pointee.operands
        return s.pointee.unaries.withUnsafeBufferPointer { unaries in
            s.pointee.comparisons.withUnsafeBufferPointer { comparisons in
                var cursor = 0
                var next = 0
                @inline(__always) func holds(upTo k: Int) -> Bool {
                    while next < comparisons.count && Int(comparisons[next].position) <= k {
                        let comparison = comparisons[next]
                        let x = v[Int(comparison.a)], y = v[Int(comparison.b)]
                        for l in 0..<P where !comparison.holds(x[l], y[l]) { return false }
                        next &+= 1
                    }
                    return true
                }
                var k = inputs
                while k < m {
                    if !holds(upTo: k) { return false }
                    let o = operands[k]
                    let x = v[Int(o.lhs)]
                    switch codes[k] {
                    case .input, .custom:
                        return false  // not produced by a recording without custom rules
                    case .unary:
                        let f = unaries[cursor]
                        cursor &+= 1
                        var value = Lanes(repeating: 0), partial = Lanes(repeating: 0)
                        for l in 0..<P { (value[l], partial[l]) = f.evaluate(x[l]) }
                        v[k] = value
                        d[2 &* k] = partial
                    case .binary(.add), .addPreviousLeft, .addPreviousRight:
                        let y = v[Int(o.rhs)]
                        v[k] = Lanes { l in x[l] + y[l] }
                    case .binary(.subtract), .subtractPreviousLeft, .subtractPreviousRight:
                        let y = v[Int(o.rhs)]
                        v[k] = Lanes { l in x[l] - y[l] }
                    case .binary(.multiply), .multiplyPreviousLeft, .multiplyPreviousRight, .squarePrevious:
                        let y = v[Int(o.rhs)]
                        v[k] = Lanes { l in x[l] * y[l] }
                    case .binary(let f):
                        let y = v[Int(o.rhs)]
                        var value = Lanes(repeating: 0), dx = Lanes(repeating: 0), dy = Lanes(repeating: 0)
                        for l in 0..<P { (value[l], dx[l], dy[l]) = f.evaluate(x[l], y[l]) }
                        v[k] = value
                        d[2 &* k] = dx
                        d[2 &* k &+ 1] = dy
                    }
                    k &+= 1
                }
                return holds(upTo: m)
            }
        }
    }

    /// The backward pass from slot `output` at the `P` points of a ``replayPoints(_:inputs:into:)``
    /// (values and partials `p`): ``backward(from:)``'s sums, lane by lane.
    @inlinable
    static func backwardPoints<let P: Int>(_ s: UnsafeMutablePointer<_TraceState>, from output: Int,
                                           values p: UnsafeMutablePointer<InlineArray<P, T>>,
                                           adjoints adj: UnsafeMutablePointer<InlineArray<P, T>>) {
        typealias Lanes = InlineArray<P, T>
        let start = s.pointee.useStart, uses = s.pointee.uses
        let marker = UInt32(truncatingIfNeeded: previousMarker)
        (adj + output).update(repeating: Lanes(repeating: 0), count: s.pointee.count - output)
        adj[output] = Lanes(repeating: 1)
        var k = output
        while k > 0 {
            k &-= 1
            var e = Int(start[k])
            let end = Int(start[k &+ 1])
            @inline(__always) func term(_ u: UInt64) -> (a: Lanes, partial: Lanes) {
                let user = UInt32(truncatingIfNeeded: u)
                return (adj[user == marker ? k &+ 1 : Int(user)], p[Int(truncatingIfNeeded: u &>> 32)])
            }
            if end &- e == 1 {
                // Most slots are used once: the lanes straight from one product.
                let (a, partial) = term(uses[e])
                adj[k] = Lanes { l in 0 + a[l] * partial[l] }
            } else {
                var sum = Lanes(repeating: 0)
                while e < end {
                    let (a, partial) = term(uses[e])
                    for l in 0..<P { sum[l] += a[l] * partial[l] }
                    e &+= 1
                }
                adj[k] = sum
            }
        }
    }
}
