import Autodiff
import Foundation

// Seed 004, "Autograd basics (MLP by hand)".

let seed004Sections: [TourSection] = [
    TourSection(seed: "004", title: "two-layer network by hand: 500 iterations, loss every 100") {
        print("device: cpu (this library has no GPU backend)")
        let (batchSize, inputSize, hiddenSize, outputSize) = (32, 1000, 100, 2)
        let learningRate: Float = 1e-6
        var rng = RandomGenerator(seed: 4)
        let x = Tensor<Float>.randomNormal([batchSize, inputSize], using: &rng)
        let y = Tensor<Float>.randomNormal([batchSize, outputSize], using: &rng)
        var w1 = Tensor<Float>.randomNormal([inputSize, hiddenSize], requiresGrad: true, using: &rng)
        var w2 = Tensor<Float>.randomNormal([hiddenSize, outputSize], requiresGrad: true, using: &rng)
        for t in 1...500 {
            let hidden = relu(matmul(x, w1))
            let yPred = matmul(hidden, w2)
            let loss = pow(yPred - y, 2).sum()
            if t % 100 == 0 {
                print("\(t)th Iteration: ")
                print(">>>> Loss:  \(try loss.item())")
            }
            try loss.backward()
            withNoGrad {
                w1 -= learningRate * w1.grad!
                w2 -= learningRate * w2.grad!
                w1.grad!.setToZero()
                w2.grad!.setToZero()
            }
        }
    },
    TourSection(seed: "004", title: "the graph: a DAG from the leaves (inputs, weights) to the root (the loss)") {
        var rng = RandomGenerator(seed: 44)
        let x = Tensor<Float>.randomNormal([4, 5], using: &rng)
        let y = Tensor<Float>.randomNormal([4, 2], using: &rng)
        let w1 = Tensor<Float>.randomNormal([5, 3], requiresGrad: true, using: &rng)
        let w2 = Tensor<Float>.randomNormal([3, 2], requiresGrad: true, using: &rng)
        let loss = pow(matmul(relu(matmul(x, w1)), w2) - y, 2).sum()
        let dot = loss.graphvizDOT(names: ["w1": w1, "w2": w2], title: "two_layer")
        print(dot, terminator: "")
        let dotPath = URL(fileURLWithPath: "tour-graph.dot").path
        try dot.write(toFile: dotPath, atomically: true, encoding: .utf8)
        print("DOT written to \(dotPath)")
        if let svg = try loss.graphvizSVG(names: ["w1": w1, "w2": w2]) {
            let svgPath = URL(fileURLWithPath: "tour-graph.svg").path
            try svg.write(toFile: svgPath, atomically: true, encoding: .utf8)
            print("SVG written to \(svgPath)")
        } else {
            print("(Graphviz `dot` is not installed: no SVG; render with `dot -Tsvg \(dotPath)`)")
        }
    },
    TourSection(seed: "004", title: "the higher-level parts: modules, activations and losses, optimizers, mini-batches") {
        // A regression problem: y = sin(x0) + x1·x2 from 512 samples, batches of 64.
        var rng = RandomGenerator(seed: 5)
        let inputs = Tensor<Double>.randomUniform([512, 3], lower: -1, upper: 1, using: &rng)
        let s = inputs.scalars
        var targetValues: [Double] = []
        for i in 0..<512 { targetValues.append(Foundation.sin(s[3 * i]) + s[3 * i + 1] * s[3 * i + 2]) }
        let targets = Tensor<Double>(shape: [512, 1], scalars: targetValues)
        let data = TensorDataset(inputs: inputs, targets: targets)
        func makeModel() -> Sequential<Double> {
            var init_ = RandomGenerator(seed: 50)
            return Sequential(Linear(3, 32, using: &init_), Tanh(), Linear(32, 1, using: &init_))
        }
        print(makeModel().namedParameters().map { "\($0.name) \($0.parameter.shape)" }.joined(separator: ", "))
        let loader = DataLoader(data, batchSize: 64, shuffle: true, seed: 7)
        func train(_ name: String, _ makeOptimizer: ([Parameter<Double>]) -> any Optimizer<Double>) throws {
            let model = makeModel()
            let optimizer = makeOptimizer(model.parameters())
            var first = 0.0, last = 0.0
            for epoch in 0..<20 {
                var total = 0.0
                for (x, y) in loader {
                    let loss = meanSquaredError(model(x), y)
                    try loss.backward()
                    optimizer.step()
                    optimizer.zeroGrad()
                    total += try loss.item()
                }
                if epoch == 0 { first = total / Double(loader.count) }
                last = total / Double(loader.count)
            }
            print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) mean-squared error: epoch 1 \(String(format: "%.5f", first)) → epoch 20 \(String(format: "%.5f", last))")
        }
        try train("SGD(lr 0.1, momentum 0.9)") { SGD($0, learningRate: 0.1, momentum: 0.9) }
        try train("Adam(lr 0.01)") { Adam($0, learningRate: 0.01) }
        try train("AdamW(lr 0.01)") { AdamW($0, learningRate: 0.01) }
        try train("RMSProp(lr 0.003)") { RMSProp($0, learningRate: 0.003) }
        try train("AdaGrad(lr 0.1)") { AdaGrad($0, learningRate: 0.1) }

        // Classification with cross-entropy: is x0 + x1 > 0?
        let classes = (0..<512).map { s[3 * $0] + s[3 * $0 + 1] > 0 ? 1 : 0 }
        var init_ = RandomGenerator(seed: 51)
        let classifier = Sequential<Double>(Linear(3, 16, using: &init_), ReLU(), Linear(16, 2, using: &init_))
        let adam = Adam(classifier.parameters(), learningRate: 0.05)
        for _ in 0..<100 {
            let loss = crossEntropy(classifier(inputs), classes: classes)
            try loss.backward()
            adam.step()
            adam.zeroGrad()
        }
        let logits = classifier(inputs).scalars
        let correct = (0..<512).filter { (logits[2 * $0 + 1] > logits[2 * $0] ? 1 : 0) == classes[$0] }.count
        print("cross-entropy classifier after 100 Adam steps: \(correct)/512 correct")
    },
]
