import Foundation
import RealModule
import BenchmarkProblems
import ProblemTestSupport
import Testing
@testable import AutodiffCore

@Suite("Reverse mode: Reverse and its tape")
struct ReverseTests {
    @Test("gradients on 8 concurrent tasks never interfere")
    func concurrentGradients() async {
        let results = await withTaskGroup(of: (Int, [Double]).self) { group in
            for t in 0..<8 {
                group.addTask {
                    var last: [Double] = []
                    for k in 0..<200 {
                        let x = (0..<50).map { 0.9 * Double.cos(Double($0 + t + k)) }
                        last = gradient(at: x) { x in rosenbrock(x) * Reverse(constant: Double(t + 1)) }
                    }
                    return (t, last)
                }
            }
            var out: [Int: [Double]] = [:]
            for await (t, g) in group { out[t] = g }
            return out
        }
        #expect(results.count == 8)
        for (t, g) in results {
            let x = (0..<50).map { 0.9 * Double.cos(Double($0 + t + 199)) }
            let expected = gradient(at: x) { x in rosenbrock(x) * Reverse(constant: Double(t + 1)) }
            #expect(g == expected, "task \(t)")
        }
    }

    /// Run in a process of its own (an exit test), so that no other suite's tapes are live.
    @Test("tape memory is reused: 100,000 gradient calls do not grow memory")
    func tapeMemory() async {
        await #expect(processExitsWith: .success) {
            let x = (0..<100).map { 0.9 * Double.cos(Double($0)) }
            for _ in 0..<1000 { _ = gradient(at: x) { x in rosenbrock(x) } }
            let before = _tapeBytes.load(ordering: .relaxed)
            let residentBefore = residentMemory()
            for _ in 0..<100_000 { _ = gradient(at: [1.0, 2.0]) { x in seedPartials(x) } }
            for _ in 0..<2000 { _ = gradient(at: x) { x in rosenbrock(x) } }
            let after = _tapeBytes.load(ordering: .relaxed)
            let residentAfter = residentMemory()
            precondition(after == before, "tape memory grew by \(after - before) bytes")
            precondition(residentAfter - residentBefore < 2 << 20,
                         "resident memory grew by \(residentAfter - residentBefore) bytes")
        }
    }
}

/// Exit tests of misuse messages: `scripts/test.sh` runs every suite whose name contains
/// "MisuseMessages" again against a release build, where the messages must print too.
@Suite("Reverse mode: misuse messages")
struct ReverseMisuseMessages {
    @Test("a Reverse value used after its gradient call has returned stops with a clear message")
    func staleReverse() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var escaped: Reverse<Double>?
            _ = gradient(at: [1.0]) { x in escaped = x[0]; return x[0] * 2 }
            _ = gradient(at: [2.0]) { y in y[0] * escaped! }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("whose tape has ended"), "message was: \(stderr)")
    }

    /// Taking the inner gradient at a plain Double gives the inner closure the same
    /// type as the outer one: the types cannot keep the levels apart, so it must stop.
    @Test("Reverse values of two levels of one type stop with a 'levels were mixed' message")
    func mixedTapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = gradient(at: [1.0]) { x in
                Reverse(constant: gradient(at: [2.0]) { y in y[0] * x[0] }[0])
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("two differentiation levels were mixed"), "message was: \(stderr)")
    }
}
