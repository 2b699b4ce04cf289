import BenchmarkProblems
import ProblemTestSupport
import Foundation
import Testing
@testable import AutodiffTraining
import AutodiffTensor
import AutodiffCore

/// ../shared/bench/reference/tiny-mlp.json: Linear(1000,100) → ReLU → Linear(100,10) with
/// the reference's deterministic weights, one SGD step, against PyTorch's numbers.
@Suite struct NNTinyMLPTests {
    static let caseName = "1000-100-10, batch 16"

    static func model() -> Sequential<Double> {
        let w1 = (0..<1000).flatMap { i in (0..<100).map { j in 0.01 * cos(Double(i * 100 + j)) } }
        let w2 = (0..<100).flatMap { i in (0..<10).map { j in 0.1 * cos(Double(i * 10 + j + 7)) } }
        return Sequential(
            Linear(weight: Tensor(shape: [1000, 100], scalars: w1), bias: Tensor.zeros([100])),
            ReLU(),
            Linear(weight: Tensor(shape: [100, 10], scalars: w2), bias: Tensor.zeros([10])))
    }

    static let input = Tensor<Double>(shape: [16, 1000], scalars: (0..<16).flatMap { b in
        (0..<1000).map { k in cos(Double(b * 1000 + k)) } })
    static let ideal = Tensor<Double>(shape: [16, 10], scalars: (0..<16).flatMap { b in
        (0..<10).map { o in sin(Double(b * 10 + o)) } })

    @Test func oneSGDStepMatchesPyTorch() throws {
        let reference = try Fixtures.reference("tiny-mlp", Self.caseName)
        let model = Self.model()
        let params = model.namedParameters()
        #expect(params.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"])
        let optimizer = SGD(model.parameters(), learningRate: try reference.number("lr"))

        let loss = pow(Self.ideal - model(Self.input), 2).sum()
        expectClose(try loss.item(), try reference.number("loss_before"), tolerance: 1e-12, "loss_before")
        try loss.backward()

        let grads = params.map { $0.parameter.grad! }
        let gW1 = grads[0].scalars
        expectClose(Array(gW1[0..<100]), try reference.numbers("grad_W1_first_row"), tolerance: 1e-9, "grad W1 first row")
        expectClose(Array(gW1[(999 * 100)...]), try reference.numbers("grad_W1_last_row"), tolerance: 1e-9, "grad W1 last row")
        expectClose(try grads[0].frobeniusNorm().item(), try reference.number("grad_W1_frobenius_norm"), tolerance: 1e-12,
                    "grad W1 norm")
        expectClose(try grads[0].sum().item(), try reference.number("grad_W1_sum"), tolerance: 1e-9, "grad W1 sum")
        expectClose(grads[1].scalars, try reference.numbers("grad_b1"), tolerance: 1e-9, "grad b1")
        expectClose(grads[2].scalars, try reference.numbers("grad_W2"), tolerance: 1e-9, "grad W2")
        expectClose(grads[3].scalars, try reference.numbers("grad_b2"), tolerance: 1e-12, "grad b2")
        let all = grads.flatMap(\.scalars)
        expectClose(all.reduce(0) { $0 + $1 * $1 }.squareRoot(), try reference.number("all_grads_frobenius_norm"),
                    tolerance: 1e-12, "all grads norm")

        optimizer.step()
        optimizer.zeroGrad()
        let after = pow(Self.ideal - model(Self.input), 2).sum()
        expectClose(try after.item(), try reference.number("loss_after"), tolerance: 1e-12, "loss_after")
    }
}
