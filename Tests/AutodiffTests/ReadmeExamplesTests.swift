import RealModule
import Testing
import Autodiff

// The README's examples, as written there, with the numbers it states.

private func f<S: Real>(_ x: S) -> S { 9 * S.pow(x, 4) + 2 * S.pow(x, 3) + 3 * x * x + 6 * x + 1 }
private func h<S: Real>(_ x: [S]) -> S { x[0] * x[0] + x[1] * x[1] * x[1] }
private func F<S: Real>(_ x: [S]) -> [S] { [x[0] * S.exp(x[1]), S.sin(x[0]) + x[1]] }

private struct ReadmeModel: ScalarDifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> S { S.exp(x[0]) * S.sin(x[1]) }
}

@Suite("README examples")
struct ReadmeExamplesTests {
    @Test("scalar operators")
    func scalarOperators() {
        #expect(derivative(at: 2.0) { x in f(x) } == 330)
        #expect(gradient(at: [1.0, 2.0]) { x in h(x) } == [2, 12])
        let (value, grad) = valueWithGradient(at: [1.0, 2.0]) { x in h(x) }
        #expect(value == 9 && grad == [2, 12])
        #expect(derivative(at: 2.0) { x in derivative(at: x) { y in f(y) } } == 462)

        let x = [0.5, -1.0], v = [1.0, 2.0], u = [3.0, -1.0]
        let J = jacobian(at: x) { x in F(x) }
        let Jr = jacobian(at: x, mode: .reverse) { x in F(x) }
        let expected = [[Double.exp(-1), 0.5 * Double.exp(-1)], [Double.cos(0.5), 1]]
        for (a, b) in zip(J.joined(), expected.joined()) { #expect(a.isApproximatelyEqual(to: b, relativeTolerance: 1e-15)) }
        for (a, b) in zip(Jr.joined(), expected.joined()) { #expect(a.isApproximatelyEqual(to: b, relativeTolerance: 1e-15)) }
        let H = hessian(at: x) { x in h(x) }
        #expect(H == [[2, 0], [0, 6 * -1.0]])
        let (y, t) = jvp(at: x, direction: v) { x in F(x) }
        #expect(y == F(x))
        for i in 0..<2 {
            #expect(t[i].isApproximatelyEqual(to: expected[i][0] * v[0] + expected[i][1] * v[1], relativeTolerance: 1e-15))
        }
        let (y2, c) = vjp(at: x, cotangent: u) { x in F(x) }
        #expect(y2 == F(x))
        for j in 0..<2 {
            #expect(c[j].isApproximatelyEqual(to: u[0] * expected[0][j] + u[1] * expected[1][j], relativeTolerance: 1e-15))
        }
        #expect(hvp(at: x, direction: v) { x in h(x) } == [2 * 1, -6 * 2])
    }

    @Test("gradient checker")
    func checker() {
        let result = checkGradient(ReadmeModel(), at: [0.3, 1.2])
        #expect(result.passed, "\(result)")
    }

    @Test("tensors and eager autograd")
    func tensors() throws {
        let x = Tensor<Double>.ones([2, 2], requiresGrad: true)
        let y = x + 2
        #expect(y.gradFn?.name == "AddBackward0")
        let out = (y * y * 3).mean()
        #expect(try out.item() == 27 && out.gradFn?.name == "MeanBackward0")
        try out.backward()
        #expect(x.grad?.scalars == [4.5, 4.5, 4.5, 4.5])
        let z = withNoGrad { x * 2 }
        #expect(!z.requiresGrad)
        let (jx, jy) = try jacobian(at: (x, x)) { a, b in 2 * exp(a) + 3 * b }
        #expect(jx.shape == [2, 2, 2, 2] && jy.shape == [2, 2, 2, 2])
    }
}
