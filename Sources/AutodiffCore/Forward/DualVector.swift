import RealModule

/// A dual number carrying `N` tangent lanes at once: chunked forward mode
/// (ForwardDiff.jl's `Dual` with a `Chunk`).
///
/// One evaluation of a function on `DualVector` values computes the function
/// and `N` directional derivatives, so a forward Jacobian or gradient over `n`
/// inputs costs ⌈n/N⌉ evaluations instead of `n`. The primal value is computed
/// once per evaluation, not once per lane. Like ``Dual`` it conforms to `Real`
/// through ``AutodiffNumber`` (every rule from the one rule table), nests, and
/// keeps zero tangents exactly zero.
///
/// ```swift
/// func F<S: Real>(_ x: [S]) -> [S] { [x[0] * x[1], S.sin(x[0])] }
/// let x = [DualVector<Double, 2>(1.0, seed: 0), DualVector<Double, 2>(2.0, seed: 1)]
/// let y = F(x)
/// y[0].partials[1]        // ∂(x0·x1)/∂x1 = 1.0
/// ```
///
/// The operators (``jacobian(at:of:)``, ``gradientForward(at:of:)``) choose the
/// lane count; spell the type to choose it yourself:
/// `jacobian(at: x) { (x: [DualVector<Double, 4>]) in F(x) }`.
@frozen
public struct DualVector<T: Real, let N: Int>: AutodiffNumber {
    /// The primal value.
    public var value: T
    /// The `N` tangents carried with the value.
    public var partials: InlineArray<N, T>
    /// The differentiation level that seeded this value; 0 when untagged.
    @usableFromInline internal var tag: UInt32

    /// A constant: all lanes zero.
    @inlinable
    public init(constant: T) {
        self.value = constant
        self.partials = InlineArray(repeating: 0)
        self.tag = 0
    }

    /// A value with the given tangents.
    @inlinable
    public init(_ value: T, partials: InlineArray<N, T>) {
        self.value = value
        self.partials = partials
        self.tag = 0
    }

    /// A value seeded in one lane: tangent 1 in lane `seed`, 0 elsewhere.
    @inlinable
    public init(_ value: T, seed lane: Int) {
        autodiffRequire(lane >= 0 && lane < N, "DualVector.init(_:seed:)", "lane \(lane) is outside 0..<\(N)")
        self.value = value
        self.partials = InlineArray(repeating: 0)
        self.partials[lane] = 1
        self.tag = 0
    }

    @inlinable
    internal init(value: T, partials: InlineArray<N, T>, tag: UInt32) {
        self.value = value
        self.partials = partials
        self.tag = tag
    }

    @inlinable @inline(__always)
    public static func applying(_ function: UnaryFunction, _ x: DualVector) -> DualVector {
        let (v, d) = function.evaluate(x.value)
        // Each lane is written once, straight into the result (no copy of the operand's lanes
        // that is then updated in place: with 16 lanes that copy cost more than the arithmetic).
        if d.isFinite {
            return DualVector(value: v, partials: InlineArray { i in x.partials[i] * d }, tag: x.tag)
        }
        return DualVector(value: v, partials: InlineArray { i in _scaled(x.partials[i], by: d) }, tag: x.tag)
    }

    @inlinable @inline(__always)
    public static func applying(_ function: BinaryFunction, _ x: DualVector, _ y: DualVector) -> DualVector {
        let tag = Dual<T>._combinedTag(x.tag, y.tag, function)
        switch function {
        case .add:
            return DualVector(value: x.value + y.value,
                              partials: InlineArray { i in x.partials[i] + y.partials[i] }, tag: tag)
        case .subtract:
            return DualVector(value: x.value - y.value,
                              partials: InlineArray { i in x.partials[i] - y.partials[i] }, tag: tag)
        default:
            let (v, dx, dy): (T, T, T)
            if function == .multiply {
                (v, dx, dy) = (x.value * y.value, y.value, x.value)
            } else {
                (v, dx, dy) = function.evaluate(x.value, y.value)
            }
            if dx.isFinite && dy.isFinite {
                return DualVector(value: v, partials: InlineArray { i in x.partials[i] * dx + y.partials[i] * dy },
                                  tag: tag)
            }
            return DualVector(value: v, partials: InlineArray { i in
                _scaled(x.partials[i], by: dx) + _scaled(y.partials[i], by: dy)
            }, tag: tag)
        }
    }

    /// The tangents for the differentiation call with the given tag (all zero
    /// when `self` does not depend on that call's inputs).
    @inlinable
    internal func _partials(forTag tag: UInt32, operation: StaticString) -> InlineArray<N, T> {
        if self.tag == tag || self.tag == 0 { return partials }
        _mixedLevels(tag, self.tag, "\(operation)")
    }
}

extension DualVector: _StructuralZero {
    @usableFromInline
    internal var _isStructurallyZero: Bool {
        if !AutodiffCore._isStructurallyZero(value) { return false }
        for i in 0..<N where !AutodiffCore._isStructurallyZero(partials[i]) { return false }
        return true
    }
}

extension DualVector: ExpressibleByFloatLiteral where T: ExpressibleByFloatLiteral {
    @inlinable
    public init(floatLiteral value: T.FloatLiteralType) {
        self.init(constant: T(floatLiteral: value))
    }
}

extension DualVector: CustomStringConvertible {
    /// `value + [lanes]ε`, e.g. `2.0 + [1.0, 0.0]ε`.
    public var description: String {
        var lanes: [String] = []
        for i in 0..<N { lanes.append("\(partials[i])") }
        return "\(value) + [\(lanes.joined(separator: ", "))]ε"
    }
}
