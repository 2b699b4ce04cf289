import RealModule
import Testing
@testable import AutodiffCore

/// The disagreements the cross-mode fuzzer found in the library, each reduced to a test.
@Suite("Fuzz findings")
struct FuzzFindingsTests {
    /// d/dx x^y at y = 0 was the constant 0, so its derivative in y (the mixed second
    /// derivative 1/x) was lost on one side: forward over reverse gave H[x][y] = 0 but
    /// H[y][x] = 1/x, and nested forward the transpose.
    @Test("pow(x, y) at y = 0: the Hessian is symmetric and exact, by every route")
    func powAtZeroExponent() {
        func f<S: Real>(_ v: [S]) -> S { S.pow(v[0], v[1]) }
        let ln2 = Double.log(2)
        let expected: [[Double]] = [[0, 0.5], [0.5, ln2 * ln2]]
        let H = hessian(at: [2.0, 0.0]) { x in f(x) }
        for i in 0..<2 {
            for j in 0..<2 {
                #expect(H[i][j].isApproximatelyEqual(to: expected[i][j], absoluteTolerance: 1e-15), "H[\(i)][\(j)] = \(H[i][j])")
            }
        }
        let fxy = derivative(at: 2.0) { a in derivative(at: Dual(constant: 0.0)) { b in f([Dual(constant: a), b]) } }
        let fyx = derivative(at: 0.0) { b in derivative(at: Dual(constant: 2.0)) { a in f([a, Dual(constant: b)]) } }
        #expect(fxy == 0.5 && fyx == 0.5)
        // The first-order convention is unchanged: d/dx x^0 = 0, also where x^(−1) is not finite.
        #expect(gradient(at: [0.0, 0.0]) { x in f(x) }[0] == 0)
        #expect(gradient(at: [-3.0, 0.0]) { x in f(x) }[0] == 0)
    }

    /// On a magnitude tie (x = −y) `Double.minimumMagnitude` returns x and
    /// `maximumMagnitude` y; the AD numbers returned minimum/maximum's value instead.
    @Test("minimumMagnitude and maximumMagnitude: the value of Double on ties and NaNs, the derivative of the one returned")
    func magnitudeTies() {
        let n = Double.nan
        for (x, y) in [(1.0, -1.0), (-1.0, 1.0), (0.0, -0.0), (-0.0, 0.0), (n, 1.0), (1.0, n), (2.0, 2.0)] {
            let dmin = Dual<Double>.minimumMagnitude(Dual(x, derivative: 1), Dual(y, derivative: 0))
            let dmax = Dual<Double>.maximumMagnitude(Dual(x, derivative: 1), Dual(y, derivative: 0))
            let emin = Double.minimumMagnitude(x, y), emax = Double.maximumMagnitude(x, y)
            #expect(dmin.value.bitPattern == emin.bitPattern || (dmin.value.isNaN && emin.isNaN), "minimumMagnitude(\(x), \(y))")
            #expect(dmax.value.bitPattern == emax.bitPattern || (dmax.value.isNaN && emax.isNaN), "maximumMagnitude(\(x), \(y))")
        }
        #expect(gradient(at: [1.0, -1.0]) { x in Reverse.minimumMagnitude(x[0], x[1]) } == [1, 0])
        #expect(gradient(at: [1.0, -1.0]) { x in Reverse.maximumMagnitude(x[0], x[1]) } == [0, 1])
        #expect(gradient(at: [2.0, 2.0]) { x in Reverse.maximumMagnitude(x[0], x[1]) } == [0.5, 0.5])
    }
}
