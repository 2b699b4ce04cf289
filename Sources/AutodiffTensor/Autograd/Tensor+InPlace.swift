import AutodiffCore
import RealModule

// In-place operations (PyTorch's trailing-underscore methods). Each bumps the
// tensor's version counter, so a backward pass that saved the old value
// detects the change; on a leaf that requires grad they are refused while
// recording (allowed inside `withNoGrad`, as optimizers do). When recorded
// (a non-leaf, or an operand that requires grad), the tensor takes the new
// history: `gradFn` becomes the operation's node.

extension Tensor {
    /// `self += alpha · other` in place (PyTorch's `add_(other, alpha=)`).
    ///
    /// ```swift
    /// withNoGrad { w.add(w.grad!, alpha: -0.01) }   // an SGD step
    /// ```
    ///
    /// - Precondition: not a leaf that requires grad while recording; the
    ///   result keeps `self`'s shape.
    public mutating func add(_ other: Tensor, alpha: Scalar = 1, file: StaticString = #fileID, line: UInt = #line) {
        _assignInPlace("add_", CallSite(file: file, line: line)) { alpha == 1 ? $0 + other : $0 + other * alpha }
    }

    /// `self −= alpha · other` in place (PyTorch's `sub_`).
    ///
    /// ```swift
    /// withNoGrad { w.subtract(w.grad! * 1e-6) }
    /// ```
    public mutating func subtract(_ other: Tensor, alpha: Scalar = 1, file: StaticString = #fileID, line: UInt = #line) {
        _assignInPlace("subtract_", CallSite(file: file, line: line)) { alpha == 1 ? $0 - other : $0 - other * alpha }
    }

    /// `self *= other` in place (PyTorch's `mul_`).
    ///
    /// ```swift
    /// var a = x * 2
    /// a.multiply(by: Tensor(3.0))
    /// ```
    public mutating func multiply(by other: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        _assignInPlace("multiply_", CallSite(file: file, line: line)) { $0 * other }
    }

    /// `self /= other` in place (PyTorch's `div_`).
    public mutating func divide(by other: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        _assignInPlace("divide_", CallSite(file: file, line: line)) { $0 / other }
    }

    /// Sets every element to zero in place (PyTorch's `zero_()`, e.g. `w.grad.zero_()`).
    ///
    /// ```swift
    /// var g = w.grad!
    /// g.setToZero()
    /// ```
    public mutating func setToZero(file: StaticString = #fileID, line: UInt = #line) {
        fill(with: 0, file: file, line: line)
    }

    /// Sets every element to `value` in place (PyTorch's `fill_`).
    public mutating func fill(with value: Scalar, file: StaticString = #fileID, line: UInt = #line) {
        let s = shape
        _assignInPlace("fill_", CallSite(file: file, line: line)) { old in
            Tensor._op("fill", "FillBackward0", [old], {
                Tensor(_shape: s, _scalars: [Scalar](repeating: value, count: s.reduce(1, *)))
            }) { g in [g * 0] }
        }
    }

    /// Copies `source`'s values (broadcast to `self`'s shape) in place (PyTorch's `copy_`).
    public mutating func copy(from source: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        let s = shape
        _assignInPlace("copy_", CallSite(file: file, line: line)) { old in
            Tensor._op("copy", "CopyBackwards", [old, source], { source._expand(to: s) }) { g in
                [Tensor._if(old.requiresGrad) { g * 0 }, Tensor._if(source.requiresGrad) { g._sumTo(source.shape) }]
            }
        }
    }

    /// Applies a function of the rule table in place (`x.sin_()` is
    /// `try x.formMap(.sin)`), throwing instead of stopping when refused.
    ///
    /// ```swift
    /// var a = Tensor<Double>.linspace(from: 0, to: 1, count: 3, requiresGrad: true)
    /// try a.formMap(.sin)   // throws AutogradError.leafInPlace
    /// ```
    ///
    /// - Throws: ``AutogradError/leafInPlace(operation:location:)`` on a leaf
    ///   that requires grad while recording.
    public mutating func formMap(_ f: UnaryFunction, file: StaticString = #fileID, line: UInt = #line) throws {
        let location = CallSite(file: file, line: line)
        let name = "\(f.forwardName)_"
        if _meta.requiresGrad && _meta.isLeaf && _Autograd.isGradEnabled {
            throw AutogradError.leafInPlace(operation: name, location: location)
        }
        _assignInPlace(name, location) { $0.map(f) }
    }

    /// Whether an in-place operation on this tensor would be refused now
    /// (a leaf that requires grad, while recording).
    public var isInPlaceRefused: Bool { _meta.requiresGrad && _meta.isLeaf && _Autograd.isGradEnabled }
}

extension Tensor {
    /// Rewrites the elements in place through a pointer (copying the storage
    /// first if it is shared), keeping the tensor's autograd identity and
    /// bumping its version, as PyTorch's optimizer steps do (so a backward
    /// pass through a graph that saved the old value fails instead of using it).
    @inline(__always)
    package mutating func _updateInPlace(_ body: (UnsafeMutablePointer<Scalar>) -> Void) {
        _meta.bumpVersion("optimizer step", nil)
        _withMutableScalars { s in s.withUnsafeMutableBufferPointer { body($0.baseAddress!) } }
    }
}
