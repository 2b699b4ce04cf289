// TensorBench: Tensor operations against NumPy on the same machine, in the same run.
//   swift run -c release --package-path Benchmarks TensorBench [filter]
// (with a filter, only the rows whose name contains it, e.g. "1e6")
// Runs Benchmarks/peers/numpy_tensor_bench.py with python3 (NumPy needed) and
// prints: op, ours, NumPy, ratio (ours / NumPy; below 1 is faster than NumPy).
import Autodiff
import Foundation

func best(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var t = Double.infinity
    for _ in 0..<reps {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        t = min(t, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return t
}

var sink = 0.0
var rng = RandomGenerator(seed: 0)
let a1 = Tensor<Double>.randomNormal([16, 1000], using: &rng), b1 = Tensor<Double>.randomNormal([1000, 100], using: &rng)
let a2 = Tensor<Double>.randomNormal([1000, 1000], using: &rng), b2 = Tensor<Double>.randomNormal([1000, 1000], using: &rng)
let m = Tensor<Double>.randomNormal([500, 500], using: &rng)
let spd = matmul(m, m.transposed()) + Tensor<Double>.eye(500) * 500
let rhs = Tensor<Double>.randomNormal([500, 1], using: &rng)
let x = Tensor<Double>.randomUniform([1_000_000], lower: -3, upper: 3, using: &rng)
let xf = Tensor<Float>(shape: x.shape, scalars: x.scalars.map { Float($0) })
// log's argument: positive.
let xp = Tensor<Double>.randomUniform([1_000_000], lower: 0.01, upper: 10, using: &rng)
let xpf = Tensor<Float>(shape: xp.shape, scalars: xp.scalars.map { Float($0) })
let row = Tensor<Double>.randomNormal([1000], using: &rng)

let filter = CommandLine.arguments.dropFirst().first
var ours: [(String, Double)] = []
/// Times `name` unless the filter leaves it out.
@MainActor func measure(_ name: String, _ time: () throws -> Double) rethrows {
    if let filter, !name.contains(filter) { return }
    ours.append((name, try time()))
}
measure("matmul 16x1000 * 1000x100") { best(200) { sink += matmul(a1, b1).scalars[0] } }
measure("matmul 1000x1000 * 1000x1000") { best(10) { sink += matmul(a2, b2).scalars[0] } }
try measure("solve n=500") { try best(30) { sink += try solve(spd, rhs).scalars[0] } }
try measure("cholesky n=500") { try best(30) { sink += try cholesky(spd).scalars[0] } }
try measure("inverse n=500") { try best(30) { sink += try m.inverse().scalars[0] } }
measure("exp 1e6") { best(50) { sink += exp(x).scalars[0] } }
measure("log 1e6") { best(50) { sink += log(xp).scalars[0] } }
measure("sin 1e6") { best(50) { sink += sin(x).scalars[0] } }
measure("tanh 1e6") { best(50) { sink += tanh(x).scalars[0] } }
measure("a + b 1e6") { best(50) { sink += (x + x).scalars[0] } }
measure("a * 2 1e6") { best(50) { sink += (x * 2).scalars[0] } }
measure("[1000,1000] + [1000]") { best(50) { sink += (a2 + row).scalars[0] } }
measure("sum 1e6") { best(50) { sink += x.sum().scalars[0] } }
measure("exp 1e6 Float") { best(50) { sink += Double(exp(xf).scalars[0]) } }
measure("log 1e6 Float") { best(50) { sink += Double(log(xpf).scalars[0]) } }
measure("sin 1e6 Float") { best(50) { sink += Double(sin(xf).scalars[0]) } }
measure("tanh 1e6 Float") { best(50) { sink += Double(tanh(xf).scalars[0]) } }

// NumPy, same machine, same run.
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("peers/numpy_tensor_bench.py").path
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", script] + (filter.map { [$0] } ?? [])
let pipe = Pipe()
process.standardOutput = pipe
var numpy: [String: Double] = [:]
do {
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus == 0, let d = try JSONSerialization.jsonObject(with: data) as? [String: Double] {
        numpy = d
    }
} catch {
    print("could not run \(script): \(error)")
}

func ms(_ s: Double) -> String { String(format: "%10.3f ms", s * 1e3) }
print("op".padding(toLength: 32, withPad: " ", startingAt: 0) + "      ours" + "         NumPy" + "     ratio")
for (name, t) in ours {
    let n = numpy[name]
    let ratio = n.map { String(format: "%8.2fx", t / $0) } ?? "     n/a"
    print(name.padding(toLength: 32, withPad: " ", startingAt: 0) + ms(t) + (n.map(ms) ?? "           n/a") + ratio)
}
if numpy.isEmpty { print("(NumPy timings unavailable: python3 with numpy is needed)") }
if sink.isNaN { print(sink) }
