import AutodiffCore
import RealModule

/// A damped pendulum θ'' = −k·sin θ − c·θ', state [θ, ω], parameters [k, c], integrated
/// with classical Runge–Kutta (RK4), and a loss on the final state that reads the
/// parameters too: the long recurrence of the checkpointing tests and of CheckpointBench.
///
/// ```swift
/// var x = [1.0, 0.0]
/// for _ in 0..<1000 { x = Pendulum.rk4(x, [9.81, 0.1], dt: 1e-3) }
/// let l = Pendulum.loss(x, [9.81, 0.1])
/// ```
public enum Pendulum {
    /// The vector field [ω, −k·sin θ − c·ω].
    @inlinable
    public static func field<S: Real>(_ x: [S], _ p: [S]) -> [S] {
        [x[1], -p[0] * S.sin(x[0]) - p[1] * x[1]]
    }

    /// One RK4 step of length `dt`.
    @inlinable
    public static func rk4<S: Real>(_ x: [S], _ p: [S], dt: Double) -> [S] {
        let h = S(converting: dt), half = S(converting: dt / 2), sixth = S(converting: dt / 6)
        let k1 = field(x, p)
        let k2 = field([x[0] + half * k1[0], x[1] + half * k1[1]], p)
        let k3 = field([x[0] + half * k2[0], x[1] + half * k2[1]], p)
        let k4 = field([x[0] + h * k3[0], x[1] + h * k3[1]], p)
        return [x[0] + sixth * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
                x[1] + sixth * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])]
    }

    /// The loss on the final state.
    @inlinable
    public static func loss<S: Real>(_ x: [S], _ p: [S]) -> S {
        x[0] * x[0] + x[1] * x[1] / 2 + p[0] * (1 - S.cos(x[0]))
    }

    /// The whole loop as one function of `[θ₀, ω₀, k, c]`, for one-tape gradients and
    /// finite differences.
    @inlinable
    public static func unrolled<S: Real>(_ z: [S], steps: Int, dt: Double) -> S {
        let p = Array(z[2...])
        var x = Array(z[..<2])
        for _ in 0..<steps { x = rk4(x, p, dt: dt) }
        return loss(x, p)
    }
}
