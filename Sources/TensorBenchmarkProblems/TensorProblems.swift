import Autodiff
import BenchmarkProblems
import RealModule

// MARK: - GMM in tensor style

/// The constant tensors of ``gmmObjectiveTensor(alphas:means:icf:_:)`` for one input: the points
/// as a `[1, n, d]` tensor and the two 0/1 scatter matrices that build the lower-triangular
/// factors `Q_k` from `exp(q_k)` and `l_k` with one matrix product each.
///
/// ```swift
/// let data = GMMTensorData(input)
/// let alphas = Tensor(shape: [input.k], scalars: input.alphas, requiresGrad: true)
/// let means = Tensor(shape: [input.k, input.d], scalars: input.means, requiresGrad: true)
/// let icf = Tensor(shape: [input.k, input.icfCount], scalars: input.icf, requiresGrad: true)
/// let loss = gmmObjectiveTensor(alphas: alphas, means: means, icf: icf, data)
/// try loss.backward()   // alphas.grad, means.grad, icf.grad
/// ```
public struct GMMTensorData {
    /// The input the tensors were built from.
    public let input: GMMInput
    /// The points, shape `[1, n, d]` (broadcast against the `[K, 1, d]` means).
    public let points: Tensor<Double>
    /// `d × d²`: row j puts a diagonal value at entry `(j, j)` of a row-major d × d matrix.
    public let diagonalScatter: Tensor<Double>
    /// `d(d−1)/2 × d²`: row t puts the t-th strictly-lower value (column by column) at its
    /// `(row, column)` entry. Nil when d = 1.
    public let lowerScatter: Tensor<Double>?

    public init(_ input: GMMInput) {
        self.input = input
        let d = input.d
        points = Tensor(shape: [1, input.n, d], scalars: input.points)
        var diagonal = [Double](repeating: 0, count: d * d * d)
        for j in 0..<d { diagonal[j * d * d + j * d + j] = 1 }
        diagonalScatter = Tensor(shape: [d, d * d], scalars: diagonal)
        let lowerCount = d * (d - 1) / 2
        if lowerCount > 0 {
            var lower = [Double](repeating: 0, count: lowerCount * d * d)
            var t = 0
            for column in 0..<d {
                for row in (column + 1)..<d {
                    lower[t * d * d + row * d + column] = 1
                    t += 1
                }
            }
            lowerScatter = Tensor(shape: [lowerCount, d * d], scalars: lower)
        } else {
            lowerScatter = nil
        }
    }
}

/// The ADBench GMM objective of ``gmmObjective(_:_:)`` written with `Tensor<Double>` operations,
/// as a PyTorch user would write it: all points and components at once, `Q_k` built by matrix
/// products with constant scatter matrices, one batched `matmul` for `Q_k (x_i − μ_k)` and
/// `logSumExp` over the components. Differentiable by the tensor autograd (`backward()`).
///
/// - Parameters:
///   - alphas: shape `[K]`.
///   - means: shape `[K, d]`.
///   - icf: shape `[K, d(d+1)/2]` (per component d log-diagonal values, then the strictly-lower
///     part column by column).
///   - data: the points and constants (``GMMTensorData``).
/// - Returns: a 0-d tensor, the objective.
public func gmmObjectiveTensor(alphas: Tensor<Double>, means: Tensor<Double>, icf: Tensor<Double>,
                               _ data: GMMTensorData) -> Tensor<Double> {
    let input = data.input
    let d = input.d, k = input.k
    precondition(alphas.shape == [k] && means.shape == [k, d] && icf.shape == [k, input.icfCount],
                 "gmmObjectiveTensor: shapes \(alphas.shape), \(means.shape), \(icf.shape) do not match d = \(d), K = \(k)")
    let parts = d > 1 ? icf.split(sizes: [d, input.icfCount - d], axis: 1) : [icf]
    let q = parts[0]                                                   // [K, d]
    let diagonal = exp(q)
    var factors = matmul(diagonal, data.diagonalScatter)               // [K, d²]
    if let lowerScatter = data.lowerScatter { factors = factors + matmul(parts[1], lowerScatter) }
    let qt = factors.reshaped([k, d, d]).transposed(1, 2)              // Q_kᵀ, [K, d, d]
    let centered = data.points - means.reshaped([k, 1, d])             // [K, n, d]
    let transformed = matmul(centered, qt)                             // rows Q_k (x_i − μ_k)
    let squaredNorms = (transformed * transformed).sum(axes: [2])      // [K, n]
    let sumQ = q.sum(axes: [1])                                        // [K]
    let terms = (alphas + sumQ).reshaped([k, 1]) - squaredNorms * 0.5  // [K, n]
    let likelihood = terms.logSumExp(axes: [0]).sum()
    var frobenius = (diagonal * diagonal).sum()
    if d > 1 { frobenius = frobenius + (parts[1] * parts[1]).sum() }
    let prior = frobenius * (0.5 * input.gamma * input.gamma) - sumQ.sum() * Double(input.m)
    return likelihood - alphas.logSumExp() * Double(input.n) + prior + input.constantTerm
}

// MARK: - tiny-mlp

/// The deterministic data of the `tiny-mlp` problem of SUITE.md: `W1[i][j] = 0.01·cos(100i + j)`
/// (1000 × 100, in × out), `W2[i][j] = 0.1·cos(10i + j + 7)` (100 × 10), zero biases, input
/// `X[b][k] = cos(1000b + k)` (16 × 1000) and target `Y[b][o] = sin(10b + o)` (16 × 10).
///
/// ```swift
/// let data = TinyMLPData()
/// let model = data.model()
/// let loss = tinyMLPLoss(model, data)
/// ```
public struct TinyMLPData: Sendable {
    public let w1: [Double]
    public let w2: [Double]
    public let input: [Double]
    public let target: [Double]
    public static let sizes = (input: 1000, hidden: 100, output: 10, batch: 16)

    public init() {
        let s = TinyMLPData.sizes
        w1 = (0..<s.input).flatMap { i in (0..<s.hidden).map { j in 0.01 * Double.cos(Double(i * 100 + j)) } }
        w2 = (0..<s.hidden).flatMap { i in (0..<s.output).map { j in 0.1 * Double.cos(Double(i * 10 + j + 7)) } }
        input = (0..<s.batch).flatMap { b in (0..<s.input).map { k in Double.cos(Double(b * 1000 + k)) } }
        target = (0..<s.batch).flatMap { b in (0..<s.output).map { o in Double.sin(Double(b * 10 + o)) } }
    }

    /// `Linear(1000, 100) → ReLU → Linear(100, 10)` with the deterministic weights.
    public func model() -> Sequential<Double> {
        let s = TinyMLPData.sizes
        return Sequential(
            Linear(weight: Tensor(shape: [s.input, s.hidden], scalars: w1), bias: Tensor.zeros([s.hidden])),
            ReLU(),
            Linear(weight: Tensor(shape: [s.hidden, s.output], scalars: w2), bias: Tensor.zeros([s.output])))
    }

    /// The input batch, shape `[16, 1000]`.
    public var inputTensor: Tensor<Double> { Tensor(shape: [TinyMLPData.sizes.batch, TinyMLPData.sizes.input], scalars: input) }
    /// The target batch, shape `[16, 10]`.
    public var targetTensor: Tensor<Double> { Tensor(shape: [TinyMLPData.sizes.batch, TinyMLPData.sizes.output], scalars: target) }
}

/// The tiny-mlp loss `Σ (Y − model(X))²` as a 0-d tensor.
public func tinyMLPLoss(_ model: Sequential<Double>, input: Tensor<Double>, target: Tensor<Double>) -> Tensor<Double> {
    let difference = target - model(input)
    return (difference * difference).sum()
}

/// One term of ``rosenbrock(_:)``, `100 (b − a²)² + (1 − a)²` with `a = x[i]`, `b = x[i+1]`,
/// written once generic over `Real` so that `elementwise` runs it on `Double` forward and
/// on dual numbers backward.
///
/// ```swift
/// RosenbrockTerm()(1.0, 1.0)    // 0
/// ```
public struct RosenbrockTerm: ElementwiseFunction2 {
    public init() {}

    @inlinable
    public func callAsFunction<S: Real>(_ a: S, _ b: S) -> S {
        100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
    }
}

/// The rosen-grad objective of ``rosenbrock(_:)`` with tensor operations on the slices
/// `x[0..<n-1]` and `x[1..<n]` (one recorded operation per arithmetic step).
///
/// ```swift
/// let x = Tensor<Double>([0.5, 1, 1.5], requiresGrad: true)
/// try rosenbrockTensorOps(x).backward()
/// ```
public func rosenbrockTensorOps(_ x: Tensor<Double>) -> Tensor<Double> {
    let n = x.shape[0]
    let a = x[0..<(n - 1)], b = x[1..<n]
    return (100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)).sum()
}

/// The rosen-grad objective as one fused elementwise map of ``RosenbrockTerm`` over the
/// slices, and a sum (two recorded operations besides the slices).
///
/// ```swift
/// let x = Tensor<Double>([0.5, 1, 1.5], requiresGrad: true)
/// try rosenbrockFused(x).backward()
/// ```
public func rosenbrockFused(_ x: Tensor<Double>) -> Tensor<Double> {
    let n = x.shape[0]
    return elementwise(x[0..<(n - 1)], x[1..<n], RosenbrockTerm()).sum()
}
