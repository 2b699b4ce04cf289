// The benchmark suite of ../shared/bench/SUITE.md: every problem with this library, checked
// against the reference JSONs, Swift's `_Differentiation` where it expresses the problem, then
// the JAX and PyTorch peers (Benchmarks/peers/peers.py), in one Markdown table written to
// Benchmarks/RESULTS.md.
//
//   swift run -c release --package-path Benchmarks --scratch-path .build-bench Suite
//       [--quick] [--problems a,b] [--rows id,id] [--profile seconds] [--no-peers] [--output path]
//
// The rows are registered in Rows.swift (one per variant: an id shared with peers.py, a size, the
// operator call, the plain-Double primal and the reference check); SwiftAD.swift holds the
// `_Differentiation` versions. Everything after the line `<!-- analysis: kept across runs -->`
// of RESULTS.md (the hand-written analysis) is kept when the file is rewritten.

import Autodiff
import BenchmarkProblems
import Foundation

// MARK: - One thread, like the peers

// The peers run with one intra-op thread, so ours do too: OpenBLAS reads its thread count
// when it is loaded, Autodiff (tensor kernel chunks, hessian workers) when first used, so
// the Suite starts itself again with both set unless the caller chose them.
if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil
    || ProcessInfo.processInfo.environment["AUTODIFF_NUM_THREADS"] == nil {
    setenv("OPENBLAS_NUM_THREADS", "1", 0)
    setenv("AUTODIFF_NUM_THREADS", "1", 0)
    let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
    execv("/proc/self/exe", arguments)
    print("Suite: could not restart with one thread (\(String(cString: strerror(errno)))); going on")
}

// MARK: - Options

struct Options {
    var quick = false
    var problems: Set<String>? = nil
    /// Row ids (`gmm-grad/tensor`) or keys (`gmm-grad/tensor|gmm_d2_K5`) to keep, for timing or
    /// profiling one variant alone.
    var rows: Set<String>? = nil
    var peers = true
    /// `--profile S`: only call each selected row's derivative for S seconds (under `perf record`).
    var profileSeconds: Double? = nil
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
            case "--rows":
                guard let list = iterator.next() else { Options.usage("--rows needs a comma-separated list of row ids") }
                rows = Set(list.split(separator: ",").map { String($0) })
            case "--profile":
                guard let text = iterator.next(), let seconds = Double(text), seconds > 0 else {
                    Options.usage("--profile needs a number of seconds")
                }
                profileSeconds = seconds
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
        print("usage: swift run -c release --package-path Benchmarks --scratch-path .build-bench Suite [--quick] [--problems a,b] [--rows id,id] [--profile seconds] [--no-peers] [--output RESULTS.md]")
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

/// One measured row (a variant of a problem) with its Swift `_Differentiation` counterpart.
struct Measured {
    let row: Row
    let primal: Double
    let derivative: Double
    let difference: Double?
    let primalDifference: Double?
    var swiftAD: Double? = nil
    var swiftADDifference: Double? = nil
    var correct: Bool? {
        guard let difference else { return nil }
        return difference <= tolerance && (primalDifference ?? 0) <= tolerance
    }
    var swiftADCorrect: Bool { (swiftADDifference ?? .infinity) <= tolerance }
}

let tolerance = 1e-9

/// The best correct peer for a row: same id and size, else same problem and size (our variants
/// such as gmm-grad/tensor compete with the peers' gmm-grad).
func bestPeer(for m: Measured, in peers: PeerResults?) -> PeerRow? {
    let valid = (peers?.rows ?? []).filter { $0.size == m.row.size && $0.error == nil && $0.ok != false && $0.derivative != nil }
    var candidates = valid.filter { $0.id == m.row.id }
    if candidates.isEmpty { candidates = valid.filter { problemOf($0.id) == problemOf(m.row.id) } }
    return candidates.min { $0.derivative! < $1.derivative! }
}

func correctness(_ m: Measured) -> String {
    switch m.correct {
    case .some(true): return "ok (\(String(format: "%.0e", max(m.difference!, m.primalDifference ?? 0))))"
    case .some(false): return "**FAILED** (\(String(format: "%.1e", max(m.difference ?? 0, m.primalDifference ?? 0))))"
    case .none: return "no reference"
    }
}

/// The row of each (id, size) shown in the main table: the fastest correct single-threaded
/// variant (the first registered when none is correct).
func mainRows(_ measured: [Measured]) -> [Measured] {
    var order: [String] = []
    var groups: [String: [Measured]] = [:]
    for m in measured {
        if groups[m.row.key] == nil { order.append(m.row.key) }
        groups[m.row.key, default: []].append(m)
    }
    return order.map { key in
        let group = groups[key]!
        let eligible = group.filter { $0.row.threads == 1 && $0.correct != false }
        var best = eligible.min { $0.derivative < $1.derivative } ?? group[0]
        // The Swift AD measurement is attached to one variant; show it on the group's row.
        if best.swiftAD == nil, let withAD = group.first(where: { $0.swiftAD != nil }) {
            best.swiftAD = withAD.swiftAD
            best.swiftADDifference = withAD.swiftADDifference
        }
        return best
    }
}

func swiftADCell(_ m: Measured, group: [Measured], notes: inout [String]) -> String {
    if let time = m.swiftAD {
        let status = m.swiftADCorrect ? "" : " **FAILED**"
        return formatTime(time) + String(format: " (%.2fx)", time / m.derivative) + status
    }
    if let entry = group.lazy.compactMap(\.row.swiftAD).first, entry.derivative == nil {
        notes.append("\(m.row.id) \(m.row.size): \(entry.note)")
        return "— [\(notes.count)]"
    }
    return "—"
}

func markdownTable(_ measured: [Measured], peers: PeerResults?) -> (table: String, notes: [String]) {
    var lines = [
        "| problem | size | ours | ours d/p | best peer | peer time | peer d/p | ours / best | Swift AD (× ours) | correct | our method |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    var notes: [String] = []
    var seen = Set<String>()
    for m in mainRows(measured) {
        seen.insert(m.row.key)
        let group = measured.filter { $0.row.key == m.row.key }
        let best = bestPeer(for: m, in: peers)
        let bestName = best.map { problemOf($0.id) == $0.id ? $0.engine : "\($0.engine) (\($0.id.split(separator: "/").last!))" } ?? "—"
        let peerTime = best.map { formatTime($0.derivative) } ?? "—"
        let peerRatio = best.flatMap { b in b.primal.map { String(format: "%.1f", b.derivative! / $0) } } ?? "—"
        let ratio = best.map { String(format: "%.2f", m.derivative / $0.derivative!) } ?? "—"
        let swift = swiftADCell(m, group: group, notes: &notes)
        lines.append("| \(m.row.id) | \(m.row.size) | \(formatTime(m.derivative)) | \(String(format: "%.1f", m.derivative / m.primal)) | \(bestName) | \(peerTime) | \(peerRatio) | \(ratio) | \(swift) | \(correctness(m)) | \(m.row.method) |")
    }
    // Peer rows that this library does not measure.
    var peerOnly: [String: [PeerRow]] = [:]
    for row in peers?.rows ?? [] where !seen.contains(row.id + "|" + row.size) {
        peerOnly[row.id + "|" + row.size, default: []].append(row)
    }
    for key in peerOnly.keys.sorted() {
        let candidates = peerOnly[key]!.filter { $0.error == nil && $0.ok != false && $0.derivative != nil }
        guard let best = candidates.min(by: { $0.derivative! < $1.derivative! }) else { continue }
        let peerRatio = best.primal.map { String(format: "%.1f", best.derivative! / $0) } ?? "—"
        lines.append("| \(best.id) | \(best.size) | — | — | \(best.engine) | \(formatTime(best.derivative)) | \(peerRatio) | — | — | not measured here | |")
    }
    return (lines.joined(separator: "\n"), notes)
}

func variantsTable(_ measured: [Measured]) -> String {
    var lines = [
        "| problem | size | method | threads | derivative | d/p | × main row | correct |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    let main = Dictionary(mainRows(measured).map { ($0.row.key, $0) }, uniquingKeysWith: { a, _ in a })
    for m in measured {
        let chosen = main[m.row.key]!
        let mark = chosen.row.method == m.row.method ? " **(main)**" : ""
        lines.append("| \(m.row.id) | \(m.row.size) | \(m.row.method)\(mark) | \(m.row.threads) | \(formatTime(m.derivative)) | \(String(format: "%.1f", m.derivative / m.primal)) | \(String(format: "%.2f", m.derivative / chosen.derivative)) | \(correctness(m)) |")
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

let wantedProblems = options.problems
var allRows: [Row]
do {
    allRows = try registerRows(shared: shared) { wantedProblems == nil || wantedProblems!.contains($0) }
} catch {
    log("Suite: cannot load the inputs: \(error)")
    exit(1)
}
if let wantedRows = options.rows {
    // `--rows gmm-grad/tensor` also needs `--problems gmm-grad` to skip building the other problems' rows.
    // `id`, `id|size`, or `id|size|` and the start of a method name (one variant, for `perf record`).
    allRows = allRows.filter { row in
        wantedRows.contains(row.id) || wantedRows.contains(row.key)
            || wantedRows.contains { $0.hasPrefix(row.key + "|") && (row.key + "|" + row.method).hasPrefix($0) }
    }
    if allRows.isEmpty { log("Suite: no row has an id in \(wantedRows.sorted())") }
}
if let wanted = options.problems {
    let known = Set(allRows.map { problemOf($0.id) })
    for name in wanted.sorted() where !known.contains(name) { log("Suite: no Swift row for '\(name)' (peers only, if they have it)") }
}

if let seconds = options.profileSeconds {
    // Nothing but the derivatives, so that a profile of this run is the derivatives' profile.
    for row in allRows {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var calls = 0
        while ContinuousClock.now < end {
            sink += row.derivative().first ?? 0
            calls += 1
        }
        log("Suite: profiled \(row.id) \(row.size): \(calls) derivative calls in \(seconds) s")
    }
    exit(0)
}

let timing = options.quick
    ? Timing(budget: .milliseconds(200), maxRepetitions: 15, warmup: 1)
    : Timing(budget: .seconds(1), maxRepetitions: 100, warmup: 3)
/// Rows whose derivative takes tens of milliseconds: fewer calls, so that the suite stays short.
let slowTiming = options.quick
    ? Timing(budget: .milliseconds(200), maxRepetitions: 3, warmup: 1)
    : Timing(budget: .seconds(1), maxRepetitions: 15, warmup: 1)

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }

var measured: [Measured] = []
var primalTimes: [String: Double] = [:]
for row in allRows {
    let primalResult = row.primal()
    let primalDifference = row.primalCheck?() ?? row.expectedPrimal.map { maxRelativeDifference(primalResult, $0) }
    let difference = row.check(row.checked?() ?? row.derivative())
    let clock = timing
    let primalTime = primalTimes[row.key] ?? clock.median(row.primal).seconds
    primalTimes[row.key] = primalTime
    let derivativeTime = (row.slow ? slowTiming : timing).median(row.derivative).seconds
    var result = Measured(row: row, primal: primalTime, derivative: derivativeTime, difference: difference, primalDifference: primalDifference)
    if let entry = row.swiftAD, let derivative = entry.derivative {
        result.swiftADDifference = row.check(derivative())
        result.swiftAD = (row.slow ? slowTiming : timing).median(derivative).seconds
    }
    measured.append(result)
    let status = result.correct.map { $0 ? "ok" : "FAILED" } ?? "no reference"
    log("  Autodiff " + pad(row.id, 16) + " " + pad(row.size, 20) + " primal " + pad(formatTime(primalTime), 10)
        + "  derivative " + pad(formatTime(derivativeTime), 10) + String(format: "  ratio %9.1f", derivativeTime / primalTime)
        + "  diff " + (difference.map { String(format: "%.1e", $0) } ?? "-") + " " + status + "  " + row.method)
    if let time = result.swiftAD {
        log("  SwiftAD  " + pad(row.id, 16) + " " + pad(row.size, 20) + " derivative " + pad(formatTime(time), 10)
            + "  diff " + String(format: "%.1e", result.swiftADDifference ?? .infinity) + (result.swiftADCorrect ? " ok" : " FAILED"))
    }
}

let peers = options.peers ? runPeers(benchmarksDirectory: benchmarksDirectory, options: options) : nil

let formatter = ISO8601DateFormatter()
let (mainTable, swiftADNotes) = markdownTable(measured, peers: peers)
let command = "swift run -c release --package-path Benchmarks --scratch-path .build-bench Suite" + CommandLine.arguments.dropFirst().map { " " + $0 }.joined()
var report = """
# Benchmark results

Generated \(formatter.string(from: Date())) by `\(command)` (from the repository root).
Problems and inputs: `shared/bench/SUITE.md`. Times are medians of repeated calls after warm-up \
(\(options.quick ? "quick mode: few repetitions" : "up to 1 s or 100 calls per measurement; 15 calls for the slow rows")), \
single-threaded unless a variant says otherwise (the Suite runs itself with `OPENBLAS_NUM_THREADS=1` and `AUTODIFF_NUM_THREADS=1`); the peers run with one intra-op thread.
"ours" is this library's derivative time (the fastest single-threaded variant; all variants are listed below),
"d/p" a derivative time over the objective time of the same implementation (ours: the plain-`Double` objective),
"ours / best" our derivative time over the best correct peer's, "Swift AD" Swift's `_Differentiation` on the
same problem in the same process (with its time over ours). A derivative or objective more than \(tolerance)
(relative) off the reference JSON is marked FAILED.

\(machineDescription().joined(separator: "\n"))
\(peers.map { "- Peers: " + $0.versions.joined(separator: ", ") } ?? "- Peers: not run")

\(mainTable)

"""
if !swiftADNotes.isEmpty { report += "\n" }
for (index, note) in swiftADNotes.enumerated() { report += "[\(index + 1)] Swift AD, \(note)  \n" }
report += "\n## Variants\n\nEvery way of computing each row that was measured; the main table shows the fastest single-threaded correct one.\n\n" + variantsTable(measured) + "\n"
if let peers {
    report += "\n## Peers in detail\n\nJAX times exclude compilation (the first call, shown apart).\n\n" + peerTable(peers) + "\n"
}
// The analysis written by hand (Benchmarks/RESULTS-analysis.md would be outside the generated
// part): keep everything after the marker line of the current RESULTS.md.
let outputPath = options.output ?? benchmarksDirectory + "/RESULTS.md"
let marker = "<!-- analysis: kept across runs -->"
if let previous = try? String(contentsOfFile: outputPath, encoding: .utf8), let range = previous.range(of: marker) {
    report += "\n" + previous[range.lowerBound...]
}
print(report)
do {
    try report.write(toFile: outputPath, atomically: true, encoding: .utf8)
    log("Suite: wrote \(outputPath)")
} catch {
    log("Suite: cannot write \(outputPath): \(error)")
}
let failures = measured.filter { $0.correct == false }
if !failures.isEmpty {
    log("Suite: \(failures.count) row(s) FAILED the reference check: \(failures.map { $0.row.id + " " + $0.row.size + " (" + $0.row.method + ")" }.joined(separator: ", "))")
    exit(1)
}
