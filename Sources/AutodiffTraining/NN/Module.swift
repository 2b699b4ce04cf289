import AutodiffCore
import AutodiffTensor
import RealModule

/// A building block of a model: a function of one tensor with trainable
/// ``Parameter``s (PyTorch's `nn.Module`).
///
/// Conform a class and write its forward pass as `callAsFunction`; stored
/// properties that are parameters, modules, or arrays/optionals of them are
/// found by reflection, so ``parameters()`` needs no code:
///
/// ```swift
/// final class TinyModel: Module {
///     let layer1: Linear<Double>
///     let relu = ReLU<Double>()
///     let layer2: Linear<Double>
///     init(using rng: inout RandomGenerator) {
///         layer1 = Linear(1000, 100, using: &rng)
///         layer2 = Linear(100, 10, using: &rng)
///     }
///     func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { layer2(relu(layer1(x))) }
/// }
/// var rng = RandomGenerator(seed: 0)
/// let model = TinyModel(using: &rng)
/// let optimizer = SGD(model.parameters(), learningRate: 0.001)
/// print(model.namedParameters().map(\.name))   // ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]
/// ```
public protocol Module<Scalar>: AnyObject {
    /// The scalar type of the tensors the module maps.
    associatedtype Scalar: Real

    /// The forward pass.
    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar>

    /// Every parameter of the module and its submodules, each once, with its
    /// dotted path (`"layer1.weight"`), in declaration order.
    ///
    /// The default implementation reflects over stored properties; override it
    /// when parameters live somewhere reflection cannot see (e.g. a dictionary).
    func namedParameters() -> [(name: String, parameter: Parameter<Scalar>)]
}

extension Module {
    public func namedParameters() -> [(name: String, parameter: Parameter<Scalar>)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, parameter: Parameter<Scalar>)] = []
        _collectParameters(of: self, prefix: "", seen: &seen, into: &result)
        return result
    }

    /// Every parameter, each once, in declaration order (`model.parameters()`).
    ///
    /// ```swift
    /// let optimizer = Adam(model.parameters(), learningRate: 1e-3)
    /// ```
    public func parameters() -> [Parameter<Scalar>] { namedParameters().map(\.parameter) }

    /// The total number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Clears (`setToNone: true`, the default) or zeroes every parameter's gradient
    /// (`model.zero_grad(set_to_none=...)`).
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters() { _zeroGrad(p, setToNone: setToNone) }
    }
}

/// Clears or zeroes one parameter's gradient.
func _zeroGrad<Scalar>(_ p: Parameter<Scalar>, setToNone: Bool) {
    if setToNone {
        p.grad = nil
    } else if let g = p.grad {
        p.grad = Tensor<Scalar>.zeros(g.shape)
    }
}

/// Walks the stored properties of `object` (and its superclasses), adding
/// parameters and recursing into modules and collections of them.
private func _collectParameters<Scalar>(of object: Any, prefix: String, seen: inout Set<ObjectIdentifier>,
                                        into result: inout [(name: String, parameter: Parameter<Scalar>)]) {
    var mirror: Mirror? = Mirror(reflecting: object)
    var children: [(String, Any)] = []
    var chain: [Mirror] = []
    while let m = mirror { chain.append(m); mirror = m.superclassMirror }
    for m in chain.reversed() {
        for (i, child) in m.children.enumerated() { children.append((child.label ?? "\(i)", child.value)) }
    }
    for (label, value) in children {
        _visit(value, name: prefix + _cleanLabel(label), seen: &seen, into: &result)
    }
}

private func _visit<Scalar>(_ value: Any, name: String, seen: inout Set<ObjectIdentifier>,
                            into result: inout [(name: String, parameter: Parameter<Scalar>)]) {
    if let p = value as? Parameter<Scalar> {
        if seen.insert(ObjectIdentifier(p)).inserted { result.append((name, p)) }
    } else if let m = value as? any Module<Scalar> {
        if seen.insert(ObjectIdentifier(m)).inserted {
            let own = m.namedParameters()
            for (n, p) in own where seen.insert(ObjectIdentifier(p)).inserted { result.append((name + "." + n, p)) }
        }
    } else {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .collection?, .optional?:
            for (i, child) in mirror.children.enumerated() {
                let childName = mirror.displayStyle == .optional ? name : name + ".\(i)"
                _visit(child.value, name: childName, seen: &seen, into: &result)
            }
        default:
            break
        }
    }
}

/// Property wrappers and lazy properties show up as `_name` / `$__lazy_storage_$_name`.
private func _cleanLabel(_ label: String) -> String {
    if label.hasPrefix("$__lazy_storage_$_") { return String(label.dropFirst("$__lazy_storage_$_".count)) }
    return label
}
