import Autodiff
import BenchmarkProblems
import TensorBenchmarkProblems
import ProblemTestSupport
import Testing

/// The forms the benchmark suite (Benchmarks/Sources/Suite) times, against the reference:
/// GMM in tensor style, the tiny-mlp data and model, and the chunked `jacobian` calls of the
/// BA and hand rows.
@Suite("Problems: the suite's methods against the reference")
struct ProblemsSuiteMethodTests {
    @Test(arguments: ["gmm_d2_K5", "gmm_d10_K25"])
    func gmmTensorObjectiveAndGradient(name: String) throws {
        let reference = try Fixtures.reference("gmm-grad", name)
        let input = try (name == "gmm_d2_K5" ? Fixtures.gmmSmall : Fixtures.gmmLarge).get()
        let data = GMMTensorData(input)
        let alphas = Tensor(shape: [input.k], scalars: input.alphas, requiresGrad: true)
        let means = Tensor(shape: [input.k, input.d], scalars: input.means, requiresGrad: true)
        let icf = Tensor(shape: [input.k, input.icfCount], scalars: input.icf, requiresGrad: true)
        let loss = gmmObjectiveTensor(alphas: alphas, means: means, icf: icf, data)
        expectClose(try loss.item(), try reference.number("objective"), tolerance: 1e-12, "\(name) tensor objective")
        try loss.backward()
        let grad = (alphas.grad?.scalars ?? []) + (means.grad?.scalars ?? []) + (icf.grad?.scalars ?? [])
        expectClose(grad, try reference.numbers("gradient"), tolerance: 1e-9, "\(name) tensor gradient")
    }

    @Test(arguments: [1_000, 100_000])
    func rosenbrockTensorForms(n: Int) throws {
        let reference = try Fixtures.reference("rosen-grad", "n=\(n)")
        for (form, objective) in [("tensor ops", rosenbrockTensorOps), ("fused map", rosenbrockFused)] {
            let x = Tensor(shape: [n], scalars: deterministicInput(count: n), requiresGrad: true)
            let loss = objective(x)
            // 1e-11: the objective sums 10⁵ terms in the reduction kernel's order, and a gradient entry
            // adds two slices' terms of opposite sign (1.9e-12 off JAX's at n = 10⁵).
            expectClose(try loss.item(), try reference.number("objective"), tolerance: 1e-11, "rosen n=\(n) \(form) objective")
            try loss.backward()
            expectClose(x.grad?.scalars ?? [], try reference.numbers("gradient"), tolerance: 1e-11, "rosen n=\(n) \(form) gradient")
        }
    }

    @Test func tinyMLPLossAndGradients() throws {
        let reference = try Fixtures.reference("tiny-mlp", "1000-100-10, batch 16")
        let data = TinyMLPData()
        let model = data.model()
        let loss = tinyMLPLoss(model, input: data.inputTensor, target: data.targetTensor)
        expectClose(try loss.item(), try reference.number("loss_before"), tolerance: 1e-12, "tiny-mlp loss")
        try loss.backward()
        let grads = model.parameters().map { $0.grad?.scalars ?? [] }
        #expect(grads.count == 4)
        expectClose(Array(grads[0].prefix(100)), try reference.numbers("grad_W1_first_row"), tolerance: 1e-9, "grad W1 first row")
        expectClose(grads[1], try reference.numbers("grad_b1"), tolerance: 1e-9, "grad b1")
        expectClose(grads[2], try reference.numbers("grad_W2"), tolerance: 1e-9, "grad W2")
        expectClose(grads[3], try reference.numbers("grad_b2"), tolerance: 1e-9, "grad b2")
    }

    @Test func baBlockByChunkedForwardAndReverse() throws {
        let reference = try Fixtures.reference("ba-jac", "ba1_n49_m7776_p31843")
        let input = try Fixtures.ba.get()
        let block = input.observationBlock(0), feature = input.feature(0)
        let expected = try reference.numbers("reproj_jacobian_block_obs0")
        let onePass = jacobian(at: block) { (v: [DualVector<Double, 15>]) in baResidualBlock(v, feature: feature) }
        expectClose(onePass.flatMap { $0 }, expected, tolerance: 1e-12, "BA block, 15 lanes")
        let reverse = jacobian(at: block, mode: .reverse) { baResidualBlock($0, feature: feature) }
        expectClose(reverse.flatMap { $0 }, expected, tolerance: 1e-12, "BA block, reverse")
    }

    @Test func handJacobianByChunkSizes() throws {
        let reference = try Fixtures.reference("hand-jac", "hand1_t26_c100")
        let input = try Fixtures.hand.get()
        let expected = try reference.numbers("jacobian")
        let lanes13 = jacobian(at: input.theta) { (v: [DualVector<Double, 13>]) in handResiduals(v, input) }
        expectClose(lanes13.flatMap { $0 }, expected, tolerance: 1e-12, "hand Jacobian, 13 lanes")
        let lanes26 = jacobian(at: input.theta) { (v: [DualVector<Double, 26>]) in handResiduals(v, input) }
        expectClose(lanes26.flatMap { $0 }, expected, tolerance: 1e-12, "hand Jacobian, 26 lanes")
    }
}
