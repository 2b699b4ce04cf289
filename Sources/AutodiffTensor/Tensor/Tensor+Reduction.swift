import AutodiffCore
import RealModule

// Reductions. One kernel, `_reduce`, folds along any set of axes; the public
// reductions are thin wrappers over it (plus `_argReduce` for indices).

extension Tensor {
    // MARK: Kernels

    /// The normalised, sorted, de-duplicated axes (`nil` means all axes).
    @usableFromInline
    func _normalizedAxes(_ axes: [Int]?, operation: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        var out = Set<Int>()
        for a in axes {
            let n = _normalizeAxis(a, rank: rank, operation: operation, shape: shape)
            if rank > 0 { out.insert(n) }
        }
        return out.sorted()
    }

    /// The shape after reducing `axes` (normalised), with or without the size-1 dimensions.
    @usableFromInline
    func _reducedShape(_ axes: [Int], keepingDimensions: Bool) -> [Int] {
        var s = [Int]()
        for (d, n) in shape.enumerated() {
            if axes.contains(d) { if keepingDimensions { s.append(1) } } else { s.append(n) }
        }
        return s
    }

    /// Splits the shape around one axis into (outer, length, inner) counts.
    @usableFromInline
    func _split(axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Value-space kernel: folds `combine` over `axes` (normalised) starting from `initial`.
    /// `combine` must be associative and commutative with `initial` as identity
    /// (sum, product, min, max): several axes are reduced one after another.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _reduce(axes: [Int], keepingDimensions: Bool, initial: Scalar,
                 _ combine: (Scalar, Scalar) -> Scalar) -> Tensor {
        let outShape = _reducedShape(axes, keepingDimensions: keepingDimensions)
        // Float/Double (whose `combine` is a pure function) split large loops
        // across cores: a full reduction into a fixed number of partial results
        // (fixed by the count, so the result is deterministic), an axis
        // reduction over its independent outer blocks (same order as serial).
        let parallel = _isMachineFloat(Scalar.self)
        if axes.count == rank {
            let n = count
            let chunks = parallel ? Swift.min(_fastMaxChunks, n / _fastCheapGrain) : 1
            if chunks < 2 {
                var acc = initial
                _buffer.elements.withUnsafeBufferPointer { p in
                    for x in p { acc = combine(acc, x) }
                }
                return Tensor(_shape: outShape, _scalars: [acc])
            }
            let size = (n + chunks - 1) / chunks
            var partials = [Scalar](repeating: initial, count: chunks)
            _buffer.elements.withUnsafeBufferPointer { p in
                partials.withUnsafeMutableBufferPointer { part in
                    let src = p.baseAddress!, dst = part.baseAddress!
                    _fastParallelFor(chunks, grain: 1) { first, last in
                        for c in first..<last {
                            var acc = initial
                            for i in (c * size)..<Swift.min(n, (c + 1) * size) { acc = combine(acc, src[i]) }
                            dst[c] = acc
                        }
                    }
                }
            }
            var acc = initial
            for x in partials { acc = combine(acc, x) }
            return Tensor(_shape: outShape, _scalars: [acc])
        }
        var current = self
        for axis in axes {
            let (outer, length, inner) = current._split(axis: axis)
            var out = [Scalar](repeating: initial, count: outer * inner)
            current._buffer.elements.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    guard let src = p.baseAddress, let dst = o.baseAddress else { return }
                    let block = Swift.max(1, length * inner)
                    let grain = parallel ? Swift.max(1, _fastCheapGrain / block) : Swift.max(outer, 1)
                    _fastParallelFor(outer, grain: grain) { first, last in
                        for i in first..<last {
                            for k in 0..<length {
                                let base = (i * length + k) * inner
                                for j in 0..<inner { dst[i * inner + j] = combine(dst[i * inner + j], src[base + j]) }
                            }
                        }
                    }
                }
            }
            var s = current.shape
            s[axis] = 1
            current = Tensor(_shape: s, _scalars: out)
        }
        return Tensor(_shape: outShape, _scalars: current._buffer.elements)
    }

    /// Value-space kernel: the index along `axis` of the element that wins `better(candidate, best)`.
    @usableFromInline
    func _argReduce(axis: Int, keepingDimensions: Bool, _ better: (Scalar, Scalar) -> Bool) -> Tensor {
        let (outer, length, inner) = _split(axis: axis)
        var out = [Scalar]()
        out.reserveCapacity(outer * inner)
        let e = _buffer.elements
        for i in 0..<outer {
            for j in 0..<inner {
                var best = 0
                var value = e[i * length * inner + j]
                for k in 1..<Swift.max(length, 1) {
                    let x = e[(i * length + k) * inner + j]
                    if better(x, value) { best = k; value = x }
                }
                out.append(Scalar(best))
            }
        }
        return Tensor(_shape: _reducedShape([axis], keepingDimensions: keepingDimensions), _scalars: out)
    }

    /// Value-space kernel: sums a broadcast result back to `target`, the
    /// adjoint of broadcasting from `target` to `self.shape` (what the
    /// pullback of a broadcasting op needs).
    ///
    /// - Precondition: `target` broadcasts to `self.shape`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _sumToShape(_ target: [Int]) -> Tensor {
        if target == shape { return self }
        // Internal invariant: only pullbacks call this, with the shape a broadcast came from.
        precondition(Tensor._broadcastShapeOrNil(target, shape) == shape,
                     TensorError.shapeMismatch(operation: "sumToShape", lhs: shape, rhs: target).description)
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (d, n) in target.enumerated() where n == 1 && shape[d + lead] != 1 { axes.append(d + lead) }
        let summed = _reduce(axes: axes, keepingDimensions: true, .sum)
        return Tensor(_shape: target, _scalars: summed._buffer.elements)
    }

    private func _requireNonEmpty(_ axes: [Int], _ operation: String) throws {
        if axes.reduce(1, { $0 * shape[$1] }) == 0 { throw TensorError.empty(operation: operation) }
    }

    // MARK: Public reductions

    /// The sum over `axes` (all axes by default); reduced dimensions are
    /// removed unless `keepingDimensions`. The sum of no elements is 0.
    ///
    /// ```swift
    /// let m: Tensor<Double> = [[1, 2], [3, 4]]
    /// m.sum()                                       // tensor(10.)
    /// m.sum(axes: [0])                              // tensor([4., 6.])
    /// m.sum(axes: [1], keepingDimensions: true)     // shape [2, 1]
    /// ```
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let a = _normalizedAxes(axes, operation: "sum")
        let source = shape, kept = _reducedShape(a, keepingDimensions: true)
        return Tensor._op("sum", axes == nil ? "SumBackward0" : "SumBackward1", [self], {
            _reduce(axes: a, keepingDimensions: keepingDimensions, .sum)
        }) { g in [g._reshapeTo(kept)._expandTo(source)] }
    }

    /// The mean over `axes` (all by default). The mean of no elements is NaN, as in PyTorch.
    ///
    /// ```swift
    /// Tensor<Double>([1, 2, 3, 4]).mean()   // tensor(2.5000)
    /// ```
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let a = _normalizedAxes(axes, operation: "mean")
        let n = a.reduce(1) { $0 * shape[$1] }
        let source = shape, kept = _reducedShape(a, keepingDimensions: true)
        return Tensor._op("mean", axes == nil ? "MeanBackward0" : "MeanBackward1", [self], {
            Tensor._zip(.divide, _reduce(axes: a, keepingDimensions: keepingDimensions, .sum), Tensor(Scalar(n)))
        }) { g in [g._reshapeTo(kept)._expandTo(source) / Scalar(n)] }
    }

    /// The product over `axes` (all by default). The product of no elements is 1.
    ///
    /// Differentiable to any order, also where elements are exactly 0 (there the
    /// gradient is the product of the other elements of the group, itself recorded).
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [3, 4]]).product(axes: [1])   // tensor([ 2., 12.])
    /// ```
    public func product(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let a = _normalizedAxes(axes, operation: "product")
        let source = shape, kept = _reducedShape(a, keepingDimensions: true)
        return Tensor._op("prod", axes == nil ? "ProdBackward0" : "ProdBackward1", [self], saving: [self], {
            _reduce(axes: a, keepingDimensions: keepingDimensions, .product)
        }) { [self] g in
            let ge = g._reshapeTo(kept)._expandTo(source)
            if _buffer.elements.contains(0) { return [ge * _exclusiveProductRecorded(a)] }
            return [ge * product(axes: a, keepingDimensions: true)._expandTo(source) / self]
        }
    }

    /// Recorded: ``_exclusiveProduct(_:)`` over `axes`, moved to the end and flattened.
    func _exclusiveProductRecorded(_ axes: [Int]) -> Tensor {
        let rest = (0..<rank).filter { !axes.contains($0) }
        let order = rest + axes
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        let moved = order == Array(0..<rank) ? self : _permuteRecorded(order)
        let group = axes.reduce(1) { $0 * shape[$1] }
        let outer = group == 0 ? 0 : count / group
        let e = moved._reshapeTo([outer, group])._exclusiveProductRows()._reshapeTo(moved.shape)
        return order == Array(0..<rank) ? e : e._permuteRecorded(inverse)
    }

    /// Recorded, for a matrix `[outer, n]`: each element replaced by the product of
    /// the other elements of its row. Its gradient, Σ_{i≠j} g_i Π_{k∉{i,j}} x_k, is
    /// the same operation on the `[outer·n, n]` rows x with x_i replaced by 1, so every
    /// order is recorded (O(n²) per row, and only when differentiated).
    func _exclusiveProductRows() -> Tensor {
        let (outer, n) = (shape[0], shape[1])
        return Tensor._op("prod_exclusive", "ProdBackward0", [self], saving: [self], {
            _exclusiveProduct([1])
        }) { [self] g in
            var offDiagonal = [Scalar](repeating: 1, count: n * n)
            for i in 0..<n { offDiagonal[i * n + i] = 0 }
            let off = Tensor(_shape: [n, n], _scalars: offDiagonal)
            // rows[o, i, k] = x[o, k] for k ≠ i, 1 for k = i.
            let rows = _reshapeTo([outer, 1, n])._expandTo([outer, n, n]) * off + (1 - off)
            let e = rows._reshapeTo([outer * n, n])._exclusiveProductRows()._reshapeTo([outer, n, n])
            return [(g._reshapeTo([outer, n, 1]) * e * off).sum(axes: [1])]
        }
    }

    /// For each element, the product of the other elements of its reduction
    /// group (the gradient of `product` where an element is 0). Value space.
    func _exclusiveProduct(_ axes: [Int]) -> Tensor {
        let rest = (0..<rank).filter { !axes.contains($0) }
        let order = rest + axes
        let moved = _permute(order)
        let group = axes.reduce(1) { $0 * shape[$1] }
        let outer = group == 0 ? 0 : count / group
        var e = moved._buffer.elements
        for o in 0..<outer {
            var prefix: Scalar = 1
            var before = [Scalar](repeating: 1, count: group)
            for k in 0..<group { before[k] = prefix; prefix = prefix * e[o * group + k] }
            var suffix: Scalar = 1
            for k in stride(from: group - 1, through: 0, by: -1) {
                let x = e[o * group + k]
                e[o * group + k] = before[k] * suffix
                suffix = suffix * x
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        return Tensor(_shape: moved.shape, _scalars: e)._permute(inverse)
    }

    /// Gradient of a min/max-like reduction: split equally among the elements
    /// equal to the result (`winners` of the same shape as `self`).
    func _selectGradient(_ g: Tensor, _ value: Tensor, _ axes: [Int]) -> Tensor {
        let source = shape, kept = _reducedShape(axes, keepingDimensions: true)
        let v = value._reshape(kept)._expand(to: source)
        let mask = Tensor._broadcastCombine(self, v, operation: "select") { $0 == $1 || ($0.isNaN && $1.isNaN) ? 1 : 0 }
        let counts = mask._reduce(axes: axes, keepingDimensions: true, .sum)._expand(to: source)
        return g._reshapeTo(kept)._expandTo(source) * Tensor._zip(.divide, mask, counts)
    }

    /// The minimum over `axes` (all by default); NaN propagates.
    ///
    /// ```swift
    /// try Tensor<Double>([3, 1, 2]).min()   // tensor(1.)
    /// ```
    ///
    /// - Throws: ``TensorError/empty(operation:)`` when a reduced axis is empty.
    public func min(axes: [Int]? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        let a = _normalizedAxes(axes, operation: "min")
        try _requireNonEmpty(a, "min")
        return Tensor._op("min", axes == nil ? "MinBackward1" : "MinBackward0", [self], saving: [self], {
            _reduce(axes: a, keepingDimensions: keepingDimensions, .min)
        }) { [self] g in
            [_selectGradient(g, _reduce(axes: a, keepingDimensions: true, .min), a)]
        }
    }

    /// The maximum over `axes` (all by default); NaN propagates.
    ///
    /// - Throws: ``TensorError/empty(operation:)`` when a reduced axis is empty.
    public func max(axes: [Int]? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        let a = _normalizedAxes(axes, operation: "max")
        try _requireNonEmpty(a, "max")
        return Tensor._op("max", axes == nil ? "MaxBackward1" : "MaxBackward0", [self], saving: [self], {
            _reduce(axes: a, keepingDimensions: keepingDimensions, .max)
        }) { [self] g in
            [_selectGradient(g, _reduce(axes: a, keepingDimensions: true, .max), a)]
        }
    }

    /// The index of the smallest element along `axis`, or the flat index over
    /// all elements when `axis` is nil (the first one on ties; a NaN wins).
    /// Indices are returned as integer-valued scalars.
    ///
    /// ```swift
    /// try Tensor<Double>([[3, 1], [0, 5]]).argmin(axis: 1)   // tensor([1., 0.])
    /// ```
    ///
    /// - Throws: ``TensorError/empty(operation:)`` when the axis is empty.
    public func argmin(axis: Int? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        try _arg(axis, keepingDimensions, "argmin") { x, best in !best.isNaN && (x.isNaN || x < best) }
    }

    /// The index of the largest element along `axis`, or the flat index over
    /// all elements when `axis` is nil (the first one on ties; a NaN wins).
    ///
    /// - Throws: ``TensorError/empty(operation:)`` when the axis is empty.
    public func argmax(axis: Int? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        try _arg(axis, keepingDimensions, "argmax") { x, best in !best.isNaN && (x.isNaN || x > best) }
    }

    private func _arg(_ axis: Int?, _ keep: Bool, _ op: String, _ better: (Scalar, Scalar) -> Bool) throws -> Tensor {
        guard let axis else {
            if count == 0 { throw TensorError.empty(operation: op) }
            let flat = Tensor(_shape: [count], _scalars: _buffer.elements)
            let r = flat._argReduce(axis: 0, keepingDimensions: false, better)
            return keep ? Tensor(_shape: [Int](repeating: 1, count: rank), _scalars: r._buffer.elements) : r
        }
        if rank == 0 {
            _ = _normalizedAxes([axis], operation: op)
            return Tensor(_shape: [], _scalars: [0])
        }
        let a = _normalizedAxes([axis], operation: op)[0]
        if shape[a] == 0 { throw TensorError.empty(operation: op) }
        return _argReduce(axis: a, keepingDimensions: keep, better)
    }

    /// The p-norm over `axes` (all by default): (Σ|x|ᵖ)^(1/p); `p = .infinity`
    /// is max|x|, `-.infinity` min|x|, `0` the number of nonzero elements.
    /// The default `p = 2` over all elements of a matrix is its Frobenius norm.
    ///
    /// ```swift
    /// Tensor<Double>([3, 4]).norm()         // tensor(5.)
    /// Tensor<Double>([3, -4]).norm(p: 1)    // tensor(7.)
    /// ```
    public func norm(p: Scalar = 2, axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let a = _normalizedAxes(axes, operation: "norm")
        let source = shape, kept = _reducedShape(a, keepingDimensions: true)
        return Tensor._op("norm", "NormBackward1", [self], saving: [self], {
            _normValue(p: p, axes: axes, a: a, keepingDimensions: keepingDimensions)
        }) { [self] g in
            let ge = g._reshapeTo(kept)._expandTo(source)
            let sign = _mask { $0 > 0 } - _mask { $0 < 0 }
            if p == 0 { return [ge * 0] }
            if p == 1 { return [ge * sign] }
            if p == .infinity || p == -.infinity {
                let v = _normValue(p: p, axes: axes, a: a, keepingDimensions: true)
                let absolute = _map(.abs)
                return [absolute._selectGradient(g, v, a) * sign]
            }
            let n = norm(p: p, axes: axes, keepingDimensions: true)._expandTo(source)
            let nonzero = n._mask { $0 != 0 }
            let safe = n + (1 - nonzero)
            if p == 2 { return [ge * self / safe * nonzero] }
            return [ge * sign * pow(abs(self), p - 1) / pow(safe, p - 1) * nonzero]
        }
    }

    func _normValue(p: Scalar, axes: [Int]?, a: [Int], keepingDimensions: Bool) -> Tensor {
        if p == .infinity {
            return _reduce(axes: a, keepingDimensions: keepingDimensions, initial: 0) { m, x in
                let ax = UnaryFunction.abs(x)
                return (m.isNaN || m >= ax) ? m : ax
            }
        }
        if p == -.infinity {
            return _reduce(axes: a, keepingDimensions: keepingDimensions, initial: .infinity) { m, x in
                let ax = UnaryFunction.abs(x)
                return (m.isNaN || m <= ax) ? m : ax
            }
        }
        if p == 0 {
            return _mapValues { $0 != 0 ? 1 : 0 }._reduce(axes: a, keepingDimensions: keepingDimensions, .sum)
        }
        if p == 1 {
            return _map(.abs)._reduce(axes: a, keepingDimensions: keepingDimensions, .sum)
        }
        if p == 2 {
            // Scaled by the largest magnitude to avoid overflow and underflow.
            let scale = norm(p: .infinity, axes: axes, keepingDimensions: true)
            let safe = scale._mapValues { $0 == 0 || !$0.isFinite ? 1 : $0 }
            let ss = (self / safe)._map(.power(2))._reduce(axes: a, keepingDimensions: keepingDimensions, .sum)
            let back = Tensor(_shape: ss.shape, _scalars: safe._buffer.elements)
            let n = ss._map(.sqrt) * back
            // An infinite element makes the norm infinite (unless a NaN is present).
            let infScale = Tensor(_shape: ss.shape, _scalars: scale._buffer.elements)
            return Tensor._broadcastCombine(n, infScale, operation: "norm") { v, s in s == .infinity ? s : v }
        }
        let s = pow(_map(.abs), p)._reduce(axes: a, keepingDimensions: keepingDimensions, .sum)
        return pow(s, 1 / p)
    }

    /// The Frobenius norm of each matrix in the last two dimensions (`torch.linalg.matrix_norm`).
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [2, 4]]).frobeniusNorm()   // tensor(5.)
    /// ```
    public func frobeniusNorm() -> Tensor {
        autodiffRequire(rank >= 2, "frobeniusNorm", "expected at least 2 dimensions, got shape \(shape)")
        return norm(p: 2, axes: [rank - 2, rank - 1])
    }

    /// The variance over `axes` (all by default) with Bessel's `correction`
    /// (1 by default, PyTorch's `unbiased=True`; 0 for the population variance).
    ///
    /// ```swift
    /// Tensor<Double>([1, 2, 3, 4]).variance()   // tensor(1.6667)
    /// ```
    public func variance(axes: [Int]? = nil, correction: Int = 1, keepingDimensions: Bool = false) -> Tensor {
        let a = _normalizedAxes(axes, operation: "variance")
        let n = a.reduce(1) { $0 * shape[$1] }
        let m = mean(axes: a, keepingDimensions: true)
        let d = self - m
        let ss = (d * d).sum(axes: a, keepingDimensions: keepingDimensions)
        return ss / Scalar(Swift.max(n - correction, 0))
    }

    /// The standard deviation: the square root of ``variance(axes:correction:keepingDimensions:)``.
    public func standardDeviation(axes: [Int]? = nil, correction: Int = 1, keepingDimensions: Bool = false) -> Tensor {
        variance(axes: axes, correction: correction, keepingDimensions: keepingDimensions).map(.sqrt)
    }

    /// log Σ exp(x) over `axes` (all by default), computed stably by shifting
    /// by the maximum. Of no elements it is −∞.
    ///
    /// ```swift
    /// Tensor<Double>([1000, 1000]).logSumExp()   // tensor(1000.6931)
    /// ```
    public func logSumExp(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let a = _normalizedAxes(axes, operation: "logSumExp")
        let source = shape, kept = _reducedShape(a, keepingDimensions: true)
        // The result's storage (not the tensor: its metadata would hold this node), for the
        // pullback's softmax exp(x − lse) without computing logSumExp again.
        var result: TensorBuffer<Scalar>?
        return Tensor._op("logsumexp", "LogsumexpBackward0", [self], saving: [self], {
            let value = _logSumExpValue(a, keepingDimensions)
            result = value._buffer
            return value
        }) { [self] g in
            if !isGradEnabled, let result {
                // Not recorded (no createGraph): three passes, g broadcast by the product.
                let softmax = Tensor._zip(.subtract, self, Tensor(_shape: kept, _buffer: result))._map(.exp)
                return [Tensor._zip(.multiply, g._reshape(kept), softmax)]
            }
            return [g._reshapeTo(kept)._expandTo(source) * exp(self - logSumExp(axes: a, keepingDimensions: true))]
        }
    }

    func _logSumExpValue(_ a: [Int], _ keepingDimensions: Bool) -> Tensor {
        let m = _reduce(axes: a, keepingDimensions: true, .max)._mapValues { $0.isFinite ? $0 : 0 }
        let s = exp(self - m)._reduce(axes: a, keepingDimensions: keepingDimensions, .sum)
        return log(s) + Tensor(_shape: s.shape, _scalars: m._buffer.elements)
    }
}
