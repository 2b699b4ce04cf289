import RealModule
import Testing
@testable import AutodiffCore

/// Data of the surrounding code in differentiated closures: S(converting:), mixed
/// arithmetic at any nesting, float literals, closures that capture and call locals.
@Suite("Functional API: data into generic code, one closure under every operator")
struct GenericDataTests {
    @Test("S(converting:) is exact where the target holds the value and correctly rounded into Float")
    func converting() {
        for x in [0.1, -3.75e-300, 1e300, Double.leastNonzeroMagnitude, -0.0, 123456789.123, .infinity] {
            #expect(Double(converting: x).bitPattern == x.bitPattern)
            #expect(Float(converting: x).bitPattern == Float(x).bitPattern)
            #expect(Dual<Double>(converting: x).value.bitPattern == x.bitPattern)
            #expect(Dual<Double>(converting: x).derivative == 0)
            #expect(Reverse<DualVector<Double, 4>>(converting: x).value.value.bitPattern == x.bitPattern)
            #expect(Dual<Float>(converting: x).value.bitPattern == Float(x).bitPattern)
            #expect(Dual<Dual<Float>>(converting: x).value.value.bitPattern == Float(x).bitPattern)
        }
        #expect(Float(converting: Float(2.5)) == 2.5)
    }

    @Test("a function generic over Real reads Double data through S(converting:)")
    func dataIntoGenericCode() throws {
        let xs: [Double] = [0.5, 1.5, 2.5], ys: [Double] = [1.1, 2.9, 5.2]
        func loss<S: Real>(_ w: [S]) -> S {
            var total: S = 0
            for (x, y) in zip(xs, ys) {
                let r = w[0] * S(converting: x) + w[1] - S(converting: y)
                total += r * r
            }
            return total
        }
        let w = [1.0, 0.2]
        let g = gradient(at: w) { w in loss(w) }
        let expected = [zip(xs, ys).map { 2 * (w[0] * $0 + w[1] - $1) * $0 }.reduce(0, +),
                        zip(xs, ys).map { 2 * (w[0] * $0 + w[1] - $1) }.reduce(0, +)]
        #expect(zip(g, expected).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        let H = hessian(at: w) { w in loss(w) }
        #expect(Swift.abs(H[0][0] - 2 * xs.map { $0 * $0 }.reduce(0, +)) < 1e-12 && H[1][1] == 6)
        let replay = RecordedGradient(at: w) { w in loss(w) }
        #expect(try replay.gradient(at: w) == g)
    }

    @Test("the same closure, mixing the variable with captured Doubles and a local var, under every operator")
    func oneClosureEverywhere() throws {
        let scale = 3.0
        var calls = 0
        func h<S: Real>(_ x: [S]) -> S { x[0] * x[0] * x[1] }
        let x = [1.5, -0.5]
        let g = gradient(at: x) { x in calls += 1; return scale * h(x) + x[0] * scale - 2.0 }
        let H = hessian(at: x) { x in calls += 1; return scale * h(x) + x[0] * scale - 2.0 }
        let J = jacobian(at: x) { x in [scale * h(x), x[1] / scale] }
        let hv = hvp(at: x, direction: [1, 0]) { x in scale * h(x) + x[0] * scale }
        let (_, t) = jvp(at: x, direction: [0, 1]) { x in [x[0] * scale] }
        let recorded = RecordedGradient(at: x) { x in scale * h(x) + x[0] * scale - 2.0 }
        #expect(g == [scale * 2 * x[0] * x[1] + scale, scale * x[0] * x[0]])
        #expect(H == [[scale * 2 * x[1], scale * 2 * x[0]], [scale * 2 * x[0], 0]])
        #expect(J[1] == [0, 1 / scale] && hv == [scale * 2 * x[1], scale * 2 * x[0]] && t == [0])
        #expect(try recorded.gradient(at: x) == g)
        #expect(calls >= 2)
    }

    @Test("float literals in <S: Real & ExpressibleByFloatLiteral> code under gradient and the recorded gradient")
    func floatLiterals() throws {
        func f<S: Real & ExpressibleByFloatLiteral>(_ x: [S]) -> S { 0.5 * x[0] * x[0] + 2.5 }
        #expect(gradient(at: [3.0]) { x in f(x) } == [3.0])
        #expect(try RecordedGradient(at: [3.0]) { x in f(x) }.gradient(at: [2.0]) == [2.0])
        #expect(derivative(at: 3.0) { x in f([x]) } == 3.0)
    }
}
