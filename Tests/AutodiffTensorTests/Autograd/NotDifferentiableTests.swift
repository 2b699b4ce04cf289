import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// Operations without a derivative refuse inputs that require grad while recording,
/// instead of returning results whose gradient would silently be missing.
@Suite("Autograd: operations without a derivative")
struct AutogradNotDifferentiableTests {
    @Test("the refusal names the operation and says what to do, while recording only")
    func refused() throws {
        let x = Tensor<Double>([1, 2], requiresGrad: true)
        do {
            try _refuseWithoutDerivative("someOperation", Tensor([3.0]), x)
            Issue.record("an input that requires grad was accepted")
        } catch let error as AutogradError {
            guard case .notDifferentiable(let operation) = error else { Issue.record("unexpected \(error)"); return }
            #expect(operation == "someOperation")
            #expect("\(error)".contains("withNoGrad"), "\(error)")
        }
        try withNoGrad { try _refuseWithoutDerivative("someOperation", x) }
        try _refuseWithoutDerivative("someOperation", x.detach())
    }

    @Test("qr and leastSquares under withNoGrad, or on detached inputs, compute as when recording")
    func allowedWithoutRecording() throws {
        let a = Tensor<Double>([[1, 2], [3, 4], [5, 7]], requiresGrad: true)
        let b = Tensor<Double>([1, 2, 3])
        let (q, r) = try withNoGrad { try qr(a) }
        let qd = try qr(a.detach())
        #expect(q.scalars == qd.q.scalars && r.scalars == qd.r.scalars)
        let x = try withNoGrad { try leastSquares(a, b) }
        #expect(x.scalars == (try leastSquares(a.detach(), b)).scalars)
        #expect(!x.requiresGrad)
    }
}
