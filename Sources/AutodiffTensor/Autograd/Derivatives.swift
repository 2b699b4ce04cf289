import AutodiffCore
import RealModule

// Recorded building blocks for pullbacks, and PyTorch's node names for the
// rule table (string literals: every recorded operation asks for two names, and
// `"\(self)"` of an enum case goes through reflection, ~5% of a small operation).
// Every pullback is written with recording operations so that `createGraph`
// differentiates it again.

extension UnaryFunction {
    /// PyTorch's backward-node name (`SinBackward0`, `PowBackward0`, …).
    var backwardName: String {
        switch self {
        case .negate: return "NegBackward0"
        case .expMinusOne: return "Expm1Backward0"
        case .logOnePlus: return "Log1PBackward0"
        case .logGamma: return "LgammaBackward0"
        case .power: return "PowBackward0"
        case .root: return "RootBackward0"
        case .rounded: return "RoundBackward0"
        case .sqrt: return "SqrtBackward0"
        case .exp: return "ExpBackward0"
        case .exp2: return "Exp2Backward0"
        case .exp10: return "Exp10Backward0"
        case .cosh: return "CoshBackward0"
        case .sinh: return "SinhBackward0"
        case .tanh: return "TanhBackward0"
        case .cos: return "CosBackward0"
        case .sin: return "SinBackward0"
        case .tan: return "TanBackward0"
        case .log: return "LogBackward0"
        case .log2: return "Log2Backward0"
        case .log10: return "Log10Backward0"
        case .acosh: return "AcoshBackward0"
        case .asinh: return "AsinhBackward0"
        case .atanh: return "AtanhBackward0"
        case .acos: return "AcosBackward0"
        case .asin: return "AsinBackward0"
        case .atan: return "AtanBackward0"
        case .erf: return "ErfBackward0"
        case .erfc: return "ErfcBackward0"
        case .gamma: return "GammaBackward0"
        case .abs: return "AbsBackward0"
        case .sigmoid: return "SigmoidBackward0"
        case .softplus: return "SoftplusBackward0"
        case .relu: return "ReluBackward0"
        case .cbrt: return "CbrtBackward0"
        }
    }

    /// The forward name used by the profiler (`sin`, `pow`, …).
    var forwardName: String {
        switch self {
        case .power: return "pow"
        case .root: return "root"
        case .rounded: return "round"
        case .negate: return "negate"
        case .expMinusOne: return "expMinusOne"
        case .logOnePlus: return "logOnePlus"
        case .logGamma: return "logGamma"
        case .sqrt: return "sqrt"
        case .exp: return "exp"
        case .exp2: return "exp2"
        case .exp10: return "exp10"
        case .cosh: return "cosh"
        case .sinh: return "sinh"
        case .tanh: return "tanh"
        case .cos: return "cos"
        case .sin: return "sin"
        case .tan: return "tan"
        case .log: return "log"
        case .log2: return "log2"
        case .log10: return "log10"
        case .acosh: return "acosh"
        case .asinh: return "asinh"
        case .atanh: return "atanh"
        case .acos: return "acos"
        case .asin: return "asin"
        case .atan: return "atan"
        case .erf: return "erf"
        case .erfc: return "erfc"
        case .gamma: return "gamma"
        case .abs: return "abs"
        case .sigmoid: return "sigmoid"
        case .softplus: return "softplus"
        case .relu: return "relu"
        case .cbrt: return "cbrt"
        }
    }
}

extension BinaryFunction {
    var backwardName: String {
        switch self {
        case .add: return "AddBackward0"
        case .subtract: return "SubBackward0"
        case .multiply: return "MulBackward0"
        case .divide: return "DivBackward0"
        case .pow: return "PowBackward1"
        case .atan2: return "Atan2Backward0"
        case .hypot: return "HypotBackward0"
        case .minimum: return "MinimumBackward0"
        case .maximum: return "MaximumBackward0"
        case .remainder: return "RemainderBackward0"
        case .truncatingRemainder: return "FmodBackward0"
        }
    }

    var forwardName: String {
        switch self {
        case .add: return "add"
        case .subtract: return "sub"
        case .multiply: return "mul"
        case .divide: return "div"
        case .truncatingRemainder: return "fmod"
        case .pow: return "pow"
        case .atan2: return "atan2"
        case .hypot: return "hypot"
        case .minimum: return "minimum"
        case .maximum: return "maximum"
        case .remainder: return "remainder"
        }
    }
}

/// The n-th derivative of `f` at `x`, by nesting `Dual` over the rule table
/// (so every order comes from the one rule).
func _nthDerivative<T: Real>(_ f: UnaryFunction, _ x: T, _ n: Int) -> T {
    if n == 0 { return f(x) }
    if n == 1 { return f.evaluate(x).derivative }
    return _nthDerivative(f, Dual(x, derivative: 1), n - 1).derivative
}

/// ∂^(i+j) f / ∂x^i ∂y^j at `(x, y)`, by nesting `Dual` over the rule table.
func _partialDerivative<T: Real>(_ f: BinaryFunction, _ x: T, _ y: T, _ i: Int, _ j: Int) -> T {
    if i == 0 && j == 0 { return f(x, y) }
    if i == 1 && j == 0 { return f.evaluate(x, y).dx }
    if i == 0 && j == 1 { return f.evaluate(x, y).dy }
    if i > 0 { return _partialDerivative(f, Dual(x, derivative: 1), Dual(y, derivative: 0), i - 1, j).derivative }
    return _partialDerivative(f, Dual(x, derivative: 0), Dual(y, derivative: 1), i, j - 1).derivative
}

extension Tensor {
    /// Recorded: f⁽ⁿ⁾ elementwise (the derivative a pullback of `map(f)` needs).
    /// Specialised for Float and Double: the generic per-element closure cost 8x
    /// (ReLU's backward in the tiny-mlp step: 86 µs → 11 µs).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _derivative(of f: UnaryFunction, order n: Int) -> Tensor {
        Tensor._op("\(f.forwardName)_derivative\(n)", String(f.backwardName.dropLast(9)) + "Derivative\(n)Backward0",
                   [self], saving: [self], {
            if n == 1 {
                // exp, sin, cos, expm1 on Float/Double: SLEEF's vector functions (FastKernels.swift).
                if let fast = _fastDerivative(f, _buffer.elements) { return Tensor(_shape: shape, _scalars: fast) }
                return _mapValues { f.evaluate($0).derivative }
            }
            return _mapValues { _nthDerivative(f, $0, n) }
        }) { [self] g in [g * self._derivative(of: f, order: n + 1)] }
    }

    /// Recorded: ∂^(i+j) f elementwise over the broadcast of `a` and `b` (specialised
    /// for Float and Double, as `_derivative(of:order:)`).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func _partial(_ f: BinaryFunction, _ a: Tensor, _ b: Tensor, _ i: Int, _ j: Int) -> Tensor {
        Tensor._op("\(f.forwardName)_partial\(i)\(j)", "\(f.backwardName)Partial\(i)\(j)", [a, b], saving: [a, b], {
            if i + j == 1 {
                return i == 1 ? _broadcastCombine(a, b, operation: f.name) { f.evaluate($0, $1).dx }
                              : _broadcastCombine(a, b, operation: f.name) { f.evaluate($0, $1).dy }
            }
            return _broadcastCombine(a, b, operation: f.name) { _partialDerivative(f, $0, $1, i, j) }
        }) { g in
            [_if(a.requiresGrad) { (g * _partial(f, a, b, i + 1, j))._sumTo(a.shape) },
             _if(b.requiresGrad) { (g * _partial(f, a, b, i, j + 1))._sumTo(b.shape) }]
        }
    }

    /// Recorded: the sum of a broadcast result back to `target` (adjoint of broadcasting).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _sumTo(_ target: [Int]) -> Tensor {
        if target == shape { return self }
        let source = shape
        return Tensor._op("sum_to_size", "SumToSizeBackward0", [self], { _sumToShape(target) }) { g in
            [g._expandTo(source)]
        }
    }

    /// Recorded: broadcast (materialised) to `target`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _expandTo(_ target: [Int], name: String = "ExpandBackward0") -> Tensor {
        if target == shape { return self }
        let source = shape
        return Tensor._op("expand", name, [self], { _expand(to: target) }) { g in [g._sumTo(source)] }
    }

    /// Recorded: the same scalars under another shape.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func _reshapeTo(_ newShape: [Int], name: String = "ViewBackward0") -> Tensor {
        if newShape == shape && !requiresGrad { return self }
        let source = shape
        return Tensor._op("reshape", name, [self], { _reshape(newShape) }) { g in [g._reshapeTo(source)] }
    }

    /// Recorded: dimensions permuted.
    func _permuteRecorded(_ axes: [Int], name: String = "PermuteBackward0") -> Tensor {
        var inverse = [Int](repeating: 0, count: axes.count)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return Tensor._op("permute", name, [self], { _permute(axes) }) { g in [g._permuteRecorded(inverse, name: name)] }
    }

    /// Recorded: elements at flat offsets (`_gather`), adjoint scatter-add.
    func _gatherRecorded(_ outShape: [Int], _ offsets: [Int], name: String) -> Tensor {
        let source = shape
        return Tensor._op("index", name, [self], { _gather(outShape, offsets) }) { g in
            [g._scatterRecorded(into: source, at: offsets)]
        }
    }

    /// Recorded: zeros of `shape` with `self` added at `offsets` (adjoint gather).
    func _scatterRecorded(into target: [Int], at offsets: [Int], name: String = "ScatterAddBackward0") -> Tensor {
        let source = shape
        return Tensor._op("scatter_add", name, [self], { Tensor._scatterAdd(self, into: target, at: offsets) }) { g in
            [g._gatherRecorded(source, offsets, name: "IndexBackward0")]
        }
    }

    /// Recorded: a contiguous range along one axis; adjoint pads with zeros.
    func _sliceRecorded(_ axis: Int, _ range: Range<Int>, name: String = "SliceBackward0") -> Tensor {
        let source = shape
        return Tensor._op("slice", name, [self], { _sliceAxis(axis, range) }) { g in
            var parts: [Tensor] = []
            if range.lowerBound > 0 {
                var s = source; s[axis] = range.lowerBound
                parts.append(Tensor.zeros(s))
            }
            parts.append(g)
            if range.upperBound < source[axis] {
                var s = source; s[axis] = source[axis] - range.upperBound
                parts.append(Tensor.zeros(s))
            }
            return [parts.count == 1 ? g : concatenate(parts, axis: axis)]
        }
    }

    /// A constant mask (no grad) where `body` holds.
    func _mask(_ body: (Scalar) -> Bool) -> Tensor { _mapValues { body($0) ? 1 : 0 } }
}

extension Tensor {
    /// Recorded: tensors joined along `axis`; the adjoint slices the gradient.
    static func _concatenateRecorded(_ tensors: [Tensor], axis: Int, name: String) -> Tensor {
        let sizes = tensors.map { $0.shape[axis] }
        return _op("cat", name, tensors, { _concatenate(tensors, axis: axis) }) { g in
            var start = 0
            return Swift.zip(tensors, sizes).map { t, n in
                defer { start += n }
                return _if(t.requiresGrad) { g._sliceRecorded(axis, start..<(start + n)) }
            }
        }
    }
}
