import AutodiffCore
import RealModule

// MARK: - Public autograd interface of Tensor

extension Tensor {
    /// Whether operations on this tensor are recorded for ``backward(gradient:retainGraph:createGraph:file:line:)``.
    ///
    /// Setting it on a leaf switches recording on or off in place, without
    /// recording the tensor's past (PyTorch's `requires_grad_()`); copies of
    /// the tensor share the flag. Results of recorded operations require grad;
    /// only leaves may be switched off.
    ///
    /// ```swift
    /// let a = Tensor<Double>.ones([2, 2])
    /// a.requiresGrad = true
    /// (a * a).sum().gradFn!.name   // "SumBackward0"
    /// ```
    ///
    /// - Precondition: setting `false` on a non-leaf fails, as in PyTorch
    ///   (use ``detach()``).
    public var requiresGrad: Bool {
        get { _meta.requiresGrad }
        nonmutating set {
            if !_meta.isLeaf {
                autodiffRequire(newValue, "requiresGrad (set)",
                                "you can only change requires_grad flags of leaf variables. If you want to "
                                + "use a computed variable in a subgraph that doesn't require differentiation use "
                                + "detach() (tensor of shape \(shape), gradFn \(_meta.gradFn!.name))")
                return
            }
            _meta.requiresGrad = newValue
        }
    }

    /// Sets ``requiresGrad`` and returns the tensor (PyTorch's `requires_grad_()`).
    ///
    /// ```swift
    /// let w = Tensor<Double>.zeros([3]).requiringGrad()
    /// ```
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// True for tensors not produced by a recorded operation (they have no ``gradFn``).
    public var isLeaf: Bool { _meta.isLeaf }

    /// The gradient accumulated by backward passes: set on leaves that require
    /// grad (and on non-leaves after ``retainGrad()``), `nil` before the first
    /// backward pass. Copies of a tensor share it; it can be set and cleared.
    ///
    /// ```swift
    /// let x = Tensor<Double>.ones([2, 2], requiresGrad: true)
    /// try ((x + 2) * (x + 2) * 3).mean().backward()
    /// x.grad   // tensor([[4.5000, 4.5000], [4.5000, 4.5000]])
    /// ```
    public var grad: Tensor? {
        get { _meta.grad }
        nonmutating set { _meta.grad = newValue }
    }

    /// The backward function of the operation that produced this tensor; `nil` for leaves.
    public var gradFn: GradFunction? { _meta.gradFn }

    /// The number of in-place modifications of this tensor (PyTorch's `_version`).
    public var version: Int { _meta.version }

    /// The same values outside the graph: a new leaf that does not require grad
    /// (PyTorch's `detach()`). The storage is shared until either is modified.
    ///
    /// ```swift
    /// let y = x.detach()   // y == x, y.requiresGrad == false
    /// ```
    public func detach() -> Tensor { Tensor(_shape: shape, _buffer: _buffer) }

    /// Asks the next backward passes to also store this non-leaf tensor's
    /// gradient in ``grad`` (PyTorch's `retain_grad()`); no effect on leaves.
    ///
    /// ```swift
    /// let y = x * 2
    /// y.retainGrad()
    /// try y.sum().backward()   // y.grad == ones
    /// ```
    public func retainGrad() {
        guard let f = _meta.gradFn, !_meta.retainsGrad else { return }
        _meta.retainsGrad = true
        f.retained.append((_meta.outputNr, _WeakBox(_meta)))
    }

    /// True after ``retainGrad()`` on a non-leaf.
    public var retainsGrad: Bool { _meta.retainsGrad }

    /// Clears ``grad``: to `nil` (the default, PyTorch's `set_to_none=True`)
    /// or to zeros of the same shape (when a gradient exists).
    ///
    /// ```swift
    /// w.zeroGrad(setToNone: false)   // w.grad is all zeros
    /// ```
    public func zeroGrad(setToNone: Bool = true) {
        if setToNone { _meta.grad = nil; return }
        if let g = _meta.grad { _meta.grad = Tensor.zeros(g.shape) }
    }

    /// Computes the gradient of this tensor with respect to the leaves of its
    /// graph and accumulates it into their ``grad``.
    ///
    /// On a one-element tensor the gradient defaults to 1; on others pass
    /// `gradient` (same shape), the vector of the vector-Jacobian product.
    /// The graph's saved values are freed afterwards unless `retainGraph`;
    /// with `createGraph` the backward pass is itself recorded, so gradients
    /// can be differentiated again (Hessian-vector products).
    ///
    /// ```swift
    /// let x = Tensor<Double>([1, 1, 1], requiresGrad: true)
    /// let z = 3 * x * x
    /// try z.backward(gradient: Tensor([0.1, 1, 10]))
    /// x.grad   // tensor([ 0.6000,  6.0000, 60.0000])
    /// ```
    ///
    /// - Throws: ``AutogradError`` — `nonScalarBackward` without a gradient on
    ///   a tensor of several elements, `graphFreed` through a freed graph,
    ///   `inPlaceModified` when a saved value was modified in place,
    ///   `anomaly` in anomaly mode.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false,
                         file: StaticString = #fileID, line: UInt = #line) throws {
        let location = CallSite(file: file, line: line)
        let seed: Tensor
        if let gradient {
            if gradient.shape != shape { throw AutogradError.gradientShapeMismatch(expected: shape, got: gradient.shape) }
            seed = gradient
        } else {
            if count != 1 { throw AutogradError.nonScalarBackward(shape: shape, location: location) }
            seed = Tensor(_shape: shape, _scalars: [1])
        }
        if !requiresGrad { throw AutogradError.doesNotRequireGrad(operation: "backward") }
        _ = try _AutogradEngine<Scalar>.run(roots: [(self, seed)], retainGraph: retainGraph || createGraph,
                                            createGraph: createGraph, accumulate: true, captures: [],
                                            location: location)
    }
}

/// The gradients of `outputs` with respect to `inputs`, without touching
/// any `.grad` (PyTorch's `torch.autograd.grad`); `nil` for an input the
/// outputs do not depend on.
///
/// ```swift
/// let x = Tensor<Double>([2], requiresGrad: true)
/// let y = (x * x * x).sum()
/// let dx = try gradients(of: [y], withRespectTo: [x], createGraph: true)[0]!   // 3x² = 12
/// let d2x = try gradients(of: [dx.sum()], withRespectTo: [x])[0]!             // 6x = 12
/// ```
public func gradients<Scalar>(of outputs: [Tensor<Scalar>], withRespectTo inputs: [Tensor<Scalar>],
                              gradOutputs: [Tensor<Scalar>]? = nil, retainGraph: Bool = false,
                              createGraph: Bool = false,
                              file: StaticString = #fileID, line: UInt = #line) throws -> [Tensor<Scalar>?] {
    let location = CallSite(file: file, line: line)
    var roots: [(Tensor<Scalar>, Tensor<Scalar>)] = []
    for (k, y) in outputs.enumerated() {
        if !y.requiresGrad { throw AutogradError.doesNotRequireGrad(operation: "gradients(of:withRespectTo:)") }
        if let g = gradOutputs?[k] {
            if g.shape != y.shape { throw AutogradError.gradientShapeMismatch(expected: y.shape, got: g.shape) }
            roots.append((y, g))
        } else {
            if y.count != 1 { throw AutogradError.nonScalarBackward(shape: y.shape, location: location) }
            roots.append((y, Tensor(_shape: y.shape, _scalars: [1])))
        }
    }
    let edges = inputs.map { $0._meta.edge() }
    return try _AutogradEngine<Scalar>.run(roots: roots, retainGraph: retainGraph || createGraph,
                                           createGraph: createGraph, accumulate: false, captures: edges,
                                           location: location)
}

// MARK: - Recording funnel

extension Tensor {
    /// The one place where tensor operations are recorded (and profiled).
    ///
    /// Runs `forward`; when grad mode is on and an input requires grad,
    /// records one node named `backwardName` whose pullback maps the output's
    /// gradient to one gradient per input (`nil` = none). Pullbacks are
    /// written with the public (recording) operations: the engine runs them
    /// under no-grad, or recording when `createGraph` is set.
    /// `saving` lists the inputs whose version is checked at backward;
    /// `savesOutput` adds the output (held weakly).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    @usableFromInline
    static func _op(_ name: String, _ backwardName: String, _ inputs: [Tensor], saving: [Tensor] = [],
                    savesOutput: Bool = false, location: CallSite? = nil,
                    _ forward: () throws -> Tensor,
                    pullback: @escaping (Tensor) throws -> [Tensor?]) rethrows -> Tensor {
        let context = _Autograd.context
        let records = context.gradEnabled && inputs.contains(where: { $0._meta.requiresGrad })
        let result: Tensor
        if let p = context.profiler {
            result = try p.measure(name) { records ? try _Autograd.with(gradEnabled: false, forward) : try forward() }
        } else {
            result = records ? try _Autograd.with(gradEnabled: false, forward) : try forward()
        }
        guard records else { return result }
        _attach(backwardName, inputs: inputs, saving: saving, outputs: savesOutput ? [result] : [],
                results: [result], location: location, anomaly: context.anomalyDetection) { grads in
            try pullback(grads[0]!)
        }
        return result
    }

    /// The funnel for operations with several outputs (eigh, svd, split, …):
    /// the pullback receives one optional gradient per output (`nil` = zero).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func _opMulti(_ name: String, _ backwardName: String, _ inputs: [Tensor], saving: [Tensor] = [],
                         location: CallSite? = nil,
                         _ forward: () throws -> [Tensor],
                         pullback: @escaping ([Tensor?]) throws -> [Tensor?]) rethrows -> [Tensor] {
        let context = _Autograd.context
        let records = context.gradEnabled && inputs.contains(where: { $0._meta.requiresGrad })
        let results: [Tensor]
        if let p = context.profiler {
            results = try p.measure(name) { records ? try _Autograd.with(gradEnabled: false, forward) : try forward() }
        } else {
            results = records ? try _Autograd.with(gradEnabled: false, forward) : try forward()
        }
        guard records else { return results }
        _attach(backwardName, inputs: inputs, saving: saving, outputs: results, results: results,
                location: location, anomaly: context.anomalyDetection, pullback)
        return results
    }

    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    private static func _attach(_ backwardName: String, inputs: [Tensor], saving: [Tensor], outputs: [Tensor],
                                results: [Tensor], location: CallSite?, anomaly: Bool,
                                _ pullback: @escaping ([Tensor?]) throws -> [Tensor?]) {
        // Closures, not key paths (`\.shape`): a generic key path is instantiated at run time on
        // every call, which cost about 5% of a small recorded operation.
        var saved = saving.map { _SavedVersion(strong: $0._meta, weak: nil, version: $0._meta.version) }
        saved += outputs.map { _SavedVersion(strong: nil, weak: _WeakBox($0._meta), version: $0._meta.version) }
        let impl = _NodeImpl<Scalar>(pullback: pullback, saved: saved, outputShapes: results.map { $0.shape })
        let node = GradFunction(name: backwardName, edges: inputs.map { $0._meta.edge() },
                                outputCount: results.count, impl: impl, location: location)
        if anomaly { node.anomalyTrace = _callStack() }
        for (k, r) in results.enumerated() {
            r._meta.requiresGrad = true
            r._meta.gradFn = node
            r._meta.outputNr = k
        }
    }

    /// `nil` when `flag` is false, else `body()`: pullbacks compute only the
    /// gradients of inputs that require grad.
    @inline(__always)
    static func _if(_ flag: Bool, _ body: () throws -> Tensor) rethrows -> Tensor? { flag ? try body() : nil }

    /// Refuses an in-place operation on a leaf that requires grad while recording.
    func _checkLeafInPlace(_ operation: String, _ location: CallSite?) {
        if _meta.requiresGrad && _meta.isLeaf && _Autograd.isGradEnabled {
            autodiffFailure(operation, AutogradError.leafInPlace(operation: operation, location: location).description)
        }
    }

    /// Called before a raw in-place write (scalar setters): refuses leaves that
    /// require grad and recorded non-leaves while recording, and bumps the version.
    func _prepareInPlace(_ operation: String, _ location: CallSite?) {
        _checkLeafInPlace(operation, location)
        autodiffRequire(!(_meta.requiresGrad && !_meta.isLeaf && _Autograd.isGradEnabled), operation,
                        "cannot write scalars of a tensor recorded by autograd (gradFn "
                        + "\(_meta.gradFn?.name ?? "")); use subscript assignment, or write inside withNoGrad { … } "
                        + "or to a detach()ed copy")
        _meta.bumpVersion(operation, location)
    }

    /// An in-place operation: `compute` (a recording operation) gives the new
    /// value from the old. When recorded, the tensor takes the new history
    /// (new metadata); otherwise it keeps its metadata (and `grad`). Either
    /// way the version of the old metadata is bumped, so that backward passes
    /// that saved the old value detect the modification.
    mutating func _assignInPlace(_ operation: String, _ location: CallSite?, _ compute: (Tensor) -> Tensor) {
        _checkLeafInPlace(operation, location)
        let old = _meta
        old.bumpVersion(operation, location)
        let newValue = compute(self)
        autodiffRequire(newValue.shape == shape, operation,
                        TensorError._incompatible(shape, newValue.shape) + ": an in-place result must keep the shape")
        if newValue._meta.gradFn != nil && newValue._meta !== old {
            newValue._meta.version = old.version
            newValue._meta.lastModification = old.lastModification
            self = newValue
        } else {
            _buffer = newValue._buffer
        }
    }
}

/// A few frames of the call stack outside Autodiff (anomaly mode only).
func _callStack() -> [String] {
    // Symbol names without addresses; frames inside this module are skipped.
    let frames = _backtraceSymbols()
    let library = ["12AutodiffCore", "14AutodiffTensor", "16AutodiffTraining", "libAutodiff"]
    return Array(frames.filter { frame in !library.contains { frame.contains($0) } || frame.contains("Tests") }.prefix(3))
}

// MARK: - Engine

enum _AutogradEngine<Scalar: Real> {
    /// The reverse sweep over the nodes reachable from `roots`, in decreasing
    /// sequence number (see the note at the top of GradFunction.swift).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func run(roots: [(Tensor<Scalar>, Tensor<Scalar>)], retainGraph: Bool, createGraph: Bool,
                    accumulate: Bool, captures: [_Edge], location: CallSite) throws -> [Tensor<Scalar>?] {
        let context = _Autograd.context
        return try _Autograd.with(gradEnabled: createGraph) {
            var heap = _NodeHeap()
            var buffers: [ObjectIdentifier: [Tensor<Scalar>?]] = [:]
            var captured = [Tensor<Scalar>?](repeating: nil, count: captures.count)

            func add(_ g: Tensor<Scalar>, to edge: _Edge) {
                guard let f = edge.function else { return }
                let id = ObjectIdentifier(f)
                if var slots = buffers.removeValue(forKey: id) {
                    if let sum = slots[edge.outputNr] {
                        slots[edge.outputNr] = nil   // so that `sum` can be the only reference to its storage
                        slots[edge.outputNr] = createGraph ? sum + g : sum._accumulating(g)
                    } else {
                        slots[edge.outputNr] = g
                    }
                    buffers[id] = slots
                } else {
                    var slots = [Tensor<Scalar>?](repeating: nil, count: f.outputCount)
                    slots[edge.outputNr] = g
                    buffers[id] = slots
                    heap.push(f)
                }
            }
            for (root, seed) in roots { add(seed, to: root._meta.edge()) }

            while let node = heap.pop() {
                let grads = buffers.removeValue(forKey: ObjectIdentifier(node)) ?? []
                for (k, e) in captures.enumerated() where e.function === node {
                    if let g = grads[e.outputNr] { captured[k] = captured[k].map { $0 + g } ?? g }
                }
                for (nr, box) in node.retained {
                    if let meta = box.object as? _AutogradMeta<Scalar>, let g = grads[nr] {
                        let v = createGraph ? g : g.detach()
                        meta.grad = meta.grad.map { $0 + v } ?? v
                    }
                }
                if let leaf = node.leaf {
                    guard accumulate, let meta = leaf as? _AutogradMeta<Scalar>, let g = grads[0] else { continue }
                    let v = createGraph ? g : g.detach()
                    if let old = meta.grad {
                        meta.grad = nil
                        meta.grad = createGraph ? old + v : old._accumulating(v)
                    } else {
                        meta.grad = v
                    }
                    continue
                }
                guard let impl = node.impl.map({ unsafeDowncast($0, to: _NodeImpl<Scalar>.self) }) else {
                    throw AutogradError.graphFreed(operation: node.name, location: location)
                }
                for s in impl.saved {
                    guard let meta = (s.strong ?? s.weak?.object) as? _AutogradMeta<Scalar> else { continue }
                    if meta.version != s.version {
                        let m = meta.lastModification
                        let modified = (m?.operation ?? "an in-place operation")
                            + (m?.location.map { " at \($0)" } ?? " (no source location)")
                        throw AutogradError.inPlaceModified(saved: node.labelWithLocation, modified: modified,
                                                            savedVersion: s.version, currentVersion: meta.version)
                    }
                }
                let inputGrads: [Tensor<Scalar>?]
                if let p = context.profiler {
                    inputGrads = try p.measure(node.name) { try impl.pullback(grads) }
                } else {
                    inputGrads = try impl.pullback(grads)
                }
                if inputGrads.count != node.edges.count {
                    throw AutogradError.invalidGradient(operation: node.name, detail:
                        "expected \(node.edges.count) gradients, got \(inputGrads.count)")
                }
                if context.anomalyDetection {
                    for g in inputGrads {
                        guard let g else { continue }
                        if let bad = g._buffer.elements.first(where: { !$0.isFinite }) {
                            throw AutogradError.anomaly(operation: node.labelWithLocation,
                                                        value: bad.isNaN ? "nan" : "inf")
                        }
                    }
                }
                if !retainGraph { node.impl = nil }
                for (edge, g) in Swift.zip(node.edges, inputGrads) {
                    guard let g, edge.function != nil else { continue }
                    add(g, to: edge)
                }
            }
            return captured
        }
    }
}

extension Tensor {
    /// `self + g` for gradient accumulation outside `createGraph` (not recorded): added into
    /// `self`'s storage when no other tensor shares it and the shapes agree, instead of a new
    /// tensor per contribution. Same values as `+` (each element `self[i] + g[i]`).
    consuming func _accumulating(_ g: Tensor) -> Tensor {
        var sum = self
        guard sum.shape == g.shape, isKnownUniquelyReferenced(&sum._buffer) else {
            return Tensor._zip(.add, sum, g)
        }
        g._buffer.elements.withUnsafeBufferPointer { q in
            sum._buffer.elements.withUnsafeMutableBufferPointer { p in
                guard let a = p.baseAddress, let b = q.baseAddress else { return }
                // The engine is generic code: Double and Float reach a specialised loop by a type test.
                if Scalar.self == Double.self {
                    _addInto(UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self),
                             UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), p.count)
                } else if Scalar.self == Float.self {
                    _addInto(UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self),
                             UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), p.count)
                } else {
                    _addInto(a, b, p.count)
                }
            }
        }
        return sum
    }
}

/// `a[i] = a[i] + b[i]` for `i < n`.
func _addInto<T: Real>(_ a: UnsafeMutablePointer<T>, _ b: UnsafePointer<T>, _ n: Int) {
    for i in 0..<n { a[i] = a[i] + b[i] }
}

/// A max-heap of nodes by sequence number: pops the most recently created first.
struct _NodeHeap {
    private var items: [GradFunction] = []

    mutating func push(_ f: GradFunction) {
        items.append(f)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[p].sequenceNumber >= items[i].sequenceNumber { break }
            items.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> GradFunction? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].sequenceNumber > items[m].sequenceNumber { m = l }
            if r < items.count && items[r].sequenceNumber > items[m].sequenceNumber { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
