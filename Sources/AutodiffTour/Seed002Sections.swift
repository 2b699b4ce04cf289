import Autodiff

// Seed 002, "Autograd (Variable era)".

let seed002Sections: [TourSection] = [
    TourSection(seed: "002", title: "b = a + 2, c = b**2, out = c.sum() = 36, a.grad = 6") {
        let a = Tensor<Double>.ones([2, 2], requiresGrad: true)
        print(a)
        print(a.detach())
        print(show(a.grad))
        print(show(a.gradFn))
        let b = a + 2
        print(b)
        let c = pow(b, 2)
        print(c)
        let out = c.sum()
        print(out)
        try out.backward()
        print(a.detach())
        print(show(a.grad))
        print(show(a.gradFn))
        print(b.detach())
        print(show(b.grad))
        print(show(b.gradFn))
        print(c.detach())
        print(show(c.grad))
        print(show(c.gradFn))
        print(out.detach())
        print(show(out.grad))
        print(show(out.gradFn))

        print("a second out.backward() through the freed graph:")
        do {
            try out.backward()
            print("(no error)")
        } catch {
            print("RuntimeError: \(error)")
        }
        let a2 = Tensor<Double>.ones([2, 2], requiresGrad: true)
        let out2 = pow(a2 + 2, 2).sum()
        try out2.backward(retainGraph: true)
        try out2.backward()
        print("with retainGraph: true the second backward works and accumulates: a.grad =")
        print(show(a2.grad))
    },
    TourSection(seed: "002", title: "z = 3x**2, z.backward([0.1, 1, 10]) gives x.grad = [0.6, 6, 60]") {
        let x = Tensor<Double>.ones([3], requiresGrad: true)
        let y = pow(x, 2)
        let z = y * 3
        print(z)
        try z.backward(gradient: Tensor([0.1, 1, 10]))
        print(x.detach())
        print(show(x.grad))
        print(show(x.gradFn))
    },
]
