import AutodiffCore
import AutodiffTensor
import RealModule

// The update rule of torch/optim/{sgd}.py (single-tensor implementation), operation
// for operation; the kernel is a free function specialised for Float and Double.

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
