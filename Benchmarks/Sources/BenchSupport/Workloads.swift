import RealModule

/// A scalar function with a loop (20 steps of sin, exp and division): CoreBench times
/// its forward-mode derivative against its primal, TaylorBench its 8th derivative.
/// `@inlinable`, so that each benchmark specializes it for its number type.
@inlinable
public func scalarWorkload<S: Real>(_ x: S) -> S {
    var acc: S = 0
    var t = x
    for k in 1...20 {
        t = S.sin(t) * x + S.exp(-t * t) + S(k) / (1 + t * t)
        acc += t
    }
    return acc
}
