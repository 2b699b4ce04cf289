// Many small Jacobians (issue 13): ADBench bundle adjustment ba1 (31,843 Jacobians of the same
// 15-input, 2-output residual block), computed five ways:
//   per block `jacobian(at:)` (a separate call per observation, today's method),
//   batched `jacobians(at:inputs:outputs:into:)` on one thread and on two threads,
//   a `PreparedJacobian` called once per block,
//   one `RecordedFunction` of the block (the feature as two more inputs) replayed at every
//   point in reverse mode by `jacobians(at:into:)`: JAX's vmap(jacrev).
// Forward rows must equal per-block `jacobian(at:)` bit for bit; the reverse replay sums in
// another order and must agree to 1e-12 (relative, or absolute below 1).
// Serial rows report the median thread CPU time (the machine may be shared); the parallel row
// reports the median wall time (its CPU time is spread over threads), and every row its wall time.
//
//   swift run -c release --package-path Benchmarks --scratch-path .build-bench BatchBench

import AutodiffCore
import BenchmarkProblems
import BenchSupport
import Foundation

final class Current { var feature = SIMD2<Double>(0, 0) }

func run() throws {
    let shared: SharedData
    do { shared = try SharedData.locate() } catch { shared = try SharedData.locate(fromSourceFile: #filePath) }
    let input = try BAInput.load(path: shared.adbench("ba1_n49_m7776_p31843.txt"))
    let p = input.observationCount
    let blocks = (0..<p).map { input.observationBlock($0) }
    let points = Array(blocks.joined())
    let features = (0..<p).map { input.feature($0) }

    typealias D16 = DualVector<Double, 16>

    func perBlock() -> [Double] {
        var J = [Double](repeating: 0, count: 30 * p)
        for i in 0..<p {
            let block = jacobian(at: blocks[i]) { (v: [D16]) in baResidualBlock(v, feature: features[i]) }
            for k in 0..<15 { J[30 * i + k] = block[0][k]; J[30 * i + 15 + k] = block[1][k] }
        }
        return J
    }

    var batchedOut = [Double](repeating: 0, count: 30 * p)
    func batched(parallel: Bool) {
        jacobians(at: points, inputs: 15, outputs: 2, into: &batchedOut, parallel: parallel) {
            (i: Int, x: [D16], y: inout [D16]) in
            (y[0], y[1]) = baReprojectionError(x, feature: features[i])
        }
    }

    var batchedReturning = [Double](repeating: 0, count: 30 * p)
    func batchedReturningArray() {
        jacobians(at: points, inputs: 15, outputs: 2, into: &batchedReturning) { (i: Int, x: [D16]) in
            baResidualBlock(x, feature: features[i])
        }
    }

    // One prepared operator per feature would be the user's loop over one fixed function; here
    // the feature changes per block, so the closure reads it from a captured box.
    let current = Current()
    let prepared = PreparedJacobian(inputs: 15, outputs: 2) { (x: [D16], y: inout [D16]) in
        (y[0], y[1]) = baReprojectionError(x, feature: current.feature)
    }
    var preparedOut = [Double](repeating: 0, count: 30 * p)
    func preparedLoop() {
        // The caller's loop: one point buffer and one Jacobian buffer, reused for every block.
        var x = [Double](repeating: 0, count: 15)
        var block = [Double](repeating: 0, count: 30)
        preparedOut.withUnsafeMutableBufferPointer { out in
            for i in 0..<p {
                current.feature = features[i]
                for k in 0..<15 { x[k] = points[15 * i + k] }
                prepared.jacobian(at: x, into: &block)
                for k in 0..<30 { out[30 * i + k] = block[k] }
            }
        }
    }

    // One recording of the block with the feature as two more inputs, replayed per block in
    // reverse mode (one reverse pass per output: 2 passes instead of 15 lanes).
    let recorded = RecordedFunction(at: points[0..<15] + [features[0].x, features[0].y]) { (v: [Traced<Double>]) in
        let (e0, e1) = baReprojectionError(Array(v[0..<15]), feature: SIMD2(0, 0))
        return [e0 - v[14] * v[15], e1 - v[14] * v[16]]
    }
    var replayPoints = [Double](repeating: 0, count: 17 * p)
    for i in 0..<p {
        for k in 0..<15 { replayPoints[17 * i + k] = points[15 * i + k] }
        replayPoints[17 * i + 15] = features[i].x; replayPoints[17 * i + 16] = features[i].y
    }
    var replayJ = [Double](repeating: 0, count: 34 * p)
    var replayOut = [Double](repeating: 0, count: 30 * p)
    func replayLoop() { try! recorded.jacobians(at: replayPoints, into: &replayJ) }
    func replayReshaped() {
        replayLoop()
        for i in 0..<p {
            for k in 0..<15 { replayOut[30 * i + k] = replayJ[34 * i + k]; replayOut[30 * i + 15 + k] = replayJ[34 * i + 17 + k] }
        }
    }

    func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Median thread CPU time and median wall time of `samples` calls, after two warm-up calls.
    func measure(samples: Int = 11, _ body: () -> Void) -> (cpu: Double, wall: Double) {
        body(); body()
        var cpu: [Double] = [], wall: [Double] = []
        for _ in 0..<samples {
            let c0 = threadCPUSeconds()
            wall.append(elapsed(body))
            cpu.append(threadCPUSeconds() - c0)
        }
        return (cpu.sorted()[samples / 2], wall.sorted()[samples / 2])
    }

    let reference = perBlock()
    batched(parallel: false); let serialSame = batchedOut == reference
    batched(parallel: true); let parallelSame = batchedOut == reference
    batchedReturningArray(); let returningSame = batchedReturning == reference
    preparedLoop(); let preparedSame = preparedOut == reference
    replayReshaped(); let replayDiff = zip(replayOut, reference).map { abs($0 - $1) / max(1, abs($1)) }.max()!
    print("recorded block: \(recorded.operationCount) operations; reverse replay against forward: \(replayDiff)")

    let base = measure { blackHole(perBlock()) }
    let rows: [(String, (cpu: Double, wall: Double), Bool, Bool)] = [
        ("per block jacobian(at:), DualVector<Double, 16>", base, true, false),
        ("batched jacobians(at:…into:), in-place closure, 1 thread", measure { batched(parallel: false) }, serialSame, false),
        ("batched jacobians(at:…into:), returning closure, 1 thread", measure { batchedReturningArray() }, returningSame, false),
        ("batched jacobians(at:…into:parallel: true), 2 cores", measure { batched(parallel: true) }, parallelSame, true),
        ("PreparedJacobian.jacobian(at:into:) per block", measure { preparedLoop() }, preparedSame, false),
        ("RecordedFunction.jacobians(at:into:), reverse replay", measure { replayLoop() }, replayDiff < 1e-12, false),
    ]
    print("ba1: \(p) Jacobians of 2 × 15, \(ProcessInfo.processInfo.activeProcessorCount) cores\n")
    printTable(["method", "thread CPU (median)", "wall (median)", "× per block (time used)", "agrees"], rows.map { name, t, same, parallel in
        let used = parallel ? t.wall : t.cpu
        return [name, parallel ? "—" : formatTime(t.cpu), formatTime(t.wall),
                String(format: "%.2f", used / base.cpu), same ? "yes" : "NO"]
    })
    print("\n× per block: the serial rows' thread CPU time, the parallel row's wall time, over per block's thread CPU time.")
}

try run()
