import Autodiff

// Seed 001, "Autograd: automatic differentiation" (the PyTorch 60-minute blitz).

let seed001Sections: [TourSection] = [
    TourSection(seed: "001", title: "y = x + 2, z = y*y*3, out = z.mean() = 27, x.grad = 4.5") {
        let x = Tensor<Double>.ones([2, 2], requiresGrad: true)
        let y = x + 2
        print(y)
        print(y.gradFn!)
        let z = y * y * 3
        let out = z.mean()
        print(z, out)

        var rng = RandomGenerator(seed: 1)
        var a = Tensor<Double>.randomNormal([2, 2], using: &rng)
        a = (a * 3) / (a - 1)
        print(py(a.requiresGrad))
        a.requiresGrad = true   // requires_grad_(True)
        print(py(a.requiresGrad))
        let b = (a * a).sum()
        print(b.gradFn!)

        try out.backward()
        print(show(x.grad))
    },
    TourSection(seed: "001", title: "vector-Jacobian product: y.backward(v)") {
        var rng = RandomGenerator(seed: 11)
        let x = Tensor<Double>.randomNormal([3], requiresGrad: true, using: &rng)
        let (y, k) = try doubling(x)
        print(y)
        let v = Tensor<Double>([0.1, 1.0, 0.0001])
        try y.backward(gradient: v)
        print(show(x.grad))
        print("(= v * 2^\(k))")

        print(py(x.requiresGrad))
        print(py(pow(x, 2).requiresGrad))
        withNoGrad { print(py(pow(x, 2).requiresGrad)) }

        print(py(x.requiresGrad))
        let d = x.detach()
        print(py(d.requiresGrad))
        print("x.eq(y).all(): \(py(x.detach().scalars == d.scalars))")
    },
]
