import AutodiffCore
import RealModule

// Elementwise functions and activations composed of recorded operations:
// their derivatives are recorded too, so every order is available.

/// log(eˣ + eʸ) elementwise with broadcasting, computed stably by shifting by the
/// larger argument (PyTorch: `torch.logaddexp`). Derivative: eˣ/(eˣ + eʸ) and
/// eʸ/(eˣ + eʸ), recorded to every order.
///
/// ```swift
/// logAddExp(Tensor<Double>([1000, 0]), Tensor([1000, 0]))   // tensor([1.0007e+03, 6.9315e-01])
/// ```
public func logAddExp<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> {
    // The shift is a constant: the expression equals logaddexp for any finite shift.
    let shift = Tensor._broadcastCombine(x, y, operation: "logaddexp") { a, b in
        let m = Swift.max(a, b)
        return m.isFinite ? m : 0
    }
    return shift + log(exp(x - shift) + exp(y - shift))
}

/// x·log(y) elementwise with broadcasting, 0 where x = 0 (unless y is NaN)
/// (PyTorch: `torch.xlogy`). Derivative: log(y) and x/y, both 0 where x = 0 as in
/// PyTorch; recorded to every order.
///
/// ```swift
/// xlogy(Tensor<Double>([0, 2]), Tensor([0, 1]))   // tensor([0., 0.])
/// ```
public func xlogy<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> {
    // Where x = 0, y is replaced by 1 (a constant): value 0, both derivatives 0.
    let zero = Tensor._broadcastCombine(x, y, operation: "xlogy") { a, b in a == 0 && !b.isNaN ? 1 : 0 }
    return x * log(y * (1 - zero) + zero)
}

/// log(p / (1 − p)) elementwise, the inverse of the sigmoid (PyTorch: `torch.logit`);
/// with `epsilon`, p is first clamped to [ε, 1 − ε] (and the derivative is 0 outside).
/// Derivative: 1/(p(1 − p)), recorded to every order.
///
/// ```swift
/// logit(Tensor<Double>([0.5, 0.75]))   // tensor([0.0000, 1.0986])
/// ```
public func logit<S>(_ p: Tensor<S>, epsilon: S? = nil) -> Tensor<S> {
    let q = epsilon.map { p.clamped(min: $0, max: 1 - $0) } ?? p
    return log(q) - log(1 - q)
}

/// The Gaussian error linear unit x·Φ(x) = x/2·(1 + erf(x/√2)) elementwise, the exact
/// (erf) form (PyTorch: `torch.nn.functional.gelu`, `approximate='none'`).
/// Derivative: Φ(x) + x·φ(x), recorded to every order.
///
/// ```swift
/// gelu(Tensor<Double>([0, 1]))   // tensor([0.0000, 0.8413])
/// ```
public func gelu<S>(_ x: Tensor<S>) -> Tensor<S> {
    x * (1 + (x / S.sqrt(2)).map(.erf)) / 2
}

/// The sigmoid linear unit x·σ(x) elementwise, also called swish
/// (PyTorch: `torch.nn.functional.silu`). Derivative: σ(x)(1 + x(1 − σ(x))), recorded
/// to every order.
///
/// ```swift
/// silu(Tensor<Double>([0, 1]))   // tensor([0.0000, 0.7311])
/// ```
public func silu<S>(_ x: Tensor<S>) -> Tensor<S> { x * sigmoid(x) }

/// The exponential linear unit: x for x > 0, α(eˣ − 1) otherwise
/// (PyTorch: `torch.nn.functional.elu`). Derivative: 1 or α·eˣ, recorded to every order.
///
/// ```swift
/// elu(Tensor<Double>([-1, 2]))   // tensor([-0.6321,  2.0000])
/// ```
public func elu<S>(_ x: Tensor<S>, alpha: S = 1) -> Tensor<S> {
    `where`(x .> 0, x, alpha * x.map(.expMinusOne))
}

/// x for x > 0, `negativeSlope`·x otherwise (PyTorch: `torch.nn.functional.leaky_relu`,
/// default slope 0.01). Derivative: 1 or the slope (the slope at 0, as PyTorch).
///
/// ```swift
/// leakyRelu(Tensor<Double>([-1, 2]))   // tensor([-0.0100,  2.0000])
/// ```
public func leakyRelu<S>(_ x: Tensor<S>, negativeSlope: S = S(1) / 100) -> Tensor<S> {
    `where`(x .> 0, x, negativeSlope * x)
}

/// Layer normalisation over the last `normalizedShape.count` dimensions, which must
/// equal `normalizedShape`: (x − mean) / √(var + ε) with the biased variance, then
/// `· weight + bias` when given (each of shape `normalizedShape`)
/// (PyTorch: `torch.nn.functional.layer_norm`). Derivative: recorded to every order
/// in x, weight and bias.
///
/// ```swift
/// layerNorm(Tensor<Double>([[1, 2, 3]]), normalizedShape: [3])
/// // tensor([[-1.2247,  0.0000,  1.2247]])
/// ```
public func layerNorm<S>(_ x: Tensor<S>, normalizedShape: [Int], weight: Tensor<S>? = nil,
                         bias: Tensor<S>? = nil, epsilon: S = S(1) / 100_000) -> Tensor<S> {
    let k = normalizedShape.count
    autodiffRequire(k >= 1 && k <= x.rank && Array(x.shape.suffix(k)) == normalizedShape, "layerNorm",
                    "normalizedShape \(normalizedShape) must be the last dimensions of the input of shape \(x.shape)")
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t {
            autodiffRequire(t.shape == normalizedShape, "layerNorm",
                            "\(name) of shape \(t.shape) for normalizedShape \(normalizedShape)")
        }
    }
    let axes = Array((x.rank - k)..<x.rank)
    let centred = x - x.mean(axes: axes, keepingDimensions: true)
    let variance = (centred * centred).mean(axes: axes, keepingDimensions: true)
    var y = centred / (variance + epsilon).map(.sqrt)
    if let weight { y = y * weight }
    if let bias { y = y + bias }
    return y
}
