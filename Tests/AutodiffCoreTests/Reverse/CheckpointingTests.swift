import RealModule
import Testing
import BenchmarkProblems
@testable import AutodiffCore

/// The checkpointed gradient of BenchmarkProblems' pendulum loop.
extension Pendulum {
    static func gradient(at z: [Double], steps: Int, dt: Double,
                         schedule: CheckpointSchedule) -> CheckpointedGradient<Double> {
        valueWithCheckpointedGradient(
            at: Array(z[..<2]), parameters: Array(z[2...]), steps: steps, schedule: schedule,
            step: { x, p in rk4(x, p, dt: dt) }, loss: { x, p in loss(x, p) })
    }
}

/// The largest |a − b| / |b| over the entries (0 where both are 0).
private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { $0 == $1 ? 0 : Swift.abs($0 - $1) / Swift.abs($1) }.max() ?? 0
}

private func flat(_ r: CheckpointedGradient<Double>) -> [Double] {
    r.initialStateGradient + r.parametersGradient
}

/// The fewest recomputed steps any checkpointing schedule needs to reverse `l` steps with
/// `s` stored states (the start state included), by brute force over every first split:
/// advance m steps, store, reverse the last l − m steps with s − 1 states, then the first m
/// with s.
private func revolveMinimum(maxSteps: Int, maxSnapshots: Int) -> [[Int]] {
    var t = Array(repeating: Array(repeating: 0, count: maxSnapshots + 1), count: maxSteps + 1)
    for l in 2...maxSteps {
        t[l][1] = l * (l - 1) / 2
        for s in 2...maxSnapshots {
            t[l][s] = (1..<l).map { m in m + t[m][s] + t[l - m][s - 1] }.min()!
        }
    }
    return t
}

@Suite("Checkpointing: gradients of long loops with a bounded tape")
struct CheckpointingTests {
    static let point = [1.2, -0.3, 2.5, 0.15]   // θ₀, ω₀, k, c

    /// 10⁴ RK4 steps in debug builds (≈ 50 nodes each); the benchmark runs 10⁵ in release.
    @Test("RK4 pendulum, 10⁴ steps: every schedule gives the one-tape gradient (to the last bit) with O(√steps) tape")
    func rk4LongLoop() {
        let steps = 10_000, dt = 1e-3
        let (value, plain) = valueWithGradient(at: Self.point) { z in Pendulum.unrolled(z, steps: steps, dt: dt) }
        let none = Pendulum.gradient(at: Self.point, steps: steps, dt: dt, schedule: .none)
        #expect(none.value == value)
        #expect(flat(none) == plain, "none: \(flat(none)) vs \(plain)")
        #expect(none.statistics.tapes == 1 && none.statistics.recomputedSteps == 0)

        // Nodes per step, from the one tape (inputs, sink and loss are a few dozen nodes).
        let perStep = (none.statistics.peakTapeNodes + steps - 1) / steps
        #expect(perStep >= 40, "an RK4 step of the pendulum records about 50 nodes, got \(perStep)")
        let root = 100   // ⌈√10⁴⌉

        for schedule: CheckpointSchedule in [.squareRoot, .binomial(snapshots: 20), .uniform(every: 250)] {
            let r = Pendulum.gradient(at: Self.point, steps: steps, dt: dt, schedule: schedule)
            let error = relativeError(flat(r), flat(none))
            #expect(r.value == value, "\(schedule)")
            #expect(error <= 1e-14, "\(schedule): relative error \(error)")
            // In fact to the last bit: the same partials are added in the same order.
            #expect(flat(r) == flat(none), "\(schedule): \(flat(r)) vs \(flat(none))")
            let s = r.statistics
            #expect(s.recordedSteps == steps, "\(schedule)")
            #expect(s.recomputedSteps == schedule.recomputedSteps(forSteps: steps), "\(schedule)")
            #expect(s.peakTapeBytes == s.peakTapeNodes * (MemoryLayout<TapeNode<Double>>.stride + 8))
            switch schedule {
            case .squareRoot:
                // O(√steps): one segment of √steps steps, plus the loss on the last tape.
                #expect(s.peakTapeNodes <= (root + 1) * perStep, "squareRoot: \(s.peakTapeNodes) nodes")
                #expect(s.peakTapeNodes * 50 < none.statistics.peakTapeNodes)
                #expect(s.peakStoredStates <= root && s.recomputedSteps < steps, "\(s)")
            case .binomial:
                #expect(s.peakTapeNodes <= 2 * perStep, "binomial: \(s.peakTapeNodes) nodes")
                #expect(s.peakStoredStates <= 20 && s.tapes == steps, "\(s)")
                // r = 4 for 20 snapshots and 10⁴ steps: 4·10⁴ − C(24, 3).
                #expect(s.recomputedSteps == 4 * steps - 2024, "\(s)")
            default:
                #expect(s.peakTapeNodes <= 251 * perStep && s.peakStoredStates == 39, "\(s)")
            }
        }
    }

    @Test("small loops: every schedule against central finite differences of the unrolled loop")
    func finiteDifferences() {
        let dt = 0.1
        for steps in [0, 1, 2, 7, 13] {
            let f = { (z: [Double]) in Pendulum.unrolled(z, steps: steps, dt: dt) }
            let h = 1e-6
            let fd = Self.point.indices.map { i -> Double in
                var plus = Self.point, minus = Self.point
                plus[i] += h
                minus[i] -= h
                return (f(plus) - f(minus)) / (2 * h)
            }
            let schedules: [CheckpointSchedule] = [.none, .squareRoot, .uniform(every: 1), .uniform(every: 3),
                                                   .binomial(snapshots: 1), .binomial(snapshots: 2),
                                                   .binomial(snapshots: 3), .binomial(snapshots: 50)]
            for schedule in schedules {
                let r = Pendulum.gradient(at: Self.point, steps: steps, dt: dt, schedule: schedule)
                #expect(r.value == f(Self.point), "\(schedule), \(steps) steps")
                for (g, d) in zip(flat(r), fd) {
                    #expect(Swift.abs(g - d) <= 1e-7 * Swift.max(1, Swift.abs(d)),
                            "\(schedule), \(steps) steps: \(flat(r)) vs finite differences \(fd)")
                }
                #expect(r.statistics.recordedSteps == steps)
            }
        }
    }

    @Test("binomial: recomputed steps are the revolve minimum, at most `snapshots` states stored")
    func revolveCounts() {
        let t = revolveMinimum(maxSteps: 40, maxSnapshots: 6)
        for l in 0...40 {
            for s in 1...6 {
                let schedule = CheckpointSchedule.binomial(snapshots: s)
                // x·p^l: the gradient is known in closed form.
                let r = valueWithCheckpointedGradient(
                    at: [1.5], parameters: [0.9], steps: l, schedule: schedule,
                    step: { x, p in [x[0] * p[0]] }, loss: { x, _ in x[0] })
                let stats = r.statistics
                #expect(stats.recomputedSteps == t[l][s], "l = \(l), s = \(s): \(stats)")
                #expect(schedule.recomputedSteps(forSteps: l) == t[l][s], "l = \(l), s = \(s)")
                #expect(stats.peakStoredStates <= s && stats.recordedSteps == l, "l = \(l), s = \(s): \(stats)")
                #expect(stats.tapes == Swift.max(l, 1))
                let power = Double.pow(0.9, l)
                #expect(r.initialStateGradient[0].isApproximatelyEqual(to: power, relativeTolerance: 1e-14))
                let dp = l == 0 ? 0 : 1.5 * Double(l) * Double.pow(0.9, l - 1)
                #expect(r.parametersGradient[0].isApproximatelyEqual(to: dp, relativeTolerance: 1e-13))
            }
        }
        // The figures quoted in CheckpointSchedule's documentation.
        #expect(CheckpointSchedule.binomial(snapshots: 20).recomputedSteps(forSteps: 100_000) == 534_220)
        #expect(CheckpointSchedule.binomial(snapshots: 2).recomputedSteps(forSteps: 3) == 2)
        #expect(CheckpointSchedule.squareRoot.recomputedSteps(forSteps: 100) == 90)
        // More snapshots than steps: every state stored once, each step advanced once.
        #expect(CheckpointSchedule.binomial(snapshots: 1_000).recomputedSteps(forSteps: 10) == 9)
        #expect(_revolveBeta(200, 200) == .max)
    }

    @Test("uniform and √n schedules: segments, stored states and recomputed steps")
    func uniformCounts() {
        func run(_ steps: Int, _ schedule: CheckpointSchedule) -> CheckpointStatistics {
            valueWithCheckpointedGradient(at: [1.0, 2.0], steps: steps, schedule: schedule,
                                          step: { x, _ in [x[1], x[0] * x[1]] },
                                          loss: { x, _ in x[0] + x[1] }).statistics
        }
        // Segments 0..<3, 3..<6, 6..<9, 9..<10: x₀, x₃, x₆ stored; x₉ recorded from the state in hand.
        let uniform = run(10, .uniform(every: 3))
        #expect(uniform.recordedSteps == 10 && uniform.recomputedSteps == 9 && uniform.tapes == 4, "\(uniform)")
        #expect(uniform.peakStoredStates == 3, "\(uniform)")
        // The longest tape: 3 steps (the loss tape records one step and the loss, fewer nodes).
        #expect(uniform.peakTapeNodes == run(3, .none).peakTapeNodes - 1, "\(uniform)")
        let sqrt = run(100, .squareRoot)
        #expect(sqrt.tapes == 10 && sqrt.recomputedSteps == 90 && sqrt.peakStoredStates == 9)
        #expect(run(101, .squareRoot).tapes == 10)   // ⌈√101⌉ = 11 steps a segment
        for schedule: CheckpointSchedule in [.none, .squareRoot, .uniform(every: 5), .binomial(snapshots: 3)] {
            let zero = run(0, schedule), one = run(1, schedule)
            #expect(zero.tapes == 1 && zero.recomputedSteps == 0 && zero.recordedSteps == 0, "\(schedule)")
            #expect(one.tapes == 1 && one.recomputedSteps == 0 && one.recordedSteps == 1, "\(schedule)")
        }
    }

    @Test("0 and 1 steps: the loss of the initial state, and one step")
    func zeroAndOneStep() {
        for schedule: CheckpointSchedule in [.none, .squareRoot, .uniform(every: 2), .binomial(snapshots: 1)] {
            let zero = valueWithCheckpointedGradient(
                at: [3.0], parameters: [2.0], steps: 0, schedule: schedule,
                step: { x, p in [x[0] * p[0]] }, loss: { x, p in x[0] * x[0] + p[0] })
            #expect(zero.value == 11 && zero.initialStateGradient == [6] && zero.parametersGradient == [1])
            let one = valueWithCheckpointedGradient(
                at: [3.0], parameters: [2.0], steps: 1, schedule: schedule,
                step: { x, p in [x[0] * p[0]] }, loss: { x, p in x[0] * x[0] + p[0] })
            // (3·2)² + 2: d/dx = 2·6·2 = 24, d/dp = 2·6·3 + 1 = 37.
            #expect(one.value == 38 && one.initialStateGradient == [24] && one.parametersGradient == [37])
        }
        // No parameters and an empty state are fine too.
        let empty = valueWithCheckpointedGradient(
            at: [Double](), steps: 5, schedule: .binomial(snapshots: 2),
            step: { x, _ in x }, loss: { _, _ in Reverse(constant: 4) })
        #expect(empty.value == 4 && empty.initialStateGradient.isEmpty && empty.parametersGradient.isEmpty)
    }
}
