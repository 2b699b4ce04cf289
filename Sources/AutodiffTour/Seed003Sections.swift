import Autodiff

// Seed 003, "PyTorch gradient (autograd)"; the scalar examples of ScalarSections.swift
// follow the tensor versions of the same derivatives.

let seed003TensorSections: [TourSection] = [
    TourSection(seed: "003", title: "grad_fn of +, -, *, / (and none without requires_grad)") {
        let x1 = Tensor<Double>.ones([2, 2])
        print(x1)
        print(x1 + 2)
        let x = Tensor<Double>.ones([2, 2], requiresGrad: true)
        print(x)
        print(x + 2)
        print(x - 2)
        print(x * 2)
        print(x / 2)
    },
    TourSection(seed: "003", title: "y.requires_grad_(True) on a computed tensor does not record its past") {
        let x = Tensor<Double>.ones([2, 2])
        var y = x + 2
        print(x)
        print(y)
        y.requiresGrad = true
        print(x)
        print(y)
    },
    TourSection(seed: "003", title: "y = 9x^4 + 2x^3 + 3x^2 + 6x + 1 at x = 2: y.backward() gives 330") {
        let x = Tensor<Double>(shape: [], scalars: [2.0], requiresGrad: true)
        let quartic: Tensor<Double> = 9 * pow(x, 4) + 2 * pow(x, 3)
        let y: Tensor<Double> = quartic + 3 * pow(x, 2) + 6 * x + 1
        try y.backward()
        print(show(x.grad))
    },
    scalarSections[0],
    TourSection(seed: "003", title: "non-scalar z.backward() fails; (y*y).sum() works; y.backward(z)") {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor<Double>.randomNormal([2, 2], requiresGrad: true, using: &rng)
        let y = x + 2
        let z = y * y
        do {
            try z.backward()
        } catch {
            print("RuntimeError: \(error)")
        }
        let s = (y * y).sum()
        try s.backward()
        print(x)
        print(y)
        print(s)
        print(show(x.grad))
        print("(= 2(x + 2))")
        print(show(y.grad))
        print(show(s.grad))

        let x2 = Tensor<Double>.randomNormal([2, 2], requiresGrad: true, using: &rng)
        let y2 = x2 + 2
        let z2 = y2 * y2
        try y2.backward(gradient: z2.detach())
        print(show(x2.grad))
    },
    TourSection(seed: "003", title: "X = [[1, 2], [3, 4]], out = mean(3(X + 2)^2): X.grad = [[4.5, 6], [7.5, 9]]") {
        let x = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        print(x)
        let y = x + 2
        print(y)
        let z = y * y * 3
        print(z)
        let out = z.mean()
        print(out)
        try out.backward()
        print(show(x.grad))
    },
    TourSection(seed: "003", title: "y = x^2 + z^3 at (1, 2): (x.grad, z.grad) = (2, 12)") {
        let x = Tensor<Double>(shape: [], scalars: [1.0], requiresGrad: true)
        let z = Tensor<Double>(shape: [], scalars: [2.0], requiresGrad: true)
        let y = pow(x, 2) + pow(z, 3)
        try y.backward()
        print(show(x.grad), show(z.grad))
    },
    scalarSections[1],
    TourSection(seed: "003", title: "training and evaluation: no_grad") {
        let x = Tensor<Double>(shape: [], scalars: [1.0], requiresGrad: true)
        print(py(x.requiresGrad))
        withNoGrad {
            print(py(x.requiresGrad))
            print(py(pow(x, 2).requiresGrad))
        }
        print(py(x.requiresGrad))
    },
]
