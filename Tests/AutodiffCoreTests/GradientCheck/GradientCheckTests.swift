import BenchmarkProblems
import Foundation
import RealModule
import ProblemTestSupport
import Testing
@testable import AutodiffCore

/// The gradient checker against correct and wrong rules, at first and second order.
@Suite("Gradient checker")
struct GradientCheckTests {
    @Test("gradient checker passes correct functions and rules, catches a wrong rule and names the mode")
    func gradientChecker() {
        let x = [0.5, -1.0, 2.0]
        let good = checkGradient(LogSumExp(), at: x)
        #expect(good.passed, "\(good)")
        let wrong = checkGradient(WrongLogSumExp(), at: x)
        #expect(!wrong.passed)
        #expect(wrong.disagreeing.contains("reverse vs finite differences"), "\(wrong)")
        #expect(wrong.disagreeing.contains("forward vs finite differences"), "\(wrong)")
        #expect("\(wrong)".contains("FAILED") && "\(wrong)".contains("worst entry"))
        if let w = wrong.worst {
            #expect(w.relativeError > 5e-3 && w.relativeError < 2e-2, "\(wrong)")
        }
        let second = checkHessian(LogSumExp(), at: x)
        #expect(second.passed, "\(second)")
        let rosen = checkHessian(Rosen(), at: deterministicInput(count: 6), atol: 1e-4)
        #expect(rosen.passed, "\(rosen)")
        let chain = checkJacobian(ChainFunction(), at: deterministicInput(count: 7))
        #expect(chain.passed, "\(chain)")
        let floats = checkGradient(Rosen(), at: [Float(0.5), Float(0.25)], eps: 1e-2, atol: 1e-1, rtol: 1e-2)
        #expect(floats.passed, "\(floats)")
    }
}
