import RealModule

// Sparsity patterns of a recorded program, by propagating index sets over it (as
// SparseConnectivityTracer.jl and CppAD's for_jac_sparsity / for_hes_sparsity do), and
// the sparse Jacobians and Hessians of a `RecordedFunction` from one compressed replay
// with colour-seeded lanes.

/// Index sets of the inputs each slot depends on, computed only for the slots asked
/// about (and what they depend on), so that a running sum whose set grows with every
/// term costs nothing unless a nonlinear operation or an output reads it. Slots share
/// sets: an operation with one non-constant operand passes its operand's set on.
internal struct _IndexSets {
    let m: Int
    let rules: [_RecordedRule?]
    let operands: UnsafeMutablePointer<_TraceOperands>
    /// The set of each slot: an index into `sets`, -1 for the empty set, -2 not computed yet.
    var ofSlot: [Int32]
    /// Sorted input indices.
    var sets: [[Int32]]
    /// The slots `set(_:)` still has to compute (kept to reuse its memory).
    private var stack: [Int] = []

    init<T: Real>(_ s: UnsafeMutablePointer<_TraceState<T>>, inputs n: Int) {
        m = s.pointee.count
        var rules = [_RecordedRule?](repeating: nil, count: m)
        _TraceState.forEachOperation(s, inputs: n) { k, rule, _, _ in rules[k] = rule }
        self.rules = rules
        operands = s.pointee.operands
        ofSlot = [Int32](repeating: -2, count: m)
        sets = (0..<n).map { [Int32($0)] }
        for i in 0..<n { ofSlot[i] = Int32(i) }
    }

    /// The set of slot `root` (constants: -1): computed from its operands', depth first
    /// with an explicit stack (chains of operations can be as long as the recording).
    mutating func set(_ root: Int) -> Int32 {
        if root >= m { return -1 }
        if ofSlot[root] != -2 { return ofSlot[root] }
        stack.removeAll(keepingCapacity: true)
        stack.append(root)
        while let k = stack.last {
            if ofSlot[k] != -2 {  // reached twice before it was computed
                stack.removeLast()
                continue
            }
            let a = Int(operands[k].lhs), b = Int(operands[k].rhs)
            let pendingA = a < m && ofSlot[a] == -2, pendingB = b < m && ofSlot[b] == -2
            if pendingA || pendingB {
                if pendingA { stack.append(a) }
                if pendingB { stack.append(b) }
                continue
            }
            stack.removeLast()
            let sa = a < m ? ofSlot[a] : -1, sb = b < m ? ofSlot[b] : -1
            switch rules[k] {
            case .unary(let f)?: ofSlot[k] = f.hasZeroDerivative ? -1 : sa
            default: ofSlot[k] = union(sa, sb)
            }
        }
        return ofSlot[root]
    }

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
            case .custom: rule = .custom
            case .addPreviousLeft, .addPreviousRight: rule = .binary(.add)
            case .subtractPreviousLeft, .subtractPreviousRight: rule = .binary(.subtract)
            case .multiplyPreviousLeft, .multiplyPreviousRight, .squarePrevious: rule = .binary(.multiply)
            }
            body(k, rule, Int(o.lhs), Int(o.rhs))
        }
    }

    /// The pattern of the Hessian of `Σ wᵢ·outputᵢ` for any weights: for each operation
    /// the outputs reach, the pairs of inputs its nonzero second partials join (a
    /// curved unary function joins its operand's inputs with themselves, `x·y` joins
    /// x's with y's, and so on, as ``BinaryFunction/secondOrderInteractions`` says).
    static func hessianPattern(_ s: UnsafeMutablePointer<_TraceState>, inputs n: Int, outputs: [Int]) -> SparsityPattern {
        let m = s.pointee.count
        var sets = _IndexSets(s, inputs: n)
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
        // Every pair (i, j) joined, as i << 32 | j, sorted and made unique at the end: cheaper
        // than merging row sets per join, since most joins add a handful of pairs.
        var pairs: [Int64] = []
        // Joins of large sets are remembered, so a loop that multiplies the same two dense
        // sets again adds their pairs once; small joins are cheaper to repeat.
        var joined = Set<Int64>()
        func join(_ p: Int32, _ q: Int32) {
            guard p >= 0, q >= 0 else { return }
            let P = sets.sets[Int(p)], Q = sets.sets[Int(q)]
            if P.count * Q.count > 16 {
                guard joined.insert(Int64(p) << 32 | Int64(q)).inserted else { return }
                _ = joined.insert(Int64(q) << 32 | Int64(p))
            }
            for i in P {
                for j in Q {
                    pairs.append(Int64(i) << 32 | Int64(j))
                    pairs.append(Int64(j) << 32 | Int64(i))
                }
            }
        }
        for k in n..<m where reached[k] {
            let a = Int(operands[k].lhs), b = Int(operands[k].rhs)
            switch sets.rules[k] {
            case .unary(let f)?:
                if !f.isPiecewiseLinear { let x = sets.set(a); join(x, x) }
            case .custom?:
                let x = sets.set(a), y = sets.set(b)
                join(x, x)
                join(x, y)
                join(y, y)
            case .binary(let f)?:
                let (xx, xy, yy) = f.secondOrderInteractions
                guard xx || xy || yy else { continue }
                let x = sets.set(a), y = sets.set(b)
                if xx { join(x, x) }
                if xy { join(x, y) }
                if yy { join(y, y) }
            case nil: continue
            }
        }
        pairs.sort()
        var rowStart = [Int](repeating: 0, count: n + 1)
        var columns: [Int] = []
        columns.reserveCapacity(pairs.count)
        var previous: Int64 = -1
        for pair in pairs where pair != previous {
            previous = pair
            rowStart[Int(pair >> 32) + 1] += 1
            columns.append(Int(pair & 0xffff_ffff))
        }
        for i in 0..<n { rowStart[i + 1] += rowStart[i] }
        return SparsityPattern(rowCount: n, columnCount: n, rowStart: rowStart, columnIndices: columns)
    }
}

/// A recorded operation's rule, as the sparsity passes see it.
internal enum _RecordedRule {
    case unary(UnaryFunction)
    case binary(BinaryFunction)
    /// A slot of a custom rule's chain: taken to join all its inputs at second order.
    case custom
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
        _prepared(\.jacobian) {
            var sets = _IndexSets(state, inputs: inputCount)
            let rows = outputSlots.map { slot -> [Int] in
                guard let slot else { return [] }
                let set = sets.set(slot)
                return set < 0 ? [] : sets.sets[Int(set)].map(Int.init)
            }
            return SparsityPattern(rowCount: outputCount, columnCount: inputCount, rows: rows)
        }
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
        _prepared(\.hessian) {
            _TraceState.hessianPattern(state, inputs: inputCount, outputs: outputSlots.compactMap { $0 })
        }
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
        let result = try _sparseJacobian(at: x, mode: mode)
        // Recorded again across a branch: the pattern and colouring were the old recording's.
        if _recordings != recordings { return try sparseJacobian(at: x, mode: mode) }
        return result
    }

    /// The sparse Jacobian with the current recording's colourings (see ``sparseJacobian(at:mode:)``;
    /// the caller checks that no branch changed).
    @inlinable
    internal func _sparseJacobian(at x: [T], mode: JacobianMode) throws(RecordedGradientError) -> SparseMatrix<T> {
        let columns = preparedColumnColouring
        let rows = mode == .forward ? nil : preparedRowColouring
        let m = outputCount, n = inputCount
        if let rows, mode == .reverse || rows.colourCount < columns.colourCount {
            let c = rows.colourCount, colours = rows.colours
            var compressed = [T](repeating: 0, count: c * n)
            try _forward(at: x)
            for d in 0..<c {
                let g = _reverse(seeds: colours.map { $0 == d ? 1 : 0 }, rows: true)
                for j in 0..<n { compressed[d * n + j] = g[j] }
            }
            return rows.recover(compressed: compressed)
        }
        let c = columns.colourCount
        var compressed = [T](repeating: 0, count: m * c)
        try _compressed(at: x, seeding: .colours(columns.colours, count: c), weights: nil, into: &compressed)
        return columns.recover(compressed: compressed)
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
        let result = try _sparseHessian(at: x, weights: w, preparedHessianColouring)
        if _recordings != recordings { return try sparseHessian(at: x, weights: weights) }
        return result
    }

    /// The sparse Hessian with `colouring` (see ``sparseHessian(at:weights:)``; the caller
    /// checks that no branch changed).
    @inlinable
    internal func _sparseHessian(at x: [T], weights: [T], _ colouring: HessianColouring) throws(RecordedGradientError) -> SparseMatrix<T> {
        let c = colouring.colourCount
        var compressed = [T](repeating: 0, count: inputCount * c)
        try _compressed(at: x, seeding: .colours(colouring.colours, count: c), weights: weights, into: &compressed)
        return colouring.recover(compressed: compressed)
    }

    /// The distance-2 colouring of the Jacobian pattern's columns, made once per recording.
    @usableFromInline
    internal var preparedColumnColouring: JacobianColouring {
        _prepared(\.columns) { JacobianColouring(columnsOf: jacobianSparsity) }
    }

    /// The distance-2 colouring of the Jacobian pattern's rows, made once per recording.
    @usableFromInline
    internal var preparedRowColouring: JacobianColouring {
        _prepared(\.rows) { JacobianColouring(rowsOf: jacobianSparsity) }
    }

    /// The star colouring of the Hessian's pattern, made once per recording.
    @usableFromInline
    internal var preparedHessianColouring: HessianColouring {
        _prepared(\.symmetric) { HessianColouring(hessianSparsity) }
    }

    /// The current recording's prepared value at `key`, made by `make` when first asked for.
    private func _prepared<V>(_ key: WritableKeyPath<_PreparedSparsity, V?>, _ make: () -> V) -> V {
        if let value = prepared[keyPath: key] { return value }
        let value = make()
        prepared[keyPath: key] = value
        return value
    }
}
