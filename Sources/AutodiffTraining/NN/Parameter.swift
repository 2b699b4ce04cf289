import AutodiffCore
import AutodiffTensor
import RealModule

/// A trainable tensor that layers hold and optimizers update in place
/// (PyTorch's `nn.Parameter`).
///
/// `Tensor` has value semantics, so a model's weights cannot be shared between
/// the layer that uses them and the optimizer that changes them as plain
/// tensors. A `Parameter` is the one reference both hold: the layer reads
/// ``value`` in its forward pass, `backward()` accumulates into ``grad``, and
/// an ``Optimizer`` rewrites ``value``'s elements in place (under no-grad),
/// keeping its autograd identity (leaf, `requiresGrad`, `.grad`).
///
/// ```swift
/// let w = Parameter(Tensor<Double>.zeros([3]))
/// let loss = pow(w.value - Tensor([1, 2, 3]), 2).sum()
/// try loss.backward()
/// print(w.grad!)          // tensor([-2., -4., -6.])
/// ```
public final class Parameter<Scalar: Real> {
    /// The current value: a leaf tensor that requires grad.
    ///
    /// Assigning a new tensor makes a detached leaf of it that requires grad.
    public var value: Tensor<Scalar> {
        didSet {
            if !value.isLeaf || !value.requiresGrad {
                value = value.detach().requiringGrad()
            }
        }
    }

    /// Wraps `initialValue` (detached from any history) as a trainable leaf.
    ///
    /// ```swift
    /// let bias = Parameter(Tensor<Float>.zeros([10]))
    /// ```
    public init(_ initialValue: Tensor<Scalar>) {
        value = initialValue.detach().requiringGrad()
    }

    /// The gradient accumulated by `backward()`, or `nil` (PyTorch's `param.grad`).
    public var grad: Tensor<Scalar>? {
        get { value.grad }
        set { value.grad = newValue }
    }

    /// The shape of ``value``.
    public var shape: [Int] { value.shape }

    /// The number of scalars in ``value``.
    public var count: Int { value.count }
}

extension Parameter: CustomStringConvertible {
    /// PyTorch's text: `Parameter containing:` followed by the tensor.
    public var description: String { "Parameter containing:\n\(value)" }
}
