import AutodiffCore
import RealModule

/// An ADBench Gaussian-mixture input (`gmm_dD_KK.txt`): the parameters at which the
/// objective is evaluated and the data points.
///
/// ```swift
/// let input = try GMMInput.load(path: shared.adbench("gmm_d2_K5.txt"))
/// let value = gmmObjective(input.parameters, input)                  // Double
/// let grad = gradient(at: input.parameters) { gmmObjective($0, input) }
/// ```
public struct GMMInput: Sendable {
    /// Dimension of a point.
    public let d: Int
    /// Number of mixture components.
    public let k: Int
    /// Number of points.
    public let n: Int
    /// The K mixture weights (log-space, unnormalised).
    public let alphas: [Double]
    /// The K × d means, row-major.
    public let means: [Double]
    /// The K × d(d+1)/2 inverse-covariance factors, row-major: per component d log-diagonal
    /// entries q, then the d(d−1)/2 strictly-lower entries l of the lower triangle, column by column.
    public let icf: [Double]
    /// The n × d points, row-major.
    public let points: [Double]
    /// Wishart prior parameter γ.
    public let gamma: Double
    /// Wishart prior parameter m.
    public let m: Int

    /// Number of icf values per component, d(d+1)/2.
    public var icfCount: Int { d * (d + 1) / 2 }

    /// The parameter vector `[alphas | means | icf]` (length K + K·d + K·d(d+1)/2), the layout
    /// of ``gmmObjective(_:_:)`` and of the reference gradient.
    public var parameters: [Double] { alphas + means + icf }

    public init(d: Int, k: Int, alphas: [Double], means: [Double], icf: [Double], points: [Double], gamma: Double, m: Int) {
        precondition(d > 0 && k > 0, "GMMInput needs d > 0 and K > 0")
        precondition(alphas.count == k && means.count == k * d && icf.count == k * d * (d + 1) / 2,
                     "GMMInput: parameter arrays do not match d = \(d), K = \(k)")
        precondition(points.count % d == 0, "GMMInput: \(points.count) point coordinates is not a multiple of d = \(d)")
        self.d = d
        self.k = k
        self.n = points.count / d
        self.alphas = alphas
        self.means = means
        self.icf = icf
        self.points = points
        self.gamma = gamma
        self.m = m
    }

    /// Reads an ADBench GMM file: `d K n`, K alphas, K×d means, K×d(d+1)/2 icf, n×d points,
    /// then `gamma m`. Throws ``ProblemDataError`` naming the line of a malformed value.
    public static func load(path: String) throws -> GMMInput {
        var reader = try TokenReader(path: path)
        let d = try reader.int("d (line 1: d K n)", atLeast: 1)
        let k = try reader.int("K (line 1: d K n)", atLeast: 1)
        let n = try reader.int("n (line 1: d K n)", atLeast: 1)
        let alphas = try reader.doubles(k, "the K alphas")
        let means = try reader.doubles(k * d, "the K x d means")
        let icf = try reader.doubles(k * d * (d + 1) / 2, "the K x d(d+1)/2 icf values")
        let points = try reader.doubles(n * d, "the n x d points")
        let gamma = try reader.double("the Wishart gamma (last line: gamma m)")
        let m = try reader.int("the Wishart m (last line: gamma m)")
        try reader.expectEnd("the last line 'gamma m'")
        return GMMInput(d: d, k: k, alphas: alphas, means: means, icf: icf, points: points, gamma: gamma, m: m)
    }

    /// The constant part of the objective that does not depend on the parameters:
    /// `−(n·d/2)·ln(2π) − K·C`, with `C = n'·d·(ln γ − ½ ln 2) − lnΓ_d(n'/2)`, `n' = d + m + 1`
    /// and `lnΓ_d(a) = ¼·d(d−1)·ln π + Σ_{j=1..d} lnΓ(a + (1−j)/2)`.
    public var constantTerm: Double {
        let dd = Double(d)
        let nPrime = Double(d + m + 1)
        var logMultiGamma = 0.25 * dd * (dd - 1) * Double.log(.pi)
        for j in 1...d { logMultiGamma += Double.logGamma(0.5 * nPrime + Double(1 - j) / 2) }
        let c = nPrime * dd * (Double.log(gamma) - 0.5 * Double.log(2)) - logMultiGamma
        return -(Double(n) * dd / 2) * Double.log(2 * .pi) - Double(k) * c
    }
}

/// The ADBench GMM objective (log-likelihood of the points plus the Wishart prior):
///
/// `L = −(n·d/2)·ln(2π) + Σ_i LSE_k(α_k + Σ_j q_kj − ½‖Q_k (x_i − μ_k)‖²) − n·LSE(α)
///      + Σ_k [½γ²(‖exp(q_k)‖² + ‖l_k‖²) − m·Σ_j q_kj] − K·C`
///
/// where `Q_k` is lower triangular with diagonal `exp(q_k)` and strictly-lower part `l_k`
/// filled column by column, and `C` is the constant of ``GMMInput/constantTerm``.
///
/// - Parameters:
///   - parameters: `[alphas (K) | means (K·d) | icf (K·d(d+1)/2)]`, row-major, as
///     ``GMMInput/parameters``.
///   - input: the data points, sizes and Wishart parameters.
///
/// ```swift
/// let value = gmmObjective(input.parameters, input)
/// let (value, grad) = valueWithGradient(at: input.parameters) { gmmObjective($0, input) }
/// ```
@inlinable
public func gmmObjective<S: Real>(_ parameters: [S], _ input: GMMInput) -> S {
    let d = input.d, k = input.k, n = input.n
    let icfCount = input.icfCount
    precondition(parameters.count == k + k * d + k * icfCount,
                 "gmmObjective: expected \(k + k * d + k * icfCount) parameters for d = \(d), K = \(k), got \(parameters.count)")
    let meansOffset = k
    let icfOffset = k + k * d

    // Per component: exp of the log-diagonal and α_k + Σ_j q_kj; one scratch buffer per call.
    var scratch = [S](repeating: .zero, count: k * d + k + 3 * d + k)
    return scratch.withUnsafeMutableBufferPointer { buffer -> S in
        let base = buffer.baseAddress!
        let diagonal = base                    // k * d
        let componentConstant = base + k * d   // k
        let centered = componentConstant + k   // d
        let transformed = centered + d         // d
        let terms = transformed + d            // k
        let point = terms + k                  // d

        var prior = S.zero
        let halfGammaSquared = S(converting: 0.5 * input.gamma * input.gamma)
        let wishartM = S(input.m)
        for c in 0..<k {
            var sumQ = S.zero
            var frobenius = S.zero
            for j in 0..<d {
                let q = parameters[icfOffset + c * icfCount + j]
                let e = S.exp(q)
                diagonal[c * d + j] = e
                sumQ += q
                frobenius += e * e
            }
            for j in d..<icfCount {
                let l = parameters[icfOffset + c * icfCount + j]
                frobenius += l * l
            }
            componentConstant[c] = parameters[c] + sumQ
            prior += halfGammaSquared * frobenius - wishartM * sumQ
        }

        var total = S.zero
        input.points.withUnsafeBufferPointer { points in
            for i in 0..<n {
                for j in 0..<d { point[j] = S(converting: points[i * d + j]) }
                for c in 0..<k {
                    for j in 0..<d {
                        centered[j] = point[j] - parameters[meansOffset + c * d + j]
                    }
                    // Q_k (x_i − μ_k): diagonal, then the strictly-lower part column by column.
                    for j in 0..<d { transformed[j] = diagonal[c * d + j] * centered[j] }
                    var lIndex = icfOffset + c * icfCount + d
                    for column in 0..<d {
                        for row in (column + 1)..<d {
                            transformed[row] += parameters[lIndex] * centered[column]
                            lIndex += 1
                        }
                    }
                    var squaredNorm = S.zero
                    for j in 0..<d { squaredNorm += transformed[j] * transformed[j] }
                    terms[c] = componentConstant[c] - squaredNorm / 2
                }
                total += logSumExp(UnsafeBufferPointer(start: terms, count: k))
            }
        }
        let alphaLSE = parameters.withUnsafeBufferPointer { logSumExp(UnsafeBufferPointer(rebasing: $0[0..<k])) }
        return total - S(n) * alphaLSE + prior + S(converting: input.constantTerm)
    }
}

/// `log Σ exp(x_i)`, computed stably around the largest value.
@inlinable
public func logSumExp<S: Real>(_ x: UnsafeBufferPointer<S>) -> S {
    guard var largest = x.first else { return -S.infinity }
    for value in x where value > largest { largest = value }
    var sum = S.zero
    for value in x { sum += S.exp(value - largest) }
    return S.log(sum) + largest
}
