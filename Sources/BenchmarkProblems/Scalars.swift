import AutodiffCore
import RealModule

// Data enters the generic problems through AutodiffCore's `S(converting:)`.

/// The deterministic inputs of the benchmark suite: `x_i = 0.9 * cos(i)` for `i = 0..<count`.
///
/// ```swift
/// let x = deterministicInput(count: 1_000)   // x[0] == 0.9, x[1] == 0.9 * cos(1), ...
/// ```
public func deterministicInput(count: Int) -> [Double] {
    precondition(count >= 0, "deterministicInput(count:) needs a non-negative count, got \(count)")
    return (0..<count).map { 0.9 * Double.cos(Double($0)) }
}
