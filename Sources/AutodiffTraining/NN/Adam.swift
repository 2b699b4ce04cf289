import AutodiffCore
import AutodiffTensor
import RealModule

// The update rule of torch/optim/{adam,adamw}.py (single-tensor implementation), operation
// for operation; the kernel is a free function specialised for Float and Double.

/// Adam (`torch.optim.Adam`), optionally AMSGrad; `weightDecay` is added to the
/// gradient (L2). See ``AdamW`` for decoupled weight decay.
///
/// For each parameter at step `t`:
/// ```text
/// g ← g + weightDecay·p
/// m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²       (v̂max ← max(v̂max, v) with AMSGrad)
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// ```swift
/// let optimizer = Adam(model.parameters(), learningRate: 1e-3)
/// ```
public final class Adam<Scalar: Real>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public var learningRate: Scalar { didSet { _requireNonNegative(learningRate, "Adam.learningRate", "learning rate") } }
    /// β₁, the decay of the first-moment average.
    public var beta1: Scalar { didSet { _checkBetas("Adam.beta1", beta1, beta2) } }
    /// β₂, the decay of the second-moment average.
    public var beta2: Scalar { didSet { _checkBetas("Adam.beta2", beta1, beta2) } }
    /// ε, added to the denominator.
    public var epsilon: Scalar { didSet { _requireNonNegative(epsilon, "Adam.epsilon", "epsilon") } }
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar { didSet { _requireNonNegative(weightDecay, "Adam.weightDecay", "weight decay") } }
    /// Whether to use the AMSGrad variant (maximum of past second moments).
    public let amsgrad: Bool
    private var core: _AdamCore<Scalar>

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar = Scalar(1) / 1000, beta1: Scalar = Scalar(9) / 10,
                beta2: Scalar = Scalar(999) / 1000, epsilon: Scalar = Scalar(1) / 100_000_000, weightDecay: Scalar = 0, amsgrad: Bool = false) {
        _checkAdam("Adam", learningRate, beta1, beta2, epsilon, weightDecay)
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        core = _AdamCore(parameters: parameters, amsgrad: amsgrad)
    }

    public func step() {
        core.step(parameters, lr: learningRate, beta1: beta1, beta2: beta2, eps: epsilon, wd: weightDecay, decoupled: false)
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`): each step first
/// shrinks the parameter, `p ← p·(1 − lr·weightDecay)`, then applies the
/// ``Adam`` update without adding the decay to the gradient.
///
/// ```swift
/// let optimizer = AdamW(model.parameters(), learningRate: 1e-3, weightDecay: 0.01)
/// ```
public final class AdamW<Scalar: Real>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public var learningRate: Scalar { didSet { _requireNonNegative(learningRate, "AdamW.learningRate", "learning rate") } }
    /// β₁, the decay of the first-moment average.
    public var beta1: Scalar { didSet { _checkBetas("AdamW.beta1", beta1, beta2) } }
    /// β₂, the decay of the second-moment average.
    public var beta2: Scalar { didSet { _checkBetas("AdamW.beta2", beta1, beta2) } }
    /// ε, added to the denominator.
    public var epsilon: Scalar { didSet { _requireNonNegative(epsilon, "AdamW.epsilon", "epsilon") } }
    /// The decoupled decay rate (PyTorch's default 0.01).
    public var weightDecay: Scalar { didSet { _requireNonNegative(weightDecay, "AdamW.weightDecay", "weight decay") } }
    /// Whether to use the AMSGrad variant.
    public let amsgrad: Bool
    private var core: _AdamCore<Scalar>

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar = Scalar(1) / 1000, beta1: Scalar = Scalar(9) / 10,
                beta2: Scalar = Scalar(999) / 1000, epsilon: Scalar = Scalar(1) / 100_000_000, weightDecay: Scalar = Scalar(1) / 100, amsgrad: Bool = false) {
        _checkAdam("AdamW", learningRate, beta1, beta2, epsilon, weightDecay)
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        core = _AdamCore(parameters: parameters, amsgrad: amsgrad)
    }

    public func step() {
        core.step(parameters, lr: learningRate, beta1: beta1, beta2: beta2, eps: epsilon, wd: weightDecay, decoupled: true)
    }
}

private func _checkAdam<S: Real>(_ name: String, _ lr: S, _ b1: S, _ b2: S, _ eps: S, _ wd: S) {
    _requireNonNegative(lr, name, "learning rate")
    _checkBetas(name, b1, b2)
    _requireNonNegative(eps, name, "epsilon")
    _requireNonNegative(wd, name, "weight decay")
}

private func _checkBetas<S: Real>(_ operation: String, _ b1: S, _ b2: S) {
    autodiffRequire(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1, operation, "invalid betas (\(b1), \(b2))")
}

/// The state and step shared by Adam and AdamW: slots m, v (and v̂max).
struct _AdamCore<Scalar: Real> {
    var state: _OptimizerState<Scalar>
    let amsgrad: Bool

    init(parameters: [Parameter<Scalar>], amsgrad: Bool) {
        self.amsgrad = amsgrad
        state = _OptimizerState(parameters: parameters, slots: amsgrad ? 3 : 2)
    }

    mutating func step(_ parameters: [Parameter<Scalar>], lr: Scalar, beta1: Scalar, beta2: Scalar, eps: Scalar,
                       wd: Scalar, decoupled: Bool) {
        for (i, p) in parameters.enumerated() {
            let t = state.steps[i] + 1
            let bc1 = 1 - Scalar.pow(beta1, t)
            let bc2Sqrt = Scalar.sqrt(1 - Scalar.pow(beta2, t))
            let amsgrad = self.amsgrad
            // Take the slots out of the state so that each is uniquely referenced while written.
            var slots = state.buffers[i]
            state.buffers[i] = []
            var m = slots[0], s = slots[1]
            var mx = amsgrad ? slots[2] : []
            slots = []
            let did = _withParameterStorage(p) { v, g, n in
                m.withUnsafeMutableBufferPointer { m in
                    s.withUnsafeMutableBufferPointer { s in
                        mx.withUnsafeMutableBufferPointer { mx in
                            _adamKernel(v, g, m.baseAddress!, s.baseAddress!, amsgrad ? mx.baseAddress : nil, n, lr,
                                        beta1, beta2, eps, wd, decoupled, bc1, bc2Sqrt)
                        }
                    }
                }
            }
            state.buffers[i] = amsgrad ? [m, s, mx] : [m, s]
            if did { state.steps[i] = t }
        }
    }
}

@_specialize(where S == Double)
@_specialize(where S == Float)
func _adamKernel<S: Real>(_ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ m: UnsafeMutablePointer<S>,
                          _ v: UnsafeMutablePointer<S>, _ vmax: UnsafeMutablePointer<S>?, _ n: Int,
                          _ lr: S, _ beta1: S, _ beta2: S, _ eps: S, _ wd: S, _ decoupled: Bool,
                          _ bc1: S, _ bc2Sqrt: S) {
    let stepSize = lr / bc1
    let w = 1 - beta1
    for i in 0..<n {
        var grad = g[i]
        if wd != 0 {
            if decoupled { p[i] = p[i] * (1 - lr * wd) } else { grad = grad + wd * p[i] }
        }
        // torch.lerp with weight < 0.5: m + w·(g − m); otherwise g − (g − m)·(1 − w).
        m[i] = 2 * w < 1 ? m[i] + w * (grad - m[i]) : grad - (grad - m[i]) * (1 - w)
        v[i] = v[i] * beta2 + (1 - beta2) * grad * grad
        var second = v[i]
        if let mx = vmax {
            mx[i] = Swift.max(mx[i], v[i])
            second = mx[i]
        }
        let denom = S.sqrt(second) / bc2Sqrt + eps
        p[i] = p[i] + -stepSize * (m[i] / denom)
    }
}
