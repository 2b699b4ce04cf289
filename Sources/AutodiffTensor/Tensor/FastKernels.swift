import AutodiffCore
import RealModule
internal import _VectorMath

// Concrete fast paths of the elementwise kernels for `Tensor<Double>` and
// `Tensor<Float>`.
//
// Why they exist: the generic kernels apply `UnaryFunction.evaluate` (or a
// closure) per element. Even specialised for `Double`, the optimiser does not
// inline `evaluate` (it is large; LLVM even merges the per-case closures into
// one taking the case as an argument), so every element pays a switch over the
// rule enum and an indirect closure call. Measured on one core, 1e6 elements:
// exp 6.8 ms generic vs 5.2 ms here (glibc's `exp` itself is ~5 ns), a + b
// 1.8 ms vs 0.19 ms.
//
// Here the `switch` over the rule happens once per tensor (the table's
// `withConstantRule`), and each case runs a loop over raw buffers whose body is
// the rule's `value` from the table, inlined for that constant rule: the table
// stays the single definition of the math (`TensorElementwiseTests` checks every
// case bit-for-bit against `evaluate` for Float and Double, including NaN, ±∞,
// ±0). Large loops are split across cores.
//
// Exceptions: exp, log, sin, cos, expm1 and log1p go through SLEEF's vector functions
// on x86-64 (`_vectorMap`): within 1 ULP of the table's value, which `VectorMathTests`
// checks. (Not tanh and sigmoid: SLEEF's tanh differs from glibc's by up to 2 ULP, and the
// sigmoid formula turns exp's last bit into 2.)

/// Elements per chunk below which a loop stays on the calling thread: cheap
/// operations (add, multiply, …) and transcendental ones (exp, sin, …).
@usableFromInline let _fastCheapGrain = 1 << 16
@usableFromInline let _fastCostlyGrain = 1 << 12
/// At most this many chunks per loop (a few per core, so that a busy core
/// does not hold the whole loop back).
@usableFromInline let _fastMaxChunks = 8

/// Calls `body(start, end)` on disjoint ranges covering `0..<count`, across
/// cores when there are at least two chunks of `grain` elements.
@inline(__always)
func _fastParallelFor(_ count: Int, grain: Int, _ body: (Int, Int) -> Void) {
    let chunks = Swift.min(_fastMaxChunks, count / grain)
    if chunks < 2 {
        body(0, count)
        return
    }
    let size = (count + chunks - 1) / chunks
    // Disjoint ranges.
    _concurrentPerform(iterations: chunks) { c in
        let start = c * size
        let end = Swift.min(count, start + size)
        if start < end { body(start, end) }
    }
}

/// The value of `f` at every element of `x`, or nil if `T` is not `Double` or `Float`.
@inline(__always)
func _fastMap<S>(_ f: UnaryFunction, _ x: [S]) -> [S]? {
    if S.self == Double.self {
        return unsafeBitCast(_fastMapConcrete(f, unsafeBitCast(x, to: [Double].self)), to: [S].self)
    }
    if S.self == Float.self {
        return unsafeBitCast(_fastMapConcrete(f, unsafeBitCast(x, to: [Float].self)), to: [S].self)
    }
    return nil
}

@_specialize(where T == Double)
@_specialize(where T == Float)
func _fastMapConcrete<T: Real & BinaryFloatingPoint>(_ f: UnaryFunction, _ x: [T]) -> [T] {
    let n = x.count
    return [T](unsafeUninitializedCapacity: n) { out, initialized in
        x.withUnsafeBufferPointer { src in
            if n > 0 { _fastMapBuffer(f, src.baseAddress!, out.baseAddress!, n) }
        }
        initialized = n
    }
}

/// `y = f(x)` elementwise: one loop per rule, compiled with the rule's value
/// expression from the table inlined (the switch runs once per call).
@inline(__always)
func _fastMapBuffer<T: Real & BinaryFloatingPoint>(_ f: UnaryFunction, _ x: UnsafePointer<T>,
                                                   _ y: UnsafeMutablePointer<T>, _ n: Int) {
    // The switch over the rule runs once per chunk, inside the loop's closure, and each
    // case inlines a loop compiled for its own rule. (With the switch outside the chunk
    // closure the rule reached the loop as a captured value: a switch per element,
    // measured 1.5-3.7x slower.)
    let vector = _vectorFunction(f)
    _fastParallelFor(n, grain: f.isCheap ? _fastCheapGrain : _fastCostlyGrain) { s, e in
        if let vector, _vectorMap(vector, x + s, y + s, e - s) { return }
        @inline(__always) func run(_ rule: UnaryFunction) {
            for i in s..<e { (y + i).initialize(to: rule.value(x[i])) }
        }
        f.withConstantRule(run)
    }
}

// MARK: Vector math (SLEEF)

/// The function of SLEEF's vector path that computes `f`, if it has one.
@inline(__always)
func _vectorFunction(_ f: UnaryFunction) -> autodiff_vm_function? {
    switch f {
    case .exp: AUTODIFF_VM_EXP
    case .log: AUTODIFF_VM_LOG
    case .sin: AUTODIFF_VM_SIN
    case .cos: AUTODIFF_VM_COS
    case .expMinusOne: AUTODIFF_VM_EXPM1
    case .logOnePlus: AUTODIFF_VM_LOG1P
    default: nil
    }
}

/// `y = f(x)` over `n` elements through SLEEF's 1-ULP vector functions, with the widest
/// instruction set the CPU has (or `isa`, lowered to what it has). False, with `y`
/// untouched, where there is no vector path: `T` is neither Double nor Float, or the
/// machine is not x86-64 (the callers then run their scalar loops).
@inline(__always)
func _vectorMap<T>(_ f: autodiff_vm_function, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int,
                   isa: autodiff_vm_isa = AUTODIFF_VM_BEST) -> Bool {
    #if arch(x86_64)
    if T.self == Double.self {
        return autodiff_vm_map_f64(f, isa, UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                                   UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n) != 0
    }
    if T.self == Float.self {
        return autodiff_vm_map_f32(f, isa, UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                   UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n) != 0
    }
    #endif
    return false
}

/// f′ at every element of `x` for the functions whose derivative recomputes one with a
/// vector path: exp and expm1 from their value Ω (the table's
/// `derivative(at:value:)`), sin and cos as cos x and −sin x. Nil for any other function,
/// scalar type or machine (the caller then evaluates the table per element).
@inline(__always)
func _fastDerivative<S>(_ f: UnaryFunction, _ x: [S]) -> [S]? {
    if S.self == Double.self {
        return _fastDerivativeConcrete(f, unsafeBitCast(x, to: [Double].self)).map { unsafeBitCast($0, to: [S].self) }
    }
    if S.self == Float.self {
        return _fastDerivativeConcrete(f, unsafeBitCast(x, to: [Float].self)).map { unsafeBitCast($0, to: [S].self) }
    }
    return nil
}

@_specialize(where T == Double)
@_specialize(where T == Float)
func _fastDerivativeConcrete<T: Real & BinaryFloatingPoint>(_ f: UnaryFunction, _ x: [T]) -> [T]? {
    #if arch(x86_64)
    // The function the vector path computes first.
    let first: autodiff_vm_function
    switch f {
    case .exp, .expMinusOne: first = _vectorFunction(f)!
    case .sin: first = AUTODIFF_VM_COS
    case .cos: first = AUTODIFF_VM_SIN
    default: return nil
    }
    guard autodiff_vm_available() != AUTODIFF_VM_NONE else { return nil }
    let n = x.count
    return [T](unsafeUninitializedCapacity: n) { out, initialized in
        x.withUnsafeBufferPointer { src in
            guard n > 0, let px = src.baseAddress, let py = out.baseAddress else { return }
            _fastParallelFor(n, grain: _fastCostlyGrain) { s, e in
                _ = _vectorMap(first, px + s, py + s, e - s)
                switch f {
                case .sin, .exp: break
                case .cos: for i in s..<e { py[i] = -py[i] }
                default:
                    @inline(__always) func run(_ rule: UnaryFunction) {
                        for i in s..<e { py[i] = rule.derivative(at: px[i], value: py[i]) }
                    }
                    f.withConstantRule(run)
                }
            }
        }
        initialized = n
    }
    #else
    return nil
    #endif
}

// MARK: Binary

/// The value of `f` for every broadcast pair of `a` (shape `sa`) and `b`
/// (shape `sb`) laid out as `outShape`, or nil if `S` is not `Double` or `Float`.
@inline(__always)
func _fastZip<S>(_ f: BinaryFunction, _ a: [S], _ sa: [Int], _ b: [S], _ sb: [Int], _ outShape: [Int]) -> [S]? {
    if S.self == Double.self {
        return unsafeBitCast(_fastZipConcrete(f, unsafeBitCast(a, to: [Double].self), sa,
                                              unsafeBitCast(b, to: [Double].self), sb, outShape), to: [S].self)
    }
    if S.self == Float.self {
        return unsafeBitCast(_fastZipConcrete(f, unsafeBitCast(a, to: [Float].self), sa,
                                              unsafeBitCast(b, to: [Float].self), sb, outShape), to: [S].self)
    }
    return nil
}

/// How the two operands are laid out relative to the output.
@usableFromInline
enum _FastZipLayout {
    /// Both have the output's shape (contiguous, same index).
    case same
    /// `a` has the output's shape, `b` is a single element.
    case scalarRight
    /// `b` has the output's shape, `a` is a single element.
    case scalarLeft
    /// General broadcasting: strides per output dimension (0 where broadcast).
    case strided(sa: [Int], sb: [Int])
}

@_specialize(where T == Double)
@_specialize(where T == Float)
func _fastZipConcrete<T: Real & BinaryFloatingPoint>(_ f: BinaryFunction, _ a: [T], _ shapeA: [Int], _ b: [T],
                                                     _ shapeB: [Int], _ outShape: [Int]) -> [T] {
    let n = outShape.reduce(1, *)
    let layout: _FastZipLayout
    if shapeA == outShape && shapeB == outShape {
        layout = .same
    } else if shapeA == outShape && b.count == 1 {
        layout = .scalarRight
    } else if shapeB == outShape && a.count == 1 {
        layout = .scalarLeft
    } else {
        layout = .strided(sa: Tensor<T>._broadcastStrides(shapeA, to: outShape),
                          sb: Tensor<T>._broadcastStrides(shapeB, to: outShape))
    }
    return [T](unsafeUninitializedCapacity: n) { out, initialized in
        if n > 0 {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    _fastZipBuffer(f, layout, outShape, pa.baseAddress!, pb.baseAddress!, out.baseAddress!, n)
                }
            }
        }
        initialized = n
    }
}

/// `y = f(a, b)` elementwise over the output, reading `a` and `b` as `layout` says. As
/// in `_fastMapBuffer`, the switch over the rule runs once per chunk, inside the chunk's
/// closure, so that each case's loop is compiled for its own rule.
@inline(__always)
func _fastZipBuffer<T: Real & BinaryFloatingPoint>(_ f: BinaryFunction, _ layout: _FastZipLayout, _ shape: [Int],
                                                   _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                   _ y: UnsafeMutablePointer<T>, _ n: Int) {
    let grain = f.isCheap ? _fastCheapGrain : _fastCostlyGrain
    switch layout {
    case .same:
        _fastParallelFor(n, grain: grain) { s, e in
            @inline(__always) func run(_ rule: BinaryFunction) {
                for i in s..<e { (y + i).initialize(to: rule.value(a[i], b[i])) }
            }
            f.withConstantRule(run)
        }
    case .scalarRight:
        let c = b[0]
        _fastParallelFor(n, grain: grain) { s, e in
            @inline(__always) func run(_ rule: BinaryFunction) {
                for i in s..<e { (y + i).initialize(to: rule.value(a[i], c)) }
            }
            f.withConstantRule(run)
        }
    case .scalarLeft:
        let c = a[0]
        _fastParallelFor(n, grain: grain) { s, e in
            @inline(__always) func run(_ rule: BinaryFunction) {
                for i in s..<e { (y + i).initialize(to: rule.value(c, b[i])) }
            }
            f.withConstantRule(run)
        }
    case let .strided(sa, sb):
        // The four arithmetic operations get loops of their own through a closure the
        // helper inlines (with the rule switch inside the row walk, LLVM kept one indirect
        // jump per element); the other rules go through the table per element.
        switch f {
        case .add: _fastStridedZip(shape, sa, sb, a, b, y, n, grain) { $0 + $1 }
        case .subtract: _fastStridedZip(shape, sa, sb, a, b, y, n, grain) { $0 - $1 }
        case .multiply: _fastStridedZip(shape, sa, sb, a, b, y, n, grain) { $0 * $1 }
        case .divide: _fastStridedZip(shape, sa, sb, a, b, y, n, grain) { $0 / $1 }
        default: _fastStridedZip(shape, sa, sb, a, b, y, n, grain) { f.value($0, $1) }
        }
    }
}

/// `y = op(a, b)` over `shape` with broadcast strides `sa`, `sb` (0 where broadcast).
/// Rows of the innermost dimension, split across cores; a chunk finds its first row's
/// input offsets from its multi-index, then steps to the next row with two additions, and
/// through the outer dimensions like an odometer when the row index wraps (no division
/// per row: rows are short, e.g. d = 2 in [K, n, d] − [K, 1, d]).
@inline(__always)
func _fastStridedZip<T: Real & BinaryFloatingPoint>(_ shape: [Int], _ sa: [Int], _ sb: [Int],
                                                    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                    _ y: UnsafeMutablePointer<T>, _ n: Int, _ grain: Int,
                                                    _ op: (T, T) -> T) {
    let r = shape.count, len = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1]
    let rows = n / len
    let rowCount = r >= 2 ? shape[r - 2] : 1, rowA = r >= 2 ? sa[r - 2] : 0, rowB = r >= 2 ? sb[r - 2] : 0
    _fastParallelFor(rows, grain: Swift.max(1, grain / len)) { first, last in
        var index = [Int](repeating: 0, count: Swift.max(r - 2, 0))
        var rest = first / rowCount, row2 = first % rowCount
        var oa = row2 * rowA, ob = row2 * rowB
        for d in stride(from: r - 3, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
            oa += index[d] * sa[d]
            ob += index[d] * sb[d]
        }
        for row in first..<last {
            let d = y + row * len
            if ia == 1 && ib == 1 {
                for k in 0..<len { (d + k).initialize(to: op(a[oa + k], b[ob + k])) }
            } else if ia == 1 && ib == 0 {
                let c = b[ob]
                for k in 0..<len { (d + k).initialize(to: op(a[oa + k], c)) }
            } else if ia == 0 && ib == 1 {
                let c = a[oa]
                for k in 0..<len { (d + k).initialize(to: op(c, b[ob + k])) }
            } else {
                for k in 0..<len { (d + k).initialize(to: op(a[oa + k * ia], b[ob + k * ib])) }
            }
            row2 += 1
            oa += rowA; ob += rowB
            if row2 == rowCount {
                row2 = 0
                oa -= rowA * rowCount; ob -= rowB * rowCount
                _ = _advance(&index, shape, sa, sb, &oa, &ob)
            }
        }
    }
}

// MARK: Reductions

/// A reduction named by what it computes, so that Float/Double can run a
/// typed loop instead of calling a `combine` closure per element (which
/// `_reduce(axes:keepingDimensions:initial:_:)` must do, since a closure cannot
/// be recognised). Same results as the closure forms used by `sum`, `product`,
/// `min` and `max`, up to the order of additions/multiplications for large
/// tensors (several partial results, like NumPy's pairwise summation).
@usableFromInline
enum _ReductionOp: Sendable {
    case sum, product, min, max
}

extension Tensor {
    /// Value-space kernel: `op` over `axes` (normalised, sorted). Equivalent to
    /// `_reduce(axes:keepingDimensions:initial:_:)` with `+` from 0, `*` from 1,
    /// or the NaN-propagating min/max from ±∞.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    func _reduce(axes: [Int], keepingDimensions: Bool, _ op: _ReductionOp) -> Tensor {
        if Scalar.self == Double.self || Scalar.self == Float.self, axes.count == rank {
            let outShape = _reducedShape(axes, keepingDimensions: keepingDimensions)
            let v: Scalar
            if Scalar.self == Double.self {
                v = unsafeBitCast(_fastFullReduction(op, unsafeBitCast(_buffer.elements, to: [Double].self)), to: Scalar.self)
            } else {
                v = unsafeBitCast(_fastFullReduction(op, unsafeBitCast(_buffer.elements, to: [Float].self)), to: Scalar.self)
            }
            return Tensor(_shape: outShape, _scalars: [v])
        }
        if Scalar.self == Double.self || Scalar.self == Float.self, !axes.isEmpty, count > 0 {
            let outShape = _reducedShape(axes, keepingDimensions: keepingDimensions)
            let out: [Scalar]
            if Scalar.self == Double.self {
                out = unsafeBitCast(_fastAxisReduction(op, unsafeBitCast(_buffer.elements, to: [Double].self), shape, axes),
                                    to: [Scalar].self)
            } else {
                out = unsafeBitCast(_fastAxisReduction(op, unsafeBitCast(_buffer.elements, to: [Float].self), shape, axes),
                                    to: [Scalar].self)
            }
            return Tensor(_shape: outShape, _scalars: out)
        }
        switch op {
        case .sum: return _reduce(axes: axes, keepingDimensions: keepingDimensions, initial: 0, +)
        case .product: return _reduce(axes: axes, keepingDimensions: keepingDimensions, initial: 1, *)
        case .min:
            return _reduce(axes: axes, keepingDimensions: keepingDimensions, initial: .infinity) { m, x in
                (m.isNaN || m <= x) ? m : x
            }
        case .max:
            return _reduce(axes: axes, keepingDimensions: keepingDimensions, initial: -.infinity) { m, x in
                (m.isNaN || m >= x) ? m : x
            }
        }
    }
}

/// One reduction as a type, so that its loop is specialised (a closure called per element
/// stays an indirect call): its identity and how it combines.
protocol _FastReduction {
    associatedtype T: Real & BinaryFloatingPoint & SIMDScalar
    static var identity: T { get }
    static func combine(_ a: T, _ b: T) -> T
    static func combine(_ a: SIMD8<T>, _ b: SIMD8<T>) -> SIMD8<T>
}
struct _RSum<T: Real & BinaryFloatingPoint & SIMDScalar>: _FastReduction {
    static var identity: T { 0 }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { a + b }
    @inline(__always) static func combine(_ a: SIMD8<T>, _ b: SIMD8<T>) -> SIMD8<T> { a + b }
}
struct _RProduct<T: Real & BinaryFloatingPoint & SIMDScalar>: _FastReduction {
    static var identity: T { 1 }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { a * b }
    @inline(__always) static func combine(_ a: SIMD8<T>, _ b: SIMD8<T>) -> SIMD8<T> { a * b }
}
/// NaN-propagating: once a lane holds NaN it keeps it, and a NaN element replaces the lane.
struct _RMin<T: Real & BinaryFloatingPoint & SIMDScalar>: _FastReduction {
    static var identity: T { .infinity }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { (a.isNaN || a <= b) ? a : b }
    @inline(__always) static func combine(_ a: SIMD8<T>, _ b: SIMD8<T>) -> SIMD8<T> {
        // Keep a where a is NaN or a <= b (a .!= a is the NaN mask).
        a.replacing(with: b, where: .!((a .!= a) .| (a .<= b)))
    }
}
struct _RMax<T: Real & BinaryFloatingPoint & SIMDScalar>: _FastReduction {
    static var identity: T { -.infinity }
    @inline(__always) static func combine(_ a: T, _ b: T) -> T { (a.isNaN || a >= b) ? a : b }
    @inline(__always) static func combine(_ a: SIMD8<T>, _ b: SIMD8<T>) -> SIMD8<T> {
        a.replacing(with: b, where: .!((a .!= a) .| (a .>= b)))
    }
}

@_specialize(where T == Double)
@_specialize(where T == Float)
func _fastFullReduction<T: Real & BinaryFloatingPoint & SIMDScalar>(_ op: _ReductionOp, _ x: [T]) -> T {
    x.withUnsafeBufferPointer { p in
        guard let base = p.baseAddress else {
            switch op {
            case .sum: return 0
            case .product: return 1
            case .min: return .infinity
            case .max: return -.infinity
            }
        }
        switch op {
        case .sum: return _fastReduce(_RSum<T>.self, base, p.count)
        case .product: return _fastReduce(_RProduct<T>.self, base, p.count)
        case .min: return _fastReduce(_RMin<T>.self, base, p.count)
        case .max: return _fastReduce(_RMax<T>.self, base, p.count)
        }
    }
}

/// `op` over `axes` (normalised, sorted, not all of them) of `x` laid out as `shape`: one
/// axis after another, each output the fold of its elements in index order from the
/// identity, exactly as `_reduce(axes:keepingDimensions:initial:_:)` with the closure of
/// `op` (so the same sums bit for bit), with the combine inlined instead of called per
/// element. Independent outer blocks run across cores when large.
@_specialize(where T == Double)
@_specialize(where T == Float)
func _fastAxisReduction<T: Real & BinaryFloatingPoint & SIMDScalar>(_ op: _ReductionOp, _ x: [T], _ shape: [Int],
                                                                     _ axes: [Int]) -> [T] {
    switch op {
    case .sum: return _fastAxisReduce(_RSum<T>.self, x, shape, axes)
    case .product: return _fastAxisReduce(_RProduct<T>.self, x, shape, axes)
    case .min: return _fastAxisReduce(_RMin<T>.self, x, shape, axes)
    case .max: return _fastAxisReduce(_RMax<T>.self, x, shape, axes)
    }
}

@inline(__always)
func _fastAxisReduce<R: _FastReduction>(_: R.Type, _ x: [R.T], _ shape: [Int], _ axes: [Int]) -> [R.T] {
    var current = x
    var currentShape = shape
    for axis in axes {
        let outer = currentShape[..<axis].reduce(1, *), length = currentShape[axis]
        let inner = currentShape[(axis + 1)...].reduce(1, *)
        let next = [R.T](unsafeUninitializedCapacity: outer * inner) { buffer, initialized in
            current.withUnsafeBufferPointer { p in
                guard let src = p.baseAddress, let dst = buffer.baseAddress else { return }
                let block = Swift.max(1, length * inner)
                _fastParallelFor(outer, grain: Swift.max(1, _fastCheapGrain / block)) { first, last in
                    for i in first..<last {
                        let o = dst + i * inner
                        if inner == 1 {
                            var acc = R.identity
                            for k in 0..<length { acc = R.combine(acc, src[i * length + k]) }
                            o.initialize(to: acc)
                            continue
                        }
                        o.initialize(repeating: R.identity, count: inner)
                        for k in 0..<length {
                            let row = src + (i * length + k) * inner
                            for j in 0..<inner { o[j] = R.combine(o[j], row[j]) }
                        }
                    }
                }
            }
            initialized = outer * inner
        }
        current = next
        currentShape[axis] = 1
    }
    return current
}

/// Folds `count` elements: eight lanes per chunk, chunks across cores, then
/// the partial results in a fixed order (deterministic for a given count).
@inline(__always)
func _fastReduce<R: _FastReduction>(_: R.Type, _ x: UnsafePointer<R.T>, _ count: Int) -> R.T {
    let chunks = Swift.max(1, Swift.min(_fastMaxChunks, count / _fastCheapGrain))
    let size = (count + chunks - 1) / chunks
    var partials = [R.T](repeating: R.identity, count: chunks)
    partials.withUnsafeMutableBufferPointer { part in
        let out = part.baseAddress!
        _fastParallelFor(chunks, grain: 1) { first, last in
            for c in first..<last {
                let start = c * size, end = Swift.min(count, start + size)
                var lanes = SIMD8<R.T>(repeating: R.identity)
                var i = start
                while i + 8 <= end {
                    lanes = R.combine(lanes, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<R.T>.self))
                    i += 8
                }
                var acc = R.identity
                for l in 0..<8 { acc = R.combine(acc, lanes[l]) }
                while i < end { acc = R.combine(acc, x[i]); i += 1 }
                out[c] = acc
            }
        }
    }
    var acc = R.identity
    for v in partials { acc = R.combine(acc, v) }
    return acc
}

// MARK: Batched matrix product

extension Tensor {
    /// Batched C[i] = op(A[i])·op(B[i]) for Float/Double: one `gemm` per batch entry on
    /// the operands' own storage, where a broadcast batch dimension reads the
    /// same matrix again (no expanded copies of the operands, no per-batch
    /// slices), and op transposes through gemm's flag when `transposeA`/`transposeB`
    /// is set (no transposed copies). `batch` is the broadcast batch shape; m, k, n
    /// (of the product op(A)·op(B)) are positive.
    static func _blasBatchedMatmul<T: LAPACKScalar>(_: T.Type, _ a: Tensor, _ b: Tensor, batch: [Int],
                                                   m: Int, k: Int, n: Int, transposeA: Bool = false,
                                                   transposeB: Bool = false) -> [Scalar] {
        // Strides in matrices along each batch dimension (0 where broadcast).
        let sa = _broadcastStrides(Array(a.shape.dropLast(2)), to: batch)
        let sb = _broadcastStrides(Array(b.shape.dropLast(2)), to: batch)
        let nb = batch.reduce(1, *)
        // Row lengths of the stored matrices: A is m×k (k×m transposed), B k×n (n×k).
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let A = LAPACK.cast(a._buffer.elements, T.self), B = LAPACK.cast(b._buffer.elements, T.self)
        let c = [T](unsafeUninitializedCapacity: nb * m * n) { pc, initialized in
            A.withUnsafeBufferPointer { pa in
                B.withUnsafeBufferPointer { pb in
                    for i in 0..<nb {
                        var rest = i, oa = 0, ob = 0
                        for d in stride(from: batch.count - 1, through: 0, by: -1) {
                            let j = rest % batch[d]
                            rest /= batch[d]
                            oa += j * sa[d]
                            ob += j * sb[d]
                        }
                        T._gemm(transposeA, transposeB, m, n, k, pa.baseAddress! + oa * m * k, lda,
                                pb.baseAddress! + ob * k * n, ldb, pc.baseAddress! + i * m * n, n)
                    }
                }
            }
            initialized = nb * m * n
        }
        return LAPACK.cast(c, Scalar.self)
    }
}
