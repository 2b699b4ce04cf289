import RealModule
internal import Synchronization

/// One recorded operation: up to two parents and the partials toward them.
///
/// Node 0 of every tape is a sink: constants point there, and its adjoint is
/// discarded. An operation with more inputs (a custom rule) is a chain of such
/// nodes, so every node's parents are known to the sweep.
@frozen
@usableFromInline
internal struct TapeNode<T> {
    @usableFromInline var lhs: UInt32
    @usableFromInline var rhs: UInt32
    @usableFromInline var dl: T
    @usableFromInline var dr: T

    @inlinable
    init(lhs: UInt32, rhs: UInt32, dl: T, dr: T) {
        self.lhs = lhs
        self.rhs = rhs
        self.dl = dl
        self.dr = dr
    }
}

/// The state of one tape, in raw memory that is never freed (so a stale
/// ``Reverse`` can always read its tape's generation and fail cleanly).
///
/// Nodes live in one contiguous buffer, pushed in creation order, so creation
/// order is topological order and the backward pass is one reverse loop
/// (as in Stan Math's arena). No class instance, reference count or dictionary
/// per node.
@usableFromInline
internal struct TapeState<T: Real> {
    /// Changes every time the tape is handed out or returned; a ``Reverse``
    /// remembers the generation it was recorded in.
    @usableFromInline var generation: UInt32
    /// Whether recording is open (between acquire and release).
    @usableFromInline var isActive: Bool
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    @usableFromInline var nodes: UnsafeMutablePointer<TapeNode<T>>
    @usableFromInline var adjoints: UnsafeMutablePointer<T>
    @usableFromInline var adjointCapacity: Int
    /// Where the operator that opened the tape was called (for messages).
    @usableFromInline var origin: TapeOrigin
}

/// Which operator opened a tape, and where it was called: named in every message
/// about values of that tape. Built from static strings, so it costs nothing to record.
@frozen
public struct TapeOrigin: Sendable, CustomStringConvertible {
    public let operation: StaticString
    public let file: StaticString
    public let line: UInt

    @inlinable
    public init(_ operation: StaticString, file: StaticString = #fileID, line: UInt = #line) {
        self.operation = operation
        self.file = file
        self.line = line
    }

    public var description: String { "\(operation) called at \(file):\(line)" }
}

/// A handle to a tape of `T` partials: the engine under ``Reverse`` and the
/// tensor autograd. Obtain one with ``Tape/withTape(origin:_:)``.
///
/// ```swift
/// let g = Tape<Double>.withTape { tape in
///     let x = tape.variable(3.0)
///     let y = x * x
///     return tape.gradient(of: y, withRespectTo: [x])
/// }   // [6.0]
/// ```
@frozen
public struct Tape<T: Real> {
    @usableFromInline let state: UnsafeMutablePointer<TapeState<T>>
    @usableFromInline let generation: UInt32

    @inlinable
    init(state: UnsafeMutablePointer<TapeState<T>>) {
        self.state = state
        self.generation = state.pointee.generation
    }

    /// Number of recorded nodes (the sink included).
    @inlinable public var count: Int { state.pointee.count }

    /// A new independent variable on this tape.
    @inlinable
    public func variable(_ value: T) -> Reverse<T> {
        let index = push(TapeNode(lhs: 0, rhs: 0, dl: 0, dr: 0))
        return Reverse(value: value, tape: state, index: index, generation: generation)
    }

    /// Records a node and returns its index. Internal: the indices it takes are
    /// written through by the backward sweep unchecked.
    @inlinable
    internal func push(_ node: TapeNode<T>) -> UInt32 {
        let s = state
        let i = s.pointee.count
        if i == s.pointee.capacity { TapeState.grow(s) }
        (s.pointee.nodes + i).initialize(to: node)
        s.pointee.count = i + 1
        return UInt32(truncatingIfNeeded: i)
    }

    /// Records the result of an operation with many inputs: `value` with
    /// partials `partials[k]` toward `inputs[k]`, as a chain of two-parent nodes
    /// (the first takes two inputs, each next one the previous node, with partial 1,
    /// and one more input), so the sweep knows every parent.
    public func record(value: T, inputs: [Reverse<T>], partials: [T]) -> Reverse<T> {
        autodiffRequire(inputs.count == partials.count, "Tape.record(value:inputs:partials:)",
                        "\(inputs.count) inputs but \(partials.count) partials")
        var last: (index: UInt32, partial: T)?
        var chain: UInt32?
        for (x, p) in zip(inputs, partials) where x.tape != nil {
            x.checkTape(state, generation, "custom rule")
            if let (i, q) = last {
                chain = push(TapeNode(lhs: i, rhs: x.index, dl: q, dr: p))
                last = (chain!, 1)
            } else {
                last = (x.index, p)
            }
        }
        guard let (i, q) = last else { return Reverse(constant: value) }
        let index = chain ?? push(TapeNode(lhs: i, rhs: 0, dl: q, dr: 0))
        return Reverse(value: value, tape: state, index: index, generation: generation)
    }

    /// Runs the backward pass from `output` (seeded with `seed`) and returns the
    /// adjoints of `inputs`. Can be called several times on one tape.
    @inlinable
    public func gradient(of output: Reverse<T>, withRespectTo inputs: [Reverse<T>], seed: T = 1) -> [T] {
        backward(from: [(output, seed)])
        return inputs.map { adjoint(of: $0) }
    }

    /// Runs the backward pass from several outputs, each with its own seed
    /// (a vector-Jacobian product). Adjoints stay readable with ``adjoint(of:)``
    /// until the next backward pass.
    @inlinable
    public func backward(from seeds: [(Reverse<T>, T)]) {
        let s = state
        let n = s.pointee.count
        TapeState.prepareAdjoints(s, count: n)
        let adj = s.pointee.adjoints
        var top = 0
        for (output, seed) in seeds where output.tape != nil {
            output.checkTape(s, generation, "backward")
            adj[Int(output.index)] += seed
            top = max(top, Int(output.index))
        }
        TapeState.sweep(s, from: top, seeds: seeds)
    }

    /// The adjoint of `x` after the last backward pass (0 for constants).
    @inlinable
    public func adjoint(of x: Reverse<T>) -> T {
        guard x.tape != nil else { return 0 }
        x.checkTape(state, generation, "adjoint")
        return state.pointee.adjoints[Int(x.index)]
    }

    /// Opens a tape for the duration of `body` and releases it after (its
    /// memory is reused by the next call on any thread). ``Reverse`` values
    /// recorded in `body` must not escape it: used later, they stop with a
    /// clear message.
    @inlinable
    public static func withTape<R>(origin: TapeOrigin = TapeOrigin("Tape.withTape"),
                                   _ body: (Tape<T>) throws -> R) rethrows -> R {
        let s = TapeState<T>.acquire(origin: origin)
        defer { TapeState<T>.release(s) }
        return try body(Tape(state: s))
    }
}

// MARK: - Storage management

/// Free tapes by scalar type. Tape headers are never deallocated; their node
/// buffers are kept for reuse and trimmed when they grew very large.
private let _tapePool = Mutex<[ObjectIdentifier: [PooledTape]]>([:])

/// A free tape header. Only the thread that takes it from the pool touches it.
private struct PooledTape: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}
private let _generationCounter = Atomic<UInt32>(0)
/// Bytes held by all tapes' buffers and headers (for the memory tests and diagnostics).
internal let _tapeBytes = Atomic<Int>(0)

extension TapeState {
    static func allocateNodes(_ n: Int) -> UnsafeMutablePointer<TapeNode<T>> {
        _tapeBytes.add(n * MemoryLayout<TapeNode<T>>.stride, ordering: .relaxed)
        return .allocate(capacity: n)
    }
    static func allocateAdjoints(_ n: Int) -> UnsafeMutablePointer<T> {
        _tapeBytes.add(n * MemoryLayout<T>.stride, ordering: .relaxed)
        return .allocate(capacity: n)
    }
    static func free(_ p: UnsafeMutablePointer<TapeNode<T>>, _ n: Int) {
        _tapeBytes.subtract(n * MemoryLayout<TapeNode<T>>.stride, ordering: .relaxed)
        p.deallocate()
    }
    static func free(_ p: UnsafeMutablePointer<T>, _ n: Int) {
        _tapeBytes.subtract(n * MemoryLayout<T>.stride, ordering: .relaxed)
        p.deallocate()
    }
}

extension TapeState {
    /// Node buffers above this many nodes are freed on release instead of being kept.
    static var retainedCapacityLimit: Int { 1 << 22 }

    @usableFromInline
    static func acquire(origin: TapeOrigin) -> UnsafeMutablePointer<TapeState> {
        let key = ObjectIdentifier(T.self)
        let reused = _tapePool.withLock { pool in pool[key]?.popLast() }?.pointer
        let s: UnsafeMutablePointer<TapeState>
        if let reused {
            s = reused.assumingMemoryBound(to: TapeState.self)
        } else {
            s = .allocate(capacity: 1)
            _tapeBytes.add(MemoryLayout<TapeState>.stride, ordering: .relaxed)
            let capacity = 1024
            s.initialize(to: TapeState(
                generation: 0, isActive: false, count: 0, capacity: capacity,
                nodes: allocateNodes(capacity), adjoints: allocateAdjoints(capacity),
                adjointCapacity: capacity, origin: origin))
        }
        s.pointee.generation = nextGeneration()
        s.pointee.isActive = true
        s.pointee.origin = origin
        s.pointee.count = 1
        s.pointee.nodes.initialize(to: TapeNode(lhs: 0, rhs: 0, dl: 0, dr: 0))  // the sink
        return s
    }

    @usableFromInline
    static func release(_ s: UnsafeMutablePointer<TapeState>) {
        s.pointee.nodes.deinitialize(count: s.pointee.count)
        s.pointee.count = 0
        s.pointee.generation = nextGeneration()
        s.pointee.isActive = false
        if s.pointee.capacity > retainedCapacityLimit {
            free(s.pointee.nodes, s.pointee.capacity)
            s.pointee.capacity = 1024
            s.pointee.nodes = allocateNodes(1024)
        }
        if s.pointee.adjointCapacity > retainedCapacityLimit {
            free(s.pointee.adjoints, s.pointee.adjointCapacity)
            s.pointee.adjointCapacity = 1024
            s.pointee.adjoints = allocateAdjoints(1024)
        }
        let key = ObjectIdentifier(T.self)
        _tapePool.withLock { pool in pool[key, default: []].append(PooledTape(pointer: UnsafeMutableRawPointer(s))) }
    }

    private static func nextGeneration() -> UInt32 {
        while true {
            let g = _generationCounter.wrappingAdd(1, ordering: .relaxed).newValue
            if g != 0 { return g }
        }
    }

    @usableFromInline
    @inline(never)
    static func grow(_ s: UnsafeMutablePointer<TapeState>) {
        let old = s.pointee.capacity
        autodiffRequire(old < Int(UInt32.max / 2), "Tape", "tape overflow (\(old) operations recorded)")
        let new = old * 2
        let buffer = allocateNodes(new)
        buffer.moveInitialize(from: s.pointee.nodes, count: s.pointee.count)
        free(s.pointee.nodes, old)
        s.pointee.nodes = buffer
        s.pointee.capacity = new
    }

    @inlinable
    static func prepareAdjoints(_ s: UnsafeMutablePointer<TapeState>, count n: Int) {
        if s.pointee.adjointCapacity < n { growAdjoints(s, to: n) }
        s.pointee.adjoints.initialize(repeating: 0, count: n)
    }

    @usableFromInline
    @inline(never)
    static func growAdjoints(_ s: UnsafeMutablePointer<TapeState>, to n: Int) {
        free(s.pointee.adjoints, s.pointee.adjointCapacity)
        let c = max(n, s.pointee.adjointCapacity * 2)
        s.pointee.adjoints = allocateAdjoints(c)
        s.pointee.adjointCapacity = c
    }

    /// The reverse sweep: one loop from the newest node down to node 1.
    ///
    /// Structural zeros against numerical zeros: a node the seeds never reach (an
    /// unused intermediate) contributes nothing, whatever its partials; a node they
    /// reach passes on its adjoint times its partials, so a zero adjoint that arrived
    /// through the graph times an infinite partial is NaN (as in PyTorch and in
    /// forward mode: log(exp(800))' is NaN). Reachability is only looked up where it
    /// matters, when an exactly-zero adjoint meets a partial that is not finite (for
    /// nested AD numbers, whenever the adjoint is a structural zero, since their
    /// partials' tangents may be infinite where the value is not): a lazy
    /// ``_TapeReachability`` pass, at most once over the tape, so the usual sweep
    /// costs nothing more.
    @inlinable
    static func sweep(_ s: UnsafeMutablePointer<TapeState>, from top: Int, seeds: [(Reverse<T>, T)]) {
        let nodes = s.pointee.nodes
        let adj = s.pointee.adjoints
        var reach = _TapeReachability()
        defer { reach.deallocate() }
        let nested = T.self is any _StructuralZero.Type
        var i = top
        while i > 0 {
            let a = adj[i]
            let node = nodes[i]
            let l = a * node.dl
            let r = a * node.dr
            let plain = nested ? a != 0 || !_isStructurallyZero(a) : (l.isFinite && r.isFinite) || a != 0
            if plain || reach.isReached(i, s, top, seeds) {
                adj[Int(node.lhs)] += l
                adj[Int(node.rhs)] += r
            }
            i -= 1
        }
    }
}

extension TapeState {
    /// The reverse sweep for up to `L` outputs at once (ADOL-C's vector reverse mode):
    /// lane `ℓ` of `adj[i]` is the adjoint of node `i` for a sweep seeded with 1 at node
    /// `outputs[ℓ]`, for every node up to the highest output. Each lane's result is bit for
    /// bit that of ``sweep(_:from:seeds:)`` from its output: it adds the same terms in the
    /// same order, and the terms a lane gets from above its own output are exact zeros,
    /// which change no sum. Where a partial is not finite, a zero lane adds its NaN only
    /// if its own output reaches the node (each lane has its own lazy reachability).
    /// Plain scalars only (nested AD numbers need ``sweep(_:from:seeds:)``'s structural-zero
    /// test).
    @inlinable
    static func sweepLanes<let L: Int>(_ s: UnsafeMutablePointer<TapeState>, outputs: [Reverse<T>],
                                       into adj: UnsafeMutablePointer<InlineArray<L, T>>) {
        let nodes = s.pointee.nodes
        var top = 0
        for output in outputs where output.tape != nil { top = Swift.max(top, Int(output.index)) }
        adj.initialize(repeating: InlineArray(repeating: 0), count: top + 1)
        for (lane, output) in outputs.enumerated() where output.tape != nil { adj[Int(output.index)][lane] += 1 }
        var reach = [_TapeReachability](repeating: _TapeReachability(), count: L)
        defer { for r in reach { r.deallocate() } }
        var i = top
        while i > 0 {
            let node = nodes[i]
            let a = adj[i]
            let (dl, dr) = (node.dl, node.dr)
            let lhs = Int(node.lhs), rhs = Int(node.rhs)
            if dl.isFinite && dr.isFinite {
                // lhs first, then rhs, as the scalar sweep (they may be the same node).
                var l = adj[lhs]
                for k in 0..<L { l[k] += a[k] * dl }
                adj[lhs] = l
                var r = adj[rhs]
                for k in 0..<L { r[k] += a[k] * dr }
                adj[rhs] = r
            } else {
                for k in 0..<outputs.count where a[k] != 0 || reach[k].isReached(i, s, top, [(outputs[k], 1)]) {
                    adj[lhs][k] += a[k] * dl
                    adj[rhs][k] += a[k] * dr
                }
            }
            i -= 1
        }
    }
}

/// Which nodes of a tape the seeds of a backward pass reach, computed lazily from
/// the top down (a node's parents are marked once the node is known reached), and
/// only as far down as the sweep asked.
@usableFromInline
internal struct _TapeReachability {
    @usableFromInline var reached: UnsafeMutablePointer<Bool>?
    /// Nodes above this index have marked their parents.
    @usableFromInline var done = 0

    @inlinable init() {}

    @inlinable
    func deallocate() { reached?.deallocate() }

    /// Whether node `i` is reached from `seeds`; calls come with decreasing `i`.
    @usableFromInline @inline(never)
    mutating func isReached<T: Real>(_ i: Int, _ s: UnsafeMutablePointer<TapeState<T>>, _ top: Int,
                                     _ seeds: [(Reverse<T>, T)]) -> Bool {
        let r: UnsafeMutablePointer<Bool>
        if let reached { r = reached } else {
            r = .allocate(capacity: top + 1)
            r.initialize(repeating: false, count: top + 1)
            for (output, _) in seeds where output.tape != nil { r[Int(output.index)] = true }
            reached = r
            done = top + 1
        }
        let nodes = s.pointee.nodes
        while done > i + 1 {
            done -= 1
            if r[done] {
                r[Int(nodes[done].lhs)] = true
                r[Int(nodes[done].rhs)] = true
            }
        }
        return r[i]
    }
}
