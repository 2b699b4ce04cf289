import AutodiffCore
import AutodiffTensor
import RealModule

/// Updates a set of ``Parameter``s from their gradients (PyTorch's `torch.optim.Optimizer`).
///
/// The usual loop: compute a loss, `backward()`, ``step()``, ``zeroGrad(setToNone:)``.
/// `step()` rewrites each parameter's elements in place outside the autograd
/// history (PyTorch's `@torch.no_grad()` step); parameters whose `grad` is
/// `nil` are skipped, as in PyTorch. The update formulas are PyTorch's,
/// operation for operation, so results agree to rounding.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let model = Linear<Double>(3, 1, using: &rng)
/// let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
/// for _ in 0..<100 {
///     let x: Tensor<Double> = [[1, 2, 3]], y: Tensor<Double> = [[1]]
///     let loss = meanSquaredError(model(x), y)
///     try loss.backward()
///     optimizer.step()
///     optimizer.zeroGrad()
/// }
/// ```
public protocol Optimizer<Scalar>: AnyObject {
    /// The scalar type of the parameters.
    associatedtype Scalar: Real
    /// The parameters updated by ``step()``, in the order given.
    var parameters: [Parameter<Scalar>] { get }
    /// The step size (PyTorch's `lr`); may be changed between steps (schedules).
    var learningRate: Scalar { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient (`setToNone: true`, PyTorch's default since 2.0)
    /// or sets it to zeros (`optimizer.zero_grad(set_to_none=False)`).
    ///
    /// ```swift
    /// optimizer.zeroGrad(setToNone: false)   // grads become tensors of zeros
    /// ```
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters { _zeroGrad(p, setToNone: setToNone) }
    }
}

// MARK: - Hyperparameter checks

/// Stops with `Autodiff: <operation>: invalid <what> <value>` unless `value ≥ 0` (NaN is
/// refused too). The initializers and the setters of the hyperparameters check alike, so
/// a learning rate set between steps (a schedule) cannot silently be negative or NaN.
func _requireNonNegative<S: Real>(_ value: S, _ operation: String, _ what: String,
                                  file: StaticString = #fileID, line: UInt = #line) {
    autodiffRequire(value >= 0, operation, "invalid \(what) \(value)", file: file, line: line)
}

// MARK: - In-place access

/// Per-parameter optimizer state: one buffer of the parameter's size per slot.
struct _OptimizerState<Scalar: Real> {
    var buffers: [[[Scalar]]]   // [parameter][slot][element]
    var steps: [Int]

    init(parameters: [Parameter<Scalar>], slots: Int, initial: Scalar = 0) {
        buffers = parameters.map { p in [[Scalar]](repeating: [Scalar](repeating: initial, count: p.count), count: slots) }
        steps = [Int](repeating: 0, count: parameters.count)
    }
}

/// Runs `body(value, grad, count)` on a parameter's storage (written in place,
/// outside autograd) and its gradient; does nothing when the gradient is `nil`.
@inline(__always)
func _withParameterStorage<Scalar>(_ p: Parameter<Scalar>,
                                   _ body: (UnsafeMutablePointer<Scalar>, UnsafePointer<Scalar>, Int) -> Void) -> Bool {
    guard let grad = p.grad else { return false }
    autodiffRequire(grad.shape == p.shape, "Optimizer.step()",
                    "gradient of shape \(grad.shape) for a parameter of shape \(p.shape)")
    let n = p.count
    if n == 0 { return true }
    let g = grad.scalars
    withNoGrad {
        p.value._updateInPlace { v in
            g.withUnsafeBufferPointer { gb in body(v, gb.baseAddress!, n) }
        }
    }
    return true
}

