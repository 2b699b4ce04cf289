import AutodiffCore
import RealModule
internal import Synchronization

// MARK: - The tensor autograd engine
//
// PyTorch's eager autograd, on the same principle as the scalar tape of
// `Reverse<T>` (Tape.swift): **creation order is topological order**.
//
// - Every recorded tensor operation is one `GradFunction` node (never one node
//   per element). A node gets a sequence number from a process-wide atomic
//   counter when it is created; since a node is created after the nodes of its
//   inputs, sequence numbers decrease along every path from an output to the
//   leaves, exactly like tape indices.
// - Unlike the scalar tape, whose lifetime is one `withTape` scope, tensor
//   graphs are owned by the tensors that reach them (PyTorch's eager model):
//   a tensor's metadata holds its `gradFn` strongly and each node holds its
//   input edges, so a graph lives exactly as long as some tensor can reach it
//   and is freed by reference counting, with no global state to interfere
//   between threads.
// - `backward()` runs the tape's reverse sweep over the reachable nodes: a
//   max-heap keyed by sequence number (PyTorch's ready queue does the same)
//   pops nodes in decreasing creation order, so every node runs once, after
//   all its consumers have added their contributions. No topological sort,
//   no dependency counting.
// - After a node's pullback runs (without `retainGraph`) its saved values are
//   released; reaching it again throws `AutogradError.graphFreed`.
// - Version counters: each tensor's metadata counts in-place modifications.
//   A node remembers the version of every tensor it saved; at backward a
//   mismatch throws `AutogradError.inPlaceModified`, naming the saving node,
//   the in-place operation and both source locations.

/// A node of the autograd graph: the backward function of one recorded tensor
/// operation (PyTorch's `grad_fn`).
///
/// Names follow PyTorch (`AddBackward0`, `MulBackward0`, `SinBackward0`,
/// `SumBackward0`, `MmBackward0`, `AccumulateGrad`, …), so that walking the
/// graph prints what the PyTorch tutorials print:
///
/// ```swift
/// let a = Tensor<Double>.linspace(from: 0, to: 2 * .pi, count: 25, requiresGrad: true)
/// let d = 2 * sin(a) + 1
/// print(d.gradFn!)                       // <AddBackward0 object>
/// print(d.gradFn!.nextFunctions)         // [(<MulBackward0 object>, 0), (None, 0)]
/// ```
public final class GradFunction: CustomStringConvertible, @unchecked Sendable {
    // @unchecked: a graph is mutated only by the thread that records it or
    // runs backward through it (as for `Reverse<T>`, graphs are not shared
    // between threads while in use).

    /// PyTorch's name of the backward function (`"MulBackward0"`).
    public let name: String
    /// The backward functions of this operation's inputs, each with the output
    /// number it produced; `nil` for an input that does not require grad
    /// (a constant), as in PyTorch's `next_functions`.
    public var nextFunctions: [(GradFunction?, Int)] { edges.map { ($0.function, $0.outputNr) } }

    /// Creation order; decreasing along every path to the leaves.
    public let sequenceNumber: UInt64
    /// Where the operation was recorded, when known (methods with `file:line:`).
    public let sourceLocation: CallSite?

    let edges: [_Edge]
    /// Type-erased backward (a `_NodeImpl<Scalar>`); `nil` once freed.
    var impl: AnyObject?
    /// Number of outputs of the operation.
    let outputCount: Int
    /// For `AccumulateGrad`: the leaf's metadata (a `_AutogradMeta<Scalar>`).
    let leaf: AnyObject?
    /// Non-leaf outputs whose gradient is retained (`retainGrad()`), by output number.
    var retained: [(Int, _WeakBox)] = []
    /// The call stack at recording, only in anomaly mode.
    var anomalyTrace: [String]?

    init(name: String, edges: [_Edge], outputCount: Int, impl: AnyObject?, leaf: AnyObject? = nil,
         location: CallSite?) {
        self.name = name
        self.edges = edges
        self.outputCount = outputCount
        self.impl = impl
        self.leaf = leaf
        self.sourceLocation = location
        self.sequenceNumber = _nodeSequence.add(1, ordering: .relaxed).newValue
        _liveNodes.add(1, ordering: .relaxed)
    }

    deinit { _liveNodes.subtract(1, ordering: .relaxed) }

    /// True for the node that accumulates into a leaf's `grad`.
    public var isAccumulateGrad: Bool { leaf != nil }

    /// True once backward ran through this node without `retainGraph`.
    public var isFreed: Bool { impl == nil && leaf == nil }

    /// PyTorch's form, `<AddBackward0 object>` (without an address).
    public var description: String { "<\(name) object>" }

    /// The number of graph nodes alive in the process (for memory checks).
    public static var liveCount: Int { _liveNodes.load(ordering: .relaxed) }

    /// "MulBackward0 (recorded at File.swift:12)" or "MulBackward0 (operation #n)".
    var labelWithLocation: String {
        if let l = sourceLocation { return "\(name) (recorded at \(l))" }
        var s = "\(name) (operation #\(sequenceNumber), recorded by an operator or free function without a source location"
        if let t = anomalyTrace, let first = t.first { s += "; call stack: \(first)" }
        return s + ")"
    }
}

extension GradFunction: Hashable {
    public static func == (a: GradFunction, b: GradFunction) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

/// Prints `nextFunctions` entries like PyTorch: `(<MulBackward0 object>, 0)` and `(None, 0)`.
public func describeNextFunctions(_ next: [(GradFunction?, Int)]) -> String {
    let items = next.map { "(\($0.0.map(\.description) ?? "None"), \($0.1))" }
    return "(" + items.joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
}

/// A source location (`#fileID:#line`), named in autograd messages.
public struct CallSite: Sendable, CustomStringConvertible, Equatable {
    public let file: String
    public let line: UInt
    public init(file: StaticString = #fileID, line: UInt = #line) {
        self.file = "\(file)"
        self.line = line
    }
    public var description: String { "\(file):\(line)" }
}

struct _Edge {
    let function: GradFunction?
    let outputNr: Int
}

final class _WeakBox {
    weak var object: AnyObject?
    init(_ o: AnyObject) { object = o }
}

private let _nodeSequence = Atomic<UInt64>(0)
private let _liveNodes = Atomic<Int>(0)

/// What a node saved for its backward: the tensor's metadata and its version then.
struct _SavedVersion {
    /// Strong for inputs; weak for outputs (to avoid a cycle through the output's `gradFn`).
    let strong: AnyObject?
    let weak: _WeakBox?
    let version: Int
}

/// The typed backward of one node.
final class _NodeImpl<Scalar: Real> {
    let pullback: ([Tensor<Scalar>?]) throws -> [Tensor<Scalar>?]
    let saved: [_SavedVersion]
    let outputShapes: [[Int]]
    init(pullback: @escaping ([Tensor<Scalar>?]) throws -> [Tensor<Scalar>?], saved: [_SavedVersion],
         outputShapes: [[Int]]) {
        self.pullback = pullback
        self.saved = saved
        self.outputShapes = outputShapes
    }
}

// MARK: - Tensor metadata

/// The autograd state of a tensor, shared (by reference) between copies of
/// the tensor, as in PyTorch where assignment aliases.
@usableFromInline
final class _AutogradMeta<Scalar: Real> {
    var requiresGrad = false
    var gradFn: GradFunction?
    var outputNr = 0
    var grad: Tensor<Scalar>?
    var retainsGrad = false
    /// Number of in-place modifications.
    var version = 0
    /// The last in-place modification: operation and location.
    var lastModification: (operation: String, location: CallSite?)?
    weak var accumulator: GradFunction?

    @usableFromInline init() {}

    var isLeaf: Bool { gradFn == nil }

    /// The edge a consumer of this tensor records.
    func edge() -> _Edge {
        if !requiresGrad { return _Edge(function: nil, outputNr: 0) }
        if let f = gradFn { return _Edge(function: f, outputNr: outputNr) }
        if let a = accumulator { return _Edge(function: a, outputNr: 0) }
        let a = GradFunction(name: "AccumulateGrad", edges: [], outputCount: 1, impl: nil, leaf: self, location: nil)
        accumulator = a
        return _Edge(function: a, outputNr: 0)
    }

    func bumpVersion(_ operation: String, _ location: CallSite?) {
        version += 1
        lastModification = (operation, location)
    }
}

// MARK: - Errors

/// Why a backward pass (or an autograd request) failed.
///
/// ```swift
/// let y = Tensor<Double>([1, 2], requiresGrad: true) * 2
/// do { try y.backward() } catch { print(error) }
/// // grad can be implicitly created only for scalar outputs: backward() was called on a tensor of shape [2] …
/// ```
public enum AutogradError: Error, CustomStringConvertible, Sendable {
    /// `backward()` without a gradient on a tensor with more than one element.
    case nonScalarBackward(shape: [Int], location: CallSite)
    /// The tensor does not require grad and has no `gradFn`.
    case doesNotRequireGrad(operation: String)
    /// The gradient passed to `backward(gradient:)` has the wrong shape.
    case gradientShapeMismatch(expected: [Int], got: [Int])
    /// Backward reached a node whose saved values were freed by an earlier backward.
    case graphFreed(operation: String, location: CallSite)
    /// A value saved for backward was modified in place afterwards.
    case inPlaceModified(saved: String, modified: String, savedVersion: Int, currentVersion: Int)
    /// An in-place operation on a leaf that requires grad, outside `withNoGrad`.
    case leafInPlace(operation: String, location: CallSite?)
    /// Anomaly mode: a backward function produced NaN or infinity.
    case anomaly(operation: String, value: String)
    /// A custom function's backward returned the wrong number or shapes of gradients.
    case invalidGradient(operation: String, detail: String)
    /// An operation without a derivative (`qr`, `leastSquares`) was given inputs that
    /// require grad while recording: refused rather than returning a result whose
    /// gradient would silently be missing.
    case notDifferentiable(operation: String)

    public var description: String {
        switch self {
        case let .nonScalarBackward(shape, location):
            return "grad can be implicitly created only for scalar outputs: backward() was called at \(location) "
                + "on a tensor of shape \(shape); pass backward(gradient:) a tensor of that shape "
                + "(the vector of the vector-Jacobian product)"
        case let .doesNotRequireGrad(operation):
            return "\(operation): element 0 of tensors does not require grad and does not have a grad_fn"
        case let .gradientShapeMismatch(expected, got):
            return "backward(gradient:): the gradient has shape \(got), the output has shape \(expected)"
        case let .graphFreed(operation, location):
            return "Trying to backward through the graph a second time (at \(location)), through \(operation): "
                + "its saved values were freed by the previous backward. Specify retainGraph: true on the first "
                + "backward call if you need to backward through the graph a second time."
        case let .inPlaceModified(saved, modified, savedVersion, currentVersion):
            return "one of the variables needed for gradient computation has been modified by an inplace operation: "
                + "it was saved by \(saved) and modified by \(modified); it is at version \(currentVersion); "
                + "expected version \(savedVersion)"
        case let .leafInPlace(operation, location):
            return "a leaf Variable that requires grad is being used in an in-place operation (\(operation)"
                + (location.map { " at \($0)" } ?? "") + "); do it inside withNoGrad { … } or on a detach()ed copy"
        case let .anomaly(operation, value):
            return "Function \(operation) returned \(value) values in its gradient (anomaly mode)"
        case let .invalidGradient(operation, detail):
            return "\(operation): invalid gradient returned by backward: \(detail)"
        case let .notDifferentiable(operation):
            return "\(operation) has no derivative in Autodiff yet, and its input requires grad: a result without "
                + "a gradient would make the gradients silently wrong. Call it inside withNoGrad { … } or on "
                + "detach()ed inputs if its gradient is not needed."
        }
    }
}

/// Throws ``AutogradError/notDifferentiable(operation:)`` when recording is on and one
/// of `inputs` requires grad (for operations that have no derivative).
func _refuseWithoutDerivative<Scalar>(_ operation: String, _ inputs: Tensor<Scalar>...) throws {
    if isGradEnabled && inputs.contains(where: { $0.requiresGrad }) {
        throw AutogradError.notDifferentiable(operation: operation)
    }
}
