import AutodiffCore
import RealModule

// Cumulative (scan) operations along one axis.

extension Tensor {
    /// Value-space kernel: the running `combine` along `axis` (from the end when `reverse`).
    func _scanValue(_ axis: Int, reverse: Bool, _ combine: (Scalar, Scalar) -> Scalar) -> Tensor {
        let (outer, length, inner) = _split(axis: axis)
        var e = _buffer.elements
        for o in 0..<outer {
            for j in 0..<inner {
                let base = o * length * inner + j
                if reverse {
                    for k in stride(from: length - 2, through: 0, by: -1) {
                        e[base + k * inner] = combine(e[base + (k + 1) * inner], e[base + k * inner])
                    }
                } else {
                    for k in 1..<Swift.max(length, 1) {
                        e[base + k * inner] = combine(e[base + (k - 1) * inner], e[base + k * inner])
                    }
                }
            }
        }
        return Tensor(_shape: shape, _scalars: e)
    }

    /// The running sum along `axis`: `out[i] = Σ_{j≤i} x[j]` (PyTorch: `torch.cumsum`).
    /// Derivative: the reversed running sum of the gradient, recorded to every order.
    ///
    /// ```swift
    /// Tensor<Double>([1, 2, 3]).cumulativeSum(axis: 0)   // tensor([1., 3., 6.])
    /// ```
    public func cumulativeSum(axis: Int) -> Tensor {
        let a = _normalizeAxis(axis, rank: rank, operation: "cumsum", shape: shape)
        if rank == 0 { return _reshapeTo([1]).cumulativeSum(axis: 0)._reshapeTo([]) }
        return Tensor._op("cumsum", "CumsumBackward0", [self], { _scanValue(a, reverse: false, +) }) { g in
            [g._reverseCumulativeSum(a)]
        }
    }

    /// Recorded: `out[i] = Σ_{j≥i} x[j]` along `a` (the adjoint of `cumulativeSum`).
    func _reverseCumulativeSum(_ a: Int) -> Tensor {
        Tensor._op("reverse_cumsum", "CumsumBackward0", [self], { _scanValue(a, reverse: true, +) }) { g in
            [g.cumulativeSum(axis: a)]
        }
    }

    /// The running product along `axis`: `out[i] = Π_{j≤i} x[j]` (PyTorch: `torch.cumprod`).
    ///
    /// Derivative, recorded to every order: Σ_{i≥j} gᵢ·outᵢ / xⱼ without zeros; where an
    /// element is 0, Σ_{i≥j} gᵢ·Π_{k≤i, k≠j} x_k (an O(n²) construction per slice).
    ///
    /// ```swift
    /// Tensor<Double>([1, 2, 3]).cumulativeProduct(axis: 0)   // tensor([1., 2., 6.])
    /// ```
    public func cumulativeProduct(axis: Int) -> Tensor {
        let a = _normalizeAxis(axis, rank: rank, operation: "cumprod", shape: shape)
        if rank == 0 { return _reshapeTo([1]).cumulativeProduct(axis: 0)._reshapeTo([]) }
        return Tensor._op("cumprod", "CumprodBackward0", [self], saving: [self], {
            _scanValue(a, reverse: false, *)
        }) { [self] g in
            if !_buffer.elements.contains(0) {
                return [(g * cumulativeProduct(axis: a))._reverseCumulativeSum(a) / self]
            }
            return [_cumulativeProductGradientWithZeros(g, a)]
        }
    }

    /// Σ_{i≥j} gᵢ·Π_{k≤i, k≠j} x_k along `a`, recorded.
    private func _cumulativeProductGradientWithZeros(_ g: Tensor, _ a: Int) -> Tensor {
        let order = (0..<rank).filter { $0 != a } + [a]
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        let n = shape[a], outer = n == 0 ? 0 : count / n
        let x = _permuteRecorded(order)._reshapeTo([outer, 1, n])
        let gm = g._permuteRecorded(order)._reshapeTo([outer, n, 1])
        var lower = [Scalar](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0...i { lower[i * n + k] = 1 } }
        let mask = Tensor(_shape: [n, n], _scalars: lower)
        // rows[o, i, k] = x[o, k] for k ≤ i, 1 after: row i's product is out[i].
        let rows = x._expandTo([outer, n, n]) * mask + (1 - mask)
        let others = rows._reshapeTo([outer * n, n])._exclusiveProductRows()._reshapeTo([outer, n, n])
        let grad = (gm * others * mask).sum(axes: [1])
        var moved = shape
        moved = order.map { moved[$0] }
        return grad._reshapeTo(moved)._permuteRecorded(inverse)
    }
}
