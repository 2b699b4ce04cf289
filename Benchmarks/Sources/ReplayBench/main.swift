// One recorded program replayed in every mode (issue 12): dense and sparse Hessians by
// forward-over-reverse replay, sparse Jacobians by colour-seeded lanes, against the
// one-shot operators that run the function's code each time. Ratios are to the
// one-shot operator measured in the same run.
//
//   swift run -c release --package-path Benchmarks --scratch-path .build-bench ReplayBench [case]
//
// With a case name (e.g. "rosen-hess/sparse n=100"), only that case runs, in a loop for
// `perf record`.
import Autodiff
import BenchmarkProblems
import BenchSupport
import Foundation

func input(_ n: Int) -> [Double] { (0..<n).map { 0.9 * Double.cos(Double($0)) } }

struct Case {
    let name: String
    let baseline: String
    let body: () -> Void
}

var cases: [Case] = []
for n in [100, 400] {
    let x = input(n)
    let f = RecordedFunction(at: x) { rosenbrock($0) }
    let oneShot = "rosen-hess hessian(at:) n=\(n)"
    cases.append(Case(name: oneShot, baseline: oneShot) { blackHole(hessian(at: x, parallel: false) { rosenbrock($0) }) })
    cases.append(Case(name: "rosen-hess RecordedFunction.hessian n=\(n)", baseline: oneShot) { blackHole(try? f.hessian(at: x)) })
    cases.append(Case(name: "rosen-hess/sparse n=\(n)", baseline: oneShot) { blackHole(try? f.sparseHessian(at: x)) })
    cases.append(Case(name: "rosen-hess/sparse first call n=\(n)", baseline: oneShot) {
        blackHole(try? RecordedFunction(at: x) { rosenbrock($0) }.sparseHessian(at: x))
    })
}
do {
    let x = input(100)
    let f = RecordedFunction(at: x) { chainF($0) }
    let oneShot = "chain-jac jacobian(at:) n=100"
    cases.append(Case(name: oneShot, baseline: oneShot) { blackHole(jacobian(at: x) { chainF($0) }) })
    cases.append(Case(name: "chain-jac RecordedFunction.jacobian forward n=100", baseline: oneShot) {
        blackHole(try? f.jacobian(at: x, mode: .forward))
    })
    cases.append(Case(name: "chain-jac/sparse forward n=100", baseline: oneShot) { blackHole(try? f.sparseJacobian(at: x, mode: .forward)) })
    cases.append(Case(name: "chain-jac/sparse reverse n=100", baseline: oneShot) { blackHole(try? f.sparseJacobian(at: x, mode: .reverse)) })
}
do {
    let x = input(1000)
    let tape = RecordedGradient(at: x) { rosenbrock($0) }
    let f = RecordedFunction(at: x) { rosenbrock($0) }
    let oneShot = "rosen-grad gradient(at:) n=1000"
    cases.append(Case(name: oneShot, baseline: oneShot) { blackHole(gradient(at: x) { rosenbrock($0) }) })
    cases.append(Case(name: "rosen-grad RecordedGradient replay n=1000", baseline: oneShot) { blackHole(try? tape.gradient(at: x)) })
    cases.append(Case(name: "rosen-grad RecordedFunction.gradient n=1000", baseline: oneShot) { blackHole(try? f.gradient(at: x)) })
}

if CommandLine.arguments.count > 1 {
    let wanted = CommandLine.arguments[1]
    guard let c = cases.first(where: { $0.name == wanted }) else {
        print("no case \(wanted); cases:\n" + cases.map(\.name).joined(separator: "\n"))
        exit(2)
    }
    let start = Date()
    while Date().timeIntervalSince(start) < 10 { c.body() }
    exit(0)
}

var times: [String: Double] = [:]
var rows: [[String]] = []
for c in cases {
    let t = medianThreadTime(c.body)
    times[c.name] = t
    rows.append([c.name, formatTime(t), formatTime(medianTime(c.body)), String(format: "%.3fx", t / times[c.baseline]!)])
}
printTable(["case", "median thread CPU time", "median wall time", "× one-shot (CPU)"], rows)
