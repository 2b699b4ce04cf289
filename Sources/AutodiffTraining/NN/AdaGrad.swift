import AutodiffCore
import AutodiffTensor
import RealModule

// The update rule of torch/optim/{adagrad}.py (single-tensor implementation), operation
// for operation; the kernel is a free function specialised for Float and Double.

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
