import RealModule

/// A truncated Taylor series x(t) = x₀ + x₁t + x₂t² + … + x_K t^K: higher-order
/// forward mode (Taylor mode) as a number type.
///
/// `K` is the order: a `Taylor<T, K>` carries the K + 1 coefficients x₀…x_K, the
/// value in ``value`` and x₁…x_K in ``higherCoefficients``. Seeding x(t) = x + v·t
/// and evaluating f gives the Taylor coefficients of t ↦ f(x + t·v), so one
/// evaluation yields all derivatives up to order K (the k-th is k!·coefficient k),
/// at O(K²) per operation, where K nested ``Dual``s cost O(2ᴷ) and more.
///
/// ```swift
/// let x = Taylor<Double, 4>(0.0, derivative: 1)        // t
/// let y = Taylor.exp(x)                                // eᵗ
/// y.coefficients   // [1, 1, 1/2, 1/6, 1/24]
/// y.derivatives    // [1, 1, 1, 1, 1]
/// ```
///
/// The operators `taylorCoefficients(at:direction:of:)` and
/// `higherDerivatives(at:direction:of:)` do the seeding; the order is the `K` of
/// the closure's parameter type.
///
/// Like ``Dual`` it conforms to `Real` through ``AutodiffNumber`` (every rule from
/// the one rule table), nests (`Taylor<Dual<Double>, 4>`, `Dual<Taylor<Double, 4>>`),
/// and keeps zero tangents exactly zero: a rule applied to a number whose
/// coefficients 1…K are all zero gives a constant. Unlike `Dual` it has no level
/// tags: a `Taylor` must not escape the closure it was passed to.
///
/// **How the rules are applied.** Arithmetic and these rules have their own
/// recurrence: `+`, `−`, `×` (Cauchy product), `÷`, `negate`, `exp`, `expMinusOne`,
/// `exp2`, `exp10`, `log`, `logOnePlus`, `log2`, `log10`, `sin`/`cos` (jointly),
/// `sinh`/`cosh` (jointly), `sqrt`, `power(n)` (repeated squaring for n in 2…8 or
/// at x₀ = 0, else the recurrence for real exponents), `root(n)`, `cbrt`, and the
/// binary `pow` (as `power` for an exponent constant in t, else exp(y·log x)).
/// Every other rule, unary or binary, is derived from the table's own derivative
/// (`tanh`, `tan`, the inverse trigonometric and hyperbolic functions, `erf`,
/// `erfc`, `gamma`, `logGamma`, `abs`, `sigmoid`, `softplus`, `relu`, `rounded`,
/// `atan2`, `hypot`, `minimum`, `maximum`, the remainders): y′ = f′(x)·x′ gives
/// k·y_k = Σⱼ₌₁…ₖ j·x_j·d_{k−j}, where d is the Taylor series of f′(x(t)), computed by
/// evaluating `derivative(at:value:)` (or `partials(at:_:value:)`) on `Taylor`
/// numbers. A new rule in the table therefore needs nothing here. The series is
/// solved a pass at a time: two passes when f′ depends on x only, up to K when it
/// uses the rule's value (`tanh`, `tan`, `sigmoid`, `gamma`).
@frozen
public struct Taylor<T: Real, let K: Int>: AutodiffNumber {
    /// The coefficient x₀: the value at t = 0.
    public var value: T
    /// The coefficients x₁…x_K (`higherCoefficients[k − 1]` is x_k).
    public var higherCoefficients: InlineArray<K, T>

    /// A constant: coefficients 1…K zero.
    @inlinable
    public init(constant: T) {
        self.value = constant
        self.higherCoefficients = InlineArray(repeating: 0)
    }

    /// The series `value + derivative·t`: seeds differentiation along `derivative`.
    ///
    /// ```swift
    /// let x = Taylor<Double, 3>(2.0, derivative: 1)
    /// (x * x * x).coefficients   // [8, 12, 6, 1]
    /// ```
    @inlinable
    public init(_ value: T, derivative: T) {
        self.init(constant: value)
        if K > 0 { higherCoefficients[0] = derivative }
    }

    /// A series from its value and coefficients 1…K.
    @inlinable
    public init(_ value: T, higherCoefficients: InlineArray<K, T>) {
        self.value = value
        self.higherCoefficients = higherCoefficients
    }

    /// A series from its first coefficients x₀, x₁, …; the missing ones are zero.
    ///
    /// ```swift
    /// let p = Taylor<Double, 3>(coefficients: [1, 2])   // 1 + 2t
    /// (p * p).coefficients                               // [1, 4, 4, 0]
    /// ```
    @inlinable
    public init(coefficients: [T]) {
        precondition(!coefficients.isEmpty && coefficients.count <= K + 1,
                     "Taylor: \(coefficients.count) coefficients given for order \(K) (1…\(K + 1) expected)")
        self.init(constant: coefficients[0])
        for k in 1..<coefficients.count { higherCoefficients[k - 1] = coefficients[k] }
    }

    /// The order K: the highest power of t carried.
    @inlinable public static var order: Int { K }

    /// The coefficient of tᵏ, for k in 0…K.
    ///
    /// ```swift
    /// Taylor<Double, 2>.sin(Taylor(0.0, derivative: 1))[1]   // 1.0
    /// ```
    @inlinable
    public subscript(k: Int) -> T {
        get {
            precondition(k >= 0 && k <= K, "Taylor: coefficient \(k) is outside 0…\(K)")
            return k == 0 ? value : higherCoefficients[k - 1]
        }
        set {
            precondition(k >= 0 && k <= K, "Taylor: coefficient \(k) is outside 0…\(K)")
            if k == 0 { value = newValue } else { higherCoefficients[k - 1] = newValue }
        }
    }

    /// The coefficients x₀…x_K.
    @inlinable
    public var coefficients: [T] {
        var c = [value]
        c.reserveCapacity(K + 1)
        for i in 0..<K { c.append(higherCoefficients[i]) }
        return c
    }

    /// The derivatives of t ↦ x(t) at 0 of orders 0…K: k!·x_k.
    ///
    /// ```swift
    /// Taylor<Double, 3>.exp(Taylor(0.0, derivative: 2)).derivatives   // [1, 2, 4, 8]
    /// ```
    @inlinable
    public var derivatives: [T] {
        var d = [value]
        d.reserveCapacity(K + 1)
        var factorial: T = 1
        for i in 0..<K {
            factorial *= T(i + 1)
            d.append(factorial * higherCoefficients[i])
        }
        return d
    }

    // MARK: Applying the rule table

    @inlinable
    public static func applying(_ function: UnaryFunction, _ x: Taylor) -> Taylor {
        if x._isConstant { return Taylor(constant: function.value(x.value)) }
        let x0 = x.value
        switch function {
        case .negate:
            var z = Taylor(constant: -x0)
            for i in 0..<K { z.higherCoefficients[i] = -x.higherCoefficients[i] }
            return z
        case .exp:
            return _exp(x, value: T.exp(x0))
        case .expMinusOne:
            var z = _exp(x, value: T.exp(x0))
            z.value = T.expMinusOne(x0)
            return z
        case .exp2:
            return _exp(x._scaled(by: _ln2()), value: T.exp2(x0))
        case .exp10:
            return _exp(x._scaled(by: _ln10()), value: T.exp10(x0))
        case .log:
            return _log(x, value: T.log(x0))
        case .logOnePlus:
            var u = x
            u.value = 1 + x0
            return _log(u, value: T.log(onePlus: x0))
        case .log2:
            var z = _log(x, value: T.log(x0))._scaled(by: 1 / _ln2())
            z.value = T.log2(x0)
            return z
        case .log10:
            var z = _log(x, value: T.log(x0))._scaled(by: 1 / _ln10())
            z.value = T.log10(x0)
            return z
        case .sin:
            return _sinCos(x, hyperbolic: false).sin
        case .cos:
            return _sinCos(x, hyperbolic: false).cos
        case .sinh:
            return _sinCos(x, hyperbolic: true).sin
        case .cosh:
            return _sinCos(x, hyperbolic: true).cos
        case .sqrt:
            return _sqrt(x)
        case .power(let n):
            if n == 0 { return Taylor(constant: 1) }
            if n == 1 { return x }
            return _power(x, constantExponent: T(n), value: T.pow(x0, n))
        case .root(let n):
            return _power(x, exponent: 1 / T(n), value: T.root(x0, n))
        case .cbrt:
            return _power(x, exponent: 1 / 3, value: T.root(x0, 3))
        default:
            // The generic rule: the series of f′(x(t)) from the table's derivative.
            let slope = x._derivativeSeries
            return _integrating(value: function.value(x0)) { z in
                slope * function.derivative(at: x, value: z)
            }
        }
    }

    @inlinable
    public static func applying(_ function: BinaryFunction, _ x: Taylor, _ y: Taylor) -> Taylor {
        switch function {
        case .add:
            var z = Taylor(constant: x.value + y.value)
            for i in 0..<K { z.higherCoefficients[i] = x.higherCoefficients[i] + y.higherCoefficients[i] }
            return z
        case .subtract:
            var z = Taylor(constant: x.value - y.value)
            for i in 0..<K { z.higherCoefficients[i] = x.higherCoefficients[i] - y.higherCoefficients[i] }
            return z
        case .multiply:
            if y._isConstant { return x._scaled(by: y.value) }
            if x._isConstant { return y._scaled(by: x.value) }
            return _product(x, y)
        case .divide:
            if y._isConstant {
                var z = x._scaled(by: 1 / y.value)
                z.value = x.value / y.value
                return z
            }
            return _quotient(x, y)
        case .pow:
            return _pow(x, y)
        default:
            let (xConstant, yConstant) = (x._isConstant, y._isConstant)
            if xConstant && yConstant { return Taylor(constant: function.value(x.value, y.value)) }
            // The generic rule: z′ = ∂f/∂x·x′ + ∂f/∂y·y′, the partials from the table.
            let (xSlope, ySlope) = (x._derivativeSeries, y._derivativeSeries)
            return _integrating(value: function.value(x.value, y.value)) { z in
                let (dx, dy) = function.partials(at: x, y, value: z)
                if yConstant { return xSlope * dx }
                if xConstant { return ySlope * dy }
                return xSlope * dx + ySlope * dy
            }
        }
    }
}

// MARK: - Recurrences

extension Taylor {
    /// True when coefficients 1…K are all (structurally) zero.
    @inlinable
    internal var _isConstant: Bool {
        for i in 0..<K where !(higherCoefficients[i] == 0) { return false }
        for i in 0..<K where !AutodiffCore._isStructurallyZero(higherCoefficients[i]) { return false }
        return true
    }

    /// Every coefficient times `factor`, keeping exact zeros zero.
    @inlinable
    internal func _scaled(by factor: T) -> Taylor {
        var z = Taylor(constant: value * factor)
        for i in 0..<K { z.higherCoefficients[i] = AutodiffCore._scaled(higherCoefficients[i], by: factor) }
        return z
    }

    /// The series of x′(t), of which the last coefficient (it needs x_{K+1}) is 0.
    @inlinable
    internal var _derivativeSeries: Taylor {
        guard K > 0 else { return Taylor(constant: 0) }
        var d = Taylor(constant: higherCoefficients[0])
        for i in 0..<(K - 1) { d.higherCoefficients[i] = T(i + 2) * higherCoefficients[i + 1] }
        return d
    }

    /// Coefficients 1…K of x with x_k multiplied by k (the series of t·x′(t)).
    @inlinable
    internal var _weighted: InlineArray<K, T> {
        var w = higherCoefficients
        for i in 0..<K { w[i] = T(i + 1) * w[i] }
        return w
    }

    /// The Cauchy product: z_k = Σⱼ x_j·y_{k−j}.
    @inlinable
    internal static func _product(_ x: Taylor, _ y: Taylor) -> Taylor {
        let (x0, y0) = (x.value, y.value)
        let (xh, yh) = (x.higherCoefficients, y.higherCoefficients)
        var z = Taylor(constant: x0 * y0)
        for i in 0..<K {
            var s = x0 * yh[i] + xh[i] * y0
            for j in 0..<i { s += xh[j] * yh[i - 1 - j] }
            z.higherCoefficients[i] = s
        }
        return z
    }

    /// x/y: z_k = (x_k − Σⱼ₌₀…ₖ₋₁ z_j·y_{k−j})/y₀.
    @inlinable
    internal static func _quotient(_ x: Taylor, _ y: Taylor) -> Taylor {
        let y0 = y.value
        let (xh, yh) = (x.higherCoefficients, y.higherCoefficients)
        let z0 = x.value / y0
        var zh = xh
        for i in 0..<K {
            var s = xh[i] - z0 * yh[i]
            for j in 0..<i { s -= zh[j] * yh[i - 1 - j] }
            zh[i] = s / y0
        }
        return Taylor(z0, higherCoefficients: zh)
    }

    /// e^w given its value z₀: k·z_k = Σⱼ₌₁…ₖ j·w_j·z_{k−j}.
    @inlinable
    internal static func _exp(_ w: Taylor, value z0: T) -> Taylor {
        let jw = w._weighted
        var zh = w.higherCoefficients
        for i in 0..<K {
            var s = jw[i] * z0
            for j in 0..<i { s += jw[j] * zh[i - 1 - j] }
            zh[i] = s / T(i + 1)
        }
        return Taylor(z0, higherCoefficients: zh)
    }

    /// log u given its value z₀: u₀·k·z_k = k·u_k − Σⱼ₌₁…ₖ₋₁ j·z_j·u_{k−j}.
    @inlinable
    internal static func _log(_ u: Taylor, value z0: T) -> Taylor {
        let u0 = u.value
        let uh = u.higherCoefficients
        var zh = uh
        var jz = uh  // j·z_j, filled as z_j is known
        for i in 0..<K {
            var s: T = 0
            for j in 0..<i { s += jz[j] * uh[i - 1 - j] }
            zh[i] = (uh[i] - s / T(i + 1)) / u0
            jz[i] = T(i + 1) * zh[i]
        }
        return Taylor(z0, higherCoefficients: zh)
    }

    /// sin and cos (or sinh and cosh) jointly: k·s_k = Σ j·x_j·c_{k−j},
    /// k·c_k = ∓Σ j·x_j·s_{k−j}.
    @inlinable
    internal static func _sinCos(_ x: Taylor, hyperbolic: Bool) -> (sin: Taylor, cos: Taylor) {
        let x0 = x.value
        let (s0, c0) = hyperbolic ? (T.sinh(x0), T.cosh(x0)) : (T.sin(x0), T.cos(x0))
        let jx = x._weighted
        var sh = x.higherCoefficients, ch = x.higherCoefficients
        for i in 0..<K {
            var ss = jx[i] * c0, cs = jx[i] * s0
            for j in 0..<i {
                ss += jx[j] * ch[i - 1 - j]
                cs += jx[j] * sh[i - 1 - j]
            }
            let k = T(i + 1)
            sh[i] = ss / k
            ch[i] = hyperbolic ? cs / k : -cs / k
        }
        return (Taylor(s0, higherCoefficients: sh), Taylor(c0, higherCoefficients: ch))
    }

    /// √x: 2·z₀·z_k = x_k − Σⱼ₌₁…ₖ₋₁ z_j·z_{k−j}.
    @inlinable
    internal static func _sqrt(_ x: Taylor) -> Taylor {
        let z0 = T.sqrt(x.value)
        let xh = x.higherCoefficients
        var zh = xh
        for i in 0..<K {
            var s = xh[i]
            for j in 0..<i { s -= zh[j] * zh[i - 1 - j] }
            zh[i] = s / (2 * z0)
        }
        return Taylor(z0, higherCoefficients: zh)
    }

    /// xᵃ for a constant a, given its value z₀ (x₀ ≠ 0):
    /// k·x₀·z_k = Σⱼ₌₁…ₖ (a·j − (k − j))·x_j·z_{k−j}.
    @inlinable
    internal static func _power(_ x: Taylor, exponent a: T, value z0: T) -> Taylor {
        let x0 = x.value
        let xh = x.higherCoefficients
        var zh = xh
        for i in 0..<K {
            let k = T(i + 1)
            var s = a * k * xh[i] * z0
            for j in 0..<i { s += (a * T(j + 1) - T(i - j)) * xh[j] * zh[i - 1 - j] }
            zh[i] = s / (k * x0)
        }
        return Taylor(z0, higherCoefficients: zh)
    }

    /// xᵃ for an exponent a constant in t: by repeated squaring when a is a positive
    /// integer (carrying no derivative of its own) up to 8, or any where x₀ = 0, which
    /// keeps polynomials exact; else by the recurrence for real exponents.
    @inlinable
    internal static func _power(_ x: Taylor, constantExponent a: T, value z0: T) -> Taylor {
        let whole = a.rounded(.towardZero)
        if a > 0 && a == whole && (a <= 8 || x.value == 0) && AutodiffCore._isStructurallyZero(a - whole) {
            var z = _integerPower(x, a)
            z.value = z0
            return z
        }
        return _power(x, exponent: a, value: z0)  // at x₀ = 0 a branch point or a pole
    }

    /// xⁿ for an integer n ≥ 0 held in `T`, by repeated squaring (exact where x₀ = 0).
    @inlinable
    internal static func _integerPower(_ x: Taylor, _ n: T) -> Taylor {
        var result = Taylor(constant: 1)
        var base = x
        var m = n
        while m > 0 {
            let half = (m / 2).rounded(.down)
            if m - 2 * half == 1 { result = _product(result, base) }
            m = half
            if m > 0 { base = _product(base, base) }
        }
        return result
    }

    /// xʸ: xᵃ by its recurrence when y is constant, else exp(y·log x).
    @inlinable
    internal static func _pow(_ x: Taylor, _ y: Taylor) -> Taylor {
        let (x0, y0) = (x.value, y.value)
        let z0 = T.pow(x0, y0)
        let (xConstant, yConstant) = (x._isConstant, y._isConstant)
        if xConstant && yConstant { return Taylor(constant: z0) }
        if yConstant {
            if y0 == 0 { return Taylor(constant: z0) }  // ∂/∂x is 0 where y = 0 (the table's convention)
            return _power(x, constantExponent: y0, value: z0)
        }
        // ∂/∂y is 0 where x = 0 and y > 0 (the table's convention).
        if xConstant && x0 == 0 && y0 > 0 { return Taylor(constant: z0) }
        return _exp(_product(y, Taylor.log(x)), value: z0)
    }

    /// The generic rule: z with z₀ given and z′ = slope(z), solved coefficient by
    /// coefficient. `slope(z)`'s coefficient k − 1 depends on z₀…z_{k−1} only, so
    /// each pass fixes at least one more coefficient; the passes stop at a fixed
    /// point, which the second pass reaches when the slope does not depend on z.
    @inlinable
    internal static func _integrating(value z0: T, slope: (Taylor) -> Taylor) -> Taylor {
        var z = Taylor(constant: z0)
        guard K > 0 else { return z }
        for pass in 1...K {
            let w = slope(z)
            var next = Taylor(constant: z0)
            next.higherCoefficients[0] = w.value
            for i in 1..<K { next.higherCoefficients[i] = w.higherCoefficients[i - 1] / T(i + 1) }
            if pass == K || next._hasCoefficients(of: z) { return next }
            z = next
        }
        return z
    }

    /// True when coefficients 1…K equal those of `other`, including any derivative
    /// information they carry.
    @inlinable
    internal func _hasCoefficients(of other: Taylor) -> Bool {
        for i in 0..<K {
            let (a, b) = (higherCoefficients[i], other.higherCoefficients[i])
            if !(a == b) || !AutodiffCore._isStructurallyZero(a - b) { return false }
        }
        return true
    }
}

extension Taylor: _StructuralZero {
    @usableFromInline
    internal var _isStructurallyZero: Bool {
        AutodiffCore._isStructurallyZero(value) && _isConstant
    }
}

// MARK: - Literals, printing

extension Taylor: ExpressibleByFloatLiteral where T: ExpressibleByFloatLiteral {
    @inlinable
    public init(floatLiteral value: T.FloatLiteralType) {
        self.init(constant: T(floatLiteral: value))
    }
}

extension Taylor: CustomStringConvertible {
    /// The series, e.g. `1.0 + 2.0t + 0.5t^2`.
    public var description: String {
        var terms = ["\(value)"]
        for i in 0..<K { terms.append(i == 0 ? "\(higherCoefficients[i])t" : "\(higherCoefficients[i])t^\(i + 1)") }
        return terms.joined(separator: " + ")
    }
}
