import RealModule

extension Real {
    /// Converts a `Double` constant (problem data, a model matrix entry) to any `Real` type.
    ///
    /// `Real` has no initializer from `Double`, so problem code written once over `S: Real`
    /// uses this to bring data into `S`. For `Double` itself it is the identity (the
    /// specializer folds the check away); for other types the value is rebuilt from its
    /// integer significand and binary exponent with `FloatingPoint` operations only, which is
    /// exact for any type at least as precise as `Double` (`Dual<Double>`, `Reverse<Double>`
    /// get a constant with zero derivative).
    ///
    /// ```swift
    /// func scaled<S: Real>(_ x: S, by factor: Double) -> S { x * S(converting: factor) }
    /// ```
    @inlinable
    public init(converting value: Double) {
        if let same = value as? Self {
            self = same
            return
        }
        guard value.isFinite else {
            if value.isNaN {
                self = .nan
            } else {
                self = value < 0 ? -.infinity : .infinity
            }
            return
        }
        if value == 0 {
            self = value.sign == .minus ? -Self.zero : Self.zero
            return
        }
        // value = ±m · 2^(e - 52) with m a 53-bit integer (subnormals have a smaller m).
        let exponent = value.exponent
        let magnitude = value.magnitude
        let integerSignificand = Int(magnitude.significand * 0x1p52)
        let shift = Int(exponent) - 52
        self = Self(sign: value.sign, exponent: Self.Exponent(shift), significand: Self(integerSignificand))
    }
}

/// The deterministic inputs of the benchmark suite: `x_i = 0.9 * cos(i)` for `i = 0..<count`.
///
/// ```swift
/// let x = deterministicInput(count: 1_000)   // x[0] == 0.9, x[1] == 0.9 * cos(1), ...
/// ```
public func deterministicInput(count: Int) -> [Double] {
    precondition(count >= 0, "deterministicInput(count:) needs a non-negative count, got \(count)")
    return (0..<count).map { 0.9 * Double.cos(Double($0)) }
}
