import AutodiffCore
import RealModule

// Operations that pick, reorder or repeat elements: each is one recorded gather
// (`_gatherRecorded`, whose adjoint is a scatter-add and the scatter's a gather),
// so their derivatives are recorded to every order. Indices are tensors of
// integer-valued scalars, as returned by `argmax`.

extension Tensor {
    /// The flat offsets into `self` of each element of a result of shape `outShape`,
    /// from a map of result coordinates to source coordinates.
    func _offsets(_ outShape: [Int], _ source: (inout [Int]) -> Void) -> [Int] {
        let strides = _stridesFor(shape)
        let total = outShape.reduce(1, *)
        var offsets = [Int]()
        offsets.reserveCapacity(total)
        var coords = [Int](repeating: 0, count: outShape.count)
        for _ in 0..<total {
            var c = coords
            source(&c)
            var o = 0
            for d in 0..<c.count { o += c[d] * strides[d] }
            offsets.append(o)
            var d = outShape.count - 1
            while d >= 0 {
                coords[d] += 1
                if coords[d] < outShape[d] { break }
                coords[d] = 0
                d -= 1
            }
        }
        return offsets
    }

    /// Integer indices from a tensor of integer-valued scalars, each checked against `0..<bound`
    /// (negative ones counted from the end, as in PyTorch).
    func _indices(_ operation: String, bound: Int) -> [Int] {
        _buffer.elements.map { v in
            // The integer in -bound..<bound equal to v, by bisection (generic over Real).
            var lo = -bound, hi = bound
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if Scalar(mid) < v { lo = mid + 1 } else { hi = mid }
            }
            autodiffRequire(lo < bound && Scalar(lo) == v, operation,
                            "index \(v) is not an integer in range for a dimension of size \(bound)")
            return lo < 0 ? lo + bound : lo
        }
    }

    /// The elements in reverse order along each of `axes` (PyTorch: `torch.flip`).
    /// Derivative: recorded to every order (a gather).
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [3, 4]]).flipped(axes: [1])   // tensor([[2., 1.], [4., 3.]])
    /// ```
    public func flipped(axes: [Int]) -> Tensor {
        let a = _normalizedAxes(axes, operation: "flip")
        let s = shape
        return _gatherRecorded(shape, _offsets(shape) { c in for d in a { c[d] = s[d] - 1 - c[d] } },
                               name: "FlipBackward0")
    }

    /// The elements shifted by `shifts[i]` positions along `axes[i]`, wrapping around
    /// (PyTorch: `torch.roll`); with `axes` nil, the flattened tensor is rolled and
    /// the shape restored. Derivative: recorded to every order.
    ///
    /// ```swift
    /// Tensor<Double>([1, 2, 3, 4]).rolled(shifts: [1])   // tensor([4., 1., 2., 3.])
    /// ```
    public func rolled(shifts: [Int], axes: [Int]? = nil) -> Tensor {
        guard let axes else {
            autodiffRequire(shifts.count == 1, "roll", "one shift is needed without axes, got \(shifts.count)")
            return _reshapeTo([count]).rolled(shifts: shifts, axes: [0])._reshapeTo(shape)
        }
        autodiffRequire(shifts.count == axes.count, "roll",
                        "\(shifts.count) shifts for \(axes.count) axes (one shift per axis)")
        let a = axes.map { _normalizeAxis($0, rank: rank, operation: "roll", shape: shape) }
        if rank == 0 { return self * 1 }
        let s = shape
        return _gatherRecorded(shape, _offsets(shape) { c in
            for (d, k) in Swift.zip(a, shifts) where s[d] > 0 {
                c[d] = ((c[d] - k) % s[d] + s[d]) % s[d]
            }
        }, name: "RollBackward0")
    }

    /// The tensor repeated `repeats[i]` times along dimension i (PyTorch: `Tensor.repeat`,
    /// and `torch.tile`); extra leading repeats add dimensions. Derivative: recorded to
    /// every order (the gradient sums the copies).
    ///
    /// ```swift
    /// Tensor<Double>([1, 2]).tiled([2, 2])   // tensor([[1., 2., 1., 2.], [1., 2., 1., 2.]])
    /// ```
    public func tiled(_ repeats: [Int]) -> Tensor {
        autodiffRequire(repeats.count >= rank && repeats.allSatisfy { $0 >= 0 }, "repeat",
                        "repeats \(repeats) must be non-negative, at least one per dimension of shape \(shape)")
        let lead = repeats.count - rank
        let padded = [Int](repeating: 1, count: lead) + shape
        let source = _reshapeTo(padded)
        let outShape = Swift.zip(padded, repeats).map { $0 * $1 }
        return source._gatherRecorded(outShape, source._offsets(outShape) { c in
            for d in 0..<c.count { c[d] %= padded[d] }
        }, name: "RepeatBackward0")
    }

    /// Elements on and below the `diagonal`-th diagonal of the last two dimensions, zeros
    /// elsewhere (PyTorch: `torch.tril`). Derivative: the same mask, to every order.
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [3, 4]]).lowerTriangle()   // tensor([[1., 0.], [3., 4.]])
    /// ```
    public func lowerTriangle(diagonal k: Int = 0) -> Tensor { _triangle(k, lower: true) }

    /// Elements on and above the `diagonal`-th diagonal of the last two dimensions, zeros
    /// elsewhere (PyTorch: `torch.triu`). Derivative: the same mask, to every order.
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [3, 4]]).upperTriangle()   // tensor([[1., 2.], [0., 4.]])
    /// ```
    public func upperTriangle(diagonal k: Int = 0) -> Tensor { _triangle(k, lower: false) }

    private func _triangle(_ k: Int, lower: Bool) -> Tensor {
        autodiffRequire(rank >= 2, lower ? "tril" : "triu", "expected at least 2 dimensions, got shape \(shape)")
        let m = shape[rank - 2], n = shape[rank - 1]
        var mask = [Scalar](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n where lower ? j - i <= k : j - i >= k { mask[i * n + j] = 1 } }
        return self * Tensor(_shape: [m, n], _scalars: mask)
    }

    /// The sum of the main diagonal of a matrix (PyTorch: `torch.trace`). Derivative:
    /// the identity matrix times the gradient, to every order.
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [3, 4]]).trace()   // tensor(5.)
    /// ```
    public func trace() -> Tensor {
        autodiffRequire(rank == 2, "trace", "expected a matrix, got shape \(shape)")
        return diagonal().sum()
    }

    /// The elements at `index` along `axis`: `out[i][j][k] = self[i][index[i][j][k]][k]`
    /// for axis 1 (PyTorch: `torch.gather`). `index` has the rank of `self` and holds
    /// integer-valued scalars; its other dimensions are at most those of `self`.
    /// Derivative: a scatter-add into zeros, recorded to every order.
    ///
    /// ```swift
    /// let t: Tensor<Double> = [[1, 2], [3, 4]]
    /// t.gathering(axis: 1, index: [[0, 0], [1, 0]])   // tensor([[1., 1.], [4., 3.]])
    /// ```
    public func gathering(axis: Int, index: Tensor) -> Tensor {
        let (a, idx) = _checkIndex("gather", axis, index)
        var k = 0
        let offsets = _offsets(index.shape) { c in if !c.isEmpty { c[a] = idx[k] }; k += 1 }
        return _gatherRecorded(index.shape, offsets, name: "GatherBackward0")
    }

    /// `self` with `source` added at `index` along `axis`:
    /// `out[i][index[i][j][k]][k] += source[i][j][k]` for axis 1 (PyTorch:
    /// `torch.scatter_add`). Repeated indices accumulate. Derivative: the gradient
    /// passes to `self` unchanged and to `source` by a gather, to every order.
    ///
    /// ```swift
    /// Tensor<Double>.zeros([3]).scatteringAdd(axis: 0, index: [0, 2, 0], source: [1, 2, 3])
    /// // tensor([4., 0., 2.])
    /// ```
    public func scatteringAdd(axis: Int, index: Tensor, source: Tensor) -> Tensor {
        let (a, idx) = _checkIndex("scatter_add", axis, index)
        autodiffRequire(Swift.zip(index.shape, source.shape).allSatisfy { $0 <= $1 } && source.rank == rank,
                        "scatter_add", "index of shape \(index.shape) larger than source of shape \(source.shape)")
        var k = 0
        let offsets = _offsets(index.shape) { c in if !c.isEmpty { c[a] = idx[k] }; k += 1 }
        let picked = index.shape == source.shape ? source
            : source._gatherRecorded(index.shape, source._offsets(index.shape) { _ in }, name: "SliceBackward0")
        return self + picked._scatterRecorded(into: shape, at: offsets)
    }

    private func _checkIndex(_ op: String, _ axis: Int, _ index: Tensor) -> (Int, [Int]) {
        let a = _normalizeAxis(axis, rank: rank, operation: op, shape: shape)
        autodiffRequire(index.rank == Swift.max(rank, 1) || (rank == 0 && index.rank == 0), op,
                        "index of shape \(index.shape) must have the rank of the tensor of shape \(shape)")
        for d in 0..<rank where d != a {
            autodiffRequire(index.shape[d] <= shape[d], op,
                            "index of shape \(index.shape) larger than the tensor of shape \(shape) in dimension \(d)")
        }
        if rank == 0 { return (0, index._indices(op, bound: 1)) }
        return (a, index._indices(op, bound: shape[a]))
    }

    /// The elements where `mask` is nonzero, as a 1-d tensor in row-major order
    /// (PyTorch: `torch.masked_select`, `x[mask]`); `mask` broadcasts to the shape of `self`.
    /// Derivative: a scatter back to the selected positions, to every order.
    ///
    /// ```swift
    /// let x: Tensor<Double> = [[1, -2], [-3, 4]]
    /// x.maskedSelect(x .> 0)   // tensor([1., 4.])
    /// ```
    public func maskedSelect(_ mask: Tensor) -> Tensor {
        let target = Tensor._broadcastShape(shape, mask.shape, operation: "masked_select")
        let source = _expandTo(target)
        let m = mask._expand(to: target)._buffer.elements
        let offsets = m.indices.filter { m[$0] != 0 }
        return source._gatherRecorded([offsets.count], offsets, name: "MaskedSelectBackward0")
    }

    /// The elements sorted along `axis` (ascending, or descending), with the indices they
    /// came from; a stable sort, NaN sorted as the largest value (PyTorch: `torch.sort`).
    /// Derivative of the values: the gradient scattered back to the indices, to every order;
    /// the indices are constant.
    ///
    /// ```swift
    /// let (values, indices) = Tensor<Double>([3, 1, 2]).sorted()
    /// // values: tensor([1., 2., 3.]), indices: tensor([1., 2., 0.])
    /// ```
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        let a = rank == 0 ? 0 : _normalizeAxis(axis, rank: rank, operation: "sort", shape: shape)
        return _selectAlong(a, k: rank == 0 ? 1 : shape[a], largest: descending, operation: "sort",
                            name: "SortBackward0")
    }

    /// The `k` largest (or smallest) elements along `axis`, sorted, with their indices
    /// (PyTorch: `torch.topk`). Derivative of the values: a scatter back, to every order.
    ///
    /// ```swift
    /// let (values, indices) = Tensor<Double>([1, 5, 3]).top(2)
    /// // values: tensor([5., 3.]), indices: tensor([1., 2.])
    /// ```
    public func top(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        let a = rank == 0 ? 0 : _normalizeAxis(axis, rank: rank, operation: "topk", shape: shape)
        let n = rank == 0 ? 1 : shape[a]
        autodiffRequire(k >= 0 && k <= n, "topk", "k = \(k) out of range for a dimension of size \(n)")
        return _selectAlong(a, k: k, largest: largest, operation: "topk", name: "TopkBackward0")
    }

    /// The first `k` elements along `axis` in sorted order, and their indices.
    private func _selectAlong(_ a: Int, k: Int, largest: Bool, operation: String,
                              name: String) -> (values: Tensor, indices: Tensor) {
        if rank == 0 { return (self * 1, Tensor(_shape: [], _scalars: [Scalar](repeating: 0, count: k))) }
        let (outer, length, inner) = _split(axis: a)
        let e = _buffer.elements
        func before(_ x: Scalar, _ y: Scalar) -> Bool {
            if x.isNaN || y.isNaN { return largest ? (x.isNaN && !y.isNaN) : (!x.isNaN && y.isNaN) }
            return largest ? x > y : x < y
        }
        var outShape = shape
        outShape[a] = k
        var offsets = [Int](repeating: 0, count: outer * k * inner)
        var indices = [Scalar](repeating: 0, count: outer * k * inner)
        for o in 0..<outer {
            for j in 0..<inner {
                let base = o * length * inner + j
                let order = (0..<length).sorted { p, q in
                    let x = e[base + p * inner], y = e[base + q * inner]
                    return before(x, y) || (!before(y, x) && p < q)
                }
                for (r, p) in order.prefix(k).enumerated() {
                    offsets[(o * k + r) * inner + j] = base + p * inner
                    indices[(o * k + r) * inner + j] = Scalar(p)
                }
            }
        }
        return (_gatherRecorded(outShape, offsets, name: name), Tensor(_shape: outShape, _scalars: indices))
    }
}
