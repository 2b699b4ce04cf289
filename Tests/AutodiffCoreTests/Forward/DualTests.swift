import Foundation
import RealModule
import BenchmarkProblems
import Testing
@testable import AutodiffCore

@Suite("Forward mode: Dual")
struct DualTests {
    @Test("Dual's protocols: literals, hashing, coding, printing, comparisons")
    func dualProtocols() throws {
        let x: Dual<Double> = 2.5
        #expect(x.value == 2.5 && x.derivative == 0)
        let a = Dual(1.0, derivative: 2), b = Dual(1.0, derivative: 3)
        #expect(a == b && a.hashValue == b.hashValue)  // comparisons act on the value
        #expect(Dual(1.0, derivative: 0) < Dual(2.0, derivative: -5))
        let data = try JSONEncoder().encode(Dual(1.5, derivative: -2))
        let back = try JSONDecoder().decode(Dual<Double>.self, from: data)
        #expect(back.value == 1.5 && back.derivative == -2)
        #expect("\(Dual(2.0, derivative: 1))" == "2.0 + 1.0ε")
        #expect((a * 3.0).derivative == 6 && (3.0 + a).derivative == 2)
        #expect(Dual(2.7, derivative: 1).rounded(.down).derivative == 0)
        #expect(derivative(at: 5.0) { x in x.significand } == 0.25)  // 5 = 1.25·2², d/dx = 1/4
        #expect(Dual<Double>.pi.value == .pi && Dual<Double>.infinity.isInfinite)
    }
}

/// Exit tests of misuse messages: `scripts/test.sh` runs every suite whose name contains
/// "MisuseMessages" again against a release build, where the messages must print too.
@Suite("Forward mode: misuse messages")
struct DualMisuseMessages {
    @Test("Duals of two levels of one type stop with a 'levels were mixed' message")
    func mixedDualLevels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = derivative(at: 1.0) { x in Dual(constant: derivative(at: 2.0) { y in y * x }) }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("two differentiation levels were mixed"), "message was: \(stderr)")
    }

    @Test("a Dual escaping one derivative call into another stops with a clear message")
    func escapedDual() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var escaped: Dual<Double>?
            _ = derivative(at: 1.0) { x in escaped = x; return x }
            _ = derivative(at: 2.0) { y in y * escaped! }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("two differentiation levels were mixed"), "message was: \(stderr)")
    }
}
