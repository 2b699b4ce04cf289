// Checkpointing benchmark: the gradient of a 10⁵-step RK4 integration (a damped pendulum,
// state [θ, ω], parameters [k, c]) with one tape for all steps, √n checkpoints, and
// binomial (revolve) checkpoints, against the plain Double loop.
//
//   swift run -c release --package-path Benchmarks CheckpointBench [--steps N]
import AutodiffCore
import BenchmarkProblems
import BenchSupport
import Foundation
import RealModule

let arguments = CommandLine.arguments
let steps = arguments.firstIndex(of: "--steps").map { Int(arguments[$0 + 1])! } ?? 100_000
let dt = 10.0 / Double(steps)
let state0 = [1.2, -0.3], parameters = [2.5, 0.15]

let primal = medianTime(samples: 9) {
    var x = state0
    for _ in 0..<steps { x = Pendulum.rk4(x, parameters, dt: dt) }
    blackHole(Pendulum.loss(x, parameters))
}

func run(_ schedule: CheckpointSchedule) -> CheckpointedGradient<Double> {
    valueWithCheckpointedGradient(at: state0, parameters: parameters, steps: steps, schedule: schedule,
                                  step: { x, p in Pendulum.rk4(x, p, dt: dt) }, loss: { x, p in Pendulum.loss(x, p) })
}

func bytes(_ n: Int) -> String {
    n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / Double(1 << 20))
        : n >= 1 << 10 ? String(format: "%.1f kB", Double(n) / Double(1 << 10)) : "\(n) B"
}

let reference = run(.none)
let schedules: [(String, CheckpointSchedule)] = [
    ("none (one tape)", .none), ("squareRoot", .squareRoot), ("uniform(every: 1000)", .uniform(every: 1000)),
    ("binomial(snapshots: 20)", .binomial(snapshots: 20)), ("binomial(snapshots: 40)", .binomial(snapshots: 40)),
]
var rows: [[String]] = [["primal loop (Double)", formatTime(primal), "1.0", "—", "—", "—", "—", "—"]]
for (name, schedule) in schedules {
    let time = medianTime(samples: 9, warmup: 1) { blackHole(run(schedule)) }
    let r = run(schedule)
    let s = r.statistics
    let g = r.initialStateGradient + r.parametersGradient
    let g0 = reference.initialStateGradient + reference.parametersGradient
    let error = zip(g, g0).map { Swift.abs($0 - $1) / Swift.abs($1) }.max()!
    rows.append([
        name, formatTime(time), String(format: "%.1f", time / primal),
        String(format: "%.2f", Double(s.recomputedSteps) / Double(steps)),
        "\(s.peakTapeNodes)", bytes(s.peakTapeBytes), "\(s.peakStoredStates)", String(format: "%.0e", error),
    ])
}
print("Gradient of \(steps) RK4 steps of a damped pendulum (2 states, 2 parameters), one thread:\n")
printTable(["schedule", "time", "× primal", "recomputed / steps", "peak tape nodes", "peak tape memory",
            "stored states", "max rel. diff vs none"], rows)
