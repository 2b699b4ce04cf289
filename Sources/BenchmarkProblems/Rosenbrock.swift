import RealModule

/// The Rosenbrock function, written as a scalar loop:
/// `f(x) = Σ_{i=0}^{n-2} 100 (x_{i+1} − x_i²)² + (1 − x_i)²`.
///
/// Problem `rosen-grad` (gradient, n = 1 000 and 100 000) and `rosen-hess` (dense Hessian,
/// n = 100) of the benchmark suite.
///
/// ```swift
/// let x = deterministicInput(count: 1_000)
/// let f = rosenbrock(x)                                   // Double
/// let g = gradient(at: x) { rosenbrock($0) }              // reverse mode
/// ```
@inlinable
public func rosenbrock<S: Real>(_ x: [S]) -> S {
    var sum = S.zero
    if x.count < 2 { return sum }
    for i in 0..<(x.count - 1) {
        let a = x[i + 1] - x[i] * x[i]
        let b = 1 - x[i]
        sum += 100 * a * a + b * b
    }
    return sum
}

/// The chained function of problem `chain-jac`, `F: Rⁿ → Rⁿ`,
/// `F_i(x) = x_i · exp(x_{(i+1) mod n}) + sin(x_{(i+n−1) mod n})`.
///
/// Its Jacobian is tridiagonal plus the two corners; the suite asks for it dense, in forward
/// and in reverse mode.
///
/// ```swift
/// let x = deterministicInput(count: 100)
/// let y = chainF(x)                                       // [Double], 100 values
/// let column0 = chainF(x.indices.map { Dual(x[$0], derivative: $0 == 0 ? 1 : 0) })
/// ```
@inlinable
public func chainF<S: Real>(_ x: [S]) -> [S] {
    let n = x.count
    if n == 0 { return [] }
    return [S](unsafeUninitializedCapacity: n) { buffer, initialized in
        for i in 0..<n {
            let next = i + 1 == n ? 0 : i + 1
            let previous = i == 0 ? n - 1 : i - 1
            (buffer.baseAddress! + i).initialize(to: x[i] * S.exp(x[next]) + S.sin(x[previous]))
        }
        initialized = n
    }
}

/// The wide function of problem `wide-jac`, `G: R⁸ → R^m` (m = 1 000 in the suite),
/// `G_j(x) = Σ_k sin((j+1) · x_k) · x_{(j+k) mod n}` for `j = 0..<outputs`, `n = x.count`.
///
/// Many outputs, few inputs: forward mode needs n passes, reverse mode m.
///
/// ```swift
/// let y = wideG(deterministicInput(count: 8), outputs: 1_000)   // [Double], 1 000 values
/// ```
@inlinable
public func wideG<S: Real>(_ x: [S], outputs: Int = 1_000) -> [S] {
    let n = x.count
    precondition(outputs >= 0, "wideG needs a non-negative number of outputs, got \(outputs)")
    if n == 0 { return [S](repeating: .zero, count: outputs) }
    return [S](unsafeUninitializedCapacity: outputs) { buffer, initialized in
        for j in 0..<outputs {
            let frequency = S(j + 1)
            var sum = S.zero
            var index = j % n
            for k in 0..<n {
                sum += S.sin(frequency * x[k]) * x[index]
                index += 1
                if index == n { index = 0 }
            }
            (buffer.baseAddress! + j).initialize(to: sum)
        }
        initialized = outputs
    }
}
