// AutogradBench: training steps with the tensor autograd, against PyTorch in the same run.
//
//   swift run -c release --package-path Benchmarks --scratch-path /work/main/.build-bench AutogradBench
//
// Cases (the same in Benchmarks/peers/torch_autograd_bench.py):
// - tiny-mlp SGD step: ../shared/bench/SUITE.md's tiny-mlp (Linear(1000,100) → ReLU →
//   Linear(100,10), batch 16, float64, loss = sum((ideal − pred)²)), one step of forward,
//   backward, SGD update and zeroGrad.
// - two-layer 500 iterations (float32): seed 004's network trained by hand, 500 × (forward,
//   backward, `w -= 1e-6 * w.grad` under no-grad, `w.grad.zero_()`).
// - rosen-grad (`--rosen`, issue 14): the Rosenbrock value and gradient at n = 1e3 and 1e5
//   (a) written with tensor operations, (b) as one fused `elementwise` map of a scalar
//   function over x[0..<n-1], x[1..<n] plus a sum, (c) the scalar `gradient(at:)`; against
//   JAX jit of `value_and_grad` (Benchmarks/peers/jax_rosen_bench.py, run with the JAX venv
//   given by JAX_PYTHON, default /work/jaxvenv/bin/python) in the same run.
// PyTorch runs from Benchmarks/.venv (created by Benchmarks/peers/setup_venv.sh when missing),
// with one intra-op thread (`--threads 1`, override with AUTOGRAD_BENCH_TORCH_THREADS): at
// these sizes a second thread gains PyTorch nothing on a quiet machine (0.42 vs 0.46 ms per
// tiny-mlp step here), while on a shared 2-core machine its OpenMP threads spin against other
// processes and a step can take 80 ms, which would make the ratio meaningless.
import Autodiff
import BenchmarkProblems
import BenchSupport
import Foundation
import TensorBenchmarkProblems

// MARK: - Cases

func tinyMLP() -> () -> Void {
    let w1 = (0..<1000).flatMap { i in (0..<100).map { j in 0.01 * cos(Double(i * 100 + j)) } }
    let w2 = (0..<100).flatMap { i in (0..<10).map { j in 0.1 * cos(Double(i * 10 + j + 7)) } }
    let model = Sequential<Double>(
        Linear(weight: Tensor(shape: [1000, 100], scalars: w1), bias: Tensor.zeros([100])),
        ReLU(),
        Linear(weight: Tensor(shape: [100, 10], scalars: w2), bias: Tensor.zeros([10])))
    let x = Tensor<Double>(shape: [16, 1000], scalars: (0..<16).flatMap { b in (0..<1000).map { k in cos(Double(b * 1000 + k)) } })
    let y = Tensor<Double>(shape: [16, 10], scalars: (0..<16).flatMap { b in (0..<10).map { o in sin(Double(b * 10 + o)) } })
    let optimizer = SGD(model.parameters(), learningRate: 1e-3)
    return {
        let loss = pow(y - model(x), 2).sum()
        try! loss.backward()
        optimizer.step()
        optimizer.zeroGrad()
        blackHole(loss)
    }
}

func twoLayer() -> () -> Void {
    var rng = RandomGenerator(seed: 4)
    let x = Tensor<Float>.randomNormal([32, 1000], using: &rng)
    let y = Tensor<Float>.randomNormal([32, 2], using: &rng)
    let start1 = Tensor<Float>.randomNormal([1000, 100], using: &rng)
    let start2 = Tensor<Float>.randomNormal([100, 2], using: &rng)
    return {
        var w1 = start1.detach().requiringGrad()
        var w2 = start2.detach().requiringGrad()
        for _ in 0..<500 {
            let loss = pow(matmul(relu(matmul(x, w1)), w2) - y, 2).sum()
            try! loss.backward()
            withNoGrad {
                w1 -= 1e-6 * w1.grad!
                w2 -= 1e-6 * w2.grad!
                w1.zeroGrad(setToNone: false)
                w2.zeroGrad(setToNone: false)
            }
        }
        blackHole(w1)
    }
}

// MARK: - PyTorch

/// Runs torch_autograd_bench.py with the venv's python; nil (with a note) when unavailable.
func pytorchTimings() -> [String: Any]? {
    let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers")
    func run(_ executable: String, _ arguments: [String]) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? data : nil
    }
    var python = peers.deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path
    if !FileManager.default.isExecutableFile(atPath: python) {
        print("(creating the PyTorch venv with Benchmarks/peers/setup_venv.sh)")
        guard let out = run("/bin/bash", [peers.appendingPathComponent("setup_venv.sh").path]) else { return nil }
        python = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let threads = ProcessInfo.processInfo.environment["AUTOGRAD_BENCH_TORCH_THREADS"] ?? "1"
    guard let data = run(python, [peers.appendingPathComponent("torch_autograd_bench.py").path, "--threads", threads])
    else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
}


// MARK: - rosen-grad: tensor ops, one fused map, scalar reverse mode (--rosen)

/// The three ways of computing the rosen-grad value and gradient at size n, each returning
/// the gradient (checked to agree before timing).
func rosenCases(_ n: Int) -> [(String, () -> [Double])] {
    let start = deterministicInput(count: n)
    let x0 = Tensor<Double>(start)
    func tensorOps() -> [Double] {
        let x = x0.detach().requiringGrad()
        let loss = rosenbrockTensorOps(x)
        try! loss.backward()
        blackHole(loss)
        return x.grad!.scalars
    }
    func fused() -> [Double] {
        let x = x0.detach().requiringGrad()
        let loss = rosenbrockFused(x)
        try! loss.backward()
        blackHole(loss)
        return x.grad!.scalars
    }
    func scalar() -> [Double] {
        let (value, g) = valueWithGradient(at: start) { x in rosenbrock(x) }
        blackHole(value)
        return g
    }
    return [("tensor ops", tensorOps), ("fused elementwise", fused), ("scalar gradient(at:)", scalar)]
}

func jaxRosenTimings() -> [String: Any]? {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("peers/jax_rosen_bench.py").path
    let python = ProcessInfo.processInfo.environment["JAX_PYTHON"] ?? "/work/jaxvenv/bin/python"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script]
    let out = Pipe()
    process.standardOutput = out
    do { try process.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
}

if CommandLine.arguments.contains("--rosen") {
    if CommandLine.arguments.contains("--profile") {
        // `--kernel`: the per-element cost of the fused map's loops alone, one thread
        // (forward on Double, partials on DualVector<Double, 2> and on _ElementwiseDual,
        // partials written by hand).
        if CommandLine.arguments.contains("--kernel") {
            let n = 100_000
            let a = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            let y = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            let da = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            let db = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            for i in 0..<n { a[i] = 0.9 * cos(Double(i)); b[i] = 0.9 * sin(Double(i)); y[i] = 0; da[i] = 0; db[i] = 0 }
            let f = RosenbrockTerm()
            let forward = medianThreadTime { for i in 0..<n { y[i] = f(a[i], b[i]) }; blackHole(y[n - 1]) }
            let lanes = medianThreadTime {
                for i in 0..<n {
                    let r = f(DualVector<Double, 2>(a[i], seed: 0), DualVector<Double, 2>(b[i], seed: 1))
                    da[i] = r.partials[0]; db[i] = r.partials[1]
                }
                blackHole(da[n - 1] + db[n - 1])
            }
            let fields = medianThreadTime {
                for i in 0..<n {
                    let r = f(_ElementwiseDual(a[i], 1, 0, 0), _ElementwiseDual(b[i], 0, 1, 0))
                    da[i] = r.d0; db[i] = r.d1
                }
                blackHole(da[n - 1] + db[n - 1])
            }
            let byHand = medianThreadTime {
                for i in 0..<n {
                    let t = b[i] - a[i] * a[i]
                    da[i] = -400 * a[i] * t - 2 * (1 - a[i]); db[i] = 200 * t
                }
                blackHole(da[n - 1] + db[n - 1])
            }
            print("n=1e5, thread CPU: forward \(formatTime(forward)), DualVector<Double, 2> \(formatTime(lanes)), "
                  + "_ElementwiseDual \(formatTime(fields)), partials by hand \(formatTime(byHand))")
            exit(0)
        }
        // `--perf`: only the fused case, 400 calls, no profiler (a steady loop for `perf record`).
        if CommandLine.arguments.contains("--perf") {
            let fused = rosenCases(100_000)[1].1
            for _ in 0..<400 { blackHole(fused()) }
            exit(0)
        }
        for (name, body) in rosenCases(100_000).prefix(2) {
            let profiler = Profiler.profile { for _ in 0..<20 { blackHole(body()) } }
            print("rosen-grad n=1e5, \(name) × 20:\n\(profiler.table(sortBy: .selfTime))")
        }
        exit(0)
    }
    // JAX runs before and after ours; each side keeps its faster run (as for PyTorch below).
    let jaxBefore = jaxRosenTimings()
    var rows: [(size: String, name: String, wall: Double, cpu: Double)] = []
    for n in [1_000, 100_000] {
        let cases = rosenCases(n)
        let reference = cases[0].1()
        for (name, body) in cases {
            let g = body()
            let worst = zip(g, reference).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
            if worst > 1e-12 { print("rosen-grad n=\(n) \(name): the gradient disagrees (\(worst))"); exit(1) }
        }
        for (name, body) in cases {
            let wall = Swift.min(medianTime { blackHole(body()) }, medianTime { blackHole(body()) })
            rows.append(("n=\(n)", name, wall, medianThreadTime { blackHole(body()) }))
        }
    }
    let jaxAfter = jaxRosenTimings()
    print("rosen-grad (value and gradient): median time per call; ratio = Autodiff wall / JAX jit wall (goal ≤ 1.0x)")
    if let j = jaxBefore ?? jaxAfter { print("JAX \(j["jax"] ?? "?"), \(j["threads"] ?? "?") thread, jit(value_and_grad), CPU") }
    printTable(["size", "case", "Autodiff wall", "Autodiff thread CPU", "JAX jit wall", "ratio"], rows.map { r in
        let jax = [jaxBefore?[r.size], jaxAfter?[r.size]].compactMap { $0 as? Double }.min()
        return [r.size, r.name, formatTime(r.wall), formatTime(r.cpu), jax.map(formatTime) ?? "n/a",
                jax.map { String(format: "%.2fx", r.wall / $0) } ?? "n/a"]
    })
    exit(0)
}

// MARK: - Run

if CommandLine.arguments.contains("--profile") {
    // Where the time of each case goes, op by op (the library's Profiler).
    for (name, body) in [("tiny-mlp SGD step × 100", { let step = tinyMLP(); for _ in 0..<100 { step() } }),
                         ("two-layer 500 iterations", twoLayer())] {
        let profiler = Profiler.profile { body() }
        print("\(name):\n\(profiler.table(sortBy: .selfTime))")
    }
    exit(0)
}

// PyTorch runs before and after ours and each side keeps its faster run, so that a burst
// of load from other processes on the machine does not decide the ratio.
let torchBefore = pytorchTimings()
func measureOurs() -> [(String, Double)] {
    [("tiny-mlp SGD step", medianTime(tinyMLP())),
     ("two-layer 500 iterations (float32)", medianTime(samples: 5, warmup: 1, twoLayer()))]
}
let ours = zip(measureOurs(), measureOurs()).map { a, b in (a.0, Swift.min(a.1, b.1)) }
let torchAfter = pytorchTimings()
let torch = torchBefore ?? torchAfter
var rows: [[String]] = []
for (name, t) in ours {
    let runs = [torchBefore?[name], torchAfter?[name]].compactMap { $0 as? Double }
    if let p = runs.min() {
        rows.append([name, formatTime(t), formatTime(p), String(format: "%.2fx", t / p)])
    } else {
        rows.append([name, formatTime(t), "n/a", "n/a"])
    }
}
print("AutogradBench: median time per call (best of two runs each); ratio = Autodiff / PyTorch (target ≤ 1.0x)")
if let torch {
    print("PyTorch \(torch["torch"] ?? "?"), \(torch["threads"] ?? "?") threads, eager, CPU")
} else {
    print("(PyTorch timings unavailable: Benchmarks/.venv with torch is needed)")
}
printTable(["case", "Autodiff", "PyTorch", "ratio"], rows)
