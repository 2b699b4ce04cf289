import AutodiffCore
// Indexing and slicing. A selection is resolved to the flat offsets it reads
// (`_selection`); reading gathers them (`_gather`) and writing scatters into
// them, so the autograd pullback of indexing is a scatter-add at the same
// offsets (`_scatterAdd`).

/// One component of a tensor subscript.
///
/// Write integers, ranges and integer arrays directly — `t[1]`, `t[0..<2, 1]`,
/// `t[.all, [2, 0]]` — or use the cases.
public enum TensorIndex: Sendable, Equatable {
    /// One position (negative counts from the end); the dimension is removed.
    case index(Int)
    /// Positions `lower, lower + step, …` below `upper`; `nil` bounds mean
    /// the start and end, negative bounds count from the end, and bounds are
    /// clamped as in Python slicing.
    case range(lower: Int?, upper: Int?, step: Int)
    /// The whole dimension (`:` in PyTorch).
    case all
    /// Selected positions, in order, possibly repeated (integer-array indexing);
    /// the dimension keeps its place with length `indices.count`.
    case indices([Int])
    /// A new dimension of size 1 (`None` in PyTorch).
    case newAxis
}

/// Anything usable as one component of a tensor subscript.
public protocol TensorIndexConvertible {
    /// The subscript component.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndex: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { self }
}
extension Int: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { .index(self) }
}
extension Range: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lower: lowerBound, upper: upperBound, step: 1) }
}
extension ClosedRange: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lower: lowerBound, upper: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lower: lowerBound, upper: nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lower: nil, upper: upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lower: nil, upper: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension Array: TensorIndexConvertible where Element == Int {
    public var tensorIndex: TensorIndex { .indices(self) }
}

extension Tensor {
    /// Value-space kernel: the shape of a selection and the flat offsets it reads, in order.
    @usableFromInline
    func _selection(_ components: [TensorIndex]) -> (shape: [Int], offsets: [Int]) {
        let op = "subscript"
        let real = components.filter { $0 != .newAxis }.count
        autodiffRequire(real <= rank, op, "too many indices (\(real)) for tensor of shape \(shape)")
        autodiffRequire(components.filter { if case .indices = $0 { return true } else { return false } }.count <= 1,
                        op, "at most one integer-array index is supported")
        let st = strides
        var outShape = [Int]()
        var offsets = [0]
        var d = 0
        func apply(_ positions: [Int], stride: Int) {
            var next = [Int]()
            next.reserveCapacity(offsets.count * positions.count)
            for o in offsets { for p in positions { next.append(o + p * stride) } }
            offsets = next
        }
        for c in components + [TensorIndex](repeating: .all, count: rank - real) {
            switch c {
            case .newAxis:
                outShape.append(1)
                continue
            case .index(let i):
                let n = shape[d]
                let j = i < 0 ? i + n : i
                autodiffRequire(j >= 0 && j < n, op, "index \(i) is out of bounds for dimension \(d) with size \(n) (shape \(shape))")
                apply([j], stride: st[d])
            case .all:
                outShape.append(shape[d])
                apply(Array(0..<shape[d]), stride: st[d])
            case let .range(lower, upper, step):
                autodiffRequire(step > 0, op, "slice step must be positive, got \(step)")
                let n = shape[d]
                func clamp(_ v: Int?, _ def: Int) -> Int {
                    guard let v else { return def }
                    return Swift.min(Swift.max(v < 0 ? v + n : v, 0), n)
                }
                let lo = clamp(lower, 0), hi = clamp(upper, n)
                let positions = lo < hi ? Array(stride(from: lo, to: hi, by: step)) : []
                outShape.append(positions.count)
                apply(positions, stride: st[d])
            case .indices(let list):
                let n = shape[d]
                let positions = list.map { i -> Int in
                    let j = i < 0 ? i + n : i
                    autodiffRequire(j >= 0 && j < n, op, "index \(i) is out of bounds for dimension \(d) with size \(n) (shape \(shape))")
                    return j
                }
                outShape.append(positions.count)
                apply(positions, stride: st[d])
            }
            d += 1
        }
        return (outShape, offsets)
    }

    /// Value-space kernel: the elements at `offsets`, shaped `shape`.
    @usableFromInline
    func _gather(_ shape: [Int], _ offsets: [Int]) -> Tensor {
        let e = _buffer.elements
        return Tensor(_shape: shape, _scalars: offsets.map { e[$0] })
    }

    /// Value-space kernel: a tensor of `shape` that is zero except for `values`
    /// added at `offsets` (the adjoint of `_gather`).
    @usableFromInline
    static func _scatterAdd(_ values: Tensor, into shape: [Int], at offsets: [Int]) -> Tensor {
        var out = [Scalar](repeating: 0, count: shape.reduce(1, *))
        for (k, o) in offsets.enumerated() { out[o] = out[o] + values._buffer.elements[k] }
        return Tensor(_shape: shape, _scalars: out)
    }

    /// Selects with integers, ranges, integer arrays, `.all` and `.newAxis`
    /// (missing trailing components select whole dimensions); setting
    /// assigns a tensor that broadcasts to the selection.
    ///
    /// ```swift
    /// var m = Tensor<Double>.arange(12).reshaped([3, 4])
    /// m[1]                    // tensor([4., 5., 6., 7.])
    /// m[0..<2, 1]             // tensor([1., 5.])
    /// m[.all, [3, 0]]         // columns 3 and 0
    /// m[0] = Tensor(0.0)      // first row set to zeros
    /// ```
    ///
    /// - Precondition: indices are in range; the message names the dimension and shape.
    public subscript(_ components: any TensorIndexConvertible...) -> Tensor {
        get {
            let c = components.map(\.tensorIndex)
            // A contiguous range of the first axis (`x[1..<n]`, the common case): one copy,
            // and a backward that pads with zeros, instead of per-element offsets, gather
            // and scatter (the two slices of rosen-grad at n=1e5 took 12 ms per gradient that way).
            if c.count == 1, case let .range(lower, upper, 1) = c[0], rank >= 1 {
                let n = shape[0]
                func bound(_ v: Int?, _ default: Int) -> Int {
                    guard let v else { return `default` }
                    return Swift.min(Swift.max(v < 0 ? v + n : v, 0), n)
                }
                let l = bound(lower, 0)
                return _sliceRecorded(0, l..<Swift.max(l, bound(upper, n)))
            }
            let (s, o) = _selection(c)
            return _gatherRecorded(s, o, name: Tensor._indexBackwardName(c))
        }
        set {
            let (s, o) = _selection(components.map(\.tensorIndex))
            let target = Tensor._broadcastShape(newValue.shape, s, operation: "subscript assignment")
            autodiffRequire(target == s, "subscript assignment", TensorError._incompatible(s, newValue.shape))
            let value = newValue
            let source = shape
            _assignInPlace("subscript assignment", nil) { old in
                Tensor._op("index_put", "CopySlices", [old, value], {
                    let v = value._expand(to: s)
                    var e = old._buffer.elements
                    for (k, off) in o.enumerated() { e[off] = v._buffer.elements[k] }
                    return Tensor(_shape: source, _scalars: e)
                }) { g in
                    var keep = [Scalar](repeating: 1, count: source.reduce(1, *))
                    for off in o { keep[off] = 0 }
                    return [Tensor._if(old.requiresGrad) { g * Tensor(_shape: source, _scalars: keep) },
                            Tensor._if(value.requiresGrad) {
                                g._gatherRecorded(s, o, name: "IndexBackward0")._sumTo(value.shape) }]
                }
            }
        }
    }
}

extension Tensor {
    /// PyTorch's node name for a subscript: `SelectBackward0` (integers only),
    /// `IndexBackward0` (an integer array), else `SliceBackward0`.
    static func _indexBackwardName(_ c: [TensorIndex]) -> String {
        if c.contains(where: { if case .indices = $0 { return true } else { return false } }) { return "IndexBackward0" }
        if c.allSatisfy({ if case .index = $0 { return true } else { return false } }) { return "SelectBackward0" }
        return "SliceBackward0"
    }
}
