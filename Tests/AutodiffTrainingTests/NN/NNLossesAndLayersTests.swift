import Testing
@testable import AutodiffTraining
import AutodiffTensor
import AutodiffCore

/// The losses and layers added after the seed tutorials (NLL, L1, smooth L1, KL, LayerNorm, GELU, SiLU, ELU, leaky ReLU): values as PyTorch defines them, gradients
/// against central finite differences.
@Suite struct NNLossesAndLayersTests {
    /// Central differences of `f` against its backward pass, for each input.
    func gradcheck(_ name: String, _ inputs: [Tensor<Double>], _ f: ([Tensor<Double>]) -> Tensor<Double>) throws {
        let leaves = inputs.map { $0.detach().requiringGrad() }
        try f(leaves).backward()
        let h = 1e-6
        for (k, x) in inputs.enumerated() {
            for i in 0..<x.count {
                var p = x.scalars, m = x.scalars
                p[i] += h; m[i] -= h
                var plus = inputs, minus = inputs
                plus[k] = Tensor(shape: x.shape, scalars: p)
                minus[k] = Tensor(shape: x.shape, scalars: m)
                let numeric = (try f(plus).item() - f(minus).item()) / (2 * h)
                let analytic = leaves[k].grad?.scalars[i] ?? 0
                #expect(Swift.abs(numeric - analytic) < 1e-6, "\(name): input \(k) element \(i): \(numeric) vs \(analytic)")
            }
        }
    }

    /// Second order: central differences of ⟨∇f, u⟩ against the gradient of the recorded ⟨∇f, u⟩.
    func gradgradcheck(_ name: String, _ x: Tensor<Double>, _ f: (Tensor<Double>) -> Tensor<Double>) throws {
        let u = Tensor<Double>(shape: x.shape, scalars: (0..<x.count).map { 0.5 + Double($0 % 3) / 4 })
        func directional(_ v: Tensor<Double>, create: Bool) throws -> Tensor<Double> {
            let leaf = v.detach().requiringGrad()
            let g = try gradients(of: [f(leaf)], withRespectTo: [leaf], createGraph: create)[0]!
            return (g * u).sum()
        }
        let leaf = x.detach().requiringGrad()
        let g = try gradients(of: [f(leaf)], withRespectTo: [leaf], createGraph: true)[0]!
        let s = (g * u).sum()
        let second = s.requiresGrad ? try gradients(of: [s], withRespectTo: [leaf])[0] : nil
        let h = 1e-5
        for i in 0..<x.count {
            var p = x.scalars, m = x.scalars
            p[i] += h; m[i] -= h
            let numeric = (try directional(Tensor(shape: x.shape, scalars: p), create: false).item()
                           - directional(Tensor(shape: x.shape, scalars: m), create: false).item()) / (2 * h)
            let analytic = second?.scalars[i] ?? 0
            #expect(Swift.abs(numeric - analytic) < 1e-5, "\(name) (second order): element \(i): \(numeric) vs \(analytic)")
        }
    }

    func close(_ t: Tensor<Double>, _ v: Double, _ tol: Double = 1e-4) -> Bool { Swift.abs(t.scalars[0] - v) < tol }

    @Test("negativeLogLikelihood, l1Loss, smoothL1Loss, klDivergence: values and gradients")
    func losses() throws {
        let logp = log(Tensor<Double>([[0.5, 0.5], [0.25, 0.75]]))
        #expect(close(negativeLogLikelihood(logp, classes: [0, 1]), (Double.log(2) + Double.log(4.0 / 3)) / 2, 1e-12))
        #expect(negativeLogLikelihood(logp, classes: [0, 1], reduction: .none).shape == [2])
        #expect(close(l1Loss(Tensor<Double>([1, 2]), Tensor([2, 4])), 1.5, 1e-12))
        #expect(close(smoothL1Loss(Tensor<Double>([0, 0]), Tensor([0.5, 3])), (0.125 + 2.5) / 2, 1e-12))
        #expect(close(smoothL1Loss(Tensor<Double>([0]), Tensor([0.5]), beta: 0.25), 0.375, 1e-12))
        let input = log(Tensor<Double>([[0.5, 0.5]])), target: Tensor<Double> = [[0.25, 0.75]]
        let kl = 0.25 * Double.log(0.5) + 0.75 * Double.log(1.5)
        #expect(close(klDivergence(input, target, reduction: .sum), kl, 1e-12))
        #expect(close(klDivergence(input, target), kl / 2, 1e-12))
        #expect(close(klDivergence(input, log(target), reduction: .sum, logTarget: true), kl, 1e-12))
        #expect(close(klDivergence(input, Tensor([[0, 1]]), reduction: .sum), -input.scalars[1], 1e-12))

        let x: Tensor<Double> = [[0.3, -1.2, 0.8], [1.1, 0.2, -0.4]]
        let y: Tensor<Double> = [[0.1, 0.4, 2.5], [0.7, -0.9, -0.2]]
        try gradcheck("nll", [x]) { negativeLogLikelihood(logSoftmax($0[0], axis: 1), classes: [2, 0]) }
        try gradcheck("l1", [x, y]) { l1Loss($0[0], $0[1]) }
        try gradcheck("smoothL1", [x, y]) { smoothL1Loss($0[0], $0[1]) }
        try gradcheck("smoothL1 beta", [x, y]) { smoothL1Loss($0[0], $0[1], beta: 0.5, reduction: .sum) }
        let q = softmax(y, axis: 1)
        try gradcheck("kl", [logSoftmax(x, axis: 1), q]) { klDivergence($0[0], $0[1]) }
        try gradcheck("kl log target", [x, y]) { klDivergence($0[0], $0[1], logTarget: true) }
        try gradgradcheck("nll", x) { negativeLogLikelihood(logSoftmax($0, axis: 1), classes: [2, 0]) }
        try gradgradcheck("l1", x) { l1Loss($0 * $0, y) }
        try gradgradcheck("smoothL1", x) { smoothL1Loss($0 * $0, y, beta: 0.5) }
        try gradgradcheck("kl in input", x) { klDivergence(logSoftmax($0, axis: 1), q) }
        try gradgradcheck("kl in target", q) { klDivergence(logSoftmax(x, axis: 1), $0) }
        try gradgradcheck("LayerNorm", x) { (LayerNorm<Double>([3])($0) * x).sum() }
    }

    @Test("klDivergence reduction .batchMean: PyTorch's 'batchmean' (sum / input.size(0)), value and gradients")
    func klDivergenceBatchMean() throws {
        // Expected values from torch 2.13 (float64):
        //   x, y as below; inp = log_softmax(x, 1), tgt = softmax(y, 1)
        //   F.kl_div(inp, tgt, reduction='batchmean') and its gradients w.r.t. x and y;
        //   F.kl_div(inp, y, reduction='batchmean', log_target=True);
        //   F.kl_div([-1, -2, -0.5], [0.2, 0.3, 0.5], reduction='batchmean') (1-d: divided by 3).
        let x = Tensor<Double>([[0.3, -1.2, 0.8], [1.1, 0.2, -0.4]], requiresGrad: true)
        let y = Tensor<Double>([[0.1, 0.4, 2.5], [0.7, -0.9, -0.2]], requiresGrad: true)
        let loss = klDivergence(logSoftmax(x, axis: 1), softmax(y, axis: 1), reduction: .batchMean)
        #expect(close(loss, 0.14322841631249292, 1e-13))
        let g = try gradients(of: [loss], withRespectTo: [x, y])
        let gx: [Double] = [0.13671504390826666, -0.011621635974123665, -0.125093407934143,
                            -0.004050185808988804, 0.061977018154782196, -0.057926832345793364]
        let gy: [Double] = [-0.06534900806596887, 0.0026330318829328003, 0.06271597618303607,
                            -0.019831416807016368, -0.047936295113964855, 0.06776771192098123]
        for (a, e) in zip(g[0]!.scalars + g[1]!.scalars, gx + gy) { #expect(Swift.abs(a - e) < 1e-13) }
        let logTarget = klDivergence(logSoftmax(x, axis: 1), y, reduction: .batchMean, logTarget: true)
        #expect(close(logTarget, 23.478806837154142, 1e-11))
        #expect(close(klDivergence(Tensor<Double>([-1, -2, -0.5]), Tensor([0.2, 0.3, 0.5]), reduction: .batchMean),
                      0.006782328645142148, 1e-15))
        try gradgradcheck("kl batchmean", x) { klDivergence(logSoftmax($0, axis: 1), softmax(y.detach(), axis: 1),
                                                            reduction: .batchMean) }
    }

    @Test("LayerNorm: PyTorch's initialisation, parameters and gradients")
    func layerNormModule() throws {
        let norm = LayerNorm<Double>([3])
        #expect(norm.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(norm.weight!.value.scalars == [1, 1, 1] && norm.bias!.value.scalars == [0, 0, 0])
        let y = norm(Tensor([[1, 2, 3]]))
        #expect(close(y, -1 / (2.0 / 3 + 1e-5).squareRoot(), 1e-12))
        #expect(LayerNorm<Double>([3], elementwiseAffine: false).namedParameters().isEmpty)
        #expect(LayerNorm<Double>([3], bias: false).namedParameters().map(\.name) == ["weight"])
        norm.weight!.value = Tensor<Double>([0.5, 1.5, -1]).requiringGrad()
        let x: Tensor<Double> = [[0.3, -1.2, 0.8], [1.1, 0.2, -0.4]]
        try gradcheck("LayerNorm", [x, Tensor([0.5, 1.5, -1]), Tensor([0.1, 0.2, 0.3])]) { v in
            (layerNorm(v[0], normalizedShape: [3], weight: v[1], bias: v[2]) * x).sum()
        }
        let out = norm(x)
        try (out * x).sum().backward()
        // ∂/∂bias of Σ out·x is the column sum of x.
        #expect(norm.weight!.grad != nil)
        #expect(Swift.zip(norm.bias!.grad!.scalars, [1.4, -1.0, 0.4]).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    }

    @Test("GELU, SiLU, ELU, LeakyReLU modules apply their functions; logSoftmax of a 0-d tensor")
    func activationModules() throws {
        let x: Tensor<Double> = [-1.5, -0.2, 0.4, 2]
        #expect(GELU<Double>()(x).scalars == gelu(x).scalars)
        #expect(SiLU<Double>()(x).scalars == silu(x).scalars)
        #expect(ELU<Double>(alpha: 2)(x).scalars == elu(x, alpha: 2).scalars)
        #expect(LeakyReLU<Double>(negativeSlope: 0.1)(x).scalars == leakyRelu(x, negativeSlope: 0.1).scalars)
        let mlp = Sequential<Double>(LayerNorm([4]), GELU(), SiLU(), ELU(), LeakyReLU())
        #expect(mlp(x).shape == [4])
        // A 0-d tensor accepts axis -1 (PyTorch's dim=-1).
        #expect(logSoftmax(Tensor<Double>(0.5), axis: -1).scalars == [0])
        #expect(softmax(Tensor<Double>(0.5)).scalars == [1])
    }
}
