import AutodiffCore
import AutodiffTensor
import RealModule

/// Layer normalisation over the last dimensions, with a learnable elementwise
/// weight (ones) and bias (zeros) of shape `normalizedShape`
/// (PyTorch: `torch.nn.LayerNorm`); see ``layerNorm(_:normalizedShape:weight:bias:epsilon:)``.
///
/// ```swift
/// let norm = LayerNorm<Double>([3])
/// norm(Tensor([[1, 2, 3]]))   // tensor([[-1.2247,  0.0000,  1.2247]], grad_fn=<AddBackward0>)
/// print(norm.namedParameters().map(\.name))   // ["weight", "bias"]
/// ```
public final class LayerNorm<Scalar: Real>: Module {
    /// The trailing shape normalised over.
    public let normalizedShape: [Int]
    /// Added to the variance before the square root.
    public let epsilon: Scalar
    /// The elementwise scale, or `nil` without `elementwiseAffine`.
    public let weight: Parameter<Scalar>?
    /// The elementwise shift, or `nil` without `elementwiseAffine` or `bias`.
    public let bias: Parameter<Scalar>?

    public init(_ normalizedShape: [Int], epsilon: Scalar = Scalar(1) / 100_000, elementwiseAffine: Bool = true,
                bias: Bool = true) {
        autodiffRequire(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm",
                        "bad normalizedShape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        self.bias = elementwiseAffine && bias ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layerNorm(input, normalizedShape: normalizedShape, weight: weight?.value, bias: bias?.value, epsilon: epsilon)
    }
}

/// ``gelu(_:)`` elementwise, the erf form (PyTorch: `torch.nn.GELU`).
///
/// ```swift
/// GELU<Double>()(Tensor([0, 1]))   // tensor([0.0000, 0.8413])
/// ```
public final class GELU<Scalar: Real>: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { gelu(input) }
}

/// ``silu(_:)`` elementwise (PyTorch: `torch.nn.SiLU`).
///
/// ```swift
/// SiLU<Double>()(Tensor([0, 1]))   // tensor([0.0000, 0.7311])
/// ```
public final class SiLU<Scalar: Real>: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { silu(input) }
}

/// ``elu(_:alpha:)`` elementwise (PyTorch: `torch.nn.ELU`).
///
/// ```swift
/// ELU<Double>()(Tensor([-1, 2]))   // tensor([-0.6321,  2.0000])
/// ```
public final class ELU<Scalar: Real>: Module {
    /// The scale of the negative part.
    public let alpha: Scalar
    public init(alpha: Scalar = 1) { self.alpha = alpha }
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { elu(input, alpha: alpha) }
}

/// ``leakyRelu(_:negativeSlope:)`` elementwise (PyTorch: `torch.nn.LeakyReLU`).
///
/// ```swift
/// LeakyReLU<Double>()(Tensor([-1, 2]))   // tensor([-0.0100,  2.0000])
/// ```
public final class LeakyReLU<Scalar: Real>: Module {
    /// The slope for negative inputs.
    public let negativeSlope: Scalar
    public init(negativeSlope: Scalar = Scalar(1) / 100) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        leakyRelu(input, negativeSlope: negativeSlope)
    }
}
