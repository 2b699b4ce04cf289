import Foundation
import RealModule
import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

func agClose(_ a: [Double], _ b: [Double], tol: Double = 1e-9) -> Bool {
    a.count == b.count && Swift.zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
}

/// Seed 000-9: `y = x * 2; while y.norm() < 1000 { y = y * 2 }`; returns y and the number of factors 2.
func agDoubling(_ x: Tensor<Double>) -> (Tensor<Double>, Int) {
    var y = x * 2
    var k = 1
    while try! y.norm().item() < 1000 { y = y * 2; k += 1 }
    return (y, k)
}

@Suite("Autograd: seed behaviours")
struct AutogradSeedTests {
    @Test("seed 000-1: sin graph, names, next functions, a.grad = 2cos(a)")
    func seed000Fundamentals() throws {
        let a = Tensor<Double>.linspace(from: 0, to: 2 * .pi, count: 25, requiresGrad: true)
        let b = sin(a)
        let c = 2 * b
        let d = c + 1
        let out = d.sum()
        #expect(Swift.abs(try out.item() - 25) < 1e-12)
        #expect(b.gradFn?.name == "SinBackward0")
        #expect(c.gradFn?.name == "MulBackward0")
        #expect(out.gradFn?.name == "SumBackward0")
        let df = try #require(d.gradFn)
        #expect(df.description == "<AddBackward0 object>")
        #expect(describeNextFunctions(df.nextFunctions) == "((<MulBackward0 object>, 0), (None, 0))")
        let mul = try #require(df.nextFunctions[0].0)
        #expect(describeNextFunctions(mul.nextFunctions) == "((<SinBackward0 object>, 0), (None, 0))")
        let sinf = try #require(mul.nextFunctions[0].0)
        #expect(describeNextFunctions(sinf.nextFunctions) == "((<AccumulateGrad object>, 0),)")
        #expect(describeNextFunctions(sinf.nextFunctions[0].0!.nextFunctions) == "()")
        #expect(a.gradFn == nil && a.isLeaf)
        #expect(a.grad == nil)
        try out.backward()
        #expect(agClose(a.grad!.scalars, a.scalars.map { 2 * Foundation.cos($0) }))
        #expect(c.grad == nil)   // seed 000-2: only leaves get grad
        #expect(b.description.hasSuffix("grad_fn=<SinBackward0>)"))
        #expect(out.description == "tensor(25., grad_fn=<SumBackward0>)")
        #expect(Tensor<Double>([1, 2], requiresGrad: true).description == "tensor([1., 2.], requires_grad=True)")
    }

    @Test("seed 001: y = x + 2, z = 3y², out = mean(z) = 27, x.grad = 4.5")
    func seed001() throws {
        let x = Tensor<Double>.ones([2, 2], requiresGrad: true)
        let y = x + 2
        #expect(y.gradFn?.name == "AddBackward0")
        let z = y * y * 3
        let out = z.mean()
        #expect(try out.item() == 27)
        #expect(out.gradFn?.name == "MeanBackward0")
        try out.backward()
        #expect(x.grad!.scalars == [4.5, 4.5, 4.5, 4.5])
        // requires_grad_(true) in place; default off
        let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(!a.requiresGrad)
        a.requiresGrad = true
        #expect((a * a).sum().gradFn?.name == "SumBackward0")
        // no_grad
        #expect(x.requiresGrad && pow(x, 2).requiresGrad)
        withNoGrad { #expect(!pow(x, 2).requiresGrad) }
        #expect(x.requiresGrad)
        let d = x.detach()
        #expect(d == x && !d.requiresGrad)
    }

    @Test("seed 002: b = a + 2, c = b², out = 36, a.grad = 6; second backward needs retainGraph")
    func seed002() throws {
        let a = Tensor<Double>.ones([2, 2], requiresGrad: true)
        #expect(a.grad == nil && a.gradFn == nil)
        let b = a + 2
        let c = pow(b, 2)
        #expect(c.gradFn?.name == "PowBackward0")
        let out = c.sum()
        #expect(try out.item() == 36)
        try out.backward()
        #expect(a.grad!.scalars == [6, 6, 6, 6])
        #expect(b.grad == nil && b.gradFn != nil)
        #expect(throws: AutogradError.self) { try out.backward() }
        do { try out.backward() } catch { #expect("\(error)".contains("retainGraph: true")) }
        let a2 = Tensor<Double>.ones([2, 2], requiresGrad: true)
        let out2 = pow(a2 + 2, 2).sum()
        try out2.backward(retainGraph: true)
        try out2.backward()
        #expect(a2.grad!.scalars == [12, 12, 12, 12])
        let x = Tensor<Double>.ones([3], requiresGrad: true)
        let z = 3 * pow(x, 2)
        try z.backward(gradient: Tensor([0.1, 1, 10]))
        #expect(agClose(x.grad!.scalars, [0.6, 6, 60]))
    }

    @Test("seed 003: operator names, requires_grad_ on a computed tensor, f'(2) = 330, X.grad")
    func seed003() throws {
        let p = Tensor<Double>([1, 2]), q = Tensor<Double>([3, 4])
        #expect((p + q).gradFn == nil)
        let x = Tensor<Double>([1, 2], requiresGrad: true)
        #expect((x + q).gradFn?.name == "AddBackward0")
        #expect((x - q).gradFn?.name == "SubBackward0")
        #expect((x * q).gradFn?.name == "MulBackward0")
        #expect((x / q).gradFn?.name == "DivBackward0")
        let y = p * 2
        y.requiresGrad = true
        #expect(y.isLeaf && y.gradFn == nil && (y * y).gradFn != nil)
        let t = Tensor<Double>(2, requiresGrad: true)
        let t4: Tensor<Double> = 9 * pow(t, 4)
        let t3: Tensor<Double> = 2 * pow(t, 3)
        let t2: Tensor<Double> = 3 * pow(t, 2)
        let f: Tensor<Double> = t4 + t3 + t2 + 6 * t + 1
        try f.backward()
        #expect(t.grad!.scalars == [330])
        let xx = Tensor<Double>([1, 2, 3], requiresGrad: true)
        let yy = xx + 2
        let zz = yy * yy
        #expect(throws: AutogradError.self) { try zz.backward() }
        do { try zz.backward() } catch {
            #expect("\(error)".contains("grad can be implicitly created only for scalar outputs"))
        }
        try zz.sum().backward()
        #expect(xx.grad!.scalars == [6, 8, 10])
        #expect(yy.grad == nil && zz.grad == nil)
        let X = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        try (3 * pow(X + 2, 2)).mean().backward()
        #expect(agClose(X.grad!.scalars, [4.5, 6, 7.5, 9]))
        let u = Tensor<Double>(1, requiresGrad: true), w = Tensor<Double>(2, requiresGrad: true)
        try (u * u + w * w * w).backward()
        #expect(u.grad!.scalars == [2] && w.grad!.scalars == [12])
    }

    @Test("seed 000-9 / 001: vector-Jacobian product of the doubling loop gives v·2^k")
    func seedDoublingVJP() throws {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor<Double>.randomNormal([3], requiresGrad: true, using: &rng)
        let (y, k) = agDoubling(x)
        #expect(y.gradFn?.name == "MulBackward0")
        #expect(throws: AutogradError.self) { try y.backward() }
        let v = Tensor<Double>([0.1, 1.0, 0.0001])
        try y.backward(gradient: v)
        let scale = Double.pow(2, Double(k))
        #expect(agClose(x.grad!.scalars, v.scalars.map { $0 * scale }))
        let (value, g) = try vjp(at: x.detach(), cotangent: v) { agDoubling($0).0 }
        #expect(agClose(value.scalars, y.scalars) && agClose(g.scalars, x.grad!.scalars))
    }

    @Test("seed 000-10: jacobian(exp_adder, (x, y)) = (diag(2exp(x)), 3I); hessian; for 1 and 3 elements")
    func seedFunctional() throws {
        var rng = RandomGenerator(seed: 10)
        for n in [1, 3] {
            let x = Tensor<Double>.randomUniform([n], using: &rng), y = Tensor<Double>.randomUniform([n], using: &rng)
            let (jx, jy) = try jacobian(at: (x, y)) { x, y in 2 * exp(x) + 3 * y }
            #expect(jx.shape == [n, n] && jy.shape == [n, n])
            #expect(agClose(jx.scalars, exp(x).scalars.map { 2 * $0 }.enumerated().flatMap { i, v in
                (0..<n).map { $0 == i ? v : 0 } }))
            #expect(jy.scalars == Tensor<Double>.eye(n).scalars.map { 3 * $0 })
            let ((hxx, hxy), (hyx, hyy)) = try hessian(at: (x, y)) { x, y in (2 * exp(x) + 3 * y).sum() }
            #expect(agClose(hxx.scalars, (2 * exp(x)).diagonalMatrix().scalars))
            #expect(hxy.scalars.allSatisfy { $0 == 0 } && hyx.scalars.allSatisfy { $0 == 0 }
                    && hyy.scalars.allSatisfy { $0 == 0 })
        }
        // seed 000-10's printed 1-element value: 2·exp(0.2099) = 2.4672
        let (j1, _) = try jacobian(at: (Tensor<Double>([0.2099]), Tensor<Double>([0.2610]))) { x, y in 2 * exp(x) + 3 * y }
        #expect(Swift.abs(j1.scalars[0] - 2.4672) < 1e-4)
    }

    @Test("seed 000-3/004: a two-layer network trained by hand; grads accumulate; zeroGrad")
    func seed004ManualMLP() throws {
        var rng = RandomGenerator(seed: 4)
        let x = Tensor<Double>.randomNormal([32, 100], using: &rng)
        let y = Tensor<Double>.randomNormal([32, 2], using: &rng)
        var w1 = Tensor<Double>.randomNormal([100, 20], requiresGrad: true, using: &rng)
        var w2 = Tensor<Double>.randomNormal([20, 2], requiresGrad: true, using: &rng)
        var losses: [Double] = []
        for _ in 0..<200 {
            let hidden = relu(x.matmul(w1))
            let pred = hidden.matmul(w2)
            let loss = pow(pred - y, 2).sum()
            if losses.isEmpty {
                #expect(hidden.gradFn?.name == "ReluBackward0" && pred.gradFn?.name == "MmBackward0")
                #expect(w2.grad == nil)
            }
            losses.append(try loss.item())
            try loss.backward()
            withNoGrad {
                w1.subtract(w1.grad! * 1e-4)
                w2.subtract(w2.grad! * 1e-4)
            }
            w1.zeroGrad(setToNone: false)
            w2.zeroGrad()
            #expect(w1.grad!.scalars.allSatisfy { $0 == 0 } && w2.grad == nil)
        }
        #expect(losses.last! < losses.first! / 100)
        #expect(w1.isLeaf && w1.requiresGrad)
        // Gradients accumulate without zeroing.
        let loss = { pow(relu(x.matmul(w1)).matmul(w2) - y, 2).sum() }
        try loss().backward()
        let once = w2.grad!.scalars
        try loss().backward()
        #expect(agClose(w2.grad!.scalars, once.map { 2 * $0 }))
    }

    @Test("seed 000-4/5: requiresGrad = false on a leaf; noGrad wrapper; enable-grad inside")
    func seedGradModes() throws {
        let a = Tensor<Double>.ones([2, 3], requiresGrad: true)
        let b1 = 2 * a
        #expect(b1.gradFn != nil)
        a.requiresGrad = false
        #expect((2 * a).gradFn == nil)
        a.requiresGrad = true
        let doubled = noGrad { (t: Tensor<Double>) in t * 2 }
        #expect(!doubled(a).requiresGrad)
        withNoGrad {
            #expect(!isGradEnabled)
            let c = withGradEnabled { a * 2 }
            #expect(c.requiresGrad && c.gradFn?.name == "MulBackward0")
        }
        let e = gradEnabled { (t: Tensor<Double>) in t * 2 }
        withNoGrad { #expect(e(a).requiresGrad) }
    }

    @Test("seed 000-7: in-place on a leaf that requires grad is refused (throwing form)")
    func seedLeafInPlace() throws {
        var a = Tensor<Double>.linspace(from: 0, to: 1, count: 3, requiresGrad: true)
        #expect(a.isInPlaceRefused)
        #expect(throws: AutogradError.self) { try a.formMap(.sin) }
        try withNoGrad { try a.formMap(.sin) }
        #expect(agClose(a.scalars, [0, 0.5, 1].map { Foundation.sin($0) }))
        #expect(a.version == 1)
    }

    @Test("seed 000-8: profiler counts 1000 div and 1000 mul and prints a table")
    func seedProfiler() {
        var rng = RandomGenerator(seed: 8)
        let x = Tensor<Double>.randomNormal([2, 3], requiresGrad: true, using: &rng)
        let y = Tensor<Double>.randomUniform([2, 3], requiresGrad: true, using: &rng)
        var z = Tensor<Double>.ones([2, 3], requiresGrad: true)
        let prof = Profiler.profile {
            for _ in 0..<1000 { z = (z / x) * y }
        }
        #expect(prof.entry("div")?.calls == 1000)
        #expect(prof.entry("mul")?.calls == 1000)
        #expect(prof.entries.count == 2)
        let e = prof.entry("div")!
        #expect(e.selfTime > 0 && e.selfTime <= e.totalTime + 1e-12)
        let table = prof.table(sortBy: .selfTime)
        #expect(table.contains("Self CPU %") && table.contains("# of Calls") && table.contains("1000"))
        #expect(table.contains("Self CPU time total:"))
    }
}
