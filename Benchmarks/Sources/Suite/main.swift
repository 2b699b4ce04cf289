// The benchmark suite of ../shared/bench/SUITE.md: every problem with this library, checked
// against the reference JSONs, then the JAX and PyTorch peers (Benchmarks/peers/peers.py), in
// one Markdown table written to Benchmarks/RESULTS.md.
//
//   swift run -c release --package-path Benchmarks Suite [--quick] [--problems a,b] [--no-peers]
//       [--output path]
//
// A row is one registration in `registerRows` below: an id shared with peers.py, a size, the
// primal closure (plain Double), the derivative closure (through the library) and the check of
// its result against the reference.

import Autodiff
import BenchmarkProblems
import Foundation

// MARK: - Options

struct Options {
    var quick = false
    var problems: Set<String>? = nil
    var peers = true
    var output: String? = nil

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": quick = true
            case "--no-peers": peers = false
            case "--problems":
                guard let list = iterator.next() else { Options.usage("--problems needs a comma-separated list") }
                problems = Set(list.split(separator: ",").map { String($0) })
            case "--output":
                guard let path = iterator.next() else { Options.usage("--output needs a path") }
                output = path
            case "--help", "-h": Options.usage(nil)
            default: Options.usage("unknown argument \(argument)")
            }
        }
    }

    static func usage(_ error: String?) -> Never {
        if let error { FileHandle.standardError.write(Data("Suite: \(error)\n".utf8)) }
        print("usage: swift run -c release --package-path Benchmarks Suite [--quick] [--problems a,b] [--no-peers] [--output RESULTS.md]")
        exit(error == nil ? 0 : 2)
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

// MARK: - Timing

/// Keeps results observable so that the optimizer cannot drop the timed work.
nonisolated(unsafe) var sink = 0.0

@inline(never)
func consume(_ values: [Double]) {
    sink += values.first ?? 0
    sink += values.last ?? 0
}

struct Timing {
    let budget: Duration
    let maxRepetitions: Int
    let warmup: Int

    /// The median wall time of repeated calls after `warmup` calls, on a monotonic clock.
    func median(_ body: () -> [Double]) -> Duration {
        for _ in 0..<warmup { consume(body()) }
        let clock = ContinuousClock()
        var times: [Duration] = []
        let start = clock.now
        while times.count < 3 || (times.count < maxRepetitions && clock.now - start < budget) {
            let t0 = clock.now
            consume(body())
            times.append(clock.now - t0)
        }
        times.sort()
        return times[times.count / 2]
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

func formatTime(_ seconds: Double?) -> String {
    guard let seconds else { return "—" }
    if seconds < 1e-3 { return String(format: "%.1f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.2f s", seconds)
}

// MARK: - Rows

/// One benchmark row: `id` and `size` match peers.py so that the two are set side by side.
struct Row {
    let id: String
    let size: String
    /// How the library computes the derivative.
    let method: String
    /// The objective in plain Double, returned flattened.
    let primal: () -> [Double]
    /// The derivative through the library, returned flattened (row-major).
    let derivative: () -> [Double]
    /// The reference objective, flattened, compared with `primal()`.
    let expectedPrimal: [Double]?
    /// The max relative difference of a derivative result to the reference; nil when there is
    /// no reference for this size.
    let check: ([Double]) -> Double?
}

struct Measured {
    let row: Row
    let primal: Double
    let derivative: Double
    let difference: Double?
    let primalDifference: Double?
    var correct: Bool? {
        guard let difference else { return nil }
        return difference <= tolerance && (primalDifference ?? 0) <= tolerance
    }
}

let tolerance = 1e-9

/// Row-major Jacobian by forward mode, one `Dual` pass per input.
@inline(__always)
func forwardJacobian(at x: [Double], _ f: ([Dual<Double>]) -> [Dual<Double>]) -> [Double] {
    var jacobian: [Double] = []
    var seeded = x.map { Dual($0, derivative: 0) }
    for j in x.indices {
        seeded[j].derivative = 1
        let column = f(seeded)
        seeded[j].derivative = 0
        if jacobian.isEmpty { jacobian = [Double](repeating: 0, count: column.count * x.count) }
        for i in column.indices { jacobian[i * x.count + j] = column[i].derivative }
    }
    return jacobian
}

/// Row-major Jacobian by reverse mode, one gradient per output.
@inline(__always)
func reverseJacobian(at x: [Double], outputs: Int, _ f: ([Reverse<Double>]) -> [Reverse<Double>]) -> [Double] {
    var jacobian: [Double] = []
    jacobian.reserveCapacity(outputs * x.count)
    for i in 0..<outputs { jacobian += gradient(at: x) { f($0)[i] } }
    return jacobian
}

func compare(_ expected: [Double]) -> ([Double]) -> Double? {
    { maxRelativeDifference($0, expected) }
}

func registerRows(shared: SharedData) throws -> [Row] {
    var rows: [Row] = []

    // rosen-grad
    let rosenGrad = try Reference.load(problem: "rosen-grad", shared: shared)
    for n in [1_000, 100_000] {
        let x = deterministicInput(count: n)
        let reference = try rosenGrad.case("n=\(n)")
        rows.append(Row(id: "rosen-grad", size: "n=\(n)", method: "gradient (reverse)",
                        primal: { [rosenbrock(x)] },
                        derivative: { gradient(at: x) { rosenbrock($0) } },
                        expectedPrimal: [try reference.number("objective")],
                        check: compare(try reference.numbers("gradient"))))
    }

    // rosen-hess: forward over reverse, one Dual direction per column.
    let rosenHess = try Reference.load(problem: "rosen-hess", shared: shared)
    for n in [100, 400] {
        let x = deterministicInput(count: n)
        let reference = n == 100 ? try rosenHess.case("n=100") : nil
        rows.append(Row(id: "rosen-hess", size: "n=\(n)", method: "Hessian, Dual over Reverse, per column",
                        primal: { [rosenbrock(x)] },
                        derivative: {
                            var hessian: [Double] = []
                            hessian.reserveCapacity(n * n)
                            var seeded = x.map { Dual($0, derivative: 0) }
                            for j in 0..<n {
                                seeded[j].derivative = 1
                                hessian += gradient(at: seeded) { rosenbrock($0) }.map(\.derivative)
                                seeded[j].derivative = 0
                            }
                            return hessian
                        },
                        expectedPrimal: try reference.map { [try $0.number("objective")] },
                        check: try reference.map { compare(try $0.numbers("hessian")) } ?? { _ in nil }))
    }

    // chain-jac
    let chain = try Reference.load(problem: "chain-jac", shared: shared).case("n=100")
    let chainX = deterministicInput(count: 100)
    rows.append(Row(id: "chain-jac/fwd", size: "n=100", method: "Jacobian, Dual per column",
                    primal: { chainF(chainX) },
                    derivative: { forwardJacobian(at: chainX) { chainF($0) } },
                    expectedPrimal: try chain.numbers("objective"), check: compare(try chain.numbers("jacobian"))))
    rows.append(Row(id: "chain-jac/rev", size: "n=100", method: "Jacobian, gradient per row",
                    primal: { chainF(chainX) },
                    derivative: { reverseJacobian(at: chainX, outputs: 100) { chainF($0) } },
                    expectedPrimal: try chain.numbers("objective"), check: compare(try chain.numbers("jacobian"))))

    // wide-jac
    let wide = try Reference.load(problem: "wide-jac", shared: shared).case("n=8,m=1000")
    let wideX = deterministicInput(count: 8)
    rows.append(Row(id: "wide-jac/fwd", size: "n=8,m=1000", method: "Jacobian, Dual per column",
                    primal: { wideG(wideX, outputs: 1_000) },
                    derivative: { forwardJacobian(at: wideX) { wideG($0, outputs: 1_000) } },
                    expectedPrimal: try wide.numbers("objective"), check: compare(try wide.numbers("jacobian"))))

    // gmm-grad
    let gmm = try Reference.load(problem: "gmm-grad", shared: shared)
    for name in ["gmm_d2_K5", "gmm_d10_K25"] {
        let input = try GMMInput.load(path: shared.adbench(name + ".txt"))
        let parameters = input.parameters
        let reference = try gmm.case(name)
        rows.append(Row(id: "gmm-grad", size: name, method: "gradient (reverse)",
                        primal: { [gmmObjective(parameters, input)] },
                        derivative: { gradient(at: parameters) { gmmObjective($0, input) } },
                        expectedPrimal: [try reference.number("objective")], check: compare(try reference.numbers("gradient"))))
    }

    // lstm-grad
    let lstm = try Reference.load(problem: "lstm-grad", shared: shared).case("lstm_l2_c1024")
    let lstmInput = try LSTMInput.load(path: shared.adbench("lstm_l2_c1024.txt"))
    let lstmParameters = lstmInput.parameters
    rows.append(Row(id: "lstm-grad", size: "l2_c1024", method: "gradient (reverse)",
                    primal: { [lstmObjective(lstmParameters, lstmInput)] },
                    derivative: { gradient(at: lstmParameters) { lstmObjective($0, lstmInput) } },
                    expectedPrimal: [try lstm.number("objective")], check: compare(try lstm.numbers("gradient"))))

    // ba-jac: every observation's 2 x 15 block (Dual per column), then the p weight rows.
    let baName = "ba1_n49_m7776_p31843"
    let ba = try Reference.load(problem: "ba-jac", shared: shared).case(baName)
    let baInput = try BAInput.load(path: shared.adbench(baName + ".txt"))
    let blocks = (0..<baInput.observationCount).map { baInput.observationBlock($0) }
    let p = baInput.observationCount
    let expectedBlock = try ba.numbers("reproj_jacobian_block_obs0") + [try ba.number("w_err_jacobian_obs0")]
    rows.append(Row(id: "ba-jac", size: "ba1 p=\(p)", method: "blocks, Dual per column",
                    primal: {
                        var residuals = [Double](repeating: 0, count: 3 * p)
                        for i in 0..<p {
                            let (e0, e1) = baReprojectionError(blocks[i], feature: baInput.feature(i))
                            residuals[2 * i] = e0
                            residuals[2 * i + 1] = e1
                            residuals[2 * p + i] = baWeightError(baInput.weights[i])
                        }
                        return residuals
                    },
                    derivative: {
                        // p blocks of 30 values (row-major 2 x 15), then the p weight-row entries.
                        var values = [Double](repeating: 0, count: 31 * p)
                        for i in 0..<p {
                            let feature = baInput.feature(i)
                            let block = forwardJacobian(at: blocks[i]) { baResidualBlock($0, feature: feature) }
                            for k in 0..<30 { values[30 * i + k] = block[k] }
                            values[30 * p + i] = derivative(at: baInput.weights[i]) { baWeightError($0) }
                        }
                        return values
                    },
                    expectedPrimal: nil,
                    check: { values in
                        // Block 0 and weight row 0 against the reference; every other block must
                        // equal block 0 (the data repeats one observation).
                        var worst = maxRelativeDifference(Array(values[0..<30]) + [values[30 * p]], expectedBlock)
                        for i in 1..<p where values[(30 * i)..<(30 * i + 30)] != values[0..<30] || values[30 * p + i] != values[30 * p] {
                            worst = max(worst, maxRelativeDifference(Array(values[(30 * i)..<(30 * i + 30)]), Array(values[0..<30])))
                        }
                        return worst
                    }))

    // hand-jac
    let hand = try Reference.load(problem: "hand-jac", shared: shared).case("hand1_t26_c100")
    let model = try HandModel.load(bonesPath: shared.adbench("bones.txt"), verticesPath: shared.adbench("vertices.txt"))
    let handInput = try HandInput.load(path: shared.adbench("hand1_t26_c100.txt"), model: model)
    let theta = handInput.theta
    rows.append(Row(id: "hand-jac/fwd", size: "simple_small N=100", method: "Jacobian, Dual per column",
                    primal: { handResiduals(theta, handInput) },
                    derivative: { forwardJacobian(at: theta) { handResiduals($0, handInput) } },
                    expectedPrimal: try hand.numbers("objective_residuals"), check: compare(try hand.numbers("jacobian"))))
    rows.append(Row(id: "hand-jac/rev", size: "simple_small N=100", method: "Jacobian, gradient per row",
                    primal: { handResiduals(theta, handInput) },
                    derivative: { reverseJacobian(at: theta, outputs: 300) { handResiduals($0, handInput) } },
                    expectedPrimal: try hand.numbers("objective_residuals"), check: compare(try hand.numbers("jacobian"))))
    return rows
}

func problemOf(_ id: String) -> String {
    String(id.split(separator: "/").first ?? Substring(id))
}

// MARK: - Peers

struct PeerRow {
    let id: String
    let size: String
    let engine: String
    let primal: Double?
    let derivative: Double?
    let compile: Double?
    let ok: Bool?
    let error: String?
}

struct PeerResults {
    var rows: [PeerRow] = []
    var versions: [String] = []
}

func runCommand(_ executable: String, _ arguments: [String], captureOutput: Bool) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    if captureOutput {
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
    }
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = captureOutput ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func runPeers(benchmarksDirectory: String, options: Options) -> PeerResults? {
    let setup = runCommand("/bin/bash", [benchmarksDirectory + "/peers/setup_venv.sh"], captureOutput: true)
    guard setup.status == 0, let python = setup.output.split(separator: "\n").last.map(String.init) else {
        log("Suite: setting up the peers' Python environment failed (status \(setup.status)); no peer columns")
        return nil
    }
    let jsonPath = FileManager.default.temporaryDirectory.appendingPathComponent("autodiff-peers-\(getpid()).json").path
    var arguments = [benchmarksDirectory + "/peers/peers.py", "--json", jsonPath]
    if options.quick { arguments.append("--quick") }
    if let problems = options.problems { arguments += ["--problems", problems.sorted().joined(separator: ",")] }
    log("Suite: running peers.py (JAX, PyTorch)")
    let run = runCommand(python, arguments, captureOutput: false)
    if run.status != 0 { log("Suite: peers.py exited with status \(run.status) (rows it could measure are still used)") }
    defer { try? FileManager.default.removeItem(atPath: jsonPath) }
    guard let data = FileManager.default.contents(atPath: jsonPath),
          let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let rows = root["rows"] as? [[String: Any]] else {
        log("Suite: peers.py wrote no readable results")
        return nil
    }
    var results = PeerResults()
    if let engines = root["engines"] as? [String: [String: Any]] {
        for (name, info) in engines.sorted(by: { $0.key < $1.key }) {
            results.versions.append("\(name) \(info["version"] as? String ?? "?") (\(info["mode"] as? String ?? ""))")
        }
    }
    if let python = root["python"] as? String { results.versions.append("Python \(python)") }
    for row in rows {
        results.rows.append(PeerRow(
            id: row["problem"] as? String ?? "", size: row["size"] as? String ?? "", engine: row["engine"] as? String ?? "",
            primal: (row["primal_s"] as? NSNumber)?.doubleValue, derivative: (row["derivative_s"] as? NSNumber)?.doubleValue,
            compile: (row["derivative_compile_s"] as? NSNumber)?.doubleValue,
            ok: (row["ok"] as? NSNumber)?.boolValue, error: row["error"] as? String))
    }
    return results
}

// MARK: - Report

func machineDescription() -> [String] {
    var lines: [String] = []
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
    lines.append("- CPU: \(model), nproc \(ProcessInfo.processInfo.activeProcessorCount)")
    let swiftVersion = runCommand("/usr/bin/env", ["swift", "--version"], captureOutput: true).output
        .split(separator: "\n").first.map(String.init) ?? "unknown"
    lines.append("- Swift: \(swiftVersion) (release build)")
    let commit = runCommand("/usr/bin/env", ["git", "-C", benchmarksDirectory, "rev-parse", "--short", "HEAD"], captureOutput: true)
    if commit.status == 0 { lines.append("- Commit: \(commit.output.trimmingCharacters(in: .whitespacesAndNewlines))") }
    return lines
}

func markdownTable(_ measured: [Measured], peers: PeerResults?) -> String {
    var lines = [
        "| problem | size | ours | ours d/p | best peer | peer time | peer d/p | ours / best | correct |",
        "|---|---|---:|---:|---|---:|---:|---:|---|",
    ]
    var seen = Set<String>()
    for m in measured {
        let key = m.row.id + "|" + m.row.size
        seen.insert(key)
        let candidates = (peers?.rows ?? []).filter { $0.id == m.row.id && $0.size == m.row.size && $0.error == nil && $0.ok != false && $0.derivative != nil }
        let best = candidates.min { $0.derivative! < $1.derivative! }
        let correct: String
        switch m.correct {
        case .some(true): correct = "ok (\(String(format: "%.0e", m.difference!)))"
        case .some(false): correct = "**FAILED** (\(String(format: "%.1e", max(m.difference ?? 0, m.primalDifference ?? 0))))"
        case .none: correct = "no reference"
        }
        let bestName = best.map { $0.engine } ?? "—"
        let peerTime = best.map { formatTime($0.derivative) } ?? "—"
        let peerRatio = best.flatMap { b in b.primal.map { String(format: "%.1f", b.derivative! / $0) } } ?? "—"
        let ratio = best.map { String(format: "%.2f", m.derivative / $0.derivative!) } ?? "—"
        lines.append("| \(m.row.id) | \(m.row.size) | \(formatTime(m.derivative)) | \(String(format: "%.1f", m.derivative / m.primal)) | \(bestName) | \(peerTime) | \(peerRatio) | \(ratio) | \(correct) |")
    }
    // Peer rows that this library does not measure yet.
    var peerOnly: [String: [PeerRow]] = [:]
    for row in peers?.rows ?? [] where !seen.contains(row.id + "|" + row.size) {
        peerOnly[row.id + "|" + row.size, default: []].append(row)
    }
    for key in peerOnly.keys.sorted() {
        let candidates = peerOnly[key]!.filter { $0.error == nil && $0.ok != false && $0.derivative != nil }
        guard let best = candidates.min(by: { $0.derivative! < $1.derivative! }) else { continue }
        let peerRatio = best.primal.map { String(format: "%.1f", best.derivative! / $0) } ?? "—"
        lines.append("| \(best.id) | \(best.size) | — | — | \(best.engine) | \(formatTime(best.derivative)) | \(peerRatio) | — | not measured here |")
    }
    return lines.joined(separator: "\n")
}

func peerTable(_ peers: PeerResults) -> String {
    var lines = [
        "| problem | size | engine | objective | derivative | d/p | first call (compile) | correct |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for row in peers.rows {
        if let error = row.error {
            lines.append("| \(row.id) | \(row.size) | \(row.engine) | — | — | — | — | error: \(error) |")
            continue
        }
        let ratio = row.primal.flatMap { p in row.derivative.map { String(format: "%.1f", $0 / p) } } ?? "—"
        let ok = row.ok.map { $0 ? "ok" : "**FAILED**" } ?? "no reference"
        lines.append("| \(row.id) | \(row.size) | \(row.engine) | \(formatTime(row.primal)) | \(formatTime(row.derivative)) | \(ratio) | \(formatTime(row.compile)) | \(ok) |")
    }
    return lines.joined(separator: "\n")
}

// MARK: - Main

let options = Options(arguments: CommandLine.arguments)
/// Benchmarks/ (this file is Benchmarks/Sources/Suite/main.swift).
let benchmarksDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

let shared: SharedData
do {
    shared = try SharedData.locate()
} catch {
    do { shared = try SharedData.locate(fromSourceFile: #filePath) } catch {
        log("Suite: \(error)")
        exit(1)
    }
}

let allRows: [Row]
do {
    allRows = try registerRows(shared: shared)
} catch {
    log("Suite: cannot load the inputs: \(error)")
    exit(1)
}
let selected = allRows.filter { options.problems == nil || options.problems!.contains(problemOf($0.id)) }
if let wanted = options.problems {
    let known = Set(allRows.map { problemOf($0.id) })
    for name in wanted.sorted() where !known.contains(name) { log("Suite: no Swift row for '\(name)' (peers only, if they have it)") }
}

let timing = options.quick
    ? Timing(budget: .milliseconds(200), maxRepetitions: 15, warmup: 1)
    : Timing(budget: .seconds(1), maxRepetitions: 100, warmup: 3)

var measured: [Measured] = []
for row in selected {
    let primalResult = row.primal()
    let primalDifference = row.expectedPrimal.map { maxRelativeDifference(primalResult, $0) }
    let difference = row.check(row.derivative())
    let primalTime = timing.median(row.primal).seconds
    let derivativeTime = timing.median(row.derivative).seconds
    let result = Measured(row: row, primal: primalTime, derivative: derivativeTime, difference: difference, primalDifference: primalDifference)
    measured.append(result)
    let status = result.correct.map { $0 ? "ok" : "FAILED" } ?? "no reference"
    func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
    log("  Autodiff " + pad(row.id, 16) + " " + pad(row.size, 20) + " primal " + pad(formatTime(primalTime), 10)
        + "  derivative " + pad(formatTime(derivativeTime), 10) + String(format: "  ratio %9.1f", derivativeTime / primalTime)
        + "  diff " + (difference.map { String(format: "%.1e", $0) } ?? "-") + " " + status)
}

let peers = options.peers ? runPeers(benchmarksDirectory: benchmarksDirectory, options: options) : nil

let formatter = ISO8601DateFormatter()
var report = """
# Benchmark results

Generated \(formatter.string(from: Date())) by `swift run -c release --package-path Benchmarks Suite\(CommandLine.arguments.dropFirst().map { " " + $0 }.joined())`.
Problems and inputs: `shared/bench/SUITE.md`. Times are medians of repeated calls after warm-up (\(options.quick ? "quick mode: few repetitions" : "up to 1 s or 100 calls per measurement")).
"ours" is this library's derivative time, "d/p" a derivative time over the objective time of the same implementation,
"ours / best" our derivative time over the best correct peer's. A derivative more than \(tolerance) (relative) off the
reference is marked FAILED.

\(machineDescription().joined(separator: "\n"))
\(peers.map { "- Peers: " + $0.versions.joined(separator: ", ") } ?? "- Peers: not run")

\(markdownTable(measured, peers: peers))

"""
if let peers {
    report += "\n## Peers in detail\n\nJAX times exclude compilation (the first call, shown apart).\n\n" + peerTable(peers) + "\n"
}
print(report)
let outputPath = options.output ?? benchmarksDirectory + "/RESULTS.md"
do {
    try report.write(toFile: outputPath, atomically: true, encoding: .utf8)
    log("Suite: wrote \(outputPath)")
} catch {
    log("Suite: cannot write \(outputPath): \(error)")
}
let failures = measured.filter { $0.correct == false }
if !failures.isEmpty {
    log("Suite: \(failures.count) row(s) FAILED the reference check: \(failures.map { $0.row.id + " " + $0.row.size }.joined(separator: ", "))")
    exit(1)
}
