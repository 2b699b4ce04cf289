import AutodiffCore
import RealModule

// The functional operators of `torch.autograd.functional` over tensor
// closures, in the `at:of:` style of the scalar operators. Inputs are
// detached copies made into leaves, so the caller's tensors are untouched.

/// The Jacobian of `f` at `x`: shape `f(x).shape + x.shape`, one backward
/// pass per output element.
///
/// ```swift
/// let j = try jacobian(at: Tensor<Double>([1, 2])) { x in x * x }   // diag(2, 4)
/// ```
public func jacobian<S>(at x: Tensor<S>, of f: (Tensor<S>) throws -> Tensor<S>) throws -> Tensor<S> {
    let (jx, _) = try jacobian(at: (x, Tensor<S>(0))) { a, _ in try f(a) }
    return jx
}

/// The Jacobians of `f(x, y)` with respect to `x` and `y` (PyTorch's
/// `jacobian(f, (x, y))`).
///
/// ```swift
/// let (jx, jy) = try jacobian(at: (x, y)) { x, y in 2 * exp(x) + 3 * y }
/// // jx = diag(2·exp(x)), jy = 3·I
/// ```
public func jacobian<S>(at inputs: (Tensor<S>, Tensor<S>),
                        of f: (Tensor<S>, Tensor<S>) throws -> Tensor<S>) throws -> (Tensor<S>, Tensor<S>) {
    let x = inputs.0.detach().requiringGrad(), y = inputs.1.detach().requiringGrad()
    let out = try withGradEnabled { try f(x, y) }
    return try _jacobianRows(out, [x, y]).asPair
}

/// The Hessian of a scalar-valued `f` at `x` (shape `x.shape + x.shape`):
/// the Jacobian of the gradient, computed with `createGraph`.
///
/// ```swift
/// let h = try hessian(at: Tensor<Double>([1, 2])) { x in (x * x * x).sum() }   // diag(6, 12)
/// ```
public func hessian<S>(at x: Tensor<S>, of f: (Tensor<S>) throws -> Tensor<S>) throws -> Tensor<S> {
    let h = try hessian(at: (x, Tensor<S>(0))) { a, _ in try f(a) }
    return h.0.0
}

/// The Hessian blocks `((∂²f/∂x², ∂²f/∂x∂y), (∂²f/∂y∂x, ∂²f/∂y²))` of a
/// scalar-valued `f(x, y)` (PyTorch's `hessian(f, (x, y))`).
///
/// ```swift
/// let ((hxx, hxy), (hyx, hyy)) = try hessian(at: (x, y)) { x, y in (2 * exp(x) + 3 * y).sum() }
/// ```
public func hessian<S>(at inputs: (Tensor<S>, Tensor<S>), of f: (Tensor<S>, Tensor<S>) throws -> Tensor<S>) throws
    -> ((Tensor<S>, Tensor<S>), (Tensor<S>, Tensor<S>)) {
    let x = inputs.0.detach().requiringGrad(), y = inputs.1.detach().requiringGrad()
    return try withGradEnabled {
        let out = try f(x, y)
        if !out.requiresGrad {
            return ((.zeros(x.shape + x.shape), .zeros(x.shape + y.shape)),
                    (.zeros(y.shape + x.shape), .zeros(y.shape + y.shape)))
        }
        let g = try gradients(of: [out], withRespectTo: [x, y], createGraph: true)
        let gx = g[0] ?? .zeros(x.shape), gy = g[1] ?? .zeros(y.shape)
        return (try _jacobianRows(gx, [x, y]).asPair, try _jacobianRows(gy, [x, y]).asPair)
    }
}

/// `f(x)` and the vector-Jacobian product `vᵀ·J` (PyTorch's `vjp(f, x, v)`).
///
/// ```swift
/// let (y, g) = try vjp(at: x, cotangent: Tensor([0.1, 1, 0.0001])) { x in doubling(x) }
/// // g = v · 2^k
/// ```
public func vjp<S>(at x: Tensor<S>, cotangent v: Tensor<S>,
                   of f: (Tensor<S>) throws -> Tensor<S>) throws -> (value: Tensor<S>, cotangent: Tensor<S>) {
    let xs = x.detach().requiringGrad()
    let y = try withGradEnabled { try f(xs) }
    if !y.requiresGrad { return (y, .zeros(x.shape)) }
    let g = try gradients(of: [y], withRespectTo: [xs], gradOutputs: [v])[0]
    return (y.detach(), g ?? .zeros(x.shape))
}

/// `f(x)` and the Jacobian-vector product `J·v` (PyTorch's `jvp(f, x, v)`), by the
/// double-backward trick PyTorch uses: the vector-Jacobian product `uᵀJ` is linear in
/// `u`, and differentiating `uᵀJ·v` with respect to `u` gives `J·v`.
///
/// ```swift
/// let (y, t) = try jvp(at: Tensor([1.0, 2.0]), direction: Tensor([1.0, 0])) { x in x * x }   // t = [2, 0]
/// ```
public func jvp<S>(at x: Tensor<S>, direction v: Tensor<S>,
                   of f: (Tensor<S>) throws -> Tensor<S>) throws -> (value: Tensor<S>, tangent: Tensor<S>) {
    guard v.shape == x.shape else {
        throw TensorError.shapeMismatch(operation: "jvp(at:direction:of:)", lhs: x.shape, rhs: v.shape)
    }
    let xs = x.detach().requiringGrad()
    return try withGradEnabled {
        let y = try f(xs)
        if !y.requiresGrad { return (y.detach(), .zeros(y.shape)) }
        let u = Tensor<S>.zeros(y.shape).requiringGrad()
        guard let g = try gradients(of: [y], withRespectTo: [xs], gradOutputs: [u], createGraph: true)[0],
              g.requiresGrad else { return (y.detach(), .zeros(y.shape)) }
        let t = try gradients(of: [(g * v).sum()], withRespectTo: [u])[0] ?? .zeros(y.shape)
        return (y.detach(), t)
    }
}

/// The Hessian-vector product `H·v` of a scalar-valued `f` at `x`, by
/// differentiating `∇f·v` again (double backward).
///
/// ```swift
/// let hv = try hvp(at: x, direction: v) { x in (x * x * x).sum() }   // 6·x·v
/// ```
public func hvp<S>(at x: Tensor<S>, direction v: Tensor<S>, of f: (Tensor<S>) throws -> Tensor<S>) throws -> Tensor<S> {
    let xs = x.detach().requiringGrad()
    return try withGradEnabled {
        let y = try f(xs)
        guard y.requiresGrad, let g = try gradients(of: [y], withRespectTo: [xs], createGraph: true)[0],
              g.requiresGrad else { return .zeros(x.shape) }
        return try gradients(of: [(g * v).sum()], withRespectTo: [xs])[0] ?? .zeros(x.shape)
    }
}

/// Rows of the Jacobians of `out` with respect to each input.
func _jacobianRows<S>(_ out: Tensor<S>, _ inputs: [Tensor<S>]) throws -> [Tensor<S>] {
    var rows = inputs.map { _ in [S]() }
    for i in 0..<out.count {
        var e = [S](repeating: 0, count: out.count)
        e[i] = 1
        let g: [Tensor<S>?] = out.requiresGrad
            ? try gradients(of: [out], withRespectTo: inputs, gradOutputs: [Tensor(shape: out.shape, scalars: e)],
                            retainGraph: true)
            : inputs.map { _ in nil }
        for (k, x) in inputs.enumerated() {
            rows[k] += g[k]?.scalars ?? [S](repeating: 0, count: x.count)
        }
    }
    return inputs.enumerated().map { k, x in Tensor(shape: out.shape + x.shape, scalars: rows[k]) }
}

extension Array {
    fileprivate var asPair: (Element, Element) { (self[0], self[1]) }
}

// MARK: - Custom functions

final class _OutputBox<Scalar: Real> {
    var value: Tensor<Scalar>?
}

extension Tensor {
    /// A tensor operation with a user-written forward and backward (PyTorch's
    /// `torch.autograd.Function`): recorded as one node named `name`.
    ///
    /// `forward` runs without recording; `backward` receives the output's
    /// gradient, the inputs and the output, and returns one gradient per input
    /// (`nil` for none), each of its input's shape. Write `backward` with
    /// tensor operations to make it differentiable again (`createGraph`).
    ///
    /// ```swift
    /// let y = Tensor.customOperation(named: "CubeBackward", inputs: [x]) { xs in
    ///     xs[0] * xs[0] * xs[0]
    /// } backward: { g, xs, _ in
    ///     [g * 3 * xs[0] * xs[0]]
    /// }
    /// ```
    public static func customOperation(
        named name: String, inputs: [Tensor],
        file: StaticString = #fileID, line: UInt = #line,
        forward: ([Tensor]) throws -> Tensor,
        backward: @escaping (_ gradient: Tensor, _ inputs: [Tensor], _ output: Tensor) throws -> [Tensor?]
    ) rethrows -> Tensor {
        let box = _OutputBox<Scalar>()
        let shapes = inputs.map(\.shape)
        return try _op(name, name, inputs, saving: inputs, savesOutput: true,
                       location: CallSite(file: file, line: line), {
            let out = try withNoGrad { try forward(inputs) }.detach()
            box.value = out
            return out
        }) { g in
            let grads = try backward(g, inputs, box.value!)
            if grads.count != shapes.count {
                throw AutogradError.invalidGradient(operation: name, detail:
                    "\(grads.count) gradients for \(shapes.count) inputs")
            }
            for (k, gk) in grads.enumerated() where gk != nil && gk!.shape != shapes[k] {
                throw AutogradError.invalidGradient(operation: name, detail:
                    "gradient \(k) has shape \(gk!.shape), input \(k) has shape \(shapes[k])")
            }
            return grads
        }
    }
}
