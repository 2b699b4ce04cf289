import AutodiffCore
import RealModule
internal import _VectorMath

// MARK: - Layering (read this before adding an operation)
//
// `Tensor` is built in three layers, so that the autograd issue can record
// every public operation as exactly one tape node without touching the math:
//
// 1. Storage. `TensorBuffer<Scalar>` is the one internal final class that owns
//    the elements (row-major, contiguous). `Tensor` holds it in `_buffer` and
//    copies it on write (`_makeUnique()`), so `Tensor` has value semantics.
//    There are no strided views: every shape operation materialises a
//    contiguous result, which keeps kernels simple and inputs immutable.
//
// 2. Value-space kernels (internal, underscored, no autograd):
//    - `_map(_:)`            one `UnaryFunction` of the rule table, elementwise
//                            (Tensor+Elementwise.swift);
//    - `_zip(_:_:_:)`        one `BinaryFunction` with broadcasting;
//    - `_broadcastShape`, `_expand(to:)`, `_sumToShape(_:)` (the adjoint of
//                            broadcasting, which autograd needs for pullbacks);
//    - `_reduce(axes:keepingDimensions:initial:combine:)` (Tensor+Reduction.swift);
//    - `_reshape`, `_permute`, `_slice`, `_gather`, `_concatenate`
//                            (Tensor+Shape.swift, Tensor+Indexing.swift);
//    - `_matmulKernel(_:_:)` batched, broadcasting matrix product that goes
//                            through CBLAS for Float/Double and a generic loop
//                            otherwise (Tensor+LinearAlgebra.swift);
//    - `LAPACK.*`            the LAPACKE wrappers (LAPACK.swift), plus generic
//                            fallbacks in Tensor+LinearAlgebra.swift.
//
// 3. Public operations: thin wrappers that validate arguments, call one
//    kernel and return. The autograd issue wraps exactly these: each public op
//    becomes one node whose pullback is written with the kernels of layer 2
//    (e.g. the pullback of a broadcasting `+` is `_sumToShape`).
//
// Errors: LAPACK-backed operations and value-needing reductions on empty
// tensors `throw` a `TensorError`. Programmer errors that PyTorch reports with a
// RuntimeError at the call site (broadcasting or matmul shape mismatches, an
// axis out of range, a bad reshape) stop through `autodiffFailure` (AutodiffCore),
// whose message names the operation and the shapes in debug and release builds.

/// Has the C heap keep freed tensor-sized blocks for reuse instead of unmapping them
/// (once per process; later calls cost a C call and a load). Why and how: heap.c
/// (_VectorMath). A C call, so that no optimisation drops it from `TensorBuffer.init`.
@usableFromInline
func _keepLargeHeapBlocks() { _ = autodiff_heap_keep_large_blocks() }

/// The storage of a ``Tensor``: a contiguous row-major array of scalars.
///
/// Internal; shared between tensors until one of them is mutated.
@usableFromInline
final class TensorBuffer<Scalar>: @unchecked Sendable {
    // @unchecked: a buffer is only mutated through `Tensor._makeUnique()`,
    // i.e. when exactly one tensor refers to it.
    @usableFromInline var elements: [Scalar]

    @inlinable init(_ elements: [Scalar]) {
        _keepLargeHeapBlocks()   // once per process: freed large tensors are reused, not unmapped
        self.elements = elements
    }
}

/// A dense n-dimensional array of scalars with value semantics.
///
/// Elements are stored contiguously in row-major order; a 0-d tensor holds one
/// scalar. `Tensor` is generic over any `Real` scalar: `Tensor<Double>` and
/// `Tensor<Float>` use BLAS, LAPACK and vectorised loops, while
/// `Tensor<Dual<Double>>` or `Tensor<Reverse<Double>>` run through generic
/// kernels with the same results.
///
/// ```swift
/// let a: Tensor<Double> = [[1, 2], [3, 4]]
/// let b = Tensor<Double>.ones([2, 2])
/// print(matmul(a, b) + 1)
/// // tensor([[4., 4.],
/// //         [8., 8.]])
/// ```
public struct Tensor<Scalar: Real> {
    @usableFromInline var _buffer: TensorBuffer<Scalar>

    /// The size of each dimension; `[]` for a 0-d (scalar) tensor.
    public let shape: [Int]

    /// Autograd state (requires-grad flag, `gradFn`, `grad`, version counter),
    /// shared by reference between copies, as PyTorch's tensors alias
    /// (Autograd/Tensor+Autograd.swift). An in-place operation that is
    /// recorded gives the tensor new metadata (its new history).
    @usableFromInline var _meta: _AutogradMeta<Scalar>

    /// Creates a tensor from row-major scalars and a shape (internal: no checks
    /// beyond a debug assertion).
    @inlinable
    init(_shape shape: [Int], _scalars scalars: [Scalar]) {
        // Internal invariant (callers computed the scalars for this shape).
        assert(shape.reduce(1, *) == scalars.count, "shape \(shape) does not match \(scalars.count) scalars")
        self._buffer = TensorBuffer(scalars)
        self.shape = shape
        self._meta = _AutogradMeta()
    }

    /// A tensor sharing `buffer` with fresh (leaf, no grad) autograd metadata.
    @inlinable
    init(_shape shape: [Int], _buffer buffer: TensorBuffer<Scalar>) {
        self._buffer = buffer
        self.shape = shape
        self._meta = _AutogradMeta()
    }

    /// Creates a tensor of the given shape from its scalars in row-major order.
    ///
    /// ```swift
    /// let m = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    /// let w = Tensor<Double>(shape: [2], scalars: [1, 2], requiresGrad: true)
    /// ```
    ///
    /// - Parameter requiresGrad: whether operations on the tensor are recorded
    ///   for ``backward(gradient:retainGraph:createGraph:file:line:)`` (a leaf).
    /// - Precondition: `shape` has no negative size and its product is
    ///   `scalars.count`.
    public init(shape: [Int], scalars: [Scalar], requiresGrad: Bool = false) {
        let count = _elementCount(shape, operation: "Tensor(shape:scalars:)")
        autodiffRequire(count == scalars.count, "Tensor(shape:scalars:)",
                        "shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.init(_shape: shape, _scalars: scalars)
        _meta.requiresGrad = requiresGrad
    }

    /// Creates a 0-d tensor holding one scalar.
    ///
    /// ```swift
    /// let s = Tensor<Double>(25)   // tensor(25.)
    /// ```
    public init(_ scalar: Scalar) {
        self.init(_shape: [], _scalars: [scalar])
    }

    /// Creates a 1-d tensor from an array.
    ///
    /// ```swift
    /// let v = Tensor<Double>([1, 2, 3])
    /// ```
    public init(_ scalars: [Scalar]) {
        self.init(_shape: [scalars.count], _scalars: scalars)
    }

    /// A tensor from a (nested) literal that requires grad or not.
    ///
    /// ```swift
    /// let w = Tensor<Double>([[1, 2], [3, 4]], requiresGrad: true)
    /// let s = Tensor<Double>(2, requiresGrad: true)   // 0-d
    /// ```
    public init(_ literal: TensorLiteral<Scalar>, requiresGrad: Bool = false) {
        self.init(_shape: literal.shape, _scalars: literal.scalars)
        _meta.requiresGrad = requiresGrad
    }

    /// The scalars in row-major order.
    public var scalars: [Scalar] {
        get { _buffer.elements }
        set {
            autodiffRequire(newValue.count == _buffer.elements.count, "Tensor.scalars (set)",
                            "shape \(shape) needs \(_buffer.elements.count) scalars, got \(newValue.count)")
            _prepareInPlace("scalars (set)", nil)
            _makeUnique()
            _buffer.elements = newValue
        }
    }

    /// The number of dimensions (0 for a scalar).
    @inlinable public var rank: Int { shape.count }

    /// The number of elements (1 for a 0-d tensor, 0 for an empty one).
    @inlinable public var count: Int { _buffer.elements.count }

    /// True when the tensor has no elements.
    @inlinable public var isEmpty: Bool { _buffer.elements.isEmpty }

    /// Row-major strides, in elements.
    @inlinable public var strides: [Int] { _stridesFor(shape) }

    /// The single scalar of a tensor with exactly one element (PyTorch's `item()`).
    ///
    /// ```swift
    /// let total = try Tensor<Double>.ones([2, 2]).sum().item()   // 4.0
    /// ```
    ///
    /// - Throws: ``TensorError/empty(operation:)`` if the tensor is empty, and
    ///   ``TensorError/shapeMismatch(operation:lhs:rhs:)`` if it has more than
    ///   one element.
    public func item() throws -> Scalar {
        if count == 0 { throw TensorError.empty(operation: "item") }
        if count != 1 { throw TensorError.shapeMismatch(operation: "item", lhs: shape, rhs: []) }
        return _buffer.elements[0]
    }

    /// The scalar at a full multi-index (negative indices count from the end).
    ///
    /// ```swift
    /// let m: Tensor<Double> = [[1, 2], [3, 4]]
    /// m[scalarAt: [1, 0]]   // 3.0
    /// ```
    public subscript(scalarAt index: [Int]) -> Scalar {
        get { _buffer.elements[_flatIndex(index, operation: "subscript(scalarAt:)")] }
        set {
            let i = _flatIndex(index, operation: "subscript(scalarAt:)")
            _prepareInPlace("subscript(scalarAt:) (set)", nil)
            _makeUnique()
            _buffer.elements[i] = newValue
        }
    }

    @usableFromInline
    func _flatIndex(_ index: [Int], operation: String) -> Int {
        autodiffRequire(index.count == rank, operation,
                        "index \(index) has \(index.count) components, tensor of shape \(shape) needs \(rank)")
        var flat = 0
        for (d, i) in index.enumerated() {
            let n = shape[d]
            let j = i < 0 ? i + n : i
            autodiffRequire(j >= 0 && j < n, operation, "index \(i) out of range for dimension \(d) of shape \(shape)")
            flat = flat * n + j
        }
        return flat
    }

    /// Ensures the storage is not shared before an in-place write.
    @inlinable
    mutating func _makeUnique() {
        if !isKnownUniquelyReferenced(&_buffer) {
            _buffer = TensorBuffer(_buffer.elements)
        }
    }

    /// Applies `body` to the storage for an in-place update, copying it first if shared.
    @inlinable
    mutating func _withMutableScalars<R>(_ body: (inout [Scalar]) throws -> R) rethrows -> R {
        _makeUnique()
        return try body(&_buffer.elements)
    }
}

extension Tensor: @unchecked Sendable where Scalar: Sendable {}

extension Tensor: Equatable {
    /// Tensors are equal when their shapes and all scalars are equal (so a
    /// tensor containing NaN is not equal to itself, like `Double`).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs._buffer.elements == rhs._buffer.elements
    }
}

/// One level of a nested array literal for ``Tensor``: a scalar, or a list of
/// elements of equal shape.
///
/// You rarely name this type; it lets you write
/// `let m: Tensor<Double> = [[1, 2], [3, 4]]`.
public struct TensorLiteral<Scalar: Real>: ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral {
    @usableFromInline var shape: [Int]
    @usableFromInline var scalars: [Scalar]

    public init(integerLiteral value: Int) {
        shape = []
        scalars = [Scalar(value)]
    }

    public init(arrayLiteral elements: TensorLiteral...) {
        self.init(_elements: elements)
    }

    /// Wraps a scalar (used for non-literal scalar elements).
    public init(_ scalar: Scalar) {
        shape = []
        scalars = [scalar]
    }
}

extension TensorLiteral: ExpressibleByFloatLiteral where Scalar: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Scalar.FloatLiteralType) {
        shape = []
        scalars = [Scalar(floatLiteral: value)]
    }
}

extension Tensor: ExpressibleByArrayLiteral {
    /// A tensor from a nested array literal; the nesting depth is the rank.
    ///
    /// ```swift
    /// let m: Tensor<Double> = [[1, 2, 3], [4, 5, 6]]   // shape [2, 3]
    /// ```
    public init(arrayLiteral elements: TensorLiteral<Scalar>...) {
        let literal = TensorLiteral(_elements: elements)
        self.init(_shape: literal.shape, _scalars: literal.scalars)
    }
}

extension TensorLiteral {
    init(_elements elements: [TensorLiteral]) {
        guard let first = elements.first else {
            shape = [0]; scalars = []; return
        }
        for e in elements {
            autodiffRequire(e.shape == first.shape, "Tensor literal",
                            "ragged nesting, elements of shapes \(first.shape) and \(e.shape)")
        }
        shape = [elements.count] + first.shape
        scalars = elements.flatMap(\.scalars)
    }
}

@inlinable
func _stridesFor(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[d] = s
        s *= shape[d]
    }
    return strides
}

/// Normalises a possibly negative axis against a rank, stopping with a message naming the operation.
/// The one place where axes are normalised: a 0-d tensor accepts axes 0 and -1, as in PyTorch
/// (both name its single, implicit dimension).
@usableFromInline
func _normalizeAxis(_ axis: Int, rank: Int, operation: String, shape: [Int]) -> Int {
    let r = Swift.max(rank, 1)
    let a = axis < 0 ? axis + r : axis
    autodiffRequire(a >= 0 && a < r, operation, "axis \(axis) out of range for tensor of shape \(shape)")
    return a
}

/// The number of elements of a caller's `shape`, stopping with a message naming the
/// operation when a size is negative or the product of the sizes overflows `Int` (in
/// debug and release builds, where plain `*` would trap without a message). The message
/// shows `reported` (the caller's spelling of the shape, e.g. with a -1) when given.
@usableFromInline
func _elementCount(_ shape: [Int], operation: String, reporting reported: [Int]? = nil,
                   file: StaticString = #fileID, line: UInt = #line) -> Int {
    var count = 1
    for n in shape {
        autodiffRequire(n >= 0, operation, "negative size in shape \(reported ?? shape)", file: file, line: line)
        let (product, overflow) = count.multipliedReportingOverflow(by: n)
        autodiffRequire(!overflow, operation,
                        "shape \(reported ?? shape) has more elements than Int can count (the product of its sizes overflows)",
                        file: file, line: line)
        count = product
    }
    return count
}
