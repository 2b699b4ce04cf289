import Autodiff
import BenchmarkProblems
import ProblemTestSupport
import Testing

/// The Jacobian of `f` at `x`, row-major (outputs × inputs), one forward-mode pass per input
/// column with `Dual`, written out by hand as an independent check of the library operators.
func forwardJacobian(at x: [Double], _ f: ([Dual<Double>]) -> [Dual<Double>]) -> [Double] {
    var columns: [[Double]] = []
    for j in x.indices {
        let seeded = x.indices.map { Dual(x[$0], derivative: $0 == j ? 1 : 0) }
        columns.append(f(seeded).map(\.derivative))
    }
    let rows = columns.first?.count ?? 0
    var jacobian = [Double](repeating: 0, count: rows * x.count)
    for j in x.indices { for i in 0..<rows { jacobian[i * x.count + j] = columns[j][i] } }
    return jacobian
}

/// The Jacobian of `f` at `x`, row-major, one reverse-mode gradient per output row.
func reverseJacobian(at x: [Double], outputs: Int, _ f: ([Reverse<Double>]) -> [Reverse<Double>]) -> [Double] {
    var jacobian: [Double] = []
    for i in 0..<outputs { jacobian += gradient(at: x) { f($0)[i] } }
    return jacobian
}

/// Each benchmark problem's derivative (through the library) against the PyTorch reference.
@Suite("Problems: derivatives against the reference")
struct ProblemsDerivativeTests {
    @Test func rosenbrockGradient() throws {
        let reference = try Fixtures.reference("rosen-grad", "n=1000")
        let x = deterministicInput(count: 1_000)
        let (value, grad) = valueWithGradient(at: x) { rosenbrock($0) }
        expectClose(value, try reference.number("objective"), tolerance: 1e-10, "rosenbrock value through Reverse")
        expectClose(grad, try reference.numbers("gradient"), tolerance: 1e-12, "rosenbrock gradient")
    }

    @Test func rosenbrockHessianForwardOverReverse() throws {
        let reference = try Fixtures.reference("rosen-hess", "n=100")
        let x = deterministicInput(count: 100)
        var hessian: [Double] = []
        for j in x.indices {
            let seeded = x.indices.map { Dual(x[$0], derivative: $0 == j ? 1 : 0) }
            hessian += gradient(at: seeded) { rosenbrock($0) }.map(\.derivative)   // column j = row j (symmetric)
        }
        expectClose(hessian, try reference.numbers("hessian"), tolerance: 1e-9, "rosenbrock Hessian")
    }

    @Test func chainJacobianBothModes() throws {
        let expected = try Fixtures.reference("chain-jac", "n=100").numbers("jacobian")
        let x = deterministicInput(count: 100)
        expectClose(forwardJacobian(at: x) { chainF($0) }, expected, tolerance: 1e-9, "chain Jacobian, forward")
        expectClose(reverseJacobian(at: x, outputs: 100) { chainF($0) }, expected, tolerance: 1e-9, "chain Jacobian, reverse")
    }

    @Test func wideJacobian() throws {
        let expected = try Fixtures.reference("wide-jac", "n=8,m=1000").numbers("jacobian")
        expectClose(forwardJacobian(at: deterministicInput(count: 8)) { wideG($0, outputs: 1_000) }, expected,
                    tolerance: 1e-9, "wide Jacobian, forward")
    }

    @Test("gmm gradient", arguments: ["gmm_d2_K5", "gmm_d10_K25"])
    func gmmGradient(caseName: String) throws {
        let input = try (caseName == "gmm_d2_K5" ? Fixtures.gmmSmall : Fixtures.gmmLarge).get()
        let reference = try Fixtures.reference("gmm-grad", caseName)
        let (value, grad) = valueWithGradient(at: input.parameters) { gmmObjective($0, input) }
        expectClose(value, try reference.number("objective"), tolerance: 1e-10, "\(caseName) value through Reverse")
        expectClose(grad, try reference.numbers("gradient"), tolerance: 1e-9, "\(caseName) gradient")
    }

    @Test func lstmGradient() throws {
        let input = try Fixtures.lstm.get()
        let reference = try Fixtures.reference("lstm-grad", "lstm_l2_c1024")
        let (value, grad) = valueWithGradient(at: input.parameters) { lstmObjective($0, input) }
        expectClose(value, try reference.number("objective"), tolerance: 1e-10, "lstm value through Reverse")
        expectClose(grad, try reference.numbers("gradient"), tolerance: 1e-9, "lstm gradient")
    }

    @Test func bundleAdjustmentBlock() throws {
        let input = try Fixtures.ba.get()
        let reference = try Fixtures.reference("ba-jac", "ba1_n49_m7776_p31843")
        let block = input.observationBlock(0), feature = input.feature(0)
        let forward = forwardJacobian(at: block) { baResidualBlock($0, feature: feature) }
        let reverse = reverseJacobian(at: block, outputs: 2) { baResidualBlock($0, feature: feature) }
        let expected = try reference.numbers("reproj_jacobian_block_obs0")
        expectClose(forward, expected, tolerance: 1e-9, "BA 2 x 15 block, forward")
        expectClose(reverse, expected, tolerance: 1e-9, "BA 2 x 15 block, reverse")
        let weightRow = derivative(at: input.weights[0]) { baWeightError($0) }
        expectClose(weightRow, try reference.number("w_err_jacobian_obs0"), tolerance: 1e-9, "BA weight row")
        // Every observation has the same block in this data set (as the reference states).
        let last = input.observationCount - 1
        let lastBlock = forwardJacobian(at: input.observationBlock(last)) { baResidualBlock($0, feature: input.feature(last)) }
        #expect(lastBlock == forward)
    }

    @Test func handJacobian() throws {
        let input = try Fixtures.hand.get()
        let expected = try Fixtures.reference("hand-jac", "hand1_t26_c100").numbers("jacobian")
        expectClose(forwardJacobian(at: input.theta) { handResiduals($0, input) }, expected, tolerance: 1e-9, "hand Jacobian, forward")
    }

    @Test func handJacobianReverseRows() throws {
        // A few rows by reverse mode (all 300 would be 300 sweeps in a debug build).
        let input = try Fixtures.hand.get()
        let expected = try Fixtures.reference("hand-jac", "hand1_t26_c100").numbers("jacobian")
        for row in [0, 1, 2, 151, 299] {
            let grad = gradient(at: input.theta) { handResiduals($0, input)[row] }
            expectClose(grad, Array(expected[(26 * row)..<(26 * row + 26)]), tolerance: 1e-9, "hand Jacobian row \(row), reverse")
        }
    }
}
