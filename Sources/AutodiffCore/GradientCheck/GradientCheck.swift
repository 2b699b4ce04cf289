import RealModule

/// The outcome of ``checkGradient(_:at:eps:atol:rtol:)``, ``checkJacobian(_:at:eps:atol:rtol:)``
/// or ``checkHessian(_:at:eps:atol:rtol:)``: pass/fail, the worst entry and which
/// comparisons disagreed. Its description is a readable report, made for test messages:
///
/// ```swift
/// let result = checkGradient(LogSumExp(), at: [0.5, -1.0, 2.0])
/// #expect(result.passed, "\(result)")
/// ```
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// One compared entry.
    public struct Entry: Sendable {
        /// The comparison it belongs to, e.g. `"reverse vs finite differences"`.
        public let comparison: String
        /// Its index: `[i]` in a gradient, `[row, column]` in a Jacobian or Hessian.
        public let index: [Int]
        /// The value from automatic differentiation.
        public let analytic: Double
        /// The reference value (finite differences, or the other mode).
        public let numeric: Double
        /// |analytic − numeric|.
        public var absoluteError: Double { (analytic - numeric).magnitude }
        /// |analytic − numeric| / |numeric| (infinite when numeric is 0 and they differ).
        public var relativeError: Double {
            absoluteError == 0 ? 0 : absoluteError / numeric.magnitude
        }
    }

    /// What was checked: `"gradient"`, `"Jacobian"` or `"Hessian"`.
    public let quantity: String
    /// Whether every entry of every comparison is within `atol + rtol·|numeric|`.
    public let passed: Bool
    /// The entry furthest outside (or least inside) its tolerance.
    public let worst: Entry?
    /// The comparisons with at least one entry outside the tolerance.
    public let disagreeing: [String]
    /// The tolerances and step used.
    public let eps: Double, atol: Double, rtol: Double

    public var description: String {
        var s = "\(quantity) check \(passed ? "passed" : "FAILED") (eps \(eps), atol \(atol), rtol \(rtol))"
        if !disagreeing.isEmpty { s += "; disagreeing: \(disagreeing.joined(separator: ", "))" }
        if let w = worst {
            s += "; worst entry \(w.index) in \(w.comparison): analytic \(w.analytic), numeric \(w.numeric), "
                + "absolute error \(w.absoluteError), relative error \(w.relativeError)"
        }
        return s
    }
}

/// Collects comparisons and builds the result.
@usableFromInline
internal struct _CheckAccumulator {
    @usableFromInline let atol: Double, rtol: Double
    @usableFromInline var worst: GradientCheckResult.Entry?
    @usableFromInline var worstScore = -Double.infinity
    @usableFromInline var disagreeing: [String] = []

    @usableFromInline init(atol: Double, rtol: Double) { self.atol = atol; self.rtol = rtol }

    /// Compares matrices (m rows) entry by entry with gradcheck's criterion.
    @usableFromInline
    mutating func compare(_ name: String, _ analytic: [[Double]], _ numeric: [[Double]], vector: Bool) {
        var failed = false
        for i in analytic.indices {
            for j in analytic[i].indices {
                let a = analytic[i][j], b = numeric[i][j]
                let allowed = atol + rtol * b.magnitude
                let error = (a - b).magnitude
                let score = error.isNaN || a.isNaN != b.isNaN ? .infinity : error / allowed
                if !(error <= allowed) { failed = true }
                if score > worstScore {
                    worstScore = score
                    worst = .init(comparison: name, index: vector ? [j] : [i, j], analytic: a, numeric: b)
                }
            }
        }
        if failed { disagreeing.append(name) }
    }

    @usableFromInline
    func result(_ quantity: String, eps: Double) -> GradientCheckResult {
        GradientCheckResult(quantity: quantity, passed: disagreeing.isEmpty, worst: worst,
                            disagreeing: disagreeing, eps: eps, atol: atol, rtol: rtol)
    }
}

@usableFromInline
internal func _checkStep<S: BinaryFloatingPoint>(_ eps: S?, _ x: [S], _ operation: StaticString) -> S {
    for (i, v) in x.enumerated() where !v.isFinite {
        autodiffFailure("\(operation)", """
            input[\(i)] is \(v); finite differences cannot be trusted at non-finite inputs \
            (\(x.count) inputs)
            """)
    }
    if let eps {
        autodiffRequire(eps > 0 && eps.isFinite, "\(operation)", "the step eps must be positive and finite, got \(eps)")
        return eps
    }
    autodiffRequire(S.significandBitCount >= 52, "\(operation)", """
        \(S.self) inputs need an explicit step (eps:): with \
        \(S.significandBitCount + 1)-bit significands the default eps 1e-6 makes central finite \
        differences meaningless. Check in Double, or pass eps: (for Float, about 1e-2 to 1e-3) and looser tolerances.
        """)
    return S(1e-6)
}

@inlinable
internal func _centralDifferences<S: BinaryFloatingPoint>(_ x: [S], _ eps: S, _ f: ([S]) -> [S]) -> [[Double]] {
    var columns: [[Double]] = []
    var xp = x
    for j in x.indices {
        xp[j] = x[j] + eps
        let plus = f(xp)
        xp[j] = x[j] - eps
        let minus = f(xp)
        xp[j] = x[j]
        columns.append(zip(plus, minus).map { Double(($0 - $1) / (2 * eps)) })
    }
    let m = columns.first?.count ?? 0
    return (0..<m).map { i in columns.map { $0[i] } }
}

@inlinable
internal func _toDouble<S: BinaryFloatingPoint>(_ J: [[S]]) -> [[Double]] { J.map { $0.map { Double($0) } } }

/// Checks the gradient of a scalar function like PyTorch's `gradcheck`: the
/// reverse-mode gradient, the forward-mode one (chunked duals) and central finite
/// differences must agree entry by entry within `atol + rtol·|numeric|`.
///
/// Double inputs use gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3). Other
/// types need an explicit `eps`; non-finite inputs are refused (both stop with a message).
///
/// ```swift
/// struct Cube: ScalarDifferentiableFunction {
///     func callAsFunction<S: Real>(_ x: [S]) -> S { x[0] * x[0] * x[0] + x[1] }
/// }
/// let result = checkGradient(Cube(), at: [0.3, 2.0])
/// #expect(result.passed, "\(result)")
/// ```
@inlinable
public func checkGradient<F: ScalarDifferentiableFunction, S: BinaryFloatingPoint & Real>(
    _ f: F, at x: [S], eps: S? = nil, atol: Double = 1e-5, rtol: Double = 1e-3
) -> GradientCheckResult {
    let h = _checkStep(eps, x, "checkGradient")
    let reverse = [gradient(at: x) { f($0) }.map { Double($0) }]
    let forward = [gradientForward(at: x) { f($0) }.map { Double($0) }]
    let numeric = _centralDifferences(x, h) { [f($0)] }
    var acc = _CheckAccumulator(atol: atol, rtol: rtol)
    acc.compare("reverse vs finite differences", reverse, numeric, vector: true)
    acc.compare("forward vs finite differences", forward, numeric, vector: true)
    acc.compare("reverse vs forward", reverse, forward, vector: true)
    return acc.result("gradient", eps: Double(h))
}

/// Checks the Jacobian of a function `Rⁿ → Rᵐ`: reverse mode, chunked forward mode
/// and central finite differences must agree (see ``checkGradient(_:at:eps:atol:rtol:)``).
///
/// ```swift
/// let result = checkJacobian(Chain(), at: [0.1, 0.2, 0.3])
/// #expect(result.passed, "\(result)")
/// ```
@inlinable
public func checkJacobian<F: DifferentiableFunction, S: BinaryFloatingPoint & Real>(
    _ f: F, at x: [S], eps: S? = nil, atol: Double = 1e-5, rtol: Double = 1e-3
) -> GradientCheckResult {
    let h = _checkStep(eps, x, "checkJacobian")
    let reverse = _toDouble(_reverseJacobian(x, { f($0) }, TapeOrigin("checkJacobian")).jacobian)
    let forward = _toDouble(_forwardJacobian(x, { (v: [DualVector<S, 8>]) in f(v) }, "checkJacobian").jacobian)
    let numeric = _centralDifferences(x, h) { f($0) }
    var acc = _CheckAccumulator(atol: atol, rtol: rtol)
    acc.compare("reverse vs finite differences", reverse, numeric, vector: false)
    acc.compare("forward vs finite differences", forward, numeric, vector: false)
    acc.compare("reverse vs forward", reverse, forward, vector: false)
    return acc.result("Jacobian", eps: Double(h))
}

/// The second-order check (PyTorch's `gradgradcheck`): the Hessian by
/// forward-over-reverse against central finite differences of the reverse-mode
/// gradient, and its symmetry.
///
/// ```swift
/// let result = checkHessian(Cube(), at: [0.3, 2.0])
/// #expect(result.passed, "\(result)")
/// ```
@inlinable
public func checkHessian<F: ScalarDifferentiableFunction, S: BinaryFloatingPoint & Real>(
    _ f: F, at x: [S], eps: S? = nil, atol: Double = 1e-5, rtol: Double = 1e-3
) -> GradientCheckResult {
    let h = _checkStep(eps, x, "checkHessian")
    let H = _toDouble(hessian(at: x) { f($0) })
    let numeric = _centralDifferences(x, h) { gradient(at: $0) { f($0) } }
    let transposed = H.indices.map { i in H.indices.map { j in H[j][i] } }
    var acc = _CheckAccumulator(atol: atol, rtol: rtol)
    acc.compare("forward-over-reverse vs finite differences of the gradient", H, numeric, vector: false)
    acc.compare("Hessian vs its transpose", H, transposed, vector: false)
    return acc.result("Hessian", eps: Double(h))
}
