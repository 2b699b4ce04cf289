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
    _reduce(pow(prediction - target, 2), reduction)
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
    return _reduce(perSample, reduction)
}

/// Binary cross-entropy between probabilities in (0, 1) and targets in [0, 1] (`F.binary_cross_entropy`).
///
/// ```swift
/// binaryCrossEntropy(Tensor<Double>([0.5]), Tensor([1]))   // tensor(0.6931)
/// ```
public func binaryCrossEntropy<S>(_ probabilities: Tensor<S>, _ target: Tensor<S>,
                                  reduction: LossReduction = .mean) -> Tensor<S> {
    let terms = -(target * log(probabilities) + (1 - target) * log(1 - probabilities))
    return _reduce(terms, reduction)
}

private func _reduce<S>(_ terms: Tensor<S>, _ reduction: LossReduction) -> Tensor<S> {
    switch reduction {
    case .mean: return terms.mean()
    case .sum: return terms.sum()
    case .none: return terms
    }
}
