import AutodiffCore
import AutodiffTensor
import RealModule

// The update rule of torch/optim/{rmsprop}.py (single-tensor implementation), operation
// for operation; the kernel is a free function specialised for Float and Double.

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
