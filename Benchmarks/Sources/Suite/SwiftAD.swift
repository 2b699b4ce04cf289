// Swift's built-in `_Differentiation` on the suite problems it expresses cheaply, written as a
// user of it would: `@differentiable(reverse)` functions over `[Double]`, `gradient(at:of:)` and
// `valueWithPullback(at:of:)`. This file imports `_Differentiation` and not `Autodiff`, so that
// the operator names (`gradient`, ...) are unambiguous.
//
// Only reverse mode is available (forward mode is experimental and off by default), and the
// pullback of an array subscript builds a zero array of the array's length, so a loop reading
// `x[i]` costs O(n) per access in the pullback: O(n²) for one gradient of an n-array function.
// That is why rosen-grad n = 100 000 and the ADBench gmm/lstm/hand problems (hundreds to
// thousands of parameters read in loops) are not run through it.

import _Differentiation
import Foundation

@differentiable(reverse)
func swiftADRosenbrock(_ x: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<(withoutDerivative(at: x.count) - 1) {
        let a = x[i + 1] - x[i] * x[i]
        let b = 1 - x[i]
        sum += 100 * a * a + b * b
    }
    return sum
}

/// rosen-grad: one reverse gradient.
func swiftADRosenGradient(_ x: [Double]) -> [Double] {
    gradient(at: x, of: swiftADRosenbrock).base
}

@differentiable(reverse)
func swiftADChain(_ x: [Double]) -> [Double] {
    let n = withoutDerivative(at: x.count)
    var out: [Double] = []
    for i in 0..<n {
        let next = i + 1 == n ? 0 : i + 1
        let previous = i == 0 ? n - 1 : i - 1
        out.append(x[i] * exp(x[next]) + sin(x[previous]))
    }
    return out
}

/// chain-jac (reverse): one recording (`valueWithPullback`), one pullback per output row.
func swiftADChainJacobian(_ x: [Double]) -> [Double] {
    let (y, pullback) = valueWithPullback(at: x, of: swiftADChain)
    var jacobian: [Double] = []
    jacobian.reserveCapacity(y.count * x.count)
    var seed = [Double](repeating: 0, count: y.count)
    for i in 0..<y.count {
        seed[i] = 1
        jacobian += pullback(Array.DifferentiableView(seed)).base
        seed[i] = 0
    }
    return jacobian
}

@differentiable(reverse)
func swiftADWideOutput(_ x: [Double], _ j: Int) -> Double {
    let n = withoutDerivative(at: x.count)
    let frequency = Double(j + 1)
    var sum = 0.0
    var index = j % n
    for k in 0..<n {
        sum += sin(frequency * x[k]) * x[index]
        index += 1
        if index == n { index = 0 }
    }
    return sum
}

/// wide-jac (reverse): one gradient per output `G_j` (written as a scalar function of x and j;
/// the pullback of the whole 1000-output function would cost 1000 sweeps of 8000 operations
/// with an 8-array per subscript).
func swiftADWideJacobian(_ x: [Double], outputs: Int) -> [Double] {
    var jacobian: [Double] = []
    jacobian.reserveCapacity(outputs * x.count)
    for j in 0..<outputs {
        jacobian += gradient(at: x) { x in swiftADWideOutput(x, j) }.base
    }
    return jacobian
}

@differentiable(reverse)
func swiftADBAResidual(_ block: [Double], _ feature: SIMD2<Double>) -> [Double] {
    let r0 = block[0], r1 = block[1], r2 = block[2]
    let x0 = block[11] - block[3], x1 = block[12] - block[4], x2 = block[13] - block[5]
    let squaredAngle = r0 * r0 + r1 * r1 + r2 * r2
    let angle = sqrt(squaredAngle)
    let cosine = cos(angle), sine = sin(angle)
    let w0 = r0 / angle, w1 = r1 / angle, w2 = r2 / angle
    let projection = (w0 * x0 + w1 * x1 + w2 * x2) * (1 - cosine)
    let rotated0 = x0 * cosine + (w1 * x2 - w2 * x1) * sine + w0 * projection
    let rotated1 = x1 * cosine + (w2 * x0 - w0 * x2) * sine + w1 * projection
    let rotated2 = x2 * cosine + (w0 * x1 - w1 * x0) * sine + w2 * projection
    let p0 = rotated0 / rotated2, p1 = rotated1 / rotated2
    let squaredRadius = p0 * p0 + p1 * p1
    let distortion = 1 + block[9] * squaredRadius + block[10] * squaredRadius * squaredRadius
    let weight = block[14]
    return [weight * (p0 * distortion * block[6] + block[7] - withoutDerivative(at: feature.x)),
            weight * (p1 * distortion * block[6] + block[8] - withoutDerivative(at: feature.y))]
}

@differentiable(reverse)
func swiftADBAWeightError(_ w: Double) -> Double { 1 - w * w }

/// ba-jac: per observation one recording and two pullbacks (the 2 × 15 block), then the weight
/// row's derivative; the same layout as the library's row (p blocks of 30, then p values).
func swiftADBAJacobian(blocks: [[Double]], features: [SIMD2<Double>], weights: [Double]) -> [Double] {
    let p = blocks.count
    var values = [Double](repeating: 0, count: 31 * p)
    for i in 0..<p {
        let (_, pullback) = valueWithPullback(at: blocks[i]) { swiftADBAResidual($0, features[i]) }
        let row0 = pullback(Array.DifferentiableView([1, 0])).base
        let row1 = pullback(Array.DifferentiableView([0, 1])).base
        for k in 0..<15 {
            values[30 * i + k] = row0[k]
            values[30 * i + 15 + k] = row1[k]
        }
        values[30 * p + i] = gradient(at: weights[i], of: swiftADBAWeightError)
    }
    return values
}
