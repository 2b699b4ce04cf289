import RealModule
import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

// Fused elementwise maps of scalar code (`elementwise(x, y, f)`): values equal the
// scalar function exactly, gradients equal the same expression written with tensor
// operations and finite differences, broadcasting, second and third order, misuse.

private struct Rosen: ElementwiseFunction2 {
    func callAsFunction<S: Real>(_ a: S, _ b: S) -> S {
        100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
    }
}

private struct Mixed: ElementwiseFunction2 {
    func callAsFunction<S: Real>(_ a: S, _ b: S) -> S { S.exp(a) * S.sin(b) + a / (b * b + 1) }
}

private struct Softsign: ElementwiseFunction1 {
    func callAsFunction<S: Real>(_ a: S) -> S { a / (1 + S.sqrt(a * a + 1)) }
}

private struct Lerp: ElementwiseFunction3 {
    func callAsFunction<S: Real>(_ a: S, _ b: S, _ t: S) -> S { a + t * (b - a) * S.cos(a * t) }
}

/// The Rosenbrock objective written with tensor operations (the reference).
private func rosenOps(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
    let d = b - a * a, e = 1 - a
    return 100 * d * d + e * e
}

private func mixedOps(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
    exp(a) * sin(b) + a / (b * b + 1)
}

private func relClose(_ a: Tensor<Double>?, _ b: Tensor<Double>?, _ tol: Double = 1e-14) -> Bool {
    guard let a, let b, a.shape == b.shape else { return false }
    return Swift.zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
}

@Suite("Fused elementwise maps of scalar functions")
struct FusedMapTests {
    @Test("values equal the scalar function applied to every element, exactly")
    func values() {
        let a = agRandom([4, 5], 1), b = agRandom([4, 5], 2), c = agRandom([4, 5], 3)
        let y2 = elementwise(a, b, Mixed())
        #expect(y2.shape == [4, 5])
        #expect(y2.scalars == Swift.zip(a.scalars, b.scalars).map { Mixed()($0, $1) })
        #expect(elementwise(a, Softsign()).scalars == a.scalars.map { Softsign()($0) })
        #expect(elementwise(a, b, c, Lerp()).scalars == (0..<20).map { Lerp()(a.scalars[$0], b.scalars[$0], c.scalars[$0]) })
        // The closure forms compute the same values.
        #expect(elementwise(a, b) { Mixed()($0, $1) }.scalars == y2.scalars)
        #expect(elementwise(a, b, c) { Lerp()($0, $1, $2) }.scalars == elementwise(a, b, c, Lerp()).scalars)
        // Float, and an empty tensor.
        let af = Tensor<Float>([1, 2, 3]), bf = Tensor<Float>([0.5, 1, 2])
        #expect(elementwise(af, bf, Rosen()).scalars == [Rosen()(Float(1), 0.5), Rosen()(Float(2), 1), Rosen()(Float(3), 2)])
        #expect(elementwise(Tensor<Double>.zeros([0, 3]), Tensor<Double>.zeros([3]), Rosen()).shape == [0, 3])
    }

    @Test("large tensors (split across cores) give the same values and gradients as one loop")
    func parallelChunks() throws {
        let n = 1 << 17
        let a = agRandom([n], 4), b = agRandom([n], 5)
        let y = elementwise(a, b, Rosen())
        #expect(y.scalars == Swift.zip(a.scalars, b.scalars).map { Rosen()($0, $1) })
        let (x1, x2) = (a.requiringGrad(), b.requiringGrad())
        try elementwise(x1, x2, Rosen()).sum().backward()
        let (r1, r2) = (a.requiringGrad(), b.requiringGrad())
        try rosenOps(r1, r2).sum().backward()
        #expect(relClose(x1.grad, r1.grad) && relClose(x2.grad, r2.grad))
    }

    @Test("gradients equal the same expression written with tensor operations")
    func gradientsAgainstTensorOps() throws {
        for (sa, sb) in [([6], [6]), ([2, 3], [3]), ([2, 1], [1, 3]), ([3], []), ([], [2, 2])] {
            let a = agRandom(sa, 11), b = agRandom(sb, 12, lower: 0.2, upper: 1.5)
            let w = agRandom(Tensor<Double>._broadcastShape(sa, sb, operation: "test"), 13)
            do {
                let (x, y) = (a.requiringGrad(), b.requiringGrad())
                try (elementwise(x, y, Rosen()) * w).sum().backward()
                let (u, v) = (a.requiringGrad(), b.requiringGrad())
                try (rosenOps(u, v) * w).sum().backward()
                #expect(relClose(x.grad, u.grad) && relClose(y.grad, v.grad), "rosen, shapes \(sa), \(sb)")
            }
            let (x, y) = (a.requiringGrad(), b.requiringGrad())
            let fused = elementwise(x, y, Mixed())
            #expect(relClose(fused, mixedOps(a, b)))
            try (fused * w).sum().backward()
            let (u, v) = (a.requiringGrad(), b.requiringGrad())
            try (mixedOps(u, v) * w).sum().backward()
            #expect(relClose(x.grad, u.grad) && relClose(y.grad, v.grad), "mixed, shapes \(sa), \(sb)")
        }
    }

    @Test("backward partials are DualVector's bit for bit, also where a partial is infinite or NaN")
    func partialsEqualDualVector() throws {
        // sqrt at 0 has an infinite partial: DualVector keeps the other lanes' exact zero
        // (∂/∂b of √a + b² is 2b there), the fast lanes give NaN, and the element is redone.
        struct Root1: ElementwiseFunction1 { func callAsFunction<S: Real>(_ a: S) -> S { S.sqrt(a) * a + S.exp(a) } }
        struct Root2: ElementwiseFunction2 { func callAsFunction<S: Real>(_ a: S, _ b: S) -> S { S.sqrt(a) + b * b } }
        struct Root3: ElementwiseFunction3 {
            func callAsFunction<S: Real>(_ a: S, _ b: S, _ c: S) -> S { S.sqrt(a) * c + b * c - S.log(b) }
        }
        let a = Tensor<Double>([0, 0.25, 1, 0, 2, -1]), b = Tensor<Double>([1.5, -2, 0.5, 3, 0, 1]),
            c = Tensor<Double>([2, 0, -1, 0.5, 1, 3])
        func bits(_ t: Tensor<Double>?) -> [UInt64] { (t?.scalars ?? []).map(\.bitPattern) }
        func leaf(_ t: Tensor<Double>) -> Tensor<Double> { Tensor(shape: t.shape, scalars: t.scalars).requiringGrad() }
        let x1 = leaf(a)
        try elementwise(x1, Root1()).sum().backward()
        #expect(bits(x1.grad) == a.scalars.map { Root1()(Dual($0, derivative: 1)).derivative.bitPattern })
        let (x2, y2) = (leaf(a), leaf(b))
        try elementwise(x2, y2, Root2()).sum().backward()
        let lanes2 = Swift.zip(a.scalars, b.scalars).map { Root2()(DualVector<Double, 2>($0, seed: 0), DualVector($1, seed: 1)) }
        #expect(bits(x2.grad) == lanes2.map { $0.partials[0].bitPattern })
        #expect(bits(y2.grad) == lanes2.map { $0.partials[1].bitPattern })
        #expect(y2.grad!.scalars[0] == 3 && x2.grad!.scalars[0] == .infinity)
        let (x3, y3, z3) = (leaf(a), leaf(b), leaf(c))
        try elementwise(x3, y3, z3, Root3()).sum().backward()
        let lanes3 = (0..<6).map { i in
            Root3()(DualVector<Double, 3>(a.scalars[i], seed: 0), DualVector(b.scalars[i], seed: 1), DualVector(c.scalars[i], seed: 2))
        }
        #expect(bits(x3.grad) == lanes3.map { $0.partials[0].bitPattern })
        #expect(bits(y3.grad) == lanes3.map { $0.partials[1].bitPattern })
        #expect(bits(z3.grad) == lanes3.map { $0.partials[2].bitPattern })
        // And on ordinary inputs, where every element takes the fast lanes.
        let (p, q) = (agRandom([64], 31), agRandom([64], 32, lower: 0.2, upper: 1.5))
        let (xm, ym) = (leaf(p), leaf(q))
        try elementwise(xm, ym, Mixed()).sum().backward()
        let lanesM = Swift.zip(p.scalars, q.scalars).map { Mixed()(DualVector<Double, 2>($0, seed: 0), DualVector($1, seed: 1)) }
        #expect(bits(xm.grad) == lanesM.map { $0.partials[0].bitPattern })
        #expect(bits(ym.grad) == lanesM.map { $0.partials[1].bitPattern })
    }

    @Test("only the inputs that require grad get a gradient")
    func partialRequiresGrad() throws {
        let a = agRandom([3], 21).requiringGrad(), b = agRandom([3], 22)
        try elementwise(a, b, Rosen()).sum().backward()
        #expect(a.grad != nil && b.grad == nil)
        #expect(elementwise(a, b, Rosen()).gradFn?.name == "ElementwiseBackward0")
        #expect(!elementwise(b, b, Rosen()).requiresGrad)
    }

    @Test("first and second order against finite differences, with broadcasting, for 1, 2 and 3 arguments")
    func gradchecks() throws {
        try tensorGradchecks("map1", [agRandom([2, 3], 31)]) { elementwise($0[0], Softsign()) }
        try tensorGradchecks("map2", [agRandom([2, 3], 32), agRandom([3], 33)]) { elementwise($0[0], $0[1], Mixed()) }
        try tensorGradchecks("map2 column", [agRandom([2, 1], 34), agRandom([1, 3], 35)]) {
            elementwise($0[0], $0[1], Rosen())
        }
        try tensorGradchecks("map3", [agRandom([2, 3], 36), agRandom([3], 37), agRandom([], 38)]) {
            elementwise($0[0], $0[1], $0[2], Lerp())
        }
    }

    @Test("second order equals the Hessian-vector product of the tensor-op expression")
    func secondOrderAgainstTensorOps() throws {
        // Rosenbrock on x: f = Σ rosen(x[0..<n-1], x[1..<n]); Hv by double backward.
        let n = 7
        let x0 = agRandom([n], 41, lower: -1.5, upper: 1.5), v = agRandom([n], 42)
        func hvp(_ f: (Tensor<Double>, Tensor<Double>) -> Tensor<Double>) throws -> (Tensor<Double>, Tensor<Double>) {
            let x = x0.requiringGrad()
            let y = f(x[0..<(n - 1)], x[1..<n]).sum()
            let g = try gradients(of: [y], withRespectTo: [x], createGraph: true)[0]!
            let hv = try gradients(of: [(g * v).sum()], withRespectTo: [x])[0]!
            return (g.detach(), hv)
        }
        let (gFused, hvFused) = try hvp { elementwise($0, $1, Rosen()) }
        let (gOps, hvOps) = try hvp(rosenOps)
        #expect(relClose(gFused, gOps) && relClose(hvFused, hvOps))
    }

    @Test("third order: the derivative nests (x³ through three backward passes)")
    func thirdOrder() throws {
        struct Cube: ElementwiseFunction1 { func callAsFunction<S: Real>(_ a: S) -> S { a * a * a } }
        let x = Tensor<Double>([1, 2, -3], requiresGrad: true)
        let d1 = try gradients(of: [elementwise(x, Cube()).sum()], withRespectTo: [x], createGraph: true)[0]!
        let d2 = try gradients(of: [d1.sum()], withRespectTo: [x], createGraph: true)[0]!
        let d3 = try gradients(of: [d2.sum()], withRespectTo: [x])[0]!
        #expect(d1.scalars == [3, 12, 27] && d2.scalars == [6, 12, -18] && d3.scalars == [6, 6, 6])
    }

    @Test("the partial-derivative wrappers are forward mode over the same function")
    func partialWrappers() {
        let (a, b) = (0.5, 2.0)
        let dA: Double = -400 * a * (b - a * a) - 2 * (1 - a)
        #expect(ElementwisePartial2(Rosen(), argument: 0)(a, b) == dA)
        #expect(ElementwisePartial2(Rosen(), argument: 1)(0.5, 2.0) == 200 * (2 - 0.25))
        #expect(ElementwisePartial2(ElementwisePartial2(Rosen(), argument: 1), argument: 1)(0.5, 2.0) == 200)
        #expect(ElementwisePartial3(Lerp(), argument: 1)(0.0, 1.0, 2.0) == 2)
    }
}

@Suite("Fused map misuse messages")
struct FusedMapMisuseMessages {
    @Test("inputs that do not broadcast stop with a message naming elementwise and every shape")
    func shapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = elementwise(Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([3]), Tensor<Double>.zeros([4]), Lerp())
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Autodiff: elementwise: shapes [2, 3], [3] and [4] are incompatible for broadcasting"),
                "message was: \(stderr)")
    }

    @Test("a closure map of inputs that require grad stops and names the differentiable form")
    func closureWithGrad() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = elementwise(Tensor<Double>([1, 2], requiresGrad: true), Tensor(1.0)) { $0 * $1 }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Autodiff: elementwise:") && stderr.contains("ElementwiseFunction2"),
                "message was: \(stderr)")
    }
}
