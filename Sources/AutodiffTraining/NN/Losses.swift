import AutodiffCore
import AutodiffTensor
import RealModule

/// How a loss combines its per-element terms (PyTorch's `reduction=`).
public enum LossReduction: Sendable, Equatable {
    /// The mean over all terms (PyTorch's default).
    case mean
    /// The sum of all terms.
    case sum
    /// No reduction: one term per element (or per sample, for cross-entropy).
    case none
    /// The sum divided by the size of the first dimension of the input, i.e. the mean over
    /// the batch of the per-sample sums (PyTorch's `reduction='batchmean'`); the sum for a
    /// 0-d input. Only ``klDivergence(_:_:reduction:logTarget:)`` accepts it, where it gives
    /// the mathematical KL divergence per sample; other losses stop with a message, as
    /// PyTorch raises.
    ///
    /// ```swift
    /// let input = log(Tensor<Double>([[0.5, 0.5], [0.5, 0.5]])), target: Tensor<Double> = [[0.25, 0.75], [0.5, 0.5]]
    /// klDivergence(input, target, reduction: .batchMean)   // tensor(0.0654): (0.1308 + 0) / 2
    /// ```
    case batchMean
}

/// The squared error `(prediction − target)²`, averaged by default (`F.mse_loss`).
///
/// The shapes broadcast, as in PyTorch.
///
/// ```swift
/// let loss = meanSquaredError(Tensor<Double>([1, 2]), Tensor([1, 4]))   // tensor(2.)
/// let total = meanSquaredError(Tensor<Double>([1, 2]), Tensor([1, 4]), reduction: .sum)   // tensor(4.)
/// ```
public func meanSquaredError<S>(_ prediction: Tensor<S>, _ target: Tensor<S>,
                                reduction: LossReduction = .mean) -> Tensor<S> {
    _reduce(pow(prediction - target, 2), reduction, "meanSquaredError")
}

/// Cross-entropy between raw scores `logits` (shape `[batch, classes]`) and class
/// indices (`F.cross_entropy` with integer targets): `−log softmax(logits)[i, target_i]`
/// per sample, averaged by default.
///
/// ```swift
/// let logits: Tensor<Double> = [[2, 0, 0], [0, 0, 3]]
/// let loss = crossEntropy(logits, classes: [0, 2])   // tensor(0.1672)
/// ```
///
/// - Precondition: `logits` is `[batch, classes]`, `classes.count == batch`, each index in range.
public func crossEntropy<S>(_ logits: Tensor<S>, classes: [Int], reduction: LossReduction = .mean) -> Tensor<S> {
    autodiffRequire(logits.rank == 2, "crossEntropy", "logits must be [batch, classes], got shape \(logits.shape)")
    let (batch, k) = (logits.shape[0], logits.shape[1])
    autodiffRequire(classes.count == batch, "crossEntropy", "\(classes.count) class indices for a batch of \(batch)")
    var oneHot = [S](repeating: 0, count: batch * k)
    for (i, c) in classes.enumerated() {
        autodiffRequire(c >= 0 && c < k, "crossEntropy", "class index \(c) out of range 0..<\(k) (sample \(i))")
        oneHot[i * k + c] = 1
    }
    return crossEntropy(logits, probabilities: Tensor(shape: [batch, k], scalars: oneHot), reduction: reduction)
}

/// Cross-entropy against target probabilities (soft labels) of the same shape
/// as `logits` (`F.cross_entropy` with probability targets):
/// `−Σ_c target[i, c] · log softmax(logits)[i, c]` per sample.
///
/// ```swift
/// let logits: Tensor<Double> = [[0, 0]], target: Tensor<Double> = [[0.5, 0.5]]
/// let loss = crossEntropy(logits, probabilities: target)   // tensor(0.6931)
/// ```
public func crossEntropy<S>(_ logits: Tensor<S>, probabilities target: Tensor<S>,
                            reduction: LossReduction = .mean) -> Tensor<S> {
    autodiffRequire(logits.rank == 2 && target.shape == logits.shape, "crossEntropy",
                    "logits \(logits.shape) and target probabilities \(target.shape) must both be [batch, classes]")
    let perSample = -(target * logSoftmax(logits, axis: 1)).sum(axes: [1])
    return _reduce(perSample, reduction, "crossEntropy")
}

/// Binary cross-entropy between probabilities in (0, 1) and targets in [0, 1] (`F.binary_cross_entropy`).
///
/// ```swift
/// binaryCrossEntropy(Tensor<Double>([0.5]), Tensor([1]))   // tensor(0.6931)
/// ```
public func binaryCrossEntropy<S>(_ probabilities: Tensor<S>, _ target: Tensor<S>,
                                  reduction: LossReduction = .mean) -> Tensor<S> {
    let terms = -(target * log(probabilities) + (1 - target) * log(1 - probabilities))
    return _reduce(terms, reduction, "binaryCrossEntropy")
}

/// The negative log-likelihood of class indices under log-probabilities `logProbabilities`
/// (shape `[batch, classes]`, e.g. from ``logSoftmax(_:axis:)``): `−logProbabilities[i, target_i]`
/// per sample, averaged by default (PyTorch: `torch.nn.functional.nll_loss`, `nn.NLLLoss`).
/// Derivative: recorded to every order (a gather).
///
/// ```swift
/// let logp = log(Tensor<Double>([[0.5, 0.5], [0.25, 0.75]]))
/// negativeLogLikelihood(logp, classes: [0, 1])   // tensor(0.4904)
/// ```
///
/// - Precondition: `logProbabilities` is `[batch, classes]`, `classes.count == batch`, each index in range.
public func negativeLogLikelihood<S>(_ logProbabilities: Tensor<S>, classes: [Int],
                                     reduction: LossReduction = .mean) -> Tensor<S> {
    let op = "negativeLogLikelihood"
    autodiffRequire(logProbabilities.rank == 2, op,
                    "log-probabilities must be [batch, classes], got shape \(logProbabilities.shape)")
    let (batch, k) = (logProbabilities.shape[0], logProbabilities.shape[1])
    autodiffRequire(classes.count == batch, op, "\(classes.count) class indices for a batch of \(batch)")
    for (i, c) in classes.enumerated() {
        autodiffRequire(c >= 0 && c < k, op, "class index \(c) out of range 0..<\(k) (sample \(i))")
    }
    let index = Tensor<S>(shape: [batch, 1], scalars: classes.map { S($0) })
    return _reduce(-logProbabilities.gathering(axis: 1, index: index).reshaped([batch]), reduction, "negativeLogLikelihood")
}

/// The absolute error |prediction − target|, averaged by default; the shapes broadcast
/// (PyTorch: `torch.nn.functional.l1_loss`, `nn.L1Loss`). Derivative: sign(prediction − target)
/// (0 at 0, as PyTorch).
///
/// ```swift
/// l1Loss(Tensor<Double>([1, 2]), Tensor([2, 4]))   // tensor(1.5000)
/// ```
public func l1Loss<S>(_ prediction: Tensor<S>, _ target: Tensor<S>, reduction: LossReduction = .mean) -> Tensor<S> {
    _reduce(abs(prediction - target), reduction, "l1Loss")
}

/// The smooth L1 (Huber, for β = 1) loss: 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere,
/// d = prediction − target, averaged by default (PyTorch: `torch.nn.functional.smooth_l1_loss`,
/// `nn.SmoothL1Loss`, default `beta=1.0`). Derivative: recorded to every order.
///
/// ```swift
/// smoothL1Loss(Tensor<Double>([0, 0]), Tensor([0.5, 3]))   // tensor(1.3125)
/// ```
public func smoothL1Loss<S>(_ prediction: Tensor<S>, _ target: Tensor<S>, beta: S = 1,
                            reduction: LossReduction = .mean) -> Tensor<S> {
    autodiffRequire(beta >= 0, "smoothL1Loss", "beta must be non-negative, got \(beta)")
    let d = prediction - target
    let a = abs(d)
    if beta == 0 { return _reduce(a, reduction, "smoothL1Loss") }
    let half: S = 1 / 2
    let quadratic: Tensor<S> = d * d * (half / beta)
    let linear: Tensor<S> = a - half * beta
    return _reduce(`where`(a .< beta, quadratic, linear), reduction, "smoothL1Loss")
}

/// The Kullback–Leibler divergence terms `target · (log target − input)` for `input` holding
/// log-probabilities and `target` probabilities (or log-probabilities with `logTarget`),
/// 0 where the target is 0 (PyTorch: `torch.nn.functional.kl_div`, `nn.KLDivLoss`).
/// The default `.mean` is PyTorch's default too: the mean over every element;
/// `.batchMean` (PyTorch's `'batchmean'`) is the mathematical KL divergence per sample:
/// the sum divided by `input.shape[0]`. Derivative: recorded to every order, in both arguments.
///
/// ```swift
/// let input = log(Tensor<Double>([[0.5, 0.5]])), target: Tensor<Double> = [[0.25, 0.75]]
/// klDivergence(input, target, reduction: .sum)         // tensor(0.1308)
/// klDivergence(input, target, reduction: .batchMean)   // tensor(0.1308): one sample
/// ```
public func klDivergence<S>(_ input: Tensor<S>, _ target: Tensor<S>, reduction: LossReduction = .mean,
                            logTarget: Bool = false) -> Tensor<S> {
    let terms: Tensor<S>
    if logTarget {
        terms = exp(target) * (target - input)
    } else {
        terms = xlogy(target, target) - target * input
    }
    if reduction == .batchMean {
        // PyTorch: kl_div(..., 'sum') / input.size(0), for an input of rank ≥ 1.
        return input.rank == 0 ? terms.sum() : terms.sum() / S(input.shape[0])
    }
    return _reduce(terms, reduction, "klDivergence")
}

/// Combines a loss's terms; `operation` names the loss in the message for `.batchMean`,
/// which only ``klDivergence(_:_:reduction:logTarget:)`` accepts.
private func _reduce<S>(_ terms: Tensor<S>, _ reduction: LossReduction, _ operation: String) -> Tensor<S> {
    switch reduction {
    case .mean: return terms.mean()
    case .sum: return terms.sum()
    case .none: return terms
    case .batchMean:
        autodiffFailure(operation, "reduction .batchMean is only defined for klDivergence (PyTorch's 'batchmean' "
                        + "belongs to kl_div); use .mean, .sum or .none")
    }
}
