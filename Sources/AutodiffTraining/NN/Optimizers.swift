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
    public var learningRate: Scalar
    /// The momentum factor μ (0: plain SGD).
    public var momentum: Scalar
    /// The dampening of the momentum update.
    public var dampening: Scalar
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool
    private var state: _OptimizerState<Scalar>

    /// - Precondition: `learningRate ≥ 0`, `momentum ≥ 0`, `weightDecay ≥ 0`; Nesterov
    ///   needs a positive momentum and zero dampening (as in PyTorch).
    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar, momentum: Scalar = 0,
                dampening: Scalar = 0, weightDecay: Scalar = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0, "SGD: invalid learning rate \(learningRate)")
        precondition(momentum >= 0, "SGD: invalid momentum \(momentum)")
        precondition(weightDecay >= 0, "SGD: invalid weight decay \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires a momentum and zero dampening")
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
    public var learningRate: Scalar
    /// β₁, the decay of the first-moment average.
    public var beta1: Scalar
    /// β₂, the decay of the second-moment average.
    public var beta2: Scalar
    /// ε, added to the denominator.
    public var epsilon: Scalar
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar
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
    public var learningRate: Scalar
    /// β₁, the decay of the first-moment average.
    public var beta1: Scalar
    /// β₂, the decay of the second-moment average.
    public var beta2: Scalar
    /// ε, added to the denominator.
    public var epsilon: Scalar
    /// The decoupled decay rate (PyTorch's default 0.01).
    public var weightDecay: Scalar
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
    precondition(lr >= 0, "\(name): invalid learning rate \(lr)")
    precondition(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1, "\(name): invalid betas (\(b1), \(b2))")
    precondition(eps >= 0, "\(name): invalid epsilon \(eps)")
    precondition(wd >= 0, "\(name): invalid weight decay \(wd)")
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
    public var learningRate: Scalar
    /// α, the decay of the squared-gradient average.
    public var alpha: Scalar
    /// ε, added to the denominator.
    public var epsilon: Scalar
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar
    /// The momentum factor μ.
    public var momentum: Scalar
    /// Whether to normalise by the estimated variance instead of the second moment.
    public let centered: Bool
    private var state: _OptimizerState<Scalar>

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar = Scalar(1) / 100, alpha: Scalar = Scalar(99) / 100,
                epsilon: Scalar = Scalar(1) / 100_000_000, weightDecay: Scalar = 0, momentum: Scalar = 0, centered: Bool = false) {
        precondition(learningRate >= 0, "RMSProp: invalid learning rate \(learningRate)")
        precondition(alpha >= 0, "RMSProp: invalid alpha \(alpha)")
        precondition(epsilon >= 0 && weightDecay >= 0 && momentum >= 0,
                     "RMSProp: invalid epsilon, weight decay or momentum (\(epsilon), \(weightDecay), \(momentum))")
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
    public var learningRate: Scalar
    /// The decay of the learning rate per step.
    public var learningRateDecay: Scalar
    /// The L2 penalty added to the gradient.
    public var weightDecay: Scalar
    /// ε, added to the denominator.
    public var epsilon: Scalar
    private var state: _OptimizerState<Scalar>

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar = Scalar(1) / 100, learningRateDecay: Scalar = 0,
                weightDecay: Scalar = 0, initialAccumulatorValue: Scalar = 0, epsilon: Scalar = Scalar(1) / 10_000_000_000) {
        precondition(learningRate >= 0 && learningRateDecay >= 0 && weightDecay >= 0 && initialAccumulatorValue >= 0
                     && epsilon >= 0, "AdaGrad: invalid hyperparameters")
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
