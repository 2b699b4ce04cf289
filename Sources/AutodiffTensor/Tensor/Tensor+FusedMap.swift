import AutodiffCore
import RealModule

// Fused elementwise maps of scalar code (issue 14): a scalar function written
// once, generic over `Real` (`ElementwiseFunction1/2/3`, AutodiffCore), applied
// elementwise to broadcast tensors as ONE recorded operation.
//
// - Forward: one pass over the broadcast shape calling `f` on `Scalar`; no
//   intermediate tensors (the expression inside `f` never becomes tensors).
// - Backward: one pass calling `f` on dual numbers with one lane per input
//   ("Partials of one element" below), so every partial of every element comes
//   from one forward-mode evaluation; each partial times the incoming gradient,
//   summed back over broadcast axes (`_sumTo`), as the binary operations do.
// - Twice (and more) differentiable: when the backward is itself recorded
//   (`createGraph`), the partials are fused maps of `ElementwisePartialK(f, i)`,
//   the scalar function "∂f/∂xᵢ" (f evaluated on DualVector lanes of any `Real`),
//   so they are recorded and differentiate again the same way.
//
// The public entry points are `@inlinable` so that the per-element loops are
// specialised for the caller's function type and scalar in the caller's module;
// the driver below (shapes, recording, chunking) is shared and not inlined.

extension Tensor {
    /// The per-chunk forward kernel: inputs (one pointer per input, all with the
    /// broadcast shape's layout), the output, and the element range.
    @usableFromInline
    typealias _FusedKernel = ([UnsafePointer<Scalar>], [UnsafeMutablePointer<Scalar>], Int, Int) -> Void

    // MARK: Driver (shared by every arity)

    /// One recorded fused map: `forward` fills the values, `backward` (inputs
    /// plus the output gradient last) fills one gradient per input over the
    /// broadcast shape; `partial(i, inputs)` is the recorded ∂f/∂xᵢ used when
    /// the backward is itself recorded.
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func _fusedMap(_ inputs: [Tensor], forward: _FusedKernel, backward: @escaping _FusedKernel,
                          partial: @escaping (Int, [Tensor]) -> Tensor) -> Tensor {
        let (shape, elements) = _fusedLayout(inputs)
        return _op("elementwise", "ElementwiseBackward0", inputs, saving: inputs, {
            Tensor(_shape: shape, _scalars: _fusedRun(elements, outputs: 1, forward)[0])
        }) { g in
            if isGradEnabled {   // createGraph: the partials as recorded fused maps
                return inputs.indices.map { k in
                    _if(inputs[k].requiresGrad) { (g * partial(k, inputs))._sumTo(inputs[k].shape) }
                }
            }
            let grads = _fusedRun(elements + [g._buffer.elements], outputs: inputs.count, backward)
            return inputs.indices.map { k in
                _if(inputs[k].requiresGrad) { Tensor(_shape: shape, _scalars: grads[k])._sumTo(inputs[k].shape) }
            }
        }
    }

    /// The values of a closure map (not differentiable: refused while recording
    /// inputs that require grad).
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func _fusedValues(_ inputs: [Tensor], _ protocolName: String, _ kernel: _FusedKernel) -> Tensor {
        autodiffRequire(!(isGradEnabled && inputs.contains { $0.requiresGrad }), "elementwise",
                        "a closure fixes its scalar type, so a map of a closure has no derivative, and an input "
                        + "requires grad; write the function as a type conforming to \(protocolName) (a generic "
                        + "callAsFunction<S: Real>) to differentiate it, or map inside withNoGrad { … }")
        let (shape, elements) = _fusedLayout(inputs)
        return Tensor(_shape: shape, _scalars: _fusedRun(elements, outputs: 1, kernel)[0])
    }

    /// The broadcast shape of the inputs and their elements laid out in it
    /// (materialised only for inputs that broadcast).
    static func _fusedLayout(_ inputs: [Tensor]) -> (shape: [Int], elements: [[Scalar]]) {
        var shape = inputs[0].shape
        for t in inputs.dropFirst() where t.shape != shape {
            guard let s = _broadcastShapeOrNil(shape, t.shape) else {
                let shapes = inputs.map { "\($0.shape)" }
                autodiffFailure("elementwise", "shapes " + shapes.dropLast().joined(separator: ", ") + " and "
                                + shapes.last! + " are incompatible for broadcasting")
            }
            shape = s
        }
        return (shape, inputs.map { $0._expand(to: shape)._buffer.elements })
    }

    /// Runs `kernel` over `0..<count` (count = the arrays' common length) with
    /// pointers to `arrays` and to `outputs` new arrays, in parallel chunks for
    /// large Float/Double tensors; returns the outputs.
    static func _fusedRun(_ arrays: [[Scalar]], outputs: Int, _ kernel: _FusedKernel) -> [[Scalar]] {
        let n = arrays[0].count
        if n == 0 { return [[Scalar]](repeating: [], count: outputs) }
        let parallel = _isMachineFloat(Scalar.self)
        func withInputs(_ k: Int, _ pointers: [UnsafePointer<Scalar>], _ body: ([UnsafePointer<Scalar>]) -> Void) {
            if k == arrays.count { return body(pointers) }
            arrays[k].withUnsafeBufferPointer { withInputs(k + 1, pointers + [$0.baseAddress!], body) }
        }
        func withOutputs(_ k: Int, _ pointers: [UnsafeMutablePointer<Scalar>],
                         _ body: ([UnsafeMutablePointer<Scalar>]) -> Void) -> [[Scalar]] {
            if k == outputs { body(pointers); return [] }
            var rest: [[Scalar]] = []
            let first = [Scalar](unsafeUninitializedCapacity: n) { buffer, initialized in
                rest = withOutputs(k + 1, pointers + [buffer.baseAddress!], body)
                initialized = n
            }
            return [first] + rest
        }
        return withOutputs(0, []) { out in
            withInputs(0, []) { p in
                _chunked(count: n, parallel: parallel) { s, e in kernel(p, out, s, e) }
            }
        }
    }
}

// MARK: Partials of one element

// The backward's partials come from one evaluation of `f` per element on
// `_ElementwiseDual` (AutodiffCore: plain lanes, no checks; Benchmarks/RESULTS.md
// has its speed) when the scalar is Float or Double, in a loop without branches
// (so it stays one straight pass), and a second pass redoes on DualVector, out of
// line, the elements whose gradient is not finite: the fast lanes equal
// DualVector's whenever they are all finite, and where they are not (an infinite
// partial, or 0·∞ where DualVector keeps an exact 0) the product with the
// incoming gradient is not finite either. Other scalars (nested AD numbers, whose
// `isFinite` looks at the value only) always take DualVector.

@inlinable @inline(__always)
func _fastPartials<Scalar>(_: Scalar.Type) -> Bool {
    Scalar.self == Double.self || Scalar.self == Float.self
}

@inlinable @inline(never)
func _exactPartial<Scalar: Real, F: ElementwiseFunction1>(_ f: F, _ a: Scalar) -> Scalar {
    f(Dual(a, derivative: 1)).derivative
}

@inlinable @inline(never)
func _exactPartials<Scalar: Real, F: ElementwiseFunction2>(_ f: F, _ a: Scalar, _ b: Scalar) -> (Scalar, Scalar) {
    let r = f(DualVector<Scalar, 2>(a, seed: 0), DualVector<Scalar, 2>(b, seed: 1))
    return (r.partials[0], r.partials[1])
}

@inlinable @inline(never)
func _exactPartials<Scalar: Real, F: ElementwiseFunction3>(_ f: F, _ a: Scalar, _ b: Scalar, _ c: Scalar)
    -> (Scalar, Scalar, Scalar) {
    let r = f(DualVector<Scalar, 3>(a, seed: 0), DualVector<Scalar, 3>(b, seed: 1), DualVector<Scalar, 3>(c, seed: 2))
    return (r.partials[0], r.partials[1], r.partials[2])
}

// MARK: Public entry points

/// `f(x)` elementwise, one fused operation, differentiable to any order
/// (its derivative by forward mode over `f`).
///
/// ```swift
/// struct Softsign: ElementwiseFunction1 {
///     func callAsFunction<S: Real>(_ a: S) -> S { a / (1 + S.sqrt(a * a)) }
/// }
/// let x = Tensor<Double>([-2, 0, 2], requiresGrad: true)
/// let y = elementwise(x, Softsign())     // tensor([-0.6667, 0.0000, 0.6667])
/// ```
@inlinable
public func elementwise<Scalar, F: ElementwiseFunction1>(_ x: Tensor<Scalar>, _ f: F) -> Tensor<Scalar> {
    Tensor._fusedMap([x], forward: { p, out, s, e in
        let a = p[0], y = out[0]
        for i in s..<e { (y + i).initialize(to: f(a[i])) }
    }, backward: { p, out, s, e in
        let a = p[0], g = p[1], da = out[0]
        guard _fastPartials(Scalar.self) else {
            for i in s..<e { (da + i).initialize(to: g[i] * _exactPartial(f, a[i])) }
            return
        }
        for i in s..<e { (da + i).initialize(to: g[i] * f(_ElementwiseDual(a[i], 1, 0, 0)).d0) }
        for i in s..<e where !da[i].isFinite { da[i] = g[i] * _exactPartial(f, a[i]) }
    }, partial: { _, t in elementwise(t[0], ElementwisePartial1(f)) })
}

/// `f(x, y)` elementwise with NumPy/PyTorch broadcasting, as one fused
/// operation: one pass, no intermediate tensors. Its backward evaluates `f`
/// once per element on two-lane dual numbers (both partials in one
/// pass), and it differentiates again (`createGraph`) to any order.
///
/// ```swift
/// struct Rosen: ElementwiseFunction2 {
///     func callAsFunction<S: Real>(_ a: S, _ b: S) -> S {
///         100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
///     }
/// }
/// let x = Tensor<Double>([0.5, 1, 1.5, 2], requiresGrad: true)
/// let loss = elementwise(x[0..<3], x[1..<4], Rosen()).sum()
/// try loss.backward()
/// print(x.grad!)      // the Rosenbrock gradient
/// ```
///
/// - Precondition: the shapes broadcast; the message names the shapes.
@inlinable
public func elementwise<Scalar, F: ElementwiseFunction2>(_ x: Tensor<Scalar>, _ y: Tensor<Scalar>, _ f: F) -> Tensor<Scalar> {
    Tensor._fusedMap([x, y], forward: { p, out, s, e in
        let a = p[0], b = p[1], z = out[0]
        for i in s..<e { (z + i).initialize(to: f(a[i], b[i])) }
    }, backward: { p, out, s, e in
        let a = p[0], b = p[1], g = p[2], da = out[0], db = out[1]
        guard _fastPartials(Scalar.self) else {
            for i in s..<e {
                let (pa, pb) = _exactPartials(f, a[i], b[i])
                (da + i).initialize(to: g[i] * pa)
                (db + i).initialize(to: g[i] * pb)
            }
            return
        }
        for i in s..<e {
            let r = f(_ElementwiseDual(a[i], 1, 0, 0), _ElementwiseDual(b[i], 0, 1, 0))
            (da + i).initialize(to: g[i] * r.d0)
            (db + i).initialize(to: g[i] * r.d1)
        }
        for i in s..<e where !(da[i].isFinite && db[i].isFinite) {
            let (pa, pb) = _exactPartials(f, a[i], b[i])
            (da[i], db[i]) = (g[i] * pa, g[i] * pb)
        }
    }, partial: { k, t in elementwise(t[0], t[1], ElementwisePartial2(f, argument: k)) })
}

/// `f(x, y, z)` elementwise with broadcasting, as one fused operation
/// (backward on three-lane dual numbers; differentiable to any order).
///
/// ```swift
/// struct Lerp: ElementwiseFunction3 {
///     func callAsFunction<S: Real>(_ a: S, _ b: S, _ t: S) -> S { a + t * (b - a) }
/// }
/// elementwise(Tensor<Double>([0, 10]), Tensor(20.0), Tensor(0.5), Lerp())   // tensor([10., 15.])
/// ```
@inlinable
public func elementwise<Scalar, F: ElementwiseFunction3>(_ x: Tensor<Scalar>, _ y: Tensor<Scalar>, _ z: Tensor<Scalar>,
                                                         _ f: F) -> Tensor<Scalar> {
    Tensor._fusedMap([x, y, z], forward: { p, out, s, e in
        let a = p[0], b = p[1], c = p[2], w = out[0]
        for i in s..<e { (w + i).initialize(to: f(a[i], b[i], c[i])) }
    }, backward: { p, out, s, e in
        let a = p[0], b = p[1], c = p[2], g = p[3], da = out[0], db = out[1], dc = out[2]
        guard _fastPartials(Scalar.self) else {
            for i in s..<e {
                let (pa, pb, pc) = _exactPartials(f, a[i], b[i], c[i])
                (da + i).initialize(to: g[i] * pa)
                (db + i).initialize(to: g[i] * pb)
                (dc + i).initialize(to: g[i] * pc)
            }
            return
        }
        for i in s..<e {
            let r = f(_ElementwiseDual(a[i], 1, 0, 0), _ElementwiseDual(b[i], 0, 1, 0), _ElementwiseDual(c[i], 0, 0, 1))
            (da + i).initialize(to: g[i] * r.d0)
            (db + i).initialize(to: g[i] * r.d1)
            (dc + i).initialize(to: g[i] * r.d2)
        }
        for i in s..<e where !(da[i].isFinite && db[i].isFinite && dc[i].isFinite) {
            let (pa, pb, pc) = _exactPartials(f, a[i], b[i], c[i])
            (da[i], db[i], dc[i]) = (g[i] * pa, g[i] * pb, g[i] * pc)
        }
    }, partial: { k, t in elementwise(t[0], t[1], t[2], ElementwisePartial3(f, argument: k)) })
}

/// `body(x, y)` elementwise with broadcasting, one pass, for a plain closure.
/// A closure fixes its scalar type, so this form has no derivative: with
/// inputs that require grad (while recording) it stops and names the
/// differentiable form (a type conforming to ``ElementwiseFunction2``).
///
/// ```swift
/// let d = elementwise(Tensor<Double>([3, 5]), Tensor(4.0)) { a, b in (a * a + b * b).squareRoot() }
/// // tensor([5.0000, 6.4031])
/// ```
@inlinable
public func elementwise<Scalar>(_ x: Tensor<Scalar>, _ y: Tensor<Scalar>, _ body: (Scalar, Scalar) -> Scalar) -> Tensor<Scalar> {
    Tensor._fusedValues([x, y], "ElementwiseFunction2") { p, out, s, e in
        let a = p[0], b = p[1], z = out[0]
        for i in s..<e { (z + i).initialize(to: body(a[i], b[i])) }
    }
}

/// `body(x, y, z)` elementwise with broadcasting, one pass, for a plain
/// closure (no derivative, as for the two-argument closure form).
///
/// ```swift
/// let t = elementwise(Tensor<Double>([1, 2]), Tensor(3.0), Tensor(1.0)) { a, b, c in a * b + c }   // [4, 7]
/// ```
@inlinable
public func elementwise<Scalar>(_ x: Tensor<Scalar>, _ y: Tensor<Scalar>, _ z: Tensor<Scalar>,
                                _ body: (Scalar, Scalar, Scalar) -> Scalar) -> Tensor<Scalar> {
    Tensor._fusedValues([x, y, z], "ElementwiseFunction3") { p, out, s, e in
        let a = p[0], b = p[1], c = p[2], w = out[0]
        for i in s..<e { (w + i).initialize(to: body(a[i], b[i], c[i])) }
    }
}
