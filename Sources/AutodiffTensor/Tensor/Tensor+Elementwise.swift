internal import Dispatch
import AutodiffCore
import RealModule

// Elementwise operations. Every differentiable function comes from the rule
// table (`UnaryFunction`, `BinaryFunction`) through the two kernels `_map` and
// `_zip`; the named functions below are one-line wrappers, so a new rule is a
// new tensor operation (`t.map(.newRule)`) without further code.

/// Elements above which Float/Double loops are split across cores.
@usableFromInline let _parallelThreshold = 1 << 15

/// True when `Scalar` is a plain machine float, whose loops may run in parallel
/// (the generic scalars, e.g. `Reverse`, may record on a tape that is not
/// thread-safe).
@inlinable
func _isMachineFloat<Scalar>(_: Scalar.Type) -> Bool {
    Scalar.self == Double.self || Scalar.self == Float.self
}

/// Fills `count` outputs by calling `body(start, end)` on disjoint ranges,
/// across cores when `parallel` and the work is large.
@inlinable
func _chunked(count: Int, parallel: Bool, _ body: (Int, Int) -> Void) {
    if !parallel || count < _parallelThreshold {
        body(0, count)
        return
    }
    let chunks = 8
    let size = (count + chunks - 1) / chunks
    // The chunks write disjoint ranges.
    _concurrentPerform(iterations: chunks) { c in
        let start = c * size
        let end = Swift.min(count, start + size)
        if start < end { body(start, end) }
    }
}

@inlinable
func _mapLoop<T: Real>(_ x: [T], parallel: Bool, _ body: (T) -> T) -> [T] {
    let n = x.count
    return [T](unsafeUninitializedCapacity: n) { out, initialized in
        x.withUnsafeBufferPointer { src in
            let s = src.baseAddress
            let d = out.baseAddress
            _chunked(count: n, parallel: parallel) { start, end in
                for i in start..<end { (d! + i).initialize(to: body(s![i])) }
            }
        }
        initialized = n
    }
}

/// `f` applied to every scalar (the generic path: scalars other than Float and
/// Double, whose kernels are in FastKernels.swift).
@inlinable
func _mapScalars<T: Real>(_ f: UnaryFunction, _ x: [T], parallel: Bool) -> [T] {
    _mapLoop(x, parallel: parallel) { f.value($0) }
}

extension Tensor {
    // MARK: Kernels (value space; the autograd issue wraps the public ops below)

    /// Value-space kernel: `f` of the rule table applied elementwise.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _map(_ f: UnaryFunction) -> Tensor {
        // Float/Double: one switch per tensor, concrete loops (FastKernels.swift).
        if let fast = _fastMap(f, _buffer.elements) { return Tensor(_shape: shape, _scalars: fast) }
        return Tensor(_shape: shape, _scalars: _mapScalars(f, _buffer.elements, parallel: _isMachineFloat(Scalar.self)))
    }

    /// Value-space kernel: any scalar closure applied elementwise (used for
    /// non-differentiable helpers such as comparisons and clamping).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _mapValues(_ body: (Scalar) -> Scalar) -> Tensor {
        Tensor(_shape: shape, _scalars: _mapLoop(_buffer.elements, parallel: _isMachineFloat(Scalar.self), body))
    }

    /// The broadcast shape of two shapes, NumPy/PyTorch rules: align trailing
    /// dimensions; each pair must be equal or contain a 1.
    @usableFromInline
    static func _broadcastShape(_ a: [Int], _ b: [Int], operation: String) -> [Int] {
        guard let s = _broadcastShapeOrNil(a, b) else {
            autodiffFailure(operation, TensorError._incompatible(a, b) + " for broadcasting")
        }
        return s
    }

    @usableFromInline
    static func _broadcastShapeOrNil(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides of `shape` seen from a broadcast `outShape` (0 along broadcast dimensions).
    @usableFromInline
    static func _broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let own = _stridesFor(shape)
        let offset = outShape.count - shape.count
        var out = [Int](repeating: 0, count: outShape.count)
        for d in 0..<shape.count where shape[d] != 1 || outShape[d + offset] == 1 {
            out[d + offset] = shape[d] == 1 ? 0 : own[d]
        }
        return out
    }

    /// Value-space kernel: combines two tensors elementwise with broadcasting.
    @inlinable
    static func _broadcastCombine(_ a: Tensor, _ b: Tensor, operation: String,
                                  _ body: (Scalar, Scalar) -> Scalar) -> Tensor {
        let parallel = _isMachineFloat(Scalar.self)
        if a.shape == b.shape {
            let n = a.count
            let out = [Scalar](unsafeUninitializedCapacity: n) { buf, initialized in
                a._buffer.elements.withUnsafeBufferPointer { pa in
                    b._buffer.elements.withUnsafeBufferPointer { pb in
                        let x = pa.baseAddress, y = pb.baseAddress, d = buf.baseAddress
                        _chunked(count: n, parallel: parallel) { s, e in
                            for i in s..<e { (d! + i).initialize(to: body(x![i], y![i])) }
                        }
                    }
                }
                initialized = n
            }
            return Tensor(_shape: a.shape, _scalars: out)
        }
        let outShape = _broadcastShape(a.shape, b.shape, operation: operation)
        if b.count == 1 && outShape == a.shape {
            let y = b._buffer.elements[0]
            return Tensor(_shape: outShape, _scalars: _mapLoop(a._buffer.elements, parallel: parallel) { body($0, y) })
        }
        if a.count == 1 && outShape == b.shape {
            let x = a._buffer.elements[0]
            return Tensor(_shape: outShape, _scalars: _mapLoop(b._buffer.elements, parallel: parallel) { body(x, $0) })
        }
        let sa = _broadcastStrides(a.shape, to: outShape)
        let sb = _broadcastStrides(b.shape, to: outShape)
        let n = outShape.reduce(1, *)
        var out = [Scalar]()
        out.reserveCapacity(n)
        if n > 0 {
            a._buffer.elements.withUnsafeBufferPointer { pa in
                b._buffer.elements.withUnsafeBufferPointer { pb in
                    _forEachBroadcastRow(outShape, sa, sb) { oa, ob, len, ia, ib in
                        for k in 0..<len { out.append(body(pa[oa + k * ia], pb[ob + k * ib])) }
                    }
                }
            }
        }
        return Tensor(_shape: outShape, _scalars: out)
    }

    /// Value-space kernel: `f` of the rule table applied elementwise to two
    /// broadcast tensors.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    static func _zip(_ f: BinaryFunction, _ a: Tensor, _ b: Tensor) -> Tensor {
        // Float/Double: one switch per tensor, concrete loops (FastKernels.swift).
        if _isMachineFloat(Scalar.self) {
            // `f.name` (reflection) only for the error message.
            let outShape = a.shape == b.shape
                ? a.shape : _broadcastShapeOrNil(a.shape, b.shape) ?? _broadcastShape(a.shape, b.shape, operation: f.name)
            if let fast = _fastZip(f, a._buffer.elements, a.shape, b._buffer.elements, b.shape, outShape) {
                return Tensor(_shape: outShape, _scalars: fast)
            }
        }
        return f.withConstantRule { rule in
            _broadcastCombine(a, b, operation: f.name) { rule.value($0, $1) }
        }
    }

    // MARK: Public elementwise operations

    /// Applies a function of the rule table to every element.
    ///
    /// Every ``UnaryFunction`` is a tensor operation this way; the named
    /// functions (`exp(t)`, `sin(t)`, …) are shorthands.
    ///
    /// ```swift
    /// let t = Tensor<Double>([0, 1])
    /// t.map(.exp)          // tensor([1.0000, 2.7183])
    /// t.map(.power(3))     // tensor([0., 1.])
    /// ```
    public func map(_ f: UnaryFunction) -> Tensor {
        Tensor._op(f.forwardName, f.backwardName, [self], saving: [self], { _map(f) }) { [self] g in
            [g * self._derivative(of: f, order: 1)]
        }
    }

    /// Applies a binary function of the rule table elementwise with
    /// NumPy/PyTorch broadcasting (`self` is the first argument).
    ///
    /// ```swift
    /// let y = Tensor<Double>([1, -1])
    /// y.zip(.atan2, Tensor(1.0))   // atan2(y: y, x: 1), elementwise
    /// ```
    ///
    /// - Precondition: the shapes broadcast; the message names the function
    ///   and both shapes.
    public func zip(_ f: BinaryFunction, _ other: Tensor) -> Tensor { Tensor._zipRecorded(f, self, other) }

    /// The recorded binary operation: one node whose pullback sums the
    /// gradients back to each input's shape (`_sumTo`, the adjoint of
    /// broadcasting). `+ − × ÷` have explicit pullbacks; every other function
    /// takes its partials from the rule table.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func _zipRecorded(_ f: BinaryFunction, _ a: Tensor, _ b: Tensor) -> Tensor {
        switch f {
        case .add, .subtract:
            let negate = f == .subtract
            return _op(f.forwardName, f.backwardName, [a, b], { _zip(f, a, b) }) { g in
                // Negated after the broadcast sum: on the (smaller) summed gradient.
                [_if(a.requiresGrad) { g._sumTo(a.shape) },
                 _if(b.requiresGrad) { negate ? -g._sumTo(b.shape) : g._sumTo(b.shape) }]
            }
        case .multiply:
            return _op(f.forwardName, f.backwardName, [a, b], saving: [a, b], { _zip(f, a, b) }) { g in
                [_if(a.requiresGrad) { (g * b)._sumTo(a.shape) },
                 _if(b.requiresGrad) { (g * a)._sumTo(b.shape) }]
            }
        case .divide:
            return _op(f.forwardName, f.backwardName, [a, b], saving: [a, b], { _zip(f, a, b) }) { g in
                [_if(a.requiresGrad) { (g / b)._sumTo(a.shape) },
                 _if(b.requiresGrad) { (-g * a / (b * b))._sumTo(b.shape) }]
            }
        default:
            return _op(f.forwardName, f.backwardName, [a, b], saving: [a, b], { _zip(f, a, b) }) { g in
                [_if(a.requiresGrad) { (g * _partial(f, a, b, 1, 0))._sumTo(a.shape) },
                 _if(b.requiresGrad) { (g * _partial(f, a, b, 0, 1))._sumTo(b.shape) }]
            }
        }
    }

    /// The square root of every element.
    public func squareRoot() -> Tensor { map(.sqrt) }

    /// Every element rounded with `rule` (default: to nearest, ties to even, like `torch.round`).
    public func rounded(_ rule: FloatingPointRoundingRule = .toNearestOrEven) -> Tensor { map(.rounded(RoundingMode(rule))) }

    /// `self − n·divisor` elementwise, with n = self/divisor rounded to nearest even (IEEE remainder).
    public func remainder(dividingBy divisor: Tensor) -> Tensor { Tensor._zipRecorded(.remainder, self, divisor) }

    /// `self − n·divisor` elementwise, with n = self/divisor rounded toward zero (C `fmod`, `torch.fmod`).
    public func truncatingRemainder(dividingBy divisor: Tensor) -> Tensor {
        Tensor._zipRecorded(.truncatingRemainder, self, divisor)
    }

    /// Every element limited to `[min, max]` (PyTorch's `clamp`); either bound may be omitted.
    ///
    /// ```swift
    /// Tensor<Double>([-2, 0.5, 3]).clamped(min: 0, max: 1)   // tensor([0.0000, 0.5000, 1.0000])
    /// ```
    public func clamped(min lower: Scalar? = nil, max upper: Scalar? = nil) -> Tensor {
        Tensor._op("clamp", "ClampBackward1", [self], saving: [self], { _clampValues(lower, upper) }) { [self] g in
            [g * self._mask { x in (lower.map { x >= $0 } ?? true) && (upper.map { x <= $0 } ?? true) }]
        }
    }

    func _clampValues(_ lower: Scalar?, _ upper: Scalar?) -> Tensor {
        _mapValues { x in
            var v = x
            if let l = lower, v < l { v = l }
            if let u = upper, v > u { v = u }
            return v
        }
    }

    // MARK: Arithmetic

    /// Elementwise sum with broadcasting.
    ///
    /// ```swift
    /// Tensor<Double>([[1], [2]]) + Tensor<Double>([10, 20])   // shape [2, 2]
    /// ```
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { _zipRecorded(.add, lhs, rhs) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { _zipRecorded(.subtract, lhs, rhs) }
    /// Elementwise product with broadcasting (use ``matmul(_:_:)`` for the matrix product).
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { _zipRecorded(.multiply, lhs, rhs) }
    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { _zipRecorded(.divide, lhs, rhs) }

    /// Adds a scalar to every element.
    @_disfavoredOverload public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { _zipRecorded(.add, lhs, Tensor(rhs)) }
    /// Subtracts a scalar from every element.
    @_disfavoredOverload public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { _zipRecorded(.subtract, lhs, Tensor(rhs)) }
    /// Multiplies every element by a scalar.
    @_disfavoredOverload public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { _zipRecorded(.multiply, lhs, Tensor(rhs)) }
    /// Divides every element by a scalar.
    @_disfavoredOverload public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { _zipRecorded(.divide, lhs, Tensor(rhs)) }
    /// Adds every element to a scalar (recorded as `rhs + lhs`, so that the
    /// constant is the second operand, as in PyTorch's `next_functions`).
    @_disfavoredOverload public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { _zipRecorded(.add, rhs, Tensor(lhs)) }
    /// Subtracts every element from a scalar.
    @_disfavoredOverload public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { _zipRecorded(.subtract, Tensor(lhs), rhs) }
    /// Multiplies a scalar by every element (recorded as `rhs * lhs`, as PyTorch does).
    @_disfavoredOverload public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { _zipRecorded(.multiply, rhs, Tensor(lhs)) }
    /// Divides a scalar by every element.
    @_disfavoredOverload public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { _zipRecorded(.divide, Tensor(lhs), rhs) }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor { x.map(.negate) }

    /// In-place broadcasting sum; the result must keep `lhs`'s shape.
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs._assignInPlace("+=", nil) { _inPlace(.add, $0, rhs, "+=") } }
    /// In-place broadcasting difference; the result must keep `lhs`'s shape.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs._assignInPlace("-=", nil) { _inPlace(.subtract, $0, rhs, "-=") } }
    /// In-place broadcasting product; the result must keep `lhs`'s shape.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs._assignInPlace("*=", nil) { _inPlace(.multiply, $0, rhs, "*=") } }
    /// In-place broadcasting quotient; the result must keep `lhs`'s shape.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs._assignInPlace("/=", nil) { _inPlace(.divide, $0, rhs, "/=") } }
    /// Adds a scalar to every element in place.
    public static func += (lhs: inout Tensor, rhs: Scalar) { lhs += Tensor(rhs) }
    /// Subtracts a scalar from every element in place.
    public static func -= (lhs: inout Tensor, rhs: Scalar) { lhs -= Tensor(rhs) }
    /// Multiplies every element by a scalar in place.
    public static func *= (lhs: inout Tensor, rhs: Scalar) { lhs *= Tensor(rhs) }
    /// Divides every element by a scalar in place.
    public static func /= (lhs: inout Tensor, rhs: Scalar) { lhs /= Tensor(rhs) }

    static func _inPlace(_ f: BinaryFunction, _ lhs: Tensor, _ rhs: Tensor, _ op: String) -> Tensor {
        let s = _broadcastShape(lhs.shape, rhs.shape, operation: op)
        autodiffRequire(s == lhs.shape, op,
                        TensorError._incompatible(lhs.shape, rhs.shape) + ": the result would have shape \(s)")
        return _zipRecorded(f, lhs, rhs)
    }

    // MARK: Comparisons and selection

    /// Elementwise `==` with broadcasting, as a mask of 1s and 0s (PyTorch
    /// returns a bool tensor; here masks are tensors of the same scalar type,
    /// usable with ``where(_:_:_:)`` and in arithmetic).
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { _compare(lhs, rhs, "==") { $0 == $1 } }
    /// Elementwise `!=` mask with broadcasting.
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { _compare(lhs, rhs, "!=") { $0 != $1 } }
    /// Elementwise `<` mask with broadcasting.
    ///
    /// ```swift
    /// Tensor<Double>([1, 5]) .< Tensor(3.0)   // tensor([1., 0.])
    /// ```
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { _compare(lhs, rhs, "<") { $0 < $1 } }
    /// Elementwise `<=` mask with broadcasting.
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { _compare(lhs, rhs, "<=") { $0 <= $1 } }
    /// Elementwise `>` mask with broadcasting.
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { _compare(lhs, rhs, ">") { $0 > $1 } }
    /// Elementwise `>=` mask with broadcasting.
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { _compare(lhs, rhs, ">=") { $0 >= $1 } }
    /// Elementwise `==` mask against a scalar.
    public static func .== (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .== Tensor(rhs) }
    /// Elementwise `!=` mask against a scalar.
    public static func .!= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .!= Tensor(rhs) }
    /// Elementwise `<` mask against a scalar.
    public static func .< (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .< Tensor(rhs) }
    /// Elementwise `<=` mask against a scalar.
    public static func .<= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .<= Tensor(rhs) }
    /// Elementwise `>` mask against a scalar.
    public static func .> (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .> Tensor(rhs) }
    /// Elementwise `>=` mask against a scalar.
    public static func .>= (lhs: Tensor, rhs: Scalar) -> Tensor { lhs .>= Tensor(rhs) }

    @inlinable
    static func _compare(_ a: Tensor, _ b: Tensor, _ op: String, _ test: (Scalar, Scalar) -> Bool) -> Tensor {
        _broadcastCombine(a, b, operation: op) { test($0, $1) ? 1 : 0 }
    }
}

/// Picks from `a` where `condition` is nonzero and from `b` elsewhere, with
/// broadcasting of all three (PyTorch's `torch.where`).
///
/// ```swift
/// let x = Tensor<Double>([-1, 2, -3])
/// `where`(x .> 0, x, Tensor(0.0))   // tensor([0., 2., 0.])
/// ```
public func `where`<Scalar>(_ condition: Tensor<Scalar>, _ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    let ab = Tensor<Scalar>._broadcastShape(a.shape, b.shape, operation: "where")
    let shape = Tensor<Scalar>._broadcastShape(condition.shape, ab, operation: "where")
    let mask = condition._expand(to: shape)._mask { $0 != 0 }
    return Tensor._op("where", "WhereBackward0", [a, b], {
        let c = mask._buffer.elements
        let x = a._expand(to: shape)._buffer.elements
        let y = b._expand(to: shape)._buffer.elements
        var out = [Scalar]()
        out.reserveCapacity(c.count)
        for i in 0..<c.count { out.append(c[i] != 0 ? x[i] : y[i]) }
        return Tensor(_shape: shape, _scalars: out)
    }) { g in
        [Tensor._if(a.requiresGrad) { (g * mask)._sumTo(a.shape) },
         Tensor._if(b.requiresGrad) { (g * (1 - mask))._sumTo(b.shape) }]
    }
}

/// Calls `body(offsetA, offsetB, length, strideA, strideB)` for each
/// innermost row of a broadcast iteration over `shape`.
@inlinable
func _forEachBroadcastRow(_ shape: [Int], _ sa: [Int], _ sb: [Int],
                          _ body: (Int, Int, Int, Int, Int) -> Void) {
    let r = shape.count
    if r == 0 { body(0, 0, 1, 0, 0); return }
    if shape.contains(0) { return }
    let len = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1]
    var index = [Int](repeating: 0, count: r - 1)
    var oa = 0, ob = 0
    while true {
        body(oa, ob, len, ia, ib)
        if !_advance(&index, shape, sa, sb, &oa, &ob) { return }
    }
}

/// Steps the multi-index `index` (over the first `index.count` dimensions of `shape`) to
/// the next one in row-major order like an odometer, moving the offsets `oa` and `ob` by
/// the strides `sa` and `sb`; false when it wrapped around past the last index.
@inlinable @inline(__always)
func _advance(_ index: inout [Int], _ shape: [Int], _ sa: [Int], _ sb: [Int], _ oa: inout Int, _ ob: inout Int) -> Bool {
    var d = index.count - 1
    while d >= 0 {
        index[d] += 1
        oa += sa[d]; ob += sb[d]
        if index[d] < shape[d] { return true }
        oa -= sa[d] * shape[d]; ob -= sb[d] * shape[d]
        index[d] = 0
        d -= 1
    }
    return false
}

infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence

// MARK: Named functions of the rule table (one line each)

/// eˣ elementwise. `exp(Tensor<Double>([0, 1]))` is `tensor([1.0000, 2.7183])`.
public func exp<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.exp) }
/// eˣ − 1 elementwise, accurate near 0.
public func expm1<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.expMinusOne) }
/// 2ˣ elementwise.
public func exp2<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.exp2) }
/// 10ˣ elementwise.
public func exp10<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.exp10) }
/// Natural logarithm elementwise.
public func log<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.log) }
/// ln(1 + x) elementwise, accurate near 0.
public func log1p<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.logOnePlus) }
/// Base-2 logarithm elementwise.
public func log2<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.log2) }
/// Base-10 logarithm elementwise.
public func log10<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.log10) }
/// Square root elementwise.
public func sqrt<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sqrt) }
/// Sine elementwise.
public func sin<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sin) }
/// Cosine elementwise.
public func cos<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.cos) }
/// Tangent elementwise.
public func tan<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.tan) }
/// Arcsine elementwise.
public func asin<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.asin) }
/// Arccosine elementwise.
public func acos<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.acos) }
/// Arctangent elementwise.
public func atan<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.atan) }
/// Hyperbolic sine elementwise.
public func sinh<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sinh) }
/// Hyperbolic cosine elementwise.
public func cosh<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.cosh) }
/// Hyperbolic tangent elementwise.
public func tanh<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.tanh) }
/// Inverse hyperbolic sine elementwise.
public func asinh<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.asinh) }
/// Inverse hyperbolic cosine elementwise.
public func acosh<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.acosh) }
/// Inverse hyperbolic tangent elementwise.
public func atanh<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.atanh) }
/// Error function elementwise.
public func erf<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.erf) }
/// Complementary error function elementwise.
public func erfc<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.erfc) }
/// Gamma function elementwise.
public func gamma<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.gamma) }
/// ln|Γ(x)| elementwise (`torch.lgamma`).
public func logGamma<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.logGamma) }
/// Absolute value elementwise.
public func abs<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.abs) }
/// Logistic sigmoid 1/(1 + e⁻ˣ) elementwise.
public func sigmoid<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sigmoid) }
/// ln(1 + eˣ) elementwise, without overflow.
public func softplus<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.softplus) }
/// max(x, 0) elementwise.
public func relu<S>(_ x: Tensor<S>) -> Tensor<S> { x.map(.relu) }
/// xⁿ elementwise for an integer n. `pow(Tensor<Double>([1, 2]), 2)` is `tensor([1., 4.])`.
public func pow<S>(_ x: Tensor<S>, _ n: Int) -> Tensor<S> { x.map(.power(n)) }
/// The n-th root elementwise.
public func root<S>(_ x: Tensor<S>, _ n: Int) -> Tensor<S> { x.map(.root(n)) }
/// xʸ elementwise with broadcasting.
public func pow<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> { Tensor._zipRecorded(.pow, x, y) }
/// xʸ elementwise for a real exponent.
public func pow<S>(_ x: Tensor<S>, _ y: S) -> Tensor<S> { Tensor._zipRecorded(.pow, x, Tensor(y)) }
/// atan2(y, x) elementwise with broadcasting.
public func atan2<S>(y: Tensor<S>, x: Tensor<S>) -> Tensor<S> { Tensor._zipRecorded(.atan2, y, x) }
/// √(x² + y²) elementwise with broadcasting.
public func hypot<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> { Tensor._zipRecorded(.hypot, x, y) }
/// The smaller element of each pair, with broadcasting (`T.minimum`, as in the rule table).
public func minimum<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> { Tensor._zipRecorded(.minimum, x, y) }
/// The larger element of each pair, with broadcasting (`T.maximum`, as in the rule table).
public func maximum<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> { Tensor._zipRecorded(.maximum, x, y) }
