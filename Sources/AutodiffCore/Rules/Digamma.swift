import RealModule

/// The digamma function ψ(x) = Γ′(x)/Γ(x), the derivative of `logGamma`.
///
/// Written with `T`'s own arithmetic (recurrence up to x ≥ 10, then the
/// asymptotic series, reflection for negative arguments), so that it is itself
/// differentiable: nested derivatives of `gamma` and `logGamma` work.
/// Accurate to a few ulps for `Double`.
///
/// ```swift
/// digamma(1.0)   // −0.5772156649015329 (minus the Euler–Mascheroni constant)
/// ```
@inlinable
public func digamma<T: Real>(_ x: T) -> T {
    if x.isNaN { return x }
    if x <= 0 {
        if x == x.rounded(.down) { return .nan }  // poles at 0, −1, −2, …
        // Reflection: ψ(1 − x) − ψ(x) = π cot(πx), with cot as cos/sin: 1/tan near
        // half-integers divides by a huge tan, and its higher derivatives (nested
        // duals, Taylor mode) cancel catastrophically there.
        let angle = T.pi * x
        return digamma(1 - x) - T.pi * T.cos(angle) / T.sin(angle)
    }
    var x = x
    var result: T = 0
    while x < 10 {
        result -= 1 / x
        x += 1
    }
    let inv = 1 / x
    let inv2 = inv * inv
    // ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ), k = 1…7, by Horner's rule in 1/x².
    let coefficients: [Double] = [-1.0 / 12.0, 1.0 / 120.0, -1.0 / 252.0, 1.0 / 240.0,
                                  -1.0 / 132.0, 691.0 / 32760.0, -1.0 / 12.0]
    var series: T = 0
    for c in coefficients.reversed() {
        series = (series + T(converting: c)) * inv2
    }
    return result + T.log(x) - inv / 2 + series
}
