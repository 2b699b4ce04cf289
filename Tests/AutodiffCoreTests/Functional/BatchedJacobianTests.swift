import BenchmarkProblems
import Foundation
import RealModule
import Testing
import AutodiffCore

private struct Polar: DifferentiableFunction, Sendable {
    func callAsFunction<S: Real>(_ x: [S]) -> [S] {
        [x[0] * S.cos(x[1]) * x[2], x[0] * S.sin(x[1]), S.exp(x[2] * x[0]) - x[1]]
    }
}

private struct Quartic: ScalarDifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> S { x[0] * x[0] * x[1] + S.exp(x[1]) * x[2] + S.sin(x[0] * x[2]) }
}

/// `count` random bundle-adjustment blocks (15 values each, the camera well in front of the
/// point) and their features.
private func baProblem(count: Int) -> (points: [Double], features: [SIMD2<Double>]) {
    var rng = SystemRandomNumberGenerator()
    var points: [Double] = []
    var features: [SIMD2<Double>] = []
    for _ in 0..<count {
        points += (0..<3).map { _ in Double.random(in: -0.5...0.5, using: &rng) }       // rotation
        points += (0..<3).map { _ in Double.random(in: -1...1, using: &rng) }           // centre
        points += [Double.random(in: 1...2, using: &rng)]                               // focal
        points += (0..<2).map { _ in Double.random(in: -0.1...0.1, using: &rng) }       // u0 v0
        points += (0..<2).map { _ in Double.random(in: -0.01...0.01, using: &rng) }     // k1 k2
        points += (0..<2).map { _ in Double.random(in: -1...1, using: &rng) }
        points += [Double.random(in: 5...10, using: &rng)]                              // point
        points += [Double.random(in: 0.5...2, using: &rng)]                             // weight
        features.append(SIMD2(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng)))
    }
    return (points, features)
}

/// The per-point Jacobians by `jacobian(at:)`, flattened point after point.
private func perPoint(_ points: [Double], _ n: Int, _ J: (Int, [Double]) -> [[Double]]) -> [Double] {
    (0..<(points.count / n)).flatMap { p in J(p, Array(points[(p * n)..<(p * n + n)])).flatMap { $0 } }
}

@Suite("Batched and prepared Jacobians")
struct BatchedJacobianTests {
    @Test("in-place closure, 16 lanes: bit for bit the per-point jacobian(at:) on random BA blocks")
    func inPlaceSixteenLanes() {
        let (points, features) = baProblem(count: 57)
        let expected = perPoint(points, 15) { p, x in
            jacobian(at: x) { (v: [DualVector<Double, 16>]) in baResidualBlock(v, feature: features[p]) }
        }
        var J = [Double](repeating: .nan, count: 57 * 30)
        jacobians(at: points, inputs: 15, outputs: 2, into: &J) {
            (p: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
            (y[0], y[1]) = baReprojectionError(x, feature: features[p])
        }
        #expect(J == expected)
    }

    @Test("the documentation's examples give the Jacobians they state")
    func documentedExamples() {
        func residual<S: Real>(_ x: [S], _ c: Double) -> (S, S) { (x[0] * x[1] - S(converting: c), S.sin(x[0])) }
        let c = [1.0, 2.0, 3.0]
        var J = [Double](repeating: 0, count: 3 * 2 * 2)
        jacobians(at: [1, 2, 3, 4, 5, 6], inputs: 2, outputs: 2, into: &J) {
            (p: Int, x: [DualVector<Double, 2>], y: inout [DualVector<Double, 2>]) in
            (y[0], y[1]) = residual(x, c[p])
        }
        #expect(J == [2, 1, Double.cos(1), 0, 4, 3, Double.cos(3), 0, 6, 5, Double.cos(5), 0])
        let prepared = PreparedJacobian(inputs: 2, outputs: 2) {
            (x: [DualVector<Double, 2>], y: inout [DualVector<Double, 2>]) in
            y[0] = x[0] * x[1]; y[1] = .sin(x[0])
        }
        #expect(prepared.jacobian(at: [1.0, 2.0]) == [[2, 1], [Double.cos(1), 0]])
        let gradient = PreparedGradient(inputs: 2) { (x: [DualVector<Double, 2>]) in x[0] * x[0] + x[1] * x[1] * x[1] }
        #expect(gradient.gradient(at: [1, 2]) == [2, 12])
    }

    @Test("returning closure, default 8 lanes (2 passes) and 4 lanes: bit for bit jacobian(at:)")
    func returningClosure() {
        let (points, features) = baProblem(count: 23)
        let expected8 = perPoint(points, 15) { p, x in jacobian(at: x) { baResidualBlock($0, feature: features[p]) } }
        var J = [Double](repeating: .nan, count: 23 * 30)
        jacobians(at: points, inputs: 15, outputs: 2, into: &J) { p, x in baResidualBlock(x, feature: features[p]) }
        #expect(J == expected8)
        let expected4 = perPoint(points, 15) { p, x in
            jacobian(at: x) { (v: [DualVector<Double, 4>]) in baResidualBlock(v, feature: features[p]) }
        }
        jacobians(at: points, inputs: 15, outputs: 2, into: &J) { (p: Int, x: [DualVector<Double, 4>]) in
            baResidualBlock(x, feature: features[p])
        }
        #expect(J == expected4)
    }

    @Test("parallel equals serial, bit for bit, for every point count around the thread count")
    func parallelEqualsSerial() {
        let (points, features) = baProblem(count: 41)
        for count in [0, 1, 2, 3, 7, 41] {
            let slice = Array(points[..<(count * 15)])
            var serial = [Double](repeating: .nan, count: count * 30)
            var parallel = [Double](repeating: .nan, count: count * 30)
            jacobians(at: slice, inputs: 15, outputs: 2, into: &serial) {
                (p: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
                (y[0], y[1]) = baReprojectionError(x, feature: features[p])
            }
            jacobians(at: slice, inputs: 15, outputs: 2, into: &parallel, parallel: true) {
                (p: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
                (y[0], y[1]) = baReprojectionError(x, feature: features[p])
            }
            #expect(serial == parallel, "\(count) points")
        }
    }

    @Test("buffer-pointer form writes the same as the array form")
    func bufferPointers() {
        let (points, features) = baProblem(count: 9)
        var expected = [Double](repeating: 0, count: 9 * 30)
        jacobians(at: points, inputs: 15, outputs: 2, into: &expected) {
            (p: Int, x: [DualVector<Double, 8>], y: inout [DualVector<Double, 8>]) in
            (y[0], y[1]) = baReprojectionError(x, feature: features[p])
        }
        let J = UnsafeMutableBufferPointer<Double>.allocate(capacity: 9 * 30)
        defer { J.deallocate() }
        points.withUnsafeBufferPointer { x in
            jacobians(at: x, inputs: 15, outputs: 2, into: J) {
                (p: Int, x: [DualVector<Double, 8>], y: inout [DualVector<Double, 8>]) in
                (y[0], y[1]) = baReprojectionError(x, feature: features[p])
            }
        }
        #expect(Array(J) == expected)
    }

    @Test("DifferentiableFunction: serial, parallel and each chunk equal jacobian(at:of:mode:chunk:)")
    func differentiableFunction() {
        var rng = SystemRandomNumberGenerator()
        let count = 33
        let points = (0..<(3 * count)).map { _ in Double.random(in: -1...1, using: &rng) }
        for chunk in [1, 2, 4, 8, 16] {
            let expected = perPoint(points, 3) { _, x in jacobian(at: x, of: Polar(), mode: .forward, chunk: chunk) }
            var J = [Double](repeating: .nan, count: count * 9)
            jacobians(at: points, inputs: 3, outputs: 3, into: &J, chunk: chunk, of: Polar())
            #expect(J == expected, "chunk \(chunk)")
            var K = [Double](repeating: .nan, count: count * 9)
            jacobians(at: points, inputs: 3, outputs: 3, into: &K, parallel: true, chunk: chunk, of: Polar())
            #expect(K == expected, "chunk \(chunk), parallel")
        }
        let expected = perPoint(points, 3) { _, x in jacobian(at: x, of: Polar(), mode: .forward) }
        var J = [Double](repeating: .nan, count: count * 9)
        jacobians(at: points, inputs: 3, outputs: 3, into: &J, of: Polar())
        #expect(J == expected)
    }

    @Test("PreparedJacobian: in-place, returning and DifferentiableFunction forms equal jacobian(at:), called repeatedly")
    func preparedJacobian() {
        let (points, features) = baProblem(count: 12)
        let feature = features[0]
        let inPlace = PreparedJacobian(inputs: 15, outputs: 2) {
            (x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
            (y[0], y[1]) = baReprojectionError(x, feature: feature)
        }
        let returning = PreparedJacobian(inputs: 15, outputs: 2) { (x: [DualVector<Double, 8>]) in
            baResidualBlock(x, feature: feature)
        }
        var J = [Double](repeating: .nan, count: 30)
        var y = [Double](repeating: .nan, count: 2)
        for p in 0..<12 {
            let x = Array(points[(15 * p)..<(15 * p + 15)])
            let e16 = jacobian(at: x) { (v: [DualVector<Double, 16>]) in baResidualBlock(v, feature: feature) }
            let e8 = jacobian(at: x) { baResidualBlock($0, feature: feature) }
            inPlace.jacobian(at: x, into: &J)
            #expect(J == e16.flatMap { $0 })
            inPlace.valueWithJacobian(at: x, value: &y, jacobian: &J)
            let (e0, e1) = baReprojectionError(x, feature: feature)
            #expect(y == [e0, e1] && J == e16.flatMap { $0 })
            #expect(returning.jacobian(at: x) == e8)
        }
        let polar = PreparedJacobian(inputs: 3, outputs: 3, of: Polar())
        let polar2 = PreparedJacobian(inputs: 3, outputs: 3, chunk: 2, of: Polar())
        for _ in 0..<5 {
            let x = (0..<3).map { _ in Double.random(in: -1...1) }
            #expect(polar.jacobian(at: x) == jacobian(at: x, of: Polar(), mode: .forward))
            #expect(polar2.jacobian(at: x) == jacobian(at: x, of: Polar(), mode: .forward, chunk: 2))
        }
        #expect(polar.inputs == 3 && polar.outputs == 3)
    }

    @Test("PreparedGradient equals gradientForward (same lanes) and the ScalarDifferentiableFunction form")
    func preparedGradient() {
        let closure = PreparedGradient(inputs: 3) { (x: [DualVector<Double, 8>]) in Quartic()(x) }
        let typed = PreparedGradient(inputs: 3, of: Quartic())
        var g = [Double](repeating: .nan, count: 3)
        for _ in 0..<10 {
            let x = (0..<3).map { _ in Double.random(in: -2...2) }
            let expected = gradientForward(at: x) { Quartic()($0) }
            closure.gradient(at: x, into: &g)
            #expect(g == expected)
            let four = jacobian(at: x) { (v: [DualVector<Double, 4>]) in [Quartic()(v)] }[0]
            #expect(typed.gradient(at: x) == four)
        }
        #expect(typed.inputs == 3)
    }
}

@Suite("Batched Jacobian MisuseMessages")
struct BatchedJacobianMisuseMessages {
    private func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test("a Jacobian buffer of the wrong size names the operation and the sizes")
    func wrongBuffer() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var J = [Double](repeating: 0, count: 11)
            jacobians(at: [1, 2, 3, 4, 5, 6], inputs: 3, outputs: 2, into: &J) { _, x in [x[0], x[1]] }
        }
        let text = stderr(result)
        #expect(text.contains("jacobians(at:inputs:outputs:into:of:): the Jacobian buffer has 11 entries but 2 points × 2 outputs × 3 inputs need 12"), "\(text)")
    }

    @Test("points that are not a whole number of points name the operation and the sizes")
    func pointLength() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var J = [Double](repeating: 0, count: 12)
            jacobians(at: [1, 2, 3, 4, 5, 6, 7], inputs: 3, outputs: 2, into: &J, parallel: true) {
                (_: Int, x: [DualVector<Double, 4>], y: inout [DualVector<Double, 4>]) in y[0] = x[0]; y[1] = x[1]
            }
        }
        let text = stderr(result)
        #expect(text.contains("jacobians(at:inputs:outputs:into:parallel:of:): the points hold 7 values, which is not a whole number of points of inputs: 3"), "\(text)")
    }

    @Test("a function that writes more outputs than given stops with the counts")
    func wrongOutputCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var J = [Double](repeating: 0, count: 12)
            jacobians(at: [1, 2, 3, 4, 5, 6], inputs: 3, outputs: 2, into: &J, of: Polar())
        }
        let text = stderr(result)
        #expect(text.contains("jacobians(at:inputs:outputs:into:chunk:of:): the function wrote 3 outputs but outputs: 2 was given"), "\(text)")
    }

    @Test("prepared operators refuse a point or a buffer of the wrong length")
    func prepared() async {
        let point = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let prepared = PreparedJacobian(inputs: 3, outputs: 3, of: Polar())
            var J = [Double](repeating: 0, count: 9)
            prepared.jacobian(at: [1, 2], into: &J)
        }
        #expect(stderr(point).contains("PreparedJacobian.jacobian(at:into:): the point has 2 entries but the operator was prepared for 3 inputs"), "\(stderr(point))")
        let buffer = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let prepared = PreparedJacobian(inputs: 3, outputs: 3, of: Polar())
            var J = [Double](repeating: 0, count: 8)
            prepared.jacobian(at: [1, 2, 3], into: &J)
        }
        #expect(stderr(buffer).contains("PreparedJacobian.jacobian(at:into:): the Jacobian buffer has 8 entries but 3 outputs × 3 inputs need 9"), "\(stderr(buffer))")
        let gradient = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var g = [Double](repeating: 0, count: 2)
            PreparedGradient(inputs: 3, of: Quartic()).gradient(at: [1, 2, 3], into: &g)
        }
        #expect(stderr(gradient).contains("PreparedGradient.gradient(at:into:): the gradient buffer has 2 entries but the operator was prepared for 3 inputs"), "\(stderr(gradient))")
    }
}
