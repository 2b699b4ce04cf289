import RealModule
import Testing
@testable import AutodiffCore

/// `jacobian(at:mode: .reverse)` sweeps 2, 4 or 8 outputs at once (adjoint lanes); each row
/// must be bit for bit the gradient of its output alone, NaNs included.
@Suite("Reverse Jacobians with adjoint lanes")
struct ReverseJacobianLanesTests {
    /// m outputs over 3 inputs: a mix of products, transcendental functions, an output that is
    /// an input, a constant output, an output used by later ones, and two singular spots at
    /// x1 = 0: √x1 feeds only some outputs (its infinite partial must not reach the others'
    /// rows), and log(exp(800·x2)) is NaN in the rows it reaches.
    static func f<S: Real>(_ x: [S], outputs m: Int) -> [S] {
        var y: [S] = []
        let root = S.sqrt(x[1])
        let saturated = S.log(S.exp(800 * x[2]))
        for i in 0..<m {
            switch i % 7 {
            case 0: y.append(x[0] * S.sin(x[2] + S(i)))
            case 1: y.append(root + x[0])
            case 2: y.append(x[1])
            case 3: y.append(S(i))
            case 4: y.append(y[i - 1] * x[0] + S.exp(x[2] / S(i)))
            case 5: y.append(saturated * x[0] + x[2])
            default: y.append(S.atan2(y: x[0], x: x[2] + S(i)) * y[i - 6])
            }
        }
        return y
    }

    static func sameBits(_ a: [[Double]], _ b: [[Double]]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { r, s in
            r.count == s.count && zip(r, s).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        }
    }

    @Test("every row equals its own gradient bit for bit, for 2 to 19 outputs, NaNs only where reached",
          arguments: [2, 3, 4, 5, 8, 9, 16, 19])
    func rowsAreGradients(outputs m: Int) {
        for x in [[0.7, 1.3, -0.4], [0.7, 0.0, 1.0], [-1.1, 0.0, 0.0]] {
            let J = jacobian(at: x, mode: .reverse) { (v: [Reverse<Double>]) in Self.f(v, outputs: m) }
            let rows = (0..<m).map { i in gradient(at: x) { (v: [Reverse<Double>]) in Self.f(v, outputs: m)[i] } }
            #expect(Self.sameBits(J, rows), "m = \(m), x = \(x):\n\(J)\nagainst\n\(rows)")
            let forward = jacobian(at: x) { (v: [DualVector<Double, 4>]) in Self.f(v, outputs: m) }
            for (r, (a, b)) in zip(J, forward).enumerated() where r % 7 == 0 || r % 7 == 2 {
                #expect(a == b, "row \(r) against forward mode")
            }
        }
        // √x1 at 0 feeds only outputs 1 mod 7 (and, through y[i-6], 0 mod 7 from i = 7 on): the
        // rows of outputs 2 (x1 itself) and 3 (a constant) must stay finite.
        let J = jacobian(at: [0.7, 0.0, 1.0], mode: .reverse) { (v: [Reverse<Double>]) in Self.f(v, outputs: m) }
        #expect(J[0].allSatisfy { $0.isFinite })
        if m > 3 { #expect(J[2] == [0, 1, 0] && J[3] == [0, 0, 0]) }
        #expect(J[1][1] == .infinity)
    }
}
