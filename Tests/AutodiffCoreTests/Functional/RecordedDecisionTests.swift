import RealModule
import Testing
@testable import AutodiffCore

/// The decisions `AutodiffNumber` makes for `Real`'s functions (which operand has the larger
/// magnitude, which sign, which binade, whether 1/x is normal) are comparisons on the number
/// type, so a `RecordedGradient` records them: a replay where one comes out differently
/// re-records (by default) or throws, and never returns the recorded branch's value and
/// gradient.
@Suite("RecordedGradient: decisions inside Real's functions are recorded")
struct RecordedDecisionTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let recordAt: [Double]
        let replayAt: [Double]
        let f: @Sendable ([Traced<Double>]) -> Traced<Double>
        let reverse: @Sendable ([Reverse<Double>]) -> Reverse<Double>
        var description: String { name }
    }

    /// One case from a function generic over `Real`.
    static func make(_ name: String, _ recordAt: [Double], _ replayAt: [Double],
                     _ f: @escaping @Sendable (_ traced: [Traced<Double>]) -> Traced<Double>,
                     _ r: @escaping @Sendable (_ reverse: [Reverse<Double>]) -> Reverse<Double>) -> Case {
        Case(name: name, recordAt: recordAt, replayAt: replayAt, f: f, reverse: r)
    }

    static func maxMag<S: Real>(_ x: [S]) -> S { S.maximumMagnitude(x[0], x[1]) * x[0] }
    static func minMag<S: Real>(_ x: [S]) -> S { S.minimumMagnitude(x[0], x[1]) * x[0] }
    static func signOf<S: Real>(_ x: [S]) -> S { S(signOf: x[0], magnitudeOf: x[1]) }
    static func significand<S: Real>(_ x: [S]) -> S { x[0].significand }
    static func totalOrder<S: Real>(_ x: [S]) -> S { x[0].isTotallyOrdered(belowOrEqualTo: x[1]) ? x[0] : x[1] * 2 }
    static func reciprocal<S: Real>(_ x: [S]) -> S { (x[0].reciprocal ?? 7) * x[1] }
    static func nextUp<S: Real>(_ x: [S]) -> S { x[0].nextUp - x[0] + x[1] }
    static func nextDown<S: Real>(_ x: [S]) -> S { x[0].nextDown - x[0] + x[1] }
    static func ulp<S: Real>(_ x: [S]) -> S { x[0].ulp * 4_503_599_627_370_496 + x[1] }
    static func exponent<S: Real>(_ x: [S]) -> S { S(x[0].exponent) * x[0] }

    static let cases: [Case] = [
        make("maximumMagnitude", [3, -1], [1, -3], { maxMag($0) }, { maxMag($0) }),
        make("minimumMagnitude", [3, -1], [1, -3], { minMag($0) }, { minMag($0) }),
        make("init(signOf:magnitudeOf:)", [1, 2], [-1, 2], { signOf($0) }, { signOf($0) }),
        make("significand", [1.5, 0], [3, 0], { significand($0) }, { significand($0) }),
        make("isTotallyOrdered(belowOrEqualTo:)", [1, 2], [3, 2], { totalOrder($0) }, { totalOrder($0) }),
        make("isTotallyOrdered(belowOrEqualTo:) at ±0", [0, 0], [-0.0, 0], { totalOrder($0) }, { totalOrder($0) }),
        make("reciprocal", [2, 1], [1e308, 1], { reciprocal($0) }, { reciprocal($0) }),
        make("nextUp", [1.5, 1], [3, 1], { nextUp($0) }, { nextUp($0) }),
        make("nextDown at a power of two", [1.5, 1], [1, 1], { nextDown($0) }, { nextDown($0) }),
        make("ulp", [1.5, 1], [3, 1], { ulp($0) }, { ulp($0) }),
        make("exponent", [1.5, 1], [3, 1], { exponent($0) }, { exponent($0) }),
    ]

    @Test("a replay across the decision re-records and equals gradient(at:)", arguments: cases)
    func rerecords(_ c: Case) throws {
        let tape = RecordedGradient(at: c.recordAt, of: c.f)
        let (v, g) = try tape.valueWithGradient(at: c.replayAt)
        let (fv, fg) = valueWithGradient(at: c.replayAt, of: c.reverse)
        #expect(tape.recordings == 2, "\(c.name): the replay did not notice the decision changed")
        #expect(v.bitPattern == fv.bitPattern && g.map(\.bitPattern) == fg.map(\.bitPattern),
                "\(c.name): replay \(v), \(g); gradient(at:) \(fv), \(fg)")
        // And the recorded point itself still replays without re-recording.
        let again = RecordedGradient(at: c.recordAt, of: c.f)
        _ = try again.gradient(at: c.recordAt)
        #expect(again.recordings == 1)
    }

    @Test("a replay across the decision throws with .throwError", arguments: cases)
    func throwsOnChange(_ c: Case) {
        let tape = RecordedGradient(at: c.recordAt, onBranchChange: .throwError, of: c.f)
        #expect(throws: RecordedGradientError.self, "\(c.name)") { try tape.gradient(at: c.replayAt) }
    }
}
