import AutodiffCore
// Shape operations. All of them produce contiguous results (no views), so
// inputs are never aliased. Kernels: `_reshape`, `_permute`, `_expand`,
// `_concatenate`.

extension Tensor {
    // MARK: Kernels

    /// Value-space kernel: the same scalars under another shape (same count).
    @usableFromInline
    func _reshape(_ newShape: [Int]) -> Tensor {
        Tensor(_shape: newShape, _scalars: _buffer.elements)
    }

    /// Value-space kernel: gathers the elements of `self` laid out as
    /// `outShape`, reading with `sourceStrides` (0 for broadcast dimensions).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _gatherStrided(_ outShape: [Int], _ sourceStrides: [Int]) -> Tensor {
        let n = outShape.reduce(1, *)
        if n == 0 { return Tensor(_shape: outShape, _scalars: []) }
        // Fewer, longer dimensions: size-1 dimensions dropped, and a dimension merged into the
        // next one when it steps exactly over it (contiguous, or both broadcast). An expand of
        // `[K, n, 1]` to `[K, n, d]` becomes `[K·n, d]` with strides `[1, 0]`.
        var sizes: [Int] = [], steps: [Int] = []
        for (size, step) in Swift.zip(outShape, sourceStrides) where size != 1 {
            if let last = sizes.last, steps[steps.count - 1] == step * size {
                sizes[sizes.count - 1] = last * size
                steps[steps.count - 1] = step
            } else {
                sizes.append(size)
                steps.append(step)
            }
        }
        let out = [Scalar](unsafeUninitializedCapacity: n) { buffer, initialized in
            _buffer.elements.withUnsafeBufferPointer { p in
                Tensor._gatherRows(p.baseAddress!, buffer.baseAddress!, sizes, steps)
            }
            initialized = n
        }
        return Tensor(_shape: outShape, _scalars: out)
    }

    /// Writes the elements at `sizes`/`steps` (collapsed, see `_gatherStrided`) from `source`
    /// to `destination` in row-major order: the last two dimensions in a plain loop, each
    /// innermost row a copy (step 1), a fill (step 0) or a strided read.
    @inline(__always)
    static func _gatherRows(_ source: UnsafePointer<Scalar>, _ destination: UnsafeMutablePointer<Scalar>,
                            _ sizes: [Int], _ steps: [Int]) {
        let r = sizes.count
        if r == 0 { destination.initialize(to: source[0]); return }
        let length = sizes[r - 1], step = steps[r - 1]
        let rows = r >= 2 ? sizes[r - 2] : 1, rowStep = r >= 2 ? steps[r - 2] : 0
        let outerRank = Swift.max(r - 2, 0)
        var index = [Int](repeating: 0, count: outerRank)
        var base = 0
        var out = destination
        while true {
            for i in 0..<rows {
                let row = source + base + i * rowStep
                if step == 1 {
                    out.initialize(from: row, count: length)
                } else if step == 0 {
                    out.initialize(repeating: row[0], count: length)
                } else {
                    for k in 0..<length { (out + k).initialize(to: row[k * step]) }
                }
                out += length
            }
            var unused = 0   // `_advance` steps two offsets; a gather has one
            if !_advance(&index, sizes, steps, steps, &base, &unused) { return }
        }
    }

    /// Value-space kernel: the dimensions reordered, `result.shape[i] == shape[axes[i]]`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _permute(_ axes: [Int]) -> Tensor {
        let st = strides
        return _gatherStrided(axes.map { shape[$0] }, axes.map { st[$0] })
    }

    /// Value-space kernel: `self` broadcast (materialised) to `target`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _expand(to target: [Int]) -> Tensor {
        if target == shape { return self }
        autodiffRequire(Tensor._broadcastShapeOrNil(shape, target) == target, "expand",
                        TensorError._incompatible(shape, target))
        let n = _elementCount(target, operation: "expand")
        // One element (the backward of a full sum): a fill, not a strided gather.
        if count == 1 { return Tensor(_shape: target, _scalars: [Scalar](repeating: _buffer.elements[0], count: n)) }
        return _gatherStrided(target, Tensor._broadcastStrides(shape, to: target))
    }

    /// Value-space kernel: joins tensors along an existing axis (shapes already checked).
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func _concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        var shape = tensors[0].shape
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Scalar]()
        out.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for t in tensors {
                let chunk = t.shape[axis] * inner
                out.append(contentsOf: t._buffer.elements[(o * chunk)..<((o + 1) * chunk)])
            }
        }
        return Tensor(_shape: shape, _scalars: out)
    }

    // MARK: Public shape operations

    /// The same elements with a new shape; at most one dimension may be `-1`
    /// and is then inferred.
    ///
    /// ```swift
    /// Tensor<Double>.arange(6).reshaped([2, -1])   // shape [2, 3]
    /// ```
    ///
    /// - Precondition: the element count is unchanged.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        autodiffRequire(inferred.count <= 1, "reshape", "at most one dimension can be -1, got \(newShape)")
        autodiffRequire(newShape.allSatisfy { $0 >= -1 }, "reshape", "invalid shape \(newShape)")
        var s = newShape
        if let i = inferred.first {
            let known = _elementCount(newShape.filter { $0 != -1 }, operation: "reshape", reporting: newShape)
            autodiffRequire(known != 0 && count % known == 0, "reshape",
                            "shape \(newShape) is invalid for input of shape \(shape) (\(count) elements)")
            s[i] = count / known
        }
        autodiffRequire(_elementCount(s, operation: "reshape") == count, "reshape",
                        "shape \(newShape) is invalid for input of shape \(shape) (\(count) elements)")
        return _reshapeTo(s)
    }

    /// The elements as a 1-d tensor.
    public func flattened() -> Tensor { _reshapeTo([count]) }

    /// The last two dimensions swapped (`t.mT`); a 0-d or 1-d tensor is returned unchanged (like `t.t()`).
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2, 3]]).transposed().shape   // [3, 1]
    /// ```
    public func transposed() -> Tensor {
        if rank < 2 { return self }
        var axes = Array(0..<rank)
        axes.swapAt(rank - 2, rank - 1)
        return _permuteRecorded(axes, name: "TransposeBackward0")
    }

    /// Two dimensions swapped (`torch.transpose(t, a, b)`).
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        let x = _normalizeAxis(a, rank: rank, operation: "transpose", shape: shape)
        let y = _normalizeAxis(b, rank: rank, operation: "transpose", shape: shape)
        if rank == 0 { return self }
        var axes = Array(0..<rank)
        axes.swapAt(x, y)
        return _permuteRecorded(axes, name: "TransposeBackward0")
    }

    /// The dimensions reordered so that `result.shape[i] == shape[axes[i]]` (`permute`).
    ///
    /// ```swift
    /// Tensor<Double>.zeros([2, 3, 4]).permuted([2, 0, 1]).shape   // [4, 2, 3]
    /// ```
    public func permuted(_ axes: [Int]) -> Tensor {
        let a = axes.map { _normalizeAxis($0, rank: rank, operation: "permute", shape: shape) }
        autodiffRequire(a.count == rank && Set(a).count == rank, "permute",
                        "\(axes) is not a permutation of the \(rank) dimensions of shape \(shape)")
        return _permuteRecorded(a)
    }

    /// Removes the size-1 dimension `axis`, or all size-1 dimensions when `axis` is nil.
    /// Squeezing a dimension whose size is not 1 leaves the tensor unchanged, as in PyTorch.
    public func squeezed(axis: Int? = nil) -> Tensor {
        guard let axis else { return _reshapeTo(shape.filter { $0 != 1 }, name: "SqueezeBackward0") }
        if rank == 0 { return self }
        let a = _normalizeAxis(axis, rank: rank, operation: "squeeze", shape: shape)
        if shape[a] != 1 { return self }
        var s = shape
        s.remove(at: a)
        return _reshapeTo(s, name: "SqueezeBackward1")
    }

    /// Inserts a size-1 dimension at `axis` (in `-(rank+1)...rank`).
    ///
    /// ```swift
    /// Tensor<Double>([1, 2]).unsqueezed(axis: 0).shape   // [1, 2]
    /// ```
    public func unsqueezed(axis: Int) -> Tensor {
        let a = _normalizeAxis(axis, rank: rank + 1, operation: "unsqueeze", shape: shape)
        var s = shape
        s.insert(1, at: a)
        return _reshapeTo(s, name: "UnsqueezeBackward0")
    }

    /// `self` broadcast to `shape` (PyTorch's `expand`, materialised); `-1` keeps a dimension.
    ///
    /// ```swift
    /// Tensor<Double>([1, 2]).expanded(to: [3, 2])   // three rows [1, 2]
    /// ```
    public func expanded(to shape: [Int]) -> Tensor {
        let offset = shape.count - rank
        autodiffRequire(offset >= 0, "expand", "cannot expand shape \(self.shape) to fewer dimensions \(shape)")
        var target = shape
        for (i, n) in shape.enumerated() where n == -1 {
            autodiffRequire(i >= offset, "expand", "-1 is not allowed for a new leading dimension in \(shape)")
            target[i] = self.shape[i - offset]
        }
        return _expandTo(target)
    }
}

/// Joins tensors along an existing axis (`torch.cat`); all other dimensions must agree.
///
/// ```swift
/// let a = Tensor<Double>([[1, 2]]), b = Tensor<Double>([[3, 4]])
/// concatenate([a, b], axis: 0)   // shape [2, 2]
/// ```
public func concatenate<Scalar>(_ tensors: [Tensor<Scalar>], axis: Int = 0) -> Tensor<Scalar> {
    autodiffRequire(!tensors.isEmpty, "concatenate", "expected at least one tensor")
    let first = tensors[0]
    autodiffRequire(first.rank > 0, "concatenate", "zero-dimensional tensors cannot be concatenated")
    let a = _normalizeAxis(axis, rank: first.rank, operation: "concatenate", shape: first.shape)
    for t in tensors.dropFirst() {
        var s1 = first.shape, s2 = t.shape
        if s1.count == s2.count { s1[a] = 0; s2[a] = 0 }
        autodiffRequire(s1 == s2, "concatenate(axis: \(axis))", TensorError._incompatible(first.shape, t.shape))
    }
    return Tensor._concatenateRecorded(tensors, axis: a, name: "CatBackward0")
}

/// Joins tensors of equal shape along a new axis (`torch.stack`).
///
/// ```swift
/// stack([Tensor<Double>([1, 2]), Tensor<Double>([3, 4])], axis: 1)   // [[1, 3], [2, 4]]
/// ```
public func stack<Scalar>(_ tensors: [Tensor<Scalar>], axis: Int = 0) -> Tensor<Scalar> {
    autodiffRequire(!tensors.isEmpty, "stack", "expected at least one tensor")
    let first = tensors[0]
    for t in tensors.dropFirst() {
        autodiffRequire(t.shape == first.shape, "stack", TensorError._incompatible(first.shape, t.shape))
    }
    let a = _normalizeAxis(axis, rank: first.rank + 1, operation: "stack", shape: first.shape)
    return Tensor._concatenateRecorded(tensors.map { $0.unsqueezed(axis: a) }, axis: a, name: "StackBackward0")
}

extension Tensor {
    /// Splits along `axis` into pieces of the given sizes, which must add up to
    /// the dimension (`torch.split` with a list).
    ///
    /// ```swift
    /// Tensor<Double>.arange(5).split(sizes: [2, 3])   // [tensor([0., 1.]), tensor([2., 3., 4.])]
    /// ```
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        autodiffRequire(rank > 0, "split", "zero-dimensional tensor")
        let a = _normalizeAxis(axis, rank: rank, operation: "split", shape: shape)
        autodiffRequire(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[a], "split",
                        "sizes \(sizes) do not add up to dimension \(a) of shape \(shape)")
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return _sliceRecorded(a, start..<(start + n), name: "SplitWithSizesBackward0")
        }
    }

    /// Splits along `axis` into pieces of `size` (the last one may be smaller; `torch.split` with an int).
    public func split(size: Int, axis: Int = 0) -> [Tensor] {
        autodiffRequire(size > 0, "split", "size must be positive, got \(size)")
        autodiffRequire(rank > 0, "split", "zero-dimensional tensor")
        let a = _normalizeAxis(axis, rank: rank, operation: "split", shape: shape)
        let n = shape[a]
        var sizes = [Int](repeating: size, count: n / size)
        if n % size != 0 { sizes.append(n % size) }
        return split(sizes: sizes, axis: a)
    }

    /// Value-space kernel: a contiguous range along one axis.
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _sliceAxis(_ axis: Int, _ range: Range<Int>) -> Tensor {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let len = shape[axis]
        var s = shape
        s[axis] = range.count
        var out = [Scalar]()
        out.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            out.append(contentsOf: _buffer.elements[((o * len + range.lowerBound) * inner)..<((o * len + range.upperBound) * inner)])
        }
        return Tensor(_shape: s, _scalars: out)
    }
}
