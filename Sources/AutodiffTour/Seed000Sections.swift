import Autodiff
import Foundation

// Seed 000, "The fundamentals of autograd", items 1-10 (../shared/seed-examples.md).
// Float32 where the tutorial prints float32 numbers, so that the printed digits agree.

let seed000Sections: [TourSection] = [
    TourSection(seed: "000", title: "1. b = sin(a), c = 2b, d = c + 1, out = d.sum(); the grad_fn chain; out.backward()") {
        let a = Tensor<Float>.linspace(from: 0, to: 2 * Float.pi, count: 25, requiresGrad: true)
        print(a)
        let b = sin(a)
        print(b)
        let c = 2 * b
        print(c)
        let d = c + 1
        print(d)
        let out = d.sum()
        print(out)
        print("d:")
        let dFn = d.gradFn!
        print(dFn)
        print(describeNextFunctions(dFn.nextFunctions))
        let mulFn = dFn.nextFunctions[0].0!
        print(describeNextFunctions(mulFn.nextFunctions))
        let sinFn = mulFn.nextFunctions[0].0!
        print(describeNextFunctions(sinFn.nextFunctions))
        print(describeNextFunctions(sinFn.nextFunctions[0].0!.nextFunctions))
        print("\nc:")
        print(show(c.gradFn))
        print("\nb:")
        print(show(b.gradFn))
        print("\na:")
        print(show(a.gradFn))
        try out.backward()
        print(show(a.grad))

        // The tutorial's two plots, b against a and a.grad against a, as one SVG.
        var plot = LinePlot(title: "b = sin(a) and a.grad = 2 cos(a)")
        let xs = a.detach().scalars.map(Double.init)
        plot.addSeries(label: "sin(a)", x: xs, y: b.detach().scalars.map(Double.init))
        plot.addSeries(label: "a.grad", x: xs, y: a.grad!.scalars.map(Double.init))
        let path = try plot.write(to: "tour-sin.svg")
        print("plot of sin(a) and a.grad written to \(path)")
    },
    TourSection(seed: "000", title: "2. only leaves get .grad") {
        let a = Tensor<Float>.linspace(from: 0, to: 2 * Float.pi, count: 25, requiresGrad: true)
        let c = 2 * sin(a)
        let out = (c + 1).sum()
        try out.backward()
        print("c.grad: \(show(c.grad))")
        print("a.grad is set: \(py(a.grad != nil)), c.is_leaf: \(py(c.isLeaf)), a.is_leaf: \(py(a.isLeaf))")
    },
    TourSection(seed: "000", title: "3. TinyModel: one SGD step, then gradient accumulation") {
        var rng = RandomGenerator(seed: 0)
        let model = TinyModel(using: &rng)
        let someInput = Tensor<Float>.randomNormal([16, 1000], using: &rng)
        let idealOutput = Tensor<Float>.randomNormal([16, 10], using: &rng)
        // Our Linear stores its weight as [in, out]; row 0 of layer2.weight has its 10 outputs.
        print(model.layer2.weight.value[0])
        print(show(model.layer2.weight.grad))

        let optimizer = SGD(model.parameters(), learningRate: 0.001)
        var prediction = model(someInput)
        var loss = pow(idealOutput - prediction, 2).sum()
        print(loss)

        try loss.backward()
        print(model.layer2.weight.value[0])
        print(model.layer2.weight.grad![0])

        optimizer.step()
        print(model.layer2.weight.value[0])
        print(model.layer2.weight.grad![0])

        print(model.layer2.weight.grad![0])
        for _ in 0..<5 {
            prediction = model(someInput)
            loss = pow(idealOutput - prediction, 2).sum()
            try loss.backward()
        }
        print(model.layer2.weight.grad![0])
        optimizer.zeroGrad(setToNone: false)
        print(model.layer2.weight.grad![0])
    },
    TourSection(seed: "000", title: "4. requires_grad = false on a leaf") {
        var a = Tensor<Float>.ones([2, 3], requiresGrad: true)
        print(a)
        let b1 = 2 * a
        print(b1)
        a.requiresGrad = false
        let b2 = 2 * a
        print(b2)
    },
    TourSection(seed: "000", title: "5. no_grad as a scope and as a function wrapper; enable_grad inside") {
        let a = Tensor<Float>.ones([2, 3], requiresGrad: true) * 2
        let b = Tensor<Float>.ones([2, 3], requiresGrad: true) * 3
        let c1 = a + b
        print(c1)
        let c2 = withNoGrad { a + b }
        print(c2)
        let c3 = a * b
        print(c3)

        func addTensors1(_ x: Tensor<Float>, _ y: Tensor<Float>) -> Tensor<Float> { x + y }
        let addTensors2 = noGrad { (xy: (Tensor<Float>, Tensor<Float>)) in xy.0 + xy.1 }
        print(addTensors1(a, b))
        print(addTensors2((a, b)))
        let c4 = withNoGrad { withGradEnabled { a + b } }
        print("inside no_grad, enable_grad turns recording back on:")
        print(c4)
    },
    TourSection(seed: "000", title: "6. detach()") {
        var rng = RandomGenerator(seed: 6)
        let x = Tensor<Float>.randomUniform([5], requiresGrad: true, using: &rng)
        let y = x.detach()
        print(x)
        print(y)
    },
    TourSection(seed: "000", title: "7. in-place operations on a leaf that requires grad are refused") {
        var a = Tensor<Float>.linspace(from: 0, to: 2 * Float.pi, count: 4, requiresGrad: true)
        do {
            try a.formMap(.sin)   // a.sin_()
            print("(no error)")
        } catch {
            print("RuntimeError: \(error)")
        }
        // Inside withNoGrad the same update is allowed (that is how optimizers step).
        withNoGrad { a += 1 }
        print("inside withNoGrad: a += 1 gives \(a)")
        // Modifying a value that a backward function saved is detected at backward.
        let x = Tensor<Float>.ones([3], requiresGrad: true) * 1
        var saved = x
        let y = saved * saved
        saved += 1
        do {
            try y.sum().backward()
        } catch {
            print("RuntimeError: \(error)")
        }
    },
    TourSection(seed: "000", title: "8. the autograd profiler: 1000 iterations of z = (z / x) * y") {
        var rng = RandomGenerator(seed: 8)
        let x = Tensor<Float>.randomNormal([2, 3], requiresGrad: true, using: &rng)
        let y = Tensor<Float>.randomUniform([2, 3], requiresGrad: true, using: &rng)
        var z = Tensor<Float>.ones([2, 3], requiresGrad: true)
        print("device: cpu (this library has no GPU backend)")
        let prf = Profiler.profile {
            for _ in 0..<1000 { z = (z / x) * y }
        }
        print(prf.table(sortBy: .selfTime))
    },
    TourSection(seed: "000", title: "9. non-scalar backward and the vector-Jacobian product") {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor<Float>.randomNormal([3], requiresGrad: true, using: &rng)
        let (y, k) = try doubling(x)
        print(y)
        do {
            try y.backward()
        } catch {
            print("RuntimeError: \(error)")
        }
        let v = Tensor<Float>([0.1, 1.0, 0.0001])
        try y.backward(gradient: v)
        print(show(x.grad))
        print("(= v * 2^\(k))")
    },
] + seed000FunctionalSections

/// The tutorial's TinyModel: Linear(1000, 100) → ReLU → Linear(100, 10).
final class TinyModel: Module {
    let layer1: Linear<Float>
    let relu = ReLU<Float>()
    let layer2: Linear<Float>

    init(using rng: inout RandomGenerator) {
        layer1 = Linear(1000, 100, using: &rng)
        layer2 = Linear(100, 10, using: &rng)
    }

    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        layer2(relu(layer1(x)))
    }
}
