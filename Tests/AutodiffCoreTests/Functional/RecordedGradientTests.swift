import BenchmarkProblems
import Foundation
import RealModule
import Testing
@testable import AutodiffCore

/// A clipped penalty: one data-dependent branch per entry (the benchmark's function).
private func clipped<S: Real>(_ x: [S]) -> S {
    var sum: S = 0
    for i in 0..<x.count {
        let t = x[i] * x[i] - 1 / 4
        sum += t > 0 ? t * x[i] : S.sin(x[i]) / 10
    }
    return sum
}

/// Every entry of the rule table, with constants on either side and reused values.
private func everyRule<S: AutodiffNumber>(_ x: [S]) -> S {
    let a = x[0], b = x[1], c = x[2]
    var sum: S = S.pow(a, b) + S.atan2(y: a, x: c) + S.hypot(b, c) + S.minimum(a, b) + S.maximum(b, c)
    sum += a.remainder(dividingBy: c) + b.truncatingRemainder(dividingBy: a) + a / b - c
    for f in UnaryFunction.allCases {
        // Arguments inside every rule's domain (acosh needs > 1, atanh/acos/asin |·| < 1).
        let u: S
        switch f {
        case .acosh: u = 1 + a * a
        case .atanh, .acos, .asin: u = S.tanh(b) / 2
        case .log, .log2, .log10, .sqrt, .gamma, .logGamma, .root: u = 1 + c * c
        default: u = a - 2 * b
        }
        sum += 2 * S.applying(f, u) - 1
    }
    return sum * a
}

/// Bitwise equality of two gradients (so that −0 ≠ +0 and NaN = NaN of the same payload).
private func bits(_ g: [Double]) -> [UInt64] { g.map(\.bitPattern) }

@Suite("Functional API: RecordedGradient replay")
struct FunctionalRecordedGradientTests {
    @Test("rosen-grad: replay equals gradient(at:) bit for bit, value included, at several inputs")
    func rosenbrockBitForBit() throws {
        for n in [2, 50, 1000] {
            let x0 = deterministicInput(count: n)
            let tape = RecordedGradient(at: x0) { x in rosenbrock(x) }
            #expect(tape.operationCount == 8 * (n - 1))
            for scale in [1.0, 0.7, -1.3, 2.5, 0] {
                let x = x0.enumerated().map { $1 * scale + 0.01 * Double($0 % 7) }
                let (v, g) = try tape.valueWithGradient(at: x)
                let (fv, fg) = valueWithGradient(at: x) { x in rosenbrock(x) }
                #expect(bits(g) == bits(fg), "n = \(n), scale = \(scale)")
                #expect(v.bitPattern == fv.bitPattern)
            }
            #expect(tape.recordings == 1)
        }
    }

    @Test("branchy function: replay (and re-recording when a branch flips) equals gradient(at:) bit for bit")
    func branchyBitForBit() throws {
        let n = 300
        // Entries kept at least 0.01 away from the branch points ±1/2.
        let x0 = (0..<n).map { 0.9 * Double.cos(Double($0)) }.map { abs(abs($0) - 0.5) < 0.01 ? $0 * 1.1 : $0 }
        let tape = RecordedGradient(at: x0) { x in clipped(x) }
        let strict = RecordedGradient(at: x0, onBranchChange: .throwError) { x in clipped(x) }
        #expect(tape.comparisonCount == n)
        // Same branches: small moves that keep every |x| on its side of 1/2.
        for shift in [0.0, 1e-3, -2e-3, 5e-4] {
            let x = x0.map { $0 + shift }
            #expect(bits(try tape.gradient(at: x)) == bits(gradient(at: x) { x in clipped(x) }))
            #expect(bits(try strict.gradient(at: x)) == bits(gradient(at: x) { x in clipped(x) }))
        }
        #expect(tape.recordings == 1)
        // Other branches: re-recorded, still exact; the strict tape names the first change.
        var flipped = x0
        flipped[0] = 0.1      // was 0.9: t > 0 now false
        flipped[7] = -0.05
        #expect(bits(try tape.gradient(at: flipped)) == bits(gradient(at: flipped) { x in clipped(x) }))
        #expect(tape.recordings == 2)
        #expect(bits(try tape.gradient(at: x0)) == bits(gradient(at: x0) { x in clipped(x) }))
        #expect(tape.recordings == 3)
        #expect(throws: RecordedGradientError.branchChanged(comparison: 0, recordedOutcome: true)) {
            try strict.gradient(at: flipped)
        }
        var second = x0
        second[7] = -0.05
        #expect(throws: RecordedGradientError.branchChanged(comparison: 7, recordedOutcome: true)) {
            try strict.gradient(at: second)
        }
        #expect(strict.recordings == 1)
    }

    @Test("every rule of the table (and parameterized ones) replays bit for bit")
    func everyRuleBitForBit() throws {
        let tape = RecordedGradient(at: [0.3, 0.7, -0.4]) { x in everyRule(x) }
        for x in [[0.3, 0.7, -0.4], [0.35, 0.65, -0.45], [-0.2, 1.1, 0.9], [0.8, -0.5, 0.6]] {
            let (v, g) = try tape.valueWithGradient(at: x)
            let (fv, fg) = valueWithGradient(at: x) { x in everyRule(x) }
            #expect(bits(g) == bits(fg), "\(x)")
            #expect(v.bitPattern == fv.bitPattern || (v.isNaN && fv.isNaN))
        }
    }

    @Test("a non-finite partial behind a zero adjoint stays out of the gradient, as in gradient(at:)")
    func zeroAdjointTimesInfinity() throws {
        // sqrt'(0) = +inf, but the sqrt result is multiplied by 0: its adjoint is an exact 0.
        func f<S: Real>(_ x: [S]) -> S { S.sqrt(x[0]) * 0 + x[0] * x[1] + S.sqrt(x[1] - x[1]) * x[0] }
        let tape = RecordedGradient(at: [0.0, 2.0]) { x in f(x) }
        for x in [[0.0, 2.0], [1.0, 3.0], [4.0, -1.0]] {
            #expect(bits(try tape.gradient(at: x)) == bits(gradient(at: x) { x in f(x) }))
        }
    }

    @Test("outputs that are an input or a constant, unused results, and Float")
    func edgeCases() throws {
        let identity = RecordedGradient(at: [1.0, 2.0]) { x in
            _ = x[0] * x[1]   // recorded, unused
            return x[1]
        }
        #expect(try identity.valueWithGradient(at: [5.0, 7.0]) == (7.0, [0, 1]))
        let constant = RecordedGradient(at: [1.0]) { _ in Traced(constant: 3) }
        #expect(try constant.valueWithGradient(at: [9.0]) == (3.0, [0]))
        #expect(constant.operationCount == 0)
        let floats = RecordedGradient(at: [Float(0.5), Float(0.25)]) { x in rosenbrock(x) }
        let xf: [Float] = [0.75, -0.5]
        #expect(try floats.gradient(at: xf).map(\.bitPattern) == gradient(at: xf) { x in rosenbrock(x) }.map(\.bitPattern))
    }

    @Test("pooled storage: many tapes alive at once, and tapes made and dropped in turn, stay independent")
    func pooledStorage() throws {
        let xs = (1...6).map { k in deterministicInput(count: 10 * k) }
        let tapes = xs.map { x in RecordedGradient(at: x) { x in rosenbrock(x) } }
        for _ in 0..<3 {
            for (tape, x) in zip(tapes, xs).reversed() {
                let y = x.map { $0 * 0.5 }
                #expect(try tape.gradient(at: y) == gradient(at: y) { x in rosenbrock(x) })
                // A tape made and released meanwhile reuses storage without touching the others.
                let scratch = RecordedGradient(at: [1.0, 2.0]) { x in x[0] * x[1] * x[1] }
                #expect(try scratch.gradient(at: [3.0, 1.0]) == [1, 6])
            }
        }
    }

    @Test("recording keeps constants and comparisons with constants")
    func constantsAndComparisons() throws {
        func f<S: Real>(_ x: [S]) -> S {
            let y = 3 * x[0] - 2
            return (y < 1 ? y * y : 5 / y) + x[0].magnitude / 2
        }
        let tape = RecordedGradient(at: [0.5], onBranchChange: .throwError) { x in f(x) }
        #expect(tape.comparisonCount == 1)
        for x in [0.5, 0.2, -0.7, 0.9] {
            #expect(try tape.gradient(at: [x]) == gradient(at: [x]) { x in f(x) })
        }
        #expect(throws: RecordedGradientError.branchChanged(comparison: 0, recordedOutcome: true)) {
            try tape.gradient(at: [2.0])
        }
    }
}

@Suite("Functional API: RecordedGradient misuse messages")
struct FunctionalRecordedGradientMisuseMessages {
    @Test("Traced values from two tapes recording at once stop with a message")
    func crossingTapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = RecordedGradient(at: [1.0]) { outer in
                let inner = RecordedGradient(at: [2.0]) { x in x[0] * outer[0] }
                _ = inner
                return outer[0]
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Traced values must not cross tapes"), "\(stderr)")
    }
}
