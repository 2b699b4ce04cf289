import Testing
@testable import AutodiffTensor
@testable import AutodiffCore
import RealModule

/// The reduction kernels: the closure form `_reduce(…, initial:, combine)` and
/// the named form `_reduce(…, _ReductionOp)` (typed, vectorised, split across
/// cores for Float/Double) must agree.
@Suite("Tensor reduction kernels")
struct TensorReductionKernelTests {
    func closureForm<S: Real>(_ t: Tensor<S>, _ axes: [Int], _ op: _ReductionOp) -> Tensor<S> {
        switch op {
        case .sum: return t._reduce(axes: axes, keepingDimensions: false, initial: 0, +)
        case .product: return t._reduce(axes: axes, keepingDimensions: false, initial: 1, *)
        case .min: return t._reduce(axes: axes, keepingDimensions: false, initial: .infinity) { m, x in (m.isNaN || m <= x) ? m : x }
        case .max: return t._reduce(axes: axes, keepingDimensions: false, initial: -.infinity) { m, x in (m.isNaN || m >= x) ? m : x }
        }
    }

    @Test("named reductions equal the closure forms (full and per axis, serial and parallel sizes)",
          arguments: [_ReductionOp.sum, .product, .min, .max])
    func namedMatchesClosure(_ op: _ReductionOp) {
        var rng = RandomGenerator(seed: 3)
        // Products of many factors near 1 stay finite.
        func sample(_ n: Int) -> [Double] { (0..<n).map { _ in op == .product ? 0.5 + rng.nextUniform() : 8 * rng.nextUniform() - 4 } }
        for shape in [[0], [1], [7], [13, 3], [1000], [300_001], [3, 4, 5], [600, 700]] {
            let t = Tensor<Double>(shape: shape, scalars: sample(shape.reduce(1, *)))
            let all = Array(0..<shape.count)
            let named = t._reduce(axes: all, keepingDimensions: false, op).scalars[0]
            let closure = closureForm(t, all, op).scalars[0]
            // Sums and products may associate differently: relative 1e-12.
            #expect(named == closure || Swift.abs(named - closure) <= 1e-12 * Swift.max(1, Swift.abs(closure)),
                    "\(op) \(shape): \(named) vs \(closure)")
            if op == .min || op == .max { #expect(named == closure) }
            let f = Tensor<Float>(shape: shape, scalars: t.scalars.map(Float.init))
            let namedF = f._reduce(axes: all, keepingDimensions: false, op).scalars[0]
            let closureF = closureForm(f, all, op).scalars[0]
            #expect(namedF == closureF || Swift.abs(namedF - closureF) <= 1e-4 * Swift.max(1, Swift.abs(closureF)),
                    "\(op) Float \(shape): \(namedF) vs \(closureF)")
            // Per axis (the typed axis loop, same order of operations): identical, bit for bit.
            if shape.count >= 2 {
                let named = t._reduce(axes: [1], keepingDimensions: true, op)
                let closure = t._reduce(axes: [1], keepingDimensions: true, initial: op.identity(), op.combine)
                #expect(named == closure, "\(op) \(shape) axis 1")
                let namedF = f._reduce(axes: [0], keepingDimensions: false, op)
                let closureF = f._reduce(axes: [0], keepingDimensions: false, initial: op.identity(), op.combine)
                #expect(namedF == closureF, "\(op) Float \(shape) axis 0")
            }
        }
        // Several axes, the last axis (inner length 1) and NaN inside a reduced group.
        for (shape, axes) in [([3, 4, 5], [0, 2]), ([3, 4, 5], [2]), ([2, 3, 4, 5], [1, 3]), ([5, 1, 3], [1]),
                              ([40, 3000], [1]), ([3000, 40], [0])] {
            var xs = sample(shape.reduce(1, *))
            xs[xs.count / 3] = .nan
            let t = Tensor<Double>(shape: shape, scalars: xs)
            for keep in [false, true] {
                let named = t._reduce(axes: axes, keepingDimensions: keep, op)
                let closure = t._reduce(axes: axes, keepingDimensions: keep, initial: op.identity(), op.combine)
                #expect(named.shape == closure.shape && Swift.zip(named.scalars, closure.scalars).allSatisfy {
                    $0 == $1 || ($0.isNaN && $1.isNaN)
                }, "\(op) \(shape) axes \(axes)")
            }
        }
        // NaN anywhere (also in the vector tail and in a later chunk) propagates; ±∞ are ordinary values.
        for position in [0, 5, 123_456, 299_999] {
            var xs = sample(300_000)
            xs[position] = .nan
            #expect(Tensor<Double>(xs)._reduce(axes: [0], keepingDimensions: false, op).scalars[0].isNaN, "\(op) NaN at \(position)")
        }
        if op == .min || op == .max {
            var xs = sample(100_000)
            xs[77_777] = op == .min ? -.infinity : .infinity
            #expect(Tensor<Double>(xs)._reduce(axes: [0], keepingDimensions: false, op).scalars[0] == xs[77_777])
        }
        // Generic scalars use the closure kernel.
        let d = Tensor<Dual<Double>>([Dual(2, derivative: 1), Dual(-3, derivative: 1)])
        #expect(d._reduce(axes: [0], keepingDimensions: false, op) == closureForm(d, [0], op))
    }

    @Test("a full sum of a large tensor is deterministic and accurate")
    func sumAccuracy() {
        let n = 1_000_001
        let t = Tensor<Double>((0..<n).map { Double($0) })
        let s = t._reduce(axes: [0], keepingDimensions: false, .sum).scalars[0]
        #expect(s == Double(n - 1) * Double(n) / 2)   // exact: all partial sums are integers below 2^53
        #expect(t._reduce(axes: [0], keepingDimensions: true, .sum).shape == [1])
        let again = t._reduce(axes: [0], keepingDimensions: false, .sum).scalars[0]
        #expect(s == again)
    }
}

extension _ReductionOp {
    func identity<S: Real>() -> S {
        switch self {
        case .sum: return 0
        case .product: return 1
        case .min: return .infinity
        case .max: return -.infinity
        }
    }

    /// The closure that `_reduce(…, initial:, combine)` is called with for this reduction.
    func combine<S: Real>(_ m: S, _ x: S) -> S {
        switch self {
        case .sum: return m + x
        case .product: return m * x
        case .min: return (m.isNaN || m <= x) ? m : x
        case .max: return (m.isNaN || m >= x) ? m : x
        }
    }
}
