import AutodiffCore
import AutodiffTensor
import RealModule

// MARK: - Linear

/// A fully connected layer, `y = x·W + b` (PyTorch's `nn.Linear`).
///
/// The weight has shape `[inFeatures, outFeatures]`, the transpose of
/// PyTorch's `[out, in]`, so that the forward pass is one matrix product with
/// no transposition (the layout of the tiny-mlp reference, "W1 is in x out").
/// The default initialisation is PyTorch's: weight and bias uniform in
/// `[-1/√in, 1/√in)`, drawn from a seedable ``RandomGenerator``.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let layer = Linear<Double>(1000, 100, using: &rng)
/// let y = layer(Tensor<Double>.randomNormal([16, 1000], using: &rng))   // shape [16, 100]
/// ```
public final class Linear<Scalar: Real>: Module {
    /// The weight, shape `[inFeatures, outFeatures]`.
    public let weight: Parameter<Scalar>
    /// The bias, shape `[outFeatures]`, or `nil` for a layer without one.
    public let bias: Parameter<Scalar>?

    /// The number of input features.
    public var inFeatures: Int { weight.shape[0] }
    /// The number of output features.
    public var outFeatures: Int { weight.shape[1] }

    /// A layer with PyTorch's default initialisation drawn from `generator`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        autodiffRequire(inFeatures > 0 && outFeatures >= 0, "Linear", "bad sizes \(inFeatures) → \(outFeatures)")
        let bound = 1 / Scalar.sqrt(Scalar(inFeatures))
        weight = Parameter(Tensor.randomUniform([inFeatures, outFeatures], lower: -bound, upper: bound, using: &generator))
        self.bias = bias ? Parameter(Tensor.randomUniform([outFeatures], lower: -bound, upper: bound, using: &generator)) : nil
    }

    /// A layer with PyTorch's default initialisation drawn from the default generator
    /// (seed it with ``manualSeed(_:)`` for runs that repeat), as `nn.Linear(in, out)`.
    ///
    /// ```swift
    /// manualSeed(0)
    /// let layer = Linear<Double>(1, 32)
    /// ```
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        var generator = RandomGenerator.withDefault { generator in
            // Draw a seed, so that the layer's own draws do not hold the lock.
            RandomGenerator(seed: generator.next())
        }
        self.init(inFeatures, outFeatures, bias: bias, using: &generator)
    }

    /// A layer with the given weight (`[in, out]`) and optional bias (`[out]`).
    ///
    /// ```swift
    /// let layer = Linear(weight: Tensor<Double>.eye(3), bias: Tensor<Double>.zeros([3]))
    /// ```
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) {
        Linear._checkShapes(weight, bias, "Linear(weight:bias:)")
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// `x·W + b` for `x` of shape `[…, inFeatures]`: one recorded operation
    /// (`AddmmBackward0`, as PyTorch's `nn.Linear`) for a batch of rows of
    /// Float or Double; `matmul` and `+` otherwise.
    ///
    /// A weight or bias replaced after creation (`layer.bias!.value = …`) is checked
    /// again here: a bias that is not `[outFeatures]` stops with a message naming the
    /// layer and both shapes instead of being silently broadcast or truncated.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let w = weight.value, b = bias?.value
        Linear._checkShapes(w, b, "Linear")
        return Tensor._linear(input, w, b)
    }

    /// The weight is a matrix `[in, out]` and the bias, if any, is `[out]`.
    private static func _checkShapes(_ weight: Tensor<Scalar>, _ bias: Tensor<Scalar>?, _ operation: String) {
        autodiffRequire(weight.rank == 2, operation, "the weight must be a matrix [in, out], got shape \(weight.shape)")
        if let b = bias {
            autodiffRequire(b.shape == [weight.shape[1]], operation,
                            "bias of shape \(b.shape) for weight of shape \(weight.shape) (the bias must be [\(weight.shape[1])])")
        }
    }
}

// MARK: - Activations

/// `max(0, x)` elementwise (`nn.ReLU`); the derivative at 0 is 0, as in PyTorch.
///
/// ```swift
/// ReLU<Double>()(Tensor([-1, 2]))   // tensor([0., 2.])
/// ```
public final class ReLU<Scalar: Real>: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { relu(input) }
}

/// The logistic function `1 / (1 + e^{-x})` elementwise (`nn.Sigmoid`).
///
/// ```swift
/// Sigmoid<Double>()(Tensor([0]))   // tensor([0.5000])
/// ```
public final class Sigmoid<Scalar: Real>: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { sigmoid(input) }
}

/// The hyperbolic tangent elementwise (`nn.Tanh`).
///
/// ```swift
/// Tanh<Double>()(Tensor([0]))   // tensor([0.])
/// ```
public final class Tanh<Scalar: Real>: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { tanh(input) }
}

/// `softplus(x) = log(1 + e^x)` elementwise (`nn.Softplus` with β = 1).
///
/// ```swift
/// Softplus<Double>()(Tensor([0]))   // tensor([0.6931])
/// ```
public final class Softplus<Scalar: Real>: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { softplus(input) }
}

/// ``softmax(_:axis:)`` along one axis (`nn.Softmax(dim=axis)`).
///
/// ```swift
/// let x: Tensor<Double> = [[0, 0]]
/// Softmax<Double>(axis: -1)(x)   // tensor([[0.5000, 0.5000]])
/// ```
public final class Softmax<Scalar: Real>: Module {
    /// The axis whose entries sum to one.
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { softmax(input, axis: axis) }
}

/// ``logSoftmax(_:axis:)`` along one axis (`nn.LogSoftmax(dim=axis)`).
///
/// ```swift
/// let x: Tensor<Double> = [[0, 0]]
/// LogSoftmax<Double>()(x)   // tensor([[-0.6931, -0.6931]])
/// ```
public final class LogSoftmax<Scalar: Real>: Module {
    /// The axis normalised over.
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { logSoftmax(input, axis: axis) }
}

// MARK: - Sequential

/// Modules applied one after the other (`nn.Sequential`).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let mlp = Sequential<Double>(Linear(4, 8, using: &rng), ReLU(), Linear(8, 2, using: &rng))
/// print(mlp.namedParameters().map(\.name))   // ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
/// ```
public final class Sequential<Scalar: Real>: Module {
    /// The modules, applied in order.
    public let layers: [any Module<Scalar>]

    /// The modules in order. The scalar type is inferred from any layer that names it:
    /// `Sequential(Linear<Double>(1, 32), ReLU(), Linear(32, 1))`.
    ///
    /// ```swift
    /// manualSeed(0)
    /// let model = Sequential(Linear<Double>(1, 32), Tanh(), Linear(32, 1))
    /// ```
    public convenience init(_ layers: any Module<Scalar>...) { self.init(layers) }

    /// The modules in order, from an array.
    public init(_ layers: [any Module<Scalar>]) { self.layers = layers }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layers.reduce(input) { x, layer in layer(x) }
    }
}

// MARK: - Functional activations

/// `log(softmax(x))` along `axis`, computed stably as `x − logSumExp(x)`
/// (`F.log_softmax`).
///
/// ```swift
/// let x: Tensor<Double> = [[1, 2, 3]]
/// logSoftmax(x, axis: 1)   // tensor([[-2.4076, -1.4076, -0.4076]])
/// ```
public func logSoftmax<S>(_ x: Tensor<S>, axis: Int = -1) -> Tensor<S> {
    x - x.logSumExp(axes: [axis], keepingDimensions: true)
}

/// `exp(x) / Σ exp(x)` along `axis` (`F.softmax`); the entries along `axis` sum to one.
///
/// ```swift
/// let x: Tensor<Double> = [[1, 2, 3]]
/// softmax(x, axis: 1)   // tensor([[0.0900, 0.2447, 0.6652]])
/// ```
public func softmax<S>(_ x: Tensor<S>, axis: Int = -1) -> Tensor<S> {
    exp(logSoftmax(x, axis: axis))
}
