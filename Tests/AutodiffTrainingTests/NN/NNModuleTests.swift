import Foundation
import Testing
@testable import AutodiffTraining
import AutodiffTensor
import AutodiffCore

/// Modules, losses, the data loader and the graph/plot exports.
@Suite struct NNModuleTests {
    final class Net: Module {
        let first: Linear<Double>
        let act = Tanh<Double>()
        let blocks: [Linear<Double>]
        let shared: Linear<Double>
        let alias: Linear<Double>   // the same layer again: its parameters are listed once
        let extra: Parameter<Double>?
        init(using rng: inout RandomGenerator) {
            first = Linear(3, 4, using: &rng)
            blocks = [Linear(4, 4, bias: false, using: &rng), Linear(4, 4, using: &rng)]
            shared = Linear(4, 2, using: &rng)
            alias = shared
            extra = Parameter(Tensor([1.0]))
        }
        func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> {
            shared(blocks.reduce(act(first(x))) { $1($0) }) * extra!.value
        }
    }

    @Test func parametersAreCollectedByReflection() throws {
        var rng = RandomGenerator(seed: 1)
        let net = Net(using: &rng)
        #expect(net.namedParameters().map(\.name) == [
            "first.weight", "first.bias", "blocks.0.weight", "blocks.1.weight", "blocks.1.bias",
            "shared.weight", "shared.bias", "extra",
        ])
        #expect(net.parameterCount == 12 + 4 + 16 + 16 + 4 + 8 + 2 + 1)
        #expect(net.parameters().allSatisfy { $0.value.requiresGrad && $0.value.isLeaf })
        try net(Tensor.ones([5, 3])).sum().backward()
        #expect(net.parameters().allSatisfy { $0.grad?.shape == $0.shape })
        net.zeroGrad()
        #expect(net.parameters().allSatisfy { $0.grad == nil })
    }

    /// The fused Linear node (AddmmBackward0) against matmul + broadcasting add, in both
    /// precisions, and differentiated twice (createGraph) through the recorded pullback.
    @Test func fusedLinearMatchesComposition() throws {
        var rng = RandomGenerator(seed: 4)
        let layer = Linear<Double>(5, 3, using: &rng)
        let x = Tensor<Double>.randomNormal([4, 5], requiresGrad: true, using: &rng)
        let y = layer(x)
        #expect(y.gradFn?.name == "AddmmBackward0")
        let reference = matmul(x, layer.weight.value) + layer.bias!.value
        #expect(zip(y.scalars, reference.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-14 })
        let seed = Tensor<Double>.randomNormal([4, 3], using: &rng)
        let fused = try gradients(of: [y], withRespectTo: [x, layer.weight.value, layer.bias!.value], gradOutputs: [seed])
        let plain = try gradients(of: [reference], withRespectTo: [x, layer.weight.value, layer.bias!.value],
                                  gradOutputs: [seed])
        for (a, b) in zip(fused, plain) {
            #expect(zip(a!.scalars, b!.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-13 })
        }
        // d/dx of Σ (∂(Σ y²)/∂x)² — needs the pullback to be recorded under createGraph.
        func secondOrder(_ f: (Tensor<Double>) -> Tensor<Double>) throws -> [Double] {
            let xs = x.detach().requiringGrad()
            let g = try gradients(of: [pow(f(xs), 2).sum()], withRespectTo: [xs], createGraph: true)[0]!
            return try gradients(of: [pow(g, 2).sum()], withRespectTo: [xs])[0]!.scalars
        }
        let twice = try secondOrder { layer($0) }
        let twicePlain = try secondOrder { matmul($0, layer.weight.value) + layer.bias!.value }
        #expect(zip(twice, twicePlain).allSatisfy { Swift.abs($0 - $1) < 1e-12 })

        let small = Linear<Float>(weight: Tensor([[1, 2], [3, 4]]), bias: Tensor([0.5, -0.5]))
        #expect(small(Tensor<Float>([[1, 1]])).scalars == [4.5, 5.5])
        let noBias = Linear<Double>(weight: Tensor([[1, 2], [3, 4]]))
        #expect(noBias(Tensor([[1, 1]])).gradFn?.name == "MmBackward0")
        #expect(withNoGrad { noBias(Tensor([[1, 1]])) }.gradFn == nil)
    }

    @Test func linearInitialisationIsPyTorchsUniformBound() {
        var rng = RandomGenerator(seed: 2)
        let layer = Linear<Double>(400, 30, using: &rng)
        let bound = 1 / 20.0
        let w = layer.weight.value.scalars, b = layer.bias!.value.scalars
        #expect(layer.weight.shape == [400, 30] && layer.bias!.shape == [30])
        #expect((w + b).allSatisfy { Swift.abs($0) <= bound })
        #expect(w.max()! > 0.9 * bound && w.min()! < -0.9 * bound)
        var again = RandomGenerator(seed: 2)
        #expect(Linear<Double>(400, 30, using: &again).weight.value == layer.weight.value)
    }

    @Test func assigningAParameterValueKeepsItTrainable() {
        let p = Parameter(Tensor<Double>([1, 2]))
        p.value = Tensor<Double>([3, 4]) * Tensor<Double>([1, 1], requiresGrad: true)   // a non-leaf
        #expect(p.value.isLeaf && p.value.requiresGrad && p.value.scalars == [3, 4])
    }

    @Test func lossesMatchTheirFormulas() throws {
        let pred: Tensor<Double> = [[1, 2], [3, 5]], target: Tensor<Double> = [[1, 0], [2, 2]]
        #expect(try meanSquaredError(pred, target).item() == (0 + 4 + 1 + 9) / 4.0)
        #expect(try meanSquaredError(pred, target, reduction: .sum).item() == 14)
        #expect(meanSquaredError(pred, target, reduction: .none).scalars == [0, 4, 1, 9])

        let logits: Tensor<Double> = [[2, 0, 0], [0, 1, 3]]
        let classes = [0, 2]
        var expected = 0.0
        for (i, c) in classes.enumerated() {
            let row = (0..<3).map { logits.scalars[3 * i + $0] }
            expected += -(row[c] - Foundation.log(row.map(Foundation.exp).reduce(0, +)))
        }
        expectNear(try crossEntropy(logits, classes: classes).item(), expected / 2, 1e-15)
        expectNear(try crossEntropy(logits, classes: classes, reduction: .sum).item(), expected, 1e-15)

        // d/dlogits of the mean cross-entropy = (softmax − onehot) / batch.
        let l = Tensor<Double>(shape: [2, 3], scalars: [2, 0, 0, 0, 1, 3], requiresGrad: true)
        try crossEntropy(l, classes: classes).backward()
        let sm = softmax(logits, axis: 1).scalars
        let onehot: [Double] = [1, 0, 0, 0, 0, 1]
        for i in 0..<6 { expectNear(l.grad!.scalars[i], (sm[i] - onehot[i]) / 2, 1e-15) }
        #expect(softmax(logits, axis: 1).sum(axes: [1]).scalars.allSatisfy { Swift.abs($0 - 1) < 1e-15 })

        let p = Tensor<Double>([0.25, 0.9]), y = Tensor<Double>([0, 1])
        expectNear(try binaryCrossEntropy(p, y).item(), -(Foundation.log(0.75) + Foundation.log(0.9)) / 2, 1e-15)
    }

    @Test func activationModules() {
        let x = Tensor<Double>([-1, 0, 2])
        #expect(ReLU<Double>()(x).scalars == [0, 0, 2])
        #expect(Sigmoid<Double>()(x).scalars[1] == 0.5)
        #expect(Tanh<Double>()(x).scalars[1] == 0)
        expectNear(Softplus<Double>()(x).scalars[1], Foundation.log(2), 1e-15)
        let row: Tensor<Double> = [[1, 2, 3]]
        for (a, b) in zip(LogSoftmax<Double>()(row).scalars, Softmax<Double>()(row).scalars) {
            expectNear(Foundation.exp(a), b, 1e-15)
        }
    }

    @Test func dataLoaderCoversEverySampleOncePerEpochInASeededOrder() {
        let n = 10
        let inputs = Tensor<Double>(shape: [n, 2], scalars: (0..<2 * n).map(Double.init))
        let targets = Tensor<Double>(shape: [n], scalars: (0..<n).map(Double.init))
        let loader = DataLoader(TensorDataset(inputs: inputs, targets: targets), batchSize: 4, shuffle: true, seed: 9)
        #expect(loader.count == 3)
        var epochs: [[Double]] = []
        for _ in 0..<2 {
            var seen: [Double] = []
            var sizes: [Int] = []
            for (x, y) in loader {
                sizes.append(y.count)
                #expect(x.shape == [y.count, 2])
                for (k, t) in y.scalars.enumerated() {   // inputs stay paired with their targets
                    #expect(x.scalars[2 * k] == 2 * t && x.scalars[2 * k + 1] == 2 * t + 1)
                }
                seen += y.scalars
            }
            #expect(sizes == [4, 4, 2])
            #expect(seen.sorted() == (0..<n).map(Double.init))
            epochs.append(seen)
        }
        #expect(epochs[0] != epochs[1], "each epoch draws a new order")
        let again = DataLoader(TensorDataset(inputs: inputs, targets: targets), batchSize: 4, shuffle: true, seed: 9)
        #expect(again.flatMap { $0.targets.scalars } == epochs[0], "the same seed gives the same order")
        let plain = DataLoader(TensorDataset(inputs: inputs, targets: targets), batchSize: 4, dropLast: true)
        #expect(plain.count == 2)
        #expect(plain.flatMap { $0.targets.scalars } == (0..<8).map(Double.init))
    }


}

func expectNear(_ a: Double, _ b: Double, _ tolerance: Double, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(Swift.abs(a - b) <= tolerance * Swift.max(1, Swift.abs(b)), "\(a) vs \(b)", sourceLocation: sourceLocation)
}
