import RealModule

// Sparsity patterns of a recorded program, by propagating index sets over it (as
// SparseConnectivityTracer.jl and CppAD's for_jac_sparsity / for_hes_sparsity do), and
// the sparse Jacobians and Hessians of a `RecordedFunction` from one compressed replay
// with colour-seeded lanes.

/// Index sets of the inputs each slot depends on, shared between slots (a unary
/// operation or an operation with one non-constant operand passes its operand's set on).
@usableFromInline
internal struct _IndexSets {
    /// The set of each slot: an index into `sets`, or -1 for the empty set.
    var ofSlot: [Int32]
    /// Sorted input indices.
    var sets: [[Int32]]

    /// The union of sets `a` and `b` (either may be -1).
    mutating func union(_ a: Int32, _ b: Int32) -> Int32 {
        if a < 0 || a == b { return b }
        if b < 0 { return a }
        let merged = _merged(sets[Int(a)], sets[Int(b)])
        if merged.count == sets[Int(a)].count { return a }
        if merged.count == sets[Int(b)].count { return b }
        sets.append(merged)
        return Int32(sets.count - 1)
    }
}

/// The sorted union of two sorted arrays.
internal func _merged(_ a: [Int32], _ b: [Int32]) -> [Int32] {
    var out: [Int32] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0, j = 0
    while i < a.count && j < b.count {
        if a[i] < b[j] { out.append(a[i]); i += 1 }
        else if b[j] < a[i] { out.append(b[j]); j += 1 }
        else { out.append(a[i]); i += 1; j += 1 }
    }
    out.append(contentsOf: a[i...])
    out.append(contentsOf: b[j...])
    return out
}

extension _TraceState {
    /// Walks the recorded operations in order, giving `body` each one's slot, rule (nil
    /// for `+`, `−`, `×` in their `previous` forms: see the cases) and operand slots.
    /// Operand slots at or above `count` are constants.
    static func forEachOperation(_ s: UnsafeMutablePointer<_TraceState>, inputs: Int,
                                 _ body: (_ k: Int, _ rule: _RecordedRule, _ a: Int, _ b: Int) -> Void) {
        let codes = s.pointee.codes, operands = s.pointee.operands
        var cursor = 0
        for k in inputs..<s.pointee.count {
            let o = operands[k]
            let rule: _RecordedRule
            switch codes[k] {
            case .input: continue
            case .unary:
                rule = .unary(s.pointee.unaries[cursor])
                cursor += 1
            case .binary(let f): rule = .binary(f)
            case .addPreviousLeft, .addPreviousRight: rule = .binary(.add)
            case .subtractPreviousLeft, .subtractPreviousRight: rule = .binary(.subtract)
            case .multiplyPreviousLeft, .multiplyPreviousRight, .squarePrevious: rule = .binary(.multiply)
            }
            body(k, rule, Int(o.lhs), Int(o.rhs))
        }
    }

    /// The inputs each slot depends on (its row of the Jacobian's pattern), by
    /// propagating index sets: an input depends on itself, a constant on nothing, an
    /// operation on the union of its operands' sets (nothing for rounding, whose
    /// derivative is zero).
    static func dependencies(_ s: UnsafeMutablePointer<_TraceState>, inputs n: Int) -> _IndexSets {
        let m = s.pointee.count
        var sets = _IndexSets(ofSlot: [Int32](repeating: -1, count: m), sets: (0..<n).map { [Int32($0)] })
        for i in 0..<n { sets.ofSlot[i] = Int32(i) }
        @inline(__always) func set(_ slot: Int) -> Int32 { slot < m ? sets.ofSlot[slot] : -1 }
        forEachOperation(s, inputs: n) { k, rule, a, b in
            switch rule {
            case .unary(let f): sets.ofSlot[k] = f.hasZeroDerivative ? -1 : set(a)
            case .binary: sets.ofSlot[k] = sets.union(set(a), set(b))
            }
        }
        return sets
    }

    /// The pattern of the Hessian of `Σ wᵢ·outputᵢ` for any weights: for each operation
    /// the outputs reach, the pairs of inputs its nonzero second partials join (a
    /// curved unary function joins its operand's inputs with themselves, `x·y` joins
    /// x's with y's, and so on, as ``BinaryFunction/secondOrderInteractions`` says).
    /// Returns the column sets of each row.
    static func hessianRows(_ s: UnsafeMutablePointer<_TraceState>, inputs n: Int, outputs: [Int]) -> [[Int]] {
        let m = s.pointee.count
        let sets = dependencies(s, inputs: n)
        var reached = [Bool](repeating: false, count: m)
        for o in outputs { reached[o] = true }
        let operands = s.pointee.operands
        if let top = outputs.max() {
            var k = top
            while k >= n {
                if reached[k] {
                    let a = Int(operands[k].lhs), b = Int(operands[k].rhs)
                    if a < m { reached[a] = true }
                    if b < m { reached[b] = true }
                }
                k -= 1
            }
        }
        var rows = [[Int32]](repeating: [], count: n)
        var joined = Set<Int64>()
        @inline(__always) func set(_ slot: Int) -> Int32 { slot < m ? sets.ofSlot[slot] : -1 }
        func join(_ p: Int32, _ q: Int32) {
            guard p >= 0, q >= 0, joined.insert(Int64(p) << 32 | Int64(q)).inserted else { return }
            let P = sets.sets[Int(p)], Q = sets.sets[Int(q)]
            for i in P { rows[Int(i)] = _merged(rows[Int(i)], Q) }
            if p != q {
                _ = joined.insert(Int64(q) << 32 | Int64(p))
                for j in Q { rows[Int(j)] = _merged(rows[Int(j)], P) }
            }
        }
        forEachOperation(s, inputs: n) { k, rule, a, b in
            guard reached[k] else { return }
            switch rule {
            case .unary(let f):
                if !f.isPiecewiseLinear { join(set(a), set(a)) }
            case .binary(let f):
                let (xx, xy, yy) = f.secondOrderInteractions
                if xx { join(set(a), set(a)) }
                if xy { join(set(a), set(b)) }
                if yy { join(set(b), set(b)) }
            }
        }
        return rows.map { $0.map(Int.init) }
    }
}

/// A recorded operation's rule, as the sparsity passes see it.
internal enum _RecordedRule {
    case unary(UnaryFunction)
    case binary(BinaryFunction)
}

/// The sparsity patterns and colourings of a ``RecordedFunction``'s current recording,
/// made when first asked for and dropped when the function is recorded again.
@usableFromInline
internal struct _PreparedSparsity {
    @usableFromInline var jacobian: SparsityPattern?
    @usableFromInline var hessian: SparsityPattern?
    @usableFromInline var columns: JacobianColouring?
    @usableFromInline var rows: JacobianColouring?
    @usableFromInline var symmetric: HessianColouring?
    @inlinable init() {}
}

extension RecordedFunction {
    /// Which entries of the Jacobian may be nonzero (m rows of n): output `i` depends
    /// on input `j` through the recorded operations.
    ///
    /// The pattern is that of the operations recorded, so it holds wherever the recorded
    /// comparisons come out the same; where one comes out differently the function is
    /// recorded again (or the call throws, as ``policy`` says), and the pattern is made
    /// anew for the new recording. Entries in the pattern may still be zero at some
    /// points (`x·y` at y = 0).
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in [x[0] * x[1], Traced.sin(x[2])] }
    /// print(f.jacobianSparsity)     // X X .
    ///                               // . . X
    /// ```
    public var jacobianSparsity: SparsityPattern {
        if let p = prepared.jacobian { return p }
        let sets = _TraceState.dependencies(state, inputs: inputCount)
        let rows = outputSlots.map { slot -> [Int] in
            guard let slot, sets.ofSlot[slot] >= 0 else { return [] }
            return sets.sets[Int(sets.ofSlot[slot])].map(Int.init)
        }
        let p = SparsityPattern(rowCount: outputCount, columnCount: inputCount, rows: rows)
        prepared.jacobian = p
        return p
    }

    /// Which entries of the Hessian (n × n, symmetric) may be nonzero: of the one output,
    /// or of any weighted sum of the outputs. Like ``jacobianSparsity``, it is the pattern
    /// of the operations recorded.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in x[0] * x[1] + Traced.exp(x[2]) }
    /// print(f.hessianSparsity)      // . X .
    ///                               // X . .
    ///                               // . . X
    /// ```
    public var hessianSparsity: SparsityPattern {
        if let p = prepared.hessian { return p }
        let rows = _TraceState.hessianRows(state, inputs: inputCount, outputs: outputSlots.compactMap { $0 })
        let p = SparsityPattern(rowCount: inputCount, columnCount: inputCount, rows: rows)
        prepared.hessian = p
        return p
    }

    /// The Jacobian at `x` as a sparse matrix of ``jacobianSparsity``, from one compressed
    /// evaluation: forward replays with one tangent lane per colour of the columns
    /// (columns of one colour share no row), or, in reverse mode, one reverse pass per
    /// colour of the rows. ``JacobianMode/automatic`` takes the mode with fewer colours.
    /// The pattern and colourings are kept with the recording, so a repeated call costs
    /// only the replay and the recovery.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in [x[0] * x[1], Traced.sin(x[2])] }
    /// let J = try f.sparseJacobian(at: [1.0, 2.0, 0.0])
    /// J[0, 1]       // 1.0
    /// J.dense       // [[2.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    /// ```
    @inlinable
    public func sparseJacobian(at x: [T], mode: JacobianMode = .automatic) throws(RecordedGradientError) -> SparseMatrix<T> {
        _checkInput(x, "RecordedFunction.sparseJacobian(at:mode:)")
        let recordings = _recordings
        let pattern = jacobianSparsity
        if prepared.columns == nil { prepared.columns = JacobianColouring(columnsOf: pattern) }
        if prepared.rows == nil && mode != .forward { prepared.rows = JacobianColouring(rowsOf: pattern) }
        let columns = prepared.columns!
        let forward = mode == .forward || (mode == .automatic && columns.colourCount <= prepared.rows!.colourCount)
        let m = outputCount, n = inputCount
        let result: SparseMatrix<T>
        if forward {
            let c = columns.colourCount, colours = columns.colours
            var compressed = [T](repeating: 0, count: m * c)
            try _forwardLanes(at: x, directions: c, seed: { i, d in colours[i] == d ? 1 : 0 }) { d, tangent in
                for r in 0..<m { compressed[r * c + d] = tangent(r) }
            }
            result = columns.recover(compressed: compressed)
        } else {
            let rows = prepared.rows!
            let c = rows.colourCount, colours = rows.colours
            var compressed = [T](repeating: 0, count: c * n)
            try _withReplay(at: x, partials: true, lift: { $0 }, input: { x[$1] }) { _, v, adj in
                for d in 0..<c {
                    let g = _reverse(v, adj, seeds: colours.map { $0 == d ? 1 : 0 })
                    for j in 0..<n { compressed[d * n + j] = g[j] }
                }
            }
            result = rows.recover(compressed: compressed)
        }
        // Recorded again across a branch: the pattern and colouring were the old recording's.
        if _recordings != recordings { return try sparseJacobian(at: x, mode: mode) }
        return result
    }

    /// The Hessian at `x` of the function (one output), or of `Σ weights[i]·fᵢ`, as a
    /// sparse symmetric matrix of ``hessianSparsity``, from forward-over-reverse replays
    /// with one tangent lane per colour of a star colouring of the pattern (every entry
    /// is then read directly from the compressed columns). For a tridiagonal Hessian
    /// that is 3 lanes, one replay, whatever n. The pattern and colouring are kept with
    /// the recording, so a repeated call costs only the replay and the recovery.
    ///
    /// ```swift
    /// let f = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in x[0] * x[1] + Traced.exp(x[2]) }
    /// let H = try f.sparseHessian(at: [1.0, 2.0, 0.0])
    /// H[0, 1]       // 1.0
    /// H.nonzeroCount // 3
    /// ```
    @inlinable
    public func sparseHessian(at x: [T], weights: [T]? = nil) throws(RecordedGradientError) -> SparseMatrix<T> {
        _checkInput(x, "RecordedFunction.sparseHessian(at:weights:)")
        let w = _weights(weights, "RecordedFunction.sparseHessian(at:weights:)")
        let recordings = _recordings
        let pattern = hessianSparsity
        if prepared.symmetric == nil { prepared.symmetric = HessianColouring(pattern) }
        let colouring = prepared.symmetric!
        let c = colouring.colourCount, colours = colouring.colours, n = inputCount
        var compressed = [T](repeating: 0, count: n * c)
        try _secondOrderLanes(at: x, directions: c, weights: w, seed: { i, d in colours[i] == d ? 1 : 0 }) { d, column in
            for i in 0..<n { compressed[i * c + d] = column(i) }
        }
        if _recordings != recordings { return try sparseHessian(at: x, weights: weights) }
        return colouring.recover(compressed: compressed)
    }
}
