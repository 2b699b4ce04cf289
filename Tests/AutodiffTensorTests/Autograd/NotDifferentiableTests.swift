import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// Operations without a derivative refuse inputs that require grad while recording,
/// instead of returning results whose gradient would silently be missing.
@Suite("Autograd: operations without a derivative")
struct AutogradNotDifferentiableTests {
    @Test("wide qr and leastSquares refuse inputs that require grad, with a message that says what to do")
    func refused() throws {
        let wide = Tensor<Double>([[1, 3, 5], [2, 4, 7]], requiresGrad: true)
        for (name, call) in [("qr", { _ = try qr(wide) }), ("leastSquares", { _ = try leastSquares(wide, Tensor([1, 2])) })] as [(String, () throws -> Void)] {
            do {
                try call()
                Issue.record("\(name) accepted an input that requires grad")
            } catch let error as AutogradError {
                guard case .notDifferentiable(let operation) = error else {
                    Issue.record("unexpected error \(error)"); continue
                }
                #expect(operation == name)
                #expect("\(error)".contains("withNoGrad"), "\(error)")
            }
        }
        // Wide leastSquares refuses a right-hand side that requires grad too.
        #expect(throws: AutogradError.self) {
            _ = try leastSquares(wide.detach(), Tensor<Double>([1, 2], requiresGrad: true))
        }
    }

    @Test("under withNoGrad, or on detached inputs, they compute as before")
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
