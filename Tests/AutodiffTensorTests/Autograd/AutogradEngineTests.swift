import Foundation
import RealModule
import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

@Suite("Autograd: engine (in-place, higher order, anomaly, threads, custom functions)")
struct AutogradEngineTests {
    @Test("modifying a saved value in place is detected at backward, naming both operations and locations")
    func inPlaceVersionCheck() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        var a = x * 2
        let b = a.customProduct(a)
        #expect(a.version == 0)
        a.multiply(by: Tensor(3.0)); let modifyLine = #line
        #expect(a.version == 1 && a.gradFn?.name == "MulBackward0")
        do {
            try b.sum().backward()
            Issue.record("expected inPlaceModified")
        } catch let e as AutogradError {
            guard case .inPlaceModified = e else { Issue.record("wrong error \(e)"); return }
            let m = e.description
            #expect(m.contains("SquareTestBackward"))
            #expect(m.contains("AutogradEngineTests.swift:"))
            #expect(m.contains("multiply_ at AutodiffTensorTests/AutogradEngineTests.swift:\(modifyLine)"), "\(m)")
            #expect(m.contains("version 1") && m.contains("expected version 0"))
        }
        // The in-place result itself is differentiable: d/dx sum(3·2x) = 6.
        try a.sum().backward()
        #expect(x.grad!.scalars == [6, 6, 6])
    }

    @Test("in-place under no-grad keeps a leaf's metadata; recorded in-place on a non-leaf rebases history")
    func inPlaceSemantics() throws {
        var w = Tensor<Double>([1, 2], requiresGrad: true)
        try (w * w).sum().backward()
        withNoGrad { w.subtract(w.grad!, alpha: 0.5) }
        #expect(w.scalars == [0, 0] && w.isLeaf && w.requiresGrad && w.grad != nil && w.version == 1)
        var c = Tensor<Double>.zeros([2])
        c += w * 3
        #expect(c.gradFn?.name == "AddBackward0" && !c.isLeaf)
        var g = w.grad!
        g.setToZero()
        #expect(g.scalars == [0, 0] && w.grad!.scalars == [2, 4])   // value semantics: w.grad untouched
    }

    @Test("gradients of gradients: Hessian-vector products of tensor code")
    func doubleBackward() throws {
        let x = Tensor<Double>([0.5, -1, 2], requiresGrad: true)
        let v = Tensor<Double>([1, 2, 3])
        // f(x) = Σ sin(x)·x² + (Σx)³ ; H = diag(2sin + 4x cos − x² sin) + 6(Σx)·11ᵀ
        func f(_ x: Tensor<Double>) -> Tensor<Double> { (sin(x) * x * x).sum() + pow(x.sum(), 3) }
        let y = f(x)
        try y.backward(createGraph: true)
        let g = x.grad!
        #expect(g.requiresGrad && g.gradFn != nil)
        x.zeroGrad()
        try (g * v).sum().backward()
        let s = x.scalars.reduce(0, +)
        let expected = x.scalars.enumerated().map { i, xi in
            (2 * Foundation.sin(xi) + 4 * xi * Foundation.cos(xi) - xi * xi * Foundation.sin(xi)) * v.scalars[i]
                + 6 * s * v.scalars.reduce(0, +)
        }
        #expect(agClose(x.grad!.scalars, expected, tol: 1e-10))
        let hv = try hvp(at: x.detach(), direction: v, of: f)
        #expect(agClose(hv.scalars, expected, tol: 1e-10))
        let h = try hessian(at: Tensor<Double>([1, 2])) { ($0 * $0 * $0).sum() }
        #expect(h.scalars == [6, 0, 0, 12])
        // Third order through a matrix product and an inverse.
        let a = Tensor<Double>([[2, 1], [1, 3]], requiresGrad: true)
        let d1 = try gradients(of: [try a.inverse().sum()], withRespectTo: [a], createGraph: true)[0]!
        let d2 = try gradients(of: [d1.sum()], withRespectTo: [a])[0]!
        let plus = (0..<4).map { i -> Double in
            var s = a.scalars; s[i] += 1e-6
            let b = Tensor<Double>(shape: [2, 2], scalars: s, requiresGrad: true)
            return try! gradients(of: [try! b.inverse().sum()], withRespectTo: [b])[0]!.sum().item()
        }
        let minus = (0..<4).map { i -> Double in
            var s = a.scalars; s[i] -= 1e-6
            let b = Tensor<Double>(shape: [2, 2], scalars: s, requiresGrad: true)
            return try! gradients(of: [try! b.inverse().sum()], withRespectTo: [b])[0]!.sum().item()
        }
        #expect(agClose(d2.scalars, Swift.zip(plus, minus).map { ($0 - $1) / 2e-6 }, tol: 1e-5))
    }

    @Test("retainGrad keeps a non-leaf's gradient; grads accumulate; setToNone")
    func retainGrad() throws {
        let x = Tensor<Double>([1, 2], requiresGrad: true)
        let y = x * 2
        y.retainGrad()
        let z = (y * y).sum()
        try z.backward(retainGraph: true)
        #expect(y.grad!.scalars == [4, 8] && x.grad!.scalars == [8, 16])
        try z.backward()
        #expect(y.grad!.scalars == [8, 16] && x.grad!.scalars == [16, 32])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test("anomaly mode names the first backward function producing NaN or inf")
    func anomaly() throws {
        let x = Tensor<Double>([0, 1], requiresGrad: true)
        do {
            try withAnomalyDetection { try sqrt(x).sum().backward() }
            Issue.record("expected an anomaly")
        } catch let e as AutogradError {
            guard case .anomaly(let op, let value) = e else { Issue.record("wrong error \(e)"); return }
            #expect(op.contains("SqrtBackward0") && value == "inf")
        }
        // Outside anomaly mode the same backward completes with inf, as PyTorch.
        let y = Tensor<Double>([0, 1], requiresGrad: true)
        try sqrt(y).sum().backward()
        #expect(y.grad!.scalars[0] == .infinity)
        // A custom function recorded with a location is named with it.
        let z = Tensor<Double>([1], requiresGrad: true)
        let line = #line + 1
        let bad = Tensor.customOperation(named: "BadBackward", inputs: [z]) { $0[0] * 1 } backward: { g, _, _ in [g * .nan] }
        do {
            try withAnomalyDetection { try bad.sum().backward() }
            Issue.record("expected an anomaly")
        } catch let e as AutogradError {
            #expect(e.description.contains("BadBackward (recorded at") && e.description.contains(":\(line)"))
        }
    }

    @Test("custom functions: user forward and backward, checked against the operation they replace")
    func customFunction() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        let y = Tensor.customOperation(named: "CubeBackward", inputs: [x]) { xs in
            xs[0] * xs[0] * xs[0]
        } backward: { g, xs, _ in [g * 3 * xs[0] * xs[0]] }
        #expect(y.gradFn?.name == "CubeBackward" && y.scalars == [1, 8, 27])
        try y.sum().backward(createGraph: true)
        #expect(x.grad!.scalars == [3, 12, 27])
        let g = x.grad!
        x.zeroGrad()
        try g.sum().backward()
        #expect(x.grad!.scalars == [6, 12, 18])
        let wrong = Tensor.customOperation(named: "WrongBackward", inputs: [x]) { $0[0] * 1 } backward: { g, _, _ in [g.sum()] }
        #expect(throws: AutogradError.self) { try wrong.sum().backward() }
    }

    @Test("independent graphs on different threads do not interfere")
    func threads() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, [Double]).self) { group in
            for t in 0..<8 {
                group.addTask {
                    let x = Tensor<Double>(shape: [2], scalars: [Double(t), 1], requiresGrad: true)
                    var y = x
                    for _ in 0..<200 { y = sin(y) * 0.5 + x }
                    let noGradInside = withNoGrad { (x * 2).requiresGrad }
                    #expect(!noGradInside)
                    try y.sum().backward()
                    return (t, x.grad!.scalars)
                }
            }
            var out: [Int: [Double]] = [:]
            for try await (t, g) in group { out[t] = g }
            return out
        }
        for t in 0..<8 {
            let x = Tensor<Double>(shape: [2], scalars: [Double(t), 1], requiresGrad: true)
            var y = x
            for _ in 0..<200 { y = sin(y) * 0.5 + x }
            try y.sum().backward()
            #expect(results[t] == x.grad!.scalars)
        }
    }

    @Test("backward errors: non-scalar, no grad, wrong gradient shape")
    func errors() throws {
        let x = Tensor<Double>([1, 2], requiresGrad: true)
        #expect(throws: AutogradError.self) { try (x * 2).backward() }
        #expect(throws: AutogradError.self) { try Tensor<Double>(1.0).backward() }
        #expect(throws: AutogradError.self) { try (x * 2).backward(gradient: Tensor([1, 2, 3])) }
    }

    @Test("memory: 10,000 training-like steps leave no graph nodes alive")
    func memory() async {
        await #expect(processExitsWith: .success) {
            var rng = RandomGenerator(seed: 1)
            var w = Tensor<Double>.randomNormal([4, 3], requiresGrad: true, using: &rng)
            let x = Tensor<Double>.randomNormal([5, 4], using: &rng)
            let base = GradFunction.liveCount
            var peak = 0
            for _ in 0..<10_000 {
                let loss = pow(tanh(matmul(x, w)) - 0.5, 2).mean()
                try! loss.backward()
                withNoGrad { w.subtract(w.grad!, alpha: 0.01) }
                w.zeroGrad()
                peak = Swift.max(peak, GradFunction.liveCount - base)
            }
            precondition(GradFunction.liveCount - base <= 1, "live nodes grew: \(GradFunction.liveCount - base)")
            precondition(peak < 50, "peak live nodes \(peak)")
        }
    }
}

extension Tensor where Scalar == Double {
    /// `self * other` as a custom operation with a source location (for the in-place message test).
    func customProduct(_ other: Tensor, line: UInt = #line) -> Tensor {
        Tensor.customOperation(named: "SquareTestBackward", inputs: [self, other], line: line) { v in v[0] * v[1] }
            backward: { g, v, _ in [g * v[1], g * v[0]] }
    }
}

/// Exit tests of misuse messages: `scripts/test.sh` runs every suite whose name contains
/// "MisuseMessages" again against a release build, where the messages must print too.
@Suite("Autograd: misuse messages")
struct AutogradMisuseMessages {
    @Test("refusing add_ on a leaf that requires grad stops the process with PyTorch's message")
    func leafInPlaceExit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var w = Tensor<Double>([1, 2], requiresGrad: true)
            w.add(Tensor(1.0))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("a leaf Variable that requires grad is being used in an in-place operation"),
                "message was: \(stderr)")
    }
}
