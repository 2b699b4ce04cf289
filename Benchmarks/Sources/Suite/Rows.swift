// The rows of the suite: each problem of shared/bench/SUITE.md through the library's operators,
// written as a user would (the generic objectives of BenchmarkProblems handed to `gradient`,
// `jacobian`, `hessian`, ...), plus the plain-Double primal and the reference check.
//
// Several rows may share an (id, size): they are variants (chunk sizes, modes); the main table
// shows the fastest single-threaded correct one and the variants table lists them all.

import Autodiff
import BenchmarkProblems
import TensorBenchmarkProblems
import Foundation

/// One measured way of computing one problem's derivative.
struct Row {
    /// Shared with peers.py, e.g. "chain-jac/fwd".
    let id: String
    let size: String
    /// How the library computes the derivative (the operator call).
    let method: String
    /// Threads the derivative uses; only single-threaded variants compete for the main table
    /// (the peers run on one thread).
    var threads = 1
    /// Few samples: the derivative takes tens of milliseconds or more.
    var slow = false
    /// The objective in plain Double, flattened.
    let primal: () -> [Double]
    /// The derivative through the library, flattened row-major.
    let derivative: () -> [Double]
    /// The reference objective, flattened, compared with `primal()`.
    let expectedPrimal: [Double]?
    /// The max relative difference of a result to the reference; nil without a reference.
    let check: ([Double]) -> Double?
    /// What `check` is applied to when it is not `derivative()` (tiny-mlp: the step changes
    /// the weights, so the check computes the gradients of a fresh model).
    var checked: (() -> [Double])? = nil
    /// Swift's `_Differentiation` on the same problem, if it expresses it.
    var swiftAD: SwiftADEntry? = nil
    /// The primal's difference to the reference when it is not `primal()` against
    /// `expectedPrimal` (ba-jac: observation 0's residuals).
    var primalCheck: (() -> Double?)? = nil

    var key: String { id + "|" + size }
}

/// Swift's `_Differentiation` on one problem: a derivative (checked with the row's check) or
/// why there is none.
struct SwiftADEntry {
    let derivative: (() -> [Double])?
    let note: String
    /// Time one call only (each takes seconds).
    var single = false
}

/// Row-major flattening of `[[Double]]` (the operators return rows).
@inline(__always)
func flat(_ rows: [[Double]]) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(rows.count * (rows.first?.count ?? 0))
    for row in rows { out.append(contentsOf: row) }
    return out
}

func compare(_ expected: [Double]) -> ([Double]) -> Double? {
    { maxRelativeDifference($0, expected) }
}

func registerRows(shared: SharedData, wanted: (String) -> Bool) throws -> [Row] {
    var rows: [Row] = []
    if wanted("rosen-grad") { rows += try rosenGradRows(shared) }
    if wanted("rosen-hess") { rows += try rosenHessRows(shared) }
    if wanted("chain-jac") { rows += try chainRows(shared) }
    if wanted("wide-jac") { rows += try wideRows(shared) }
    if wanted("tiny-mlp") { rows += try tinyMLPRows(shared) }
    if wanted("gmm-grad") { rows += try gmmRows(shared) }
    if wanted("lstm-grad") { rows += try lstmRows(shared) }
    if wanted("ba-jac") { rows += try baRows(shared) }
    if wanted("hand-jac") { rows += try handRows(shared) }
    return rows
}

// MARK: - Scalar problems

func rosenGradRows(_ shared: SharedData) throws -> [Row] {
    let reference = try Reference.load(problem: "rosen-grad", shared: shared)
    var rows: [Row] = []
    for n in [1_000, 100_000] {
        let x = deterministicInput(count: n)
        let c = try reference.case("n=\(n)")
        let expected = [try c.number("objective")]
        let check = compare(try c.numbers("gradient"))
        let swiftAD = n <= 1_000
            ? SwiftADEntry(derivative: { swiftADRosenGradient(x) }, note: "gradient(at:of:) of a @differentiable(reverse) loop over [Double]")
            : SwiftADEntry(derivative: nil, note: "not run: the pullback of `x[i]` builds an n-array per access, so one gradient is O(n²) (≈ 10¹⁰ element writes here; about a minute)")
        rows.append(Row(id: "rosen-grad", size: "n=\(n)", method: "gradient(at:) (reverse, taped per call)",
                        primal: { [rosenbrock(x)] },
                        derivative: { gradient(at: x) { rosenbrock($0) } },
                        expectedPrimal: expected, check: check, swiftAD: swiftAD))
        let tape = RecordedGradient(at: x) { rosenbrock($0) }
        rows.append(Row(id: "rosen-grad", size: "n=\(n)", method: "RecordedGradient replay (recorded once, untimed)",
                        primal: { [rosenbrock(x)] },
                        derivative: { (try? tape.gradient(at: x)) ?? [] },
                        expectedPrimal: expected, check: check))
        // The same objective on tensors (issue 14): tensor operations on two slices, and one
        // fused elementwise map of the scalar term (backward by forward mode over it).
        let x0 = Tensor(x)
        for (method, objective) in [("Tensor ops on slices, backward()", rosenbrockTensorOps),
                                    ("Tensor: one fused elementwise map, backward()", rosenbrockFused)] {
            rows.append(Row(id: "rosen-grad", size: "n=\(n)", method: method,
                            primal: { [rosenbrock(x)] },
                            derivative: {
                                let leaf = x0.detach().requiringGrad()
                                guard (try? objective(leaf).backward()) != nil else { return [] }
                                return leaf.grad?.scalars ?? []
                            },
                            expectedPrimal: expected, check: check))
        }
    }
    return rows
}

func rosenHessRows(_ shared: SharedData) throws -> [Row] {
    let reference = try Reference.load(problem: "rosen-hess", shared: shared)
    var rows: [Row] = []
    for n in [100, 400] {
        let x = deterministicInput(count: n)
        let c = n == 100 ? try reference.case("n=100") : nil
        let expected = try c.map { [try $0.number("objective")] }
        let check: ([Double]) -> Double? = try c.map { compare(try $0.numbers("hessian")) } ?? { _ in nil }
        rows.append(Row(id: "rosen-hess", size: "n=\(n)", method: "hessian(at:parallel: false) (fwd-over-rev, 8 lanes)",
                        primal: { [rosenbrock(x)] },
                        derivative: { flat(hessian(at: x, parallel: false) { rosenbrock($0) }) },
                        expectedPrimal: expected, check: check))
        rows.append(Row(id: "rosen-hess", size: "n=\(n)", method: "hessian(at:parallel: false), Reverse<DualVector<Double, 16>>",
                        primal: { [rosenbrock(x)] },
                        derivative: { flat(hessian(at: x, parallel: false) { (v: [Reverse<DualVector<Double, 16>>]) in rosenbrock(v) }) },
                        expectedPrimal: expected, check: check))
        // One recording, replayed: dense by forward-over-reverse replay, sparse by 3 colours.
        let recorded = RecordedFunction(at: x) { rosenbrock($0) }
        rows.append(Row(id: "rosen-hess", size: "n=\(n)", method: "RecordedFunction.hessian(at:) (replay, 8 lanes)",
                        primal: { [rosenbrock(x)] },
                        derivative: { flat((try? recorded.hessian(at: x)) ?? []) },
                        expectedPrimal: expected, check: check))
        rows.append(Row(id: "rosen-hess/sparse", size: "n=\(n)",
                        method: "RecordedFunction.sparseHessian(at:) (\(HessianColouring(recorded.hessianSparsity).colourCount) colours, repeated)",
                        primal: { [rosenbrock(x)] },
                        derivative: { (try? recorded.sparseHessian(at: x))?.values ?? [] },
                        expectedPrimal: expected, check: check,
                        checked: { (try? recorded.sparseHessian(at: x))?.dense.flatMap { $0 } ?? [] }))
        rows.append(Row(id: "rosen-hess/sparse-first", size: "n=\(n)",
                        method: "record + sparsity + colouring + sparseHessian(at:) (first call)",
                        primal: { [rosenbrock(x)] },
                        derivative: { (try? RecordedFunction(at: x) { rosenbrock($0) }.sparseHessian(at: x))?.values ?? [] },
                        expectedPrimal: expected, check: check,
                        checked: { (try? recorded.sparseHessian(at: x))?.dense.flatMap { $0 } ?? [] }))
        if n >= 128 {
            rows.append(Row(id: "rosen-hess", size: "n=\(n)", method: "hessian(at:) default (chunks on all cores)",
                            threads: ProcessInfo.processInfo.activeProcessorCount,
                            primal: { [rosenbrock(x)] },
                            derivative: { flat(hessian(at: x) { rosenbrock($0) }) },
                            expectedPrimal: expected, check: check))
        }
    }
    return rows
}

func chainRows(_ shared: SharedData) throws -> [Row] {
    let c = try Reference.load(problem: "chain-jac", shared: shared).case("n=100")
    let x = deterministicInput(count: 100)
    let expected = try c.numbers("objective")
    let check = compare(try c.numbers("jacobian"))
    let primal = { chainF(x) }
    let recorded = RecordedFunction(at: x) { chainF($0) }
    return [
        Row(id: "chain-jac/sparse", size: "n=100",
            method: "RecordedFunction.sparseJacobian(at:mode: .forward) (\(JacobianColouring(columnsOf: recorded.jacobianSparsity).colourCount) colours, repeated)",
            primal: primal, derivative: { (try? recorded.sparseJacobian(at: x, mode: .forward))?.values ?? [] },
            expectedPrimal: expected, check: check,
            checked: { (try? recorded.sparseJacobian(at: x, mode: .forward))?.dense.flatMap { $0 } ?? [] }),
        Row(id: "chain-jac/fwd", size: "n=100", method: "RecordedFunction.jacobian(at:mode: .forward) (replay, 8 lanes)",
            primal: primal, derivative: { flat((try? recorded.jacobian(at: x, mode: .forward)) ?? []) },
            expectedPrimal: expected, check: check),
        Row(id: "chain-jac/fwd", size: "n=100", method: "jacobian(at:) (8 lanes, 13 passes)", primal: primal,
            derivative: { flat(jacobian(at: x) { chainF($0) }) }, expectedPrimal: expected, check: check),
        Row(id: "chain-jac/fwd", size: "n=100", method: "jacobian(at:), DualVector<Double, 16> (7 passes)", primal: primal,
            derivative: { flat(jacobian(at: x) { (v: [DualVector<Double, 16>]) in chainF(v) }) }, expectedPrimal: expected, check: check),
        Row(id: "chain-jac/fwd", size: "n=100", method: "jacobian(at:), Dual (100 passes)", primal: primal,
            derivative: { flat(jacobian(at: x) { (v: [Dual<Double>]) in chainF(v) }) }, expectedPrimal: expected, check: check),
        Row(id: "chain-jac/rev", size: "n=100", method: "jacobian(at:mode: .reverse) (1 tape, 100 sweeps)", primal: primal,
            derivative: { flat(jacobian(at: x, mode: .reverse) { chainF($0) }) }, expectedPrimal: expected, check: check,
            swiftAD: SwiftADEntry(derivative: { swiftADChainJacobian(x) }, note: "valueWithPullback, one pullback per row")),
    ]
}

func wideRows(_ shared: SharedData) throws -> [Row] {
    let c = try Reference.load(problem: "wide-jac", shared: shared).case("n=8,m=1000")
    let x = deterministicInput(count: 8)
    let expected = try c.numbers("objective")
    let check = compare(try c.numbers("jacobian"))
    let primal = { wideG(x, outputs: 1_000) }
    return [
        Row(id: "wide-jac/fwd", size: "n=8,m=1000", method: "jacobian(at:) (8 lanes, 1 pass)", primal: primal,
            derivative: { flat(jacobian(at: x) { wideG($0, outputs: 1_000) }) }, expectedPrimal: expected, check: check),
        Row(id: "wide-jac/fwd", size: "n=8,m=1000", method: "jacobian(at:), DualVector<Double, 4> (2 passes)", primal: primal,
            derivative: { flat(jacobian(at: x) { (v: [DualVector<Double, 4>]) in wideG(v, outputs: 1_000) }) },
            expectedPrimal: expected, check: check),
        Row(id: "wide-jac/rev", size: "n=8,m=1000", method: "jacobian(at:mode: .reverse) (1 tape, 1000 sweeps)", slow: true,
            primal: primal, derivative: { flat(jacobian(at: x, mode: .reverse) { wideG($0, outputs: 1_000) }) },
            expectedPrimal: expected, check: check,
            swiftAD: SwiftADEntry(derivative: { swiftADWideJacobian(x, outputs: 1_000) }, note: "gradient(at:of:) per output G_j")),
    ]
}

// MARK: - tiny-mlp (tensors)

func tinyMLPRows(_ shared: SharedData) throws -> [Row] {
    let c = try Reference.load(problem: "tiny-mlp", shared: shared).case("1000-100-10, batch 16")
    let learningRate = try c.number("lr")
    let data = TinyMLPData()
    let input = data.inputTensor, target = data.targetTensor
    let model = data.model()
    let optimizer = SGD(model.parameters(), learningRate: learningRate)
    let norm = try c.number("grad_W1_frobenius_norm")
    // The summary peers.py compares: ΣgW1 (scaled by ‖gW1‖: a sum of 100 000 terms of both
    // signs), ‖gW1‖, the first and last rows of gW1, gb1, gW2, gb2.
    let expected = [try c.number("grad_W1_sum") / norm, norm] + (try c.numbers("grad_W1_first_row"))
        + (try c.numbers("grad_W1_last_row")) + (try c.numbers("grad_b1")) + (try c.numbers("grad_W2"))
        + (try c.numbers("grad_b2"))
    let summary: () -> [Double] = {
        let fresh = data.model()
        do {
            try tinyMLPLoss(fresh, input: input, target: target).backward()
        } catch {
            log("tiny-mlp: backward failed: \(error)")
            return []
        }
        let grads = fresh.parameters().map { $0.grad?.scalars ?? [] }
        let w1 = grads[0]
        let sum = w1.reduce(0, +)
        let frobenius = w1.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return [sum / norm, frobenius] + Array(w1.prefix(100)) + Array(w1.suffix(100)) + grads[1] + grads[2] + grads[3]
    }
    return [Row(id: "tiny-mlp", size: "1000-100-10,b=16",
                method: "Tensor: Sequential(Linear, ReLU, Linear), backward(), SGD.step()",
                primal: { withNoGrad { tinyMLPLoss(model, input: input, target: target).scalars } },
                derivative: {
                    let loss = tinyMLPLoss(model, input: input, target: target)
                    do { try loss.backward() } catch { log("tiny-mlp: backward failed: \(error)") }
                    optimizer.step()
                    optimizer.zeroGrad()
                    return loss.detach().scalars
                },
                expectedPrimal: [try c.number("loss_before")],
                check: compare(expected), checked: summary,
                swiftAD: SwiftADEntry(derivative: nil, note: "tensor problem"))]
}

// MARK: - ADBench

func gmmRows(_ shared: SharedData) throws -> [Row] {
    let reference = try Reference.load(problem: "gmm-grad", shared: shared)
    var rows: [Row] = []
    for name in ["gmm_d2_K5", "gmm_d10_K25"] {
        let input = try GMMInput.load(path: shared.adbench(name + ".txt"))
        let parameters = input.parameters
        let c = try reference.case(name)
        let expected = [try c.number("objective")]
        let check = compare(try c.numbers("gradient"))
        let big = input.d * input.k > 20
        let primal = { [gmmObjective(parameters, input)] }
        rows.append(Row(id: "gmm-grad", size: name, method: "gradient(at:) (reverse, scalar loop)", slow: big,
                        primal: primal, derivative: { gradient(at: parameters) { gmmObjective($0, input) } },
                        expectedPrimal: expected, check: check,
                        swiftAD: SwiftADEntry(derivative: nil, note: "not run: the objective writes into scratch buffers (logsumexp terms, Q(x − μ)), which `_Differentiation` cannot differentiate; a rewrite with reads and appends only would pay an O(\(parameters.count)) pullback per parameter read (n·K·d² reads)")))
        let tape = RecordedGradient(at: parameters) { gmmObjective($0, input) }
        rows.append(Row(id: "gmm-grad", size: name, method: "RecordedGradient replay (recorded once, untimed)", slow: big,
                        primal: primal, derivative: { (try? tape.gradient(at: parameters)) ?? [] },
                        expectedPrimal: expected, check: check))

        // Tensor style: the same objective with Tensor<Double> operations and backward().
        let data = GMMTensorData(input)
        let alphas = Tensor(shape: [input.k], scalars: input.alphas, requiresGrad: true)
        let means = Tensor(shape: [input.k, input.d], scalars: input.means, requiresGrad: true)
        let icf = Tensor(shape: [input.k, input.icfCount], scalars: input.icf, requiresGrad: true)
        let plainAlphas = Tensor(shape: [input.k], scalars: input.alphas)
        let plainMeans = Tensor(shape: [input.k, input.d], scalars: input.means)
        let plainICF = Tensor(shape: [input.k, input.icfCount], scalars: input.icf)
        rows.append(Row(id: "gmm-grad/tensor", size: name, method: "Tensor ops (batched matmul, logSumExp), backward()",
                        primal: { withNoGrad { gmmObjectiveTensor(alphas: plainAlphas, means: plainMeans, icf: plainICF, data).scalars } },
                        derivative: {
                            alphas.zeroGrad(); means.zeroGrad(); icf.zeroGrad()
                            do {
                                try gmmObjectiveTensor(alphas: alphas, means: means, icf: icf, data).backward()
                            } catch {
                                log("gmm tensor: backward failed: \(error)")
                                return []
                            }
                            return (alphas.grad?.scalars ?? []) + (means.grad?.scalars ?? []) + (icf.grad?.scalars ?? [])
                        },
                        expectedPrimal: expected, check: check))
    }
    return rows
}

func lstmRows(_ shared: SharedData) throws -> [Row] {
    let c = try Reference.load(problem: "lstm-grad", shared: shared).case("lstm_l2_c1024")
    let input = try LSTMInput.load(path: shared.adbench("lstm_l2_c1024.txt"))
    let parameters = input.parameters
    let expected = [try c.number("objective")]
    let check = compare(try c.numbers("gradient"))
    let primal = { [lstmObjective(parameters, input)] }
    let tape = RecordedGradient(at: parameters) { lstmObjective($0, input) }
    return [
        Row(id: "lstm-grad", size: "l2_c1024", method: "gradient(at:) (reverse, scalar loop)", slow: true,
            primal: primal, derivative: { gradient(at: parameters) { lstmObjective($0, input) } },
            expectedPrimal: expected, check: check,
            swiftAD: SwiftADEntry(derivative: nil, note: "not run: the state is updated in place over 1023 steps (array element writes are not differentiable in `_Differentiation`), and each of the ~10⁵ parameter reads would pay an O(266) pullback")),
        Row(id: "lstm-grad", size: "l2_c1024", method: "RecordedGradient replay (recorded once, untimed)", slow: true,
            primal: primal, derivative: { (try? tape.gradient(at: parameters)) ?? [] },
            expectedPrimal: expected, check: check),
    ]
}

func baRows(_ shared: SharedData) throws -> [Row] {
    let name = "ba1_n49_m7776_p31843"
    let c = try Reference.load(problem: "ba-jac", shared: shared).case(name)
    let input = try BAInput.load(path: shared.adbench(name + ".txt"))
    let p = input.observationCount
    let blocks = (0..<p).map { input.observationBlock($0) }
    let features = (0..<p).map { input.feature($0) }
    let weights = input.weights
    let expectedBlock = try c.numbers("reproj_jacobian_block_obs0") + [try c.number("w_err_jacobian_obs0")]
    let check: ([Double]) -> Double? = { values in
        // Block 0 and weight row 0 against the reference; every other block must equal block 0
        // (the data repeats one observation).
        guard values.count == 31 * p else { return .infinity }
        var worst = maxRelativeDifference(Array(values[0..<30]) + [values[30 * p]], expectedBlock)
        for i in 1..<p where values[(30 * i)..<(30 * i + 30)] != values[0..<30] || values[30 * p + i] != values[30 * p] {
            worst = max(worst, maxRelativeDifference(Array(values[(30 * i)..<(30 * i + 30)]) + [values[30 * p + i]],
                                                     Array(values[0..<30]) + [values[30 * p]]))
        }
        return worst
    }
    let primal: () -> [Double] = {
        var residuals = [Double](repeating: 0, count: 3 * p)
        for i in 0..<p {
            let (e0, e1) = baReprojectionError(blocks[i], feature: features[i])
            residuals[2 * i] = e0
            residuals[2 * i + 1] = e1
            residuals[2 * p + i] = baWeightError(weights[i])
        }
        return residuals
    }
    let expectedPrimal = try c.numbers("reproj_err_obs0")
    /// p blocks of 30 (row-major 2 × 15), then the p weight-row entries.
    func assemble(_ block: (Int) -> [[Double]]) -> [Double] {
        var values = [Double](repeating: 0, count: 31 * p)
        values.withUnsafeMutableBufferPointer { out in
            for i in 0..<p {
                let J = block(i)
                for k in 0..<15 {
                    out[30 * i + k] = J[0][k]
                    out[30 * i + 15 + k] = J[1][k]
                }
                out[30 * p + i] = derivative(at: weights[i]) { baWeightError($0) }
            }
        }
        return values
    }
    let points = Array(blocks.joined())
    /// All p blocks in one batched call writing straight into the result (the layout is the
    /// same: p row-major 2 × 15 blocks), then the weight rows.
    func batched(parallel: Bool) -> [Double] {
        var values = [Double](repeating: 0, count: 31 * p)
        values.withUnsafeMutableBufferPointer { out in
            points.withUnsafeBufferPointer { x in
                jacobians(at: x, inputs: 15, outputs: 2, into: UnsafeMutableBufferPointer(rebasing: out[..<(30 * p)]),
                          parallel: parallel) { (i: Int, x: [DualVector<Double, 16>], y: inout [DualVector<Double, 16>]) in
                    (y[0], y[1]) = baReprojectionError(x, feature: features[i])
                }
            }
            for i in 0..<p { out[30 * p + i] = derivative(at: weights[i]) { baWeightError($0) } }
        }
        return values
    }
    // One recording of the block with the feature as two more inputs (recorded once, as JAX
    // compiles once), replayed at every point in reverse mode: one replay and two reverse
    // passes per point. The 2 × 17 blocks are then copied into the 2 × 15 layout.
    let recorded = RecordedFunction(at: blocks[0] + [features[0].x, features[0].y]) { (v: [Traced<Double>]) in
        let (e0, e1) = baReprojectionError(Array(v[0..<15]), feature: SIMD2(0, 0))
        return [e0 - v[14] * v[15], e1 - v[14] * v[16]]
    }
    var recordedPoints = [Double](repeating: 0, count: 17 * p)
    for i in 0..<p {
        for k in 0..<15 { recordedPoints[17 * i + k] = blocks[i][k] }
        (recordedPoints[17 * i + 15], recordedPoints[17 * i + 16]) = (features[i].x, features[i].y)
    }
    let replayPoints = recordedPoints
    func replayed() -> [Double] {
        var J = [Double](repeating: 0, count: 34 * p)
        try! recorded.jacobians(at: replayPoints, into: &J, mode: .reverse)
        var values = [Double](repeating: 0, count: 31 * p)
        for i in 0..<p {
            for r in 0..<2 { for k in 0..<15 { values[30 * i + 15 * r + k] = J[34 * i + 17 * r + k] } }
            values[30 * p + i] = derivative(at: weights[i]) { baWeightError($0) }
        }
        return values
    }
    return [
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "per block jacobian(at:), DualVector<Double, 15> (1 pass)", slow: true,
            primal: primal,
            derivative: { assemble { i in jacobian(at: blocks[i]) { (v: [DualVector<Double, 15>]) in baResidualBlock(v, feature: features[i]) } } },
            expectedPrimal: nil, check: check,
            swiftAD: SwiftADEntry(derivative: { swiftADBAJacobian(blocks: blocks, features: features, weights: weights) },
                                  note: "per block valueWithPullback, 2 pullbacks")),
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "per block jacobian(at:), DualVector<Double, 16> (1 pass)", slow: true,
            primal: primal,
            derivative: { assemble { i in jacobian(at: blocks[i]) { (v: [DualVector<Double, 16>]) in baResidualBlock(v, feature: features[i]) } } },
            expectedPrimal: nil, check: check),
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "per block jacobian(at:) (8 lanes, 2 passes)", slow: true,
            primal: primal,
            derivative: { assemble { i in jacobian(at: blocks[i]) { baResidualBlock($0, feature: features[i]) } } },
            expectedPrimal: nil, check: check),
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "per block jacobian(at:mode: .reverse) (1 tape, 2 sweeps)", slow: true,
            primal: primal,
            derivative: { assemble { i in jacobian(at: blocks[i], mode: .reverse) { baResidualBlock($0, feature: features[i]) } } },
            expectedPrimal: nil, check: check),
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "batched jacobians(at:inputs:outputs:into:), DualVector<Double, 16>, in-place closure", slow: true,
            primal: primal, derivative: { batched(parallel: false) },
            expectedPrimal: nil, check: check),
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "batched jacobians(at:inputs:outputs:into:parallel: true), DualVector<Double, 16>", threads: 2, slow: true,
            primal: primal, derivative: { batched(parallel: true) },
            expectedPrimal: nil, check: check),
        Row(id: "ba-jac", size: "ba1 p=\(p)", method: "RecordedFunction.jacobians(at:into:mode: .reverse), one recording replayed per point", slow: true,
            primal: primal, derivative: replayed,
            expectedPrimal: nil, check: check),
    ].map { row in
        // The primal check: observation 0's two residuals against the reference.
        var r = row
        r.primalCheck = { let v = primal(); return maxRelativeDifference([v[0], v[1]], expectedPrimal) }
        return r
    }
}

func handRows(_ shared: SharedData) throws -> [Row] {
    let c = try Reference.load(problem: "hand-jac", shared: shared).case("hand1_t26_c100")
    let model = try HandModel.load(bonesPath: shared.adbench("bones.txt"), verticesPath: shared.adbench("vertices.txt"))
    let input = try HandInput.load(path: shared.adbench("hand1_t26_c100.txt"), model: model)
    let theta = input.theta
    let expected = try c.numbers("objective_residuals")
    let check = compare(try c.numbers("jacobian"))
    let primal = { handResiduals(theta, input) }
    let size = "simple_small N=100"
    return [
        Row(id: "hand-jac/fwd", size: size, method: "jacobian(at:) (8 lanes, 4 passes)", primal: primal,
            derivative: { flat(jacobian(at: theta) { handResiduals($0, input) }) }, expectedPrimal: expected, check: check,
            swiftAD: SwiftADEntry(derivative: nil, note: "not run: reverse only, 300 pullbacks through 22 bone transforms in arrays")),
        Row(id: "hand-jac/fwd", size: size, method: "jacobian(at:), DualVector<Double, 13> (2 passes)", primal: primal,
            derivative: { flat(jacobian(at: theta) { (v: [DualVector<Double, 13>]) in handResiduals(v, input) }) },
            expectedPrimal: expected, check: check),
        Row(id: "hand-jac/fwd", size: size, method: "jacobian(at:), DualVector<Double, 26> (1 pass)", primal: primal,
            derivative: { flat(jacobian(at: theta) { (v: [DualVector<Double, 26>]) in handResiduals(v, input) }) },
            expectedPrimal: expected, check: check),
        Row(id: "hand-jac/fwd", size: size, method: "jacobian(at:), Dual (26 passes)", primal: primal,
            derivative: { flat(jacobian(at: theta) { (v: [Dual<Double>]) in handResiduals(v, input) }) },
            expectedPrimal: expected, check: check),
        Row(id: "hand-jac/rev", size: size, method: "jacobian(at:mode: .reverse) (1 tape, 300 sweeps)", slow: true, primal: primal,
            derivative: { flat(jacobian(at: theta, mode: .reverse) { handResiduals($0, input) }) },
            expectedPrimal: expected, check: check),
    ]
}
