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
// PyTorch runs from Benchmarks/.venv (created by Benchmarks/peers/setup_venv.sh when missing),
// with one intra-op thread (`--threads 1`, override with AUTOGRAD_BENCH_TORCH_THREADS): at
// these sizes a second thread gains PyTorch nothing on a quiet machine (0.42 vs 0.46 ms per
// tiny-mlp step here), while on a shared 2-core machine its OpenMP threads spin against other
// processes and a step can take 80 ms, which would make the ratio meaningless.
import Autodiff
import BenchSupport
import Foundation

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
