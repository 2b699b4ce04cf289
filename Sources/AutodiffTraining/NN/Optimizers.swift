import AutodiffCore
import AutodiffTensor
import RealModule

// The update rules of torch/optim/{sgd,adam,adamw,rmsprop,adagrad}.py
// (single-tensor implementations), operation for operation. Each kernel is a
// free function specialised for Float and Double.

// MARK: - SGD

/// Stochastic gradient descent with optional momentum, dampening, Nesterov
/// momentum and L2 weight decay (`torch.optim.SGD`).
///
/// For each parameter `p` with gradient `g`, at step `t`:
/// ```text
/// g ← g + weightDecay·p
/// b ← g (t = 1),  b ← momentum·b + (1 − dampening)·g (t > 1)      if momentum ≠ 0
/// g ← g + momentum·b (nesterov)  or  g ← b                          if momentum ≠ 0
/// p ← p − learningRate·g
/// ```
///
/// ```swift
/// let optimizer = SGD(model.parameters(), learningRate: 0.01, momentum: 0.9, nesterov: true)
/// optimizer.step()
/// ```
public final class SGD<Scalar: Real>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public var learningRate: Scalar { didSet { _requireNonNegative(learningRate, "SGD.learningRate", "learning rate") } }
    /// The momentum factor μ (0: plain SGD).
    public var momentum: Scalar {
        didSet {
            _requireNonNegative(momentum, "SGD.momentum", "momentum")
            SGD._checkNesterov("SGD.momentum", nesterov, momentum, dampening)
        }
    }
    /// The dampening of the momentum update.
    public var dampening: Scalar { didSet { SGD._checkNesterov("SGD.dampening", nesterov, momentum, dampening) } }
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar { didSet { _requireNonNegative(weightDecay, "SGD.weightDecay", "weight decay") } }
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool { didSet { SGD._checkNesterov("SGD.nesterov", nesterov, momentum, dampening) } }
    private var state: _OptimizerState<Scalar>

    /// - Precondition: `learningRate ≥ 0`, `momentum ≥ 0`, `weightDecay ≥ 0`; Nesterov
    ///   needs a positive momentum and zero dampening (as in PyTorch). The setters check
    ///   the same.
    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar, momentum: Scalar = 0,
                dampening: Scalar = 0, weightDecay: Scalar = 0, nesterov: Bool = false) {
        _requireNonNegative(learningRate, "SGD", "learning rate")
        _requireNonNegative(momentum, "SGD", "momentum")
        _requireNonNegative(weightDecay, "SGD", "weight decay")
        SGD._checkNesterov("SGD", nesterov, momentum, dampening)
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        state = _OptimizerState(parameters: parameters, slots: momentum != 0 ? 1 : 0)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            if momentum != 0 && state.buffers[i].isEmpty {
                state.buffers[i] = [[Scalar](repeating: 0, count: p.count)]
            }
            let first = state.steps[i] == 0
            let did = _withParameterStorage(p) { v, g, n in
                if momentum == 0 {
                    _sgdKernel(v, g, nil, n, learningRate, 0, dampening, weightDecay, false, first)
                } else {
                    state.buffers[i][0].withUnsafeMutableBufferPointer { b in
                        _sgdKernel(v, g, b.baseAddress, n, learningRate, momentum, dampening, weightDecay, nesterov, first)
                    }
                }
            }
            if did { state.steps[i] += 1 }
        }
    }

    private static func _checkNesterov(_ operation: String, _ nesterov: Bool, _ momentum: Scalar, _ dampening: Scalar) {
        autodiffRequire(!nesterov || (momentum > 0 && dampening == 0), operation,
                        "Nesterov momentum requires a momentum and zero dampening (momentum \(momentum), dampening \(dampening))")
    }
}

@_specialize(where S == Double)
@_specialize(where S == Float)
func _sgdKernel<S: Real>(_ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ buf: UnsafeMutablePointer<S>?,
                         _ n: Int, _ lr: S, _ momentum: S, _ dampening: S, _ wd: S, _ nesterov: Bool, _ first: Bool) {
    if buf == nil && wd == 0 {
        for i in 0..<n { p[i] = p[i] + -lr * g[i] }
        return
    }
    for i in 0..<n {
        var d = g[i]
        if wd != 0 { d = d + wd * p[i] }
        if let b = buf {
            b[i] = first ? d : b[i] * momentum + (1 - dampening) * d
            d = nesterov ? d + momentum * b[i] : b[i]
        }
        p[i] = p[i] + -lr * d
    }
}

// MARK: - Adam and AdamW

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

// MARK: - RMSProp

/// RMSProp (`torch.optim.RMSprop`), optionally centered and with momentum.
///
/// ```text
/// g ← g + weightDecay·p
/// v ← α·v + (1 − α)·g²
/// d ← √v + ε,  or  √(v − ḡ²) + ε with ḡ ← α·ḡ + (1 − α)·g (centered)
/// b ← μ·b + g/d,  p ← p − lr·b       (momentum μ > 0)
/// p ← p − lr·g/d                     (otherwise)
/// ```
///
/// ```swift
/// let optimizer = RMSProp(model.parameters(), learningRate: 0.01, alpha: 0.99)
/// ```
public final class RMSProp<Scalar: Real>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public var learningRate: Scalar { didSet { _requireNonNegative(learningRate, "RMSProp.learningRate", "learning rate") } }
    /// α, the decay of the squared-gradient average.
    public var alpha: Scalar { didSet { _requireNonNegative(alpha, "RMSProp.alpha", "alpha") } }
    /// ε, added to the denominator.
    public var epsilon: Scalar { didSet { _requireNonNegative(epsilon, "RMSProp.epsilon", "epsilon") } }
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar { didSet { _requireNonNegative(weightDecay, "RMSProp.weightDecay", "weight decay") } }
    /// The momentum factor μ.
    public var momentum: Scalar { didSet { _requireNonNegative(momentum, "RMSProp.momentum", "momentum") } }
    /// Whether to normalise by the estimated variance instead of the second moment.
    public let centered: Bool
    private var state: _OptimizerState<Scalar>

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar = Scalar(1) / 100, alpha: Scalar = Scalar(99) / 100,
                epsilon: Scalar = Scalar(1) / 100_000_000, weightDecay: Scalar = 0, momentum: Scalar = 0, centered: Bool = false) {
        _requireNonNegative(learningRate, "RMSProp", "learning rate")
        _requireNonNegative(alpha, "RMSProp", "alpha")
        _requireNonNegative(epsilon, "RMSProp", "epsilon")
        _requireNonNegative(weightDecay, "RMSProp", "weight decay")
        _requireNonNegative(momentum, "RMSProp", "momentum")
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.momentum = momentum
        self.centered = centered
        state = _OptimizerState(parameters: parameters, slots: 3)   // v, momentum buffer, ḡ
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            var slots = state.buffers[i]
            state.buffers[i] = []
            var sq = slots[0], buf = slots[1], avg = slots[2]
            slots = []
            let (lr, alpha, eps, wd, mu, centered) = (learningRate, alpha, epsilon, weightDecay, momentum, centered)
            let did = _withParameterStorage(p) { v, g, n in
                sq.withUnsafeMutableBufferPointer { sq in
                    buf.withUnsafeMutableBufferPointer { buf in
                        avg.withUnsafeMutableBufferPointer { avg in
                            _rmspropKernel(v, g, sq.baseAddress!, mu > 0 ? buf.baseAddress : nil,
                                           centered ? avg.baseAddress : nil, n, lr, alpha, eps, wd, mu)
                        }
                    }
                }
            }
            state.buffers[i] = [sq, buf, avg]
            if did { state.steps[i] += 1 }
        }
    }
}

@_specialize(where S == Double)
@_specialize(where S == Float)
func _rmspropKernel<S: Real>(_ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ sq: UnsafeMutablePointer<S>,
                             _ buf: UnsafeMutablePointer<S>?, _ avg: UnsafeMutablePointer<S>?, _ n: Int,
                             _ lr: S, _ alpha: S, _ eps: S, _ wd: S, _ mu: S) {
    let w = 1 - alpha
    for i in 0..<n {
        var grad = g[i]
        if wd != 0 { grad = grad + wd * p[i] }
        sq[i] = sq[i] * alpha + w * grad * grad
        var d: S
        if let a = avg {
            a[i] = 2 * w < 1 ? a[i] + w * (grad - a[i]) : grad - (grad - a[i]) * (1 - w)
            d = S.sqrt(sq[i] + -1 * a[i] * a[i]) + eps
        } else {
            d = S.sqrt(sq[i]) + eps
        }
        if let b = buf {
            b[i] = b[i] * mu + grad / d
            p[i] = p[i] + -lr * b[i]
        } else {
            p[i] = p[i] + -lr * (grad / d)
        }
    }
}

// MARK: - AdaGrad

/// AdaGrad (`torch.optim.Adagrad`).
///
/// ```text
/// g ← g + weightDecay·p
/// clr = lr / (1 + (t − 1)·learningRateDecay)
/// s ← s + g²
/// p ← p − clr·g / (√s + ε)
/// ```
///
/// ```swift
/// let optimizer = AdaGrad(model.parameters(), learningRate: 0.01)
/// ```
public final class AdaGrad<Scalar: Real>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public var learningRate: Scalar { didSet { _requireNonNegative(learningRate, "AdaGrad.learningRate", "learning rate") } }
    /// The decay of the learning rate per step.
    public var learningRateDecay: Scalar {
        didSet { _requireNonNegative(learningRateDecay, "AdaGrad.learningRateDecay", "learning rate decay") }
    }
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar { didSet { _requireNonNegative(weightDecay, "AdaGrad.weightDecay", "weight decay") } }
    /// ε, added to the denominator.
    public var epsilon: Scalar { didSet { _requireNonNegative(epsilon, "AdaGrad.epsilon", "epsilon") } }
    private var state: _OptimizerState<Scalar>

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar = Scalar(1) / 100, learningRateDecay: Scalar = 0,
                weightDecay: Scalar = 0, initialAccumulatorValue: Scalar = 0, epsilon: Scalar = Scalar(1) / 10_000_000_000) {
        _requireNonNegative(learningRate, "AdaGrad", "learning rate")
        _requireNonNegative(learningRateDecay, "AdaGrad", "learning rate decay")
        _requireNonNegative(weightDecay, "AdaGrad", "weight decay")
        _requireNonNegative(initialAccumulatorValue, "AdaGrad", "initial accumulator value")
        _requireNonNegative(epsilon, "AdaGrad", "epsilon")
        self.parameters = parameters
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.epsilon = epsilon
        state = _OptimizerState(parameters: parameters, slots: 1, initial: initialAccumulatorValue)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            let t = state.steps[i] + 1
            let clr = learningRate / (1 + Scalar(t - 1) * learningRateDecay)
            var slots = state.buffers[i]
            state.buffers[i] = []
            let (eps, wd) = (epsilon, weightDecay)
            let did = _withParameterStorage(p) { v, g, n in
                slots[0].withUnsafeMutableBufferPointer { s in _adagradKernel(v, g, s.baseAddress!, n, clr, eps, wd) }
            }
            state.buffers[i] = slots
            if did { state.steps[i] = t }
        }
    }
}

@_specialize(where S == Double)
@_specialize(where S == Float)
func _adagradKernel<S: Real>(_ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ sum: UnsafeMutablePointer<S>,
                             _ n: Int, _ clr: S, _ eps: S, _ wd: S) {
    for i in 0..<n {
        var grad = g[i]
        if wd != 0 { grad = grad + wd * p[i] }
        sum[i] = sum[i] + grad * grad
        p[i] = p[i] + -clr * (grad / (S.sqrt(sum[i]) + eps))
    }
}
