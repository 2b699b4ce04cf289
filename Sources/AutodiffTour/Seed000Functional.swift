import Autodiff

// Seed 000, item 10: the functional API (torch.autograd.functional.jacobian / hessian / vjp).

/// exp_adder(x, y) = 2·exp(x) + 3·y.
func expAdder<S>(_ x: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> { 2 * exp(x) + 3 * y }

let seed000FunctionalSections: [TourSection] = [
    TourSection(seed: "000", title: "10. functional API: jacobian(exp_adder, (x, y)), hessian, vjp(do_some_doubling, x, v)") {
        var rng = RandomGenerator(seed: 10)
        var inputs = (Tensor<Float>(0), Tensor<Float>(0))
        for n in [1, 3] {
            inputs = (Tensor<Float>.randomUniform([n], using: &rng), Tensor<Float>.randomUniform([n], using: &rng))
            print("(\(inputs.0), \(inputs.1))")
            let (jx, jy) = try jacobian(at: inputs) { x, y in expAdder(x, y) }
            print("(\(jx),\n \(jy))")
        }
        print("hessian(exp_adder(x, y).sum(), (x, y)) at the 3-element inputs:")
        let ((hxx, hxy), (hyx, hyy)) = try hessian(at: inputs) { x, y in expAdder(x, y).sum() }
        print("((\(hxx),\n  \(hxy)),\n (\(hyx),\n  \(hyy)))")

        let x = Tensor<Float>.randomNormal([3], using: &rng)
        let myGradients = Tensor<Float>([0.1, 1.0, 0.0001])
        var k = 0
        let (value, cotangent) = try vjp(at: x, cotangent: myGradients) { x in
            let r = try doubling(x)
            k = r.k
            return r.y
        }
        print("(\(value),\n \(cotangent))")
        print("(= v * 2^\(k))")
    },
]
