import AutodiffCore
import RealModule

/// An ADBench bundle-adjustment input (`baN_n.._m.._p...txt`), expanded as ADBench does: the
/// file holds one camera, one point, one weight and one feature, copied n, m and p times;
/// observation i uses camera `i mod n` and point `i mod m`.
///
/// ```swift
/// let input = try BAInput.load(path: shared.adbench("ba1_n49_m7776_p31843.txt"))
/// let block = input.observationBlock(0)             // 15 values: camera | point | weight
/// let residual = baReprojectionError(block, feature: input.feature(0))
/// ```
public struct BAInput: Sendable {
    /// Number of cameras n.
    public let cameraCount: Int
    /// Number of points m.
    public let pointCount: Int
    /// Number of observations p.
    public let observationCount: Int
    /// The n × 11 cameras, row-major: `[r1 r2 r3 C1 C2 C3 f u0 v0 k1 k2]` (Rodrigues rotation,
    /// centre, focal length, principal point, radial distortion).
    public let cameras: [Double]
    /// The m × 3 points, row-major.
    public let points: [Double]
    /// The p observation weights.
    public let weights: [Double]
    /// The p × 2 observed features, row-major.
    public let features: [Double]
    /// The p × 2 (camera, point) index pairs of the observations, row-major.
    public let observations: [Int]

    /// Reads an ADBench BA file: `n m p`, one camera (11), one point (3), one weight, one
    /// feature (2), and expands them to n cameras, m points and p observations.
    public static func load(path: String) throws -> BAInput {
        var reader = try TokenReader(path: path)
        let n = try reader.int("n (line 1: n m p)", atLeast: 1)
        let m = try reader.int("m (line 1: n m p)", atLeast: 1)
        let p = try reader.int("p (line 1: n m p)", atLeast: 1)
        let camera = try reader.doubles(11, "the camera (r1 r2 r3 C1 C2 C3 f u0 v0 k1 k2)")
        let point = try reader.doubles(3, "the point")
        let weight = try reader.double("the weight")
        let feature = try reader.doubles(2, "the feature")
        try reader.expectEnd("the feature")
        var observations = [Int]()
        observations.reserveCapacity(2 * p)
        for i in 0..<p {
            observations.append(i % n)
            observations.append(i % m)
        }
        return BAInput(
            cameraCount: n, pointCount: m, observationCount: p,
            cameras: Array([[Double]](repeating: camera, count: n).joined()),
            points: Array([[Double]](repeating: point, count: m).joined()),
            weights: [Double](repeating: weight, count: p),
            features: Array([[Double]](repeating: feature, count: p).joined()),
            observations: observations)
    }

    /// The 15 values observation `i` depends on: `[camera (11) | point (3) | weight]`, the
    /// input of ``baReprojectionError(_:feature:)`` and the columns of its Jacobian block.
    public func observationBlock(_ i: Int) -> [Double] {
        var block = [Double]()
        block.reserveCapacity(15)
        let camera = observations[2 * i], point = observations[2 * i + 1]
        block.append(contentsOf: cameras[(11 * camera)..<(11 * camera + 11)])
        block.append(contentsOf: points[(3 * point)..<(3 * point + 3)])
        block.append(weights[i])
        return block
    }

    /// The observed feature of observation `i`.
    public func feature(_ i: Int) -> SIMD2<Double> {
        SIMD2(features[2 * i], features[2 * i + 1])
    }
}

/// The weighted reprojection error of one observation, the residual block of ADBench bundle
/// adjustment: `X_cam = R(r)(X − C)` (Rodrigues), `p = X_cam[0:2] / X_cam[2]`,
/// `p *= 1 + k1·|p|² + k2·|p|⁴`, `proj = p·f + (u0, v0)`, error `= w·(proj − feature)`.
///
/// - Parameters:
///   - block: `[r1 r2 r3 C1 C2 C3 f u0 v0 k1 k2 | X1 X2 X3 | w]` (15 values, see
///     ``BAInput/observationBlock(_:)``).
///   - feature: the observed image point.
/// - Returns: the two residuals.
///
/// ```swift
/// let (ex, ey) = baReprojectionError(input.observationBlock(0), feature: input.feature(0))
/// ```
@inlinable
public func baReprojectionError<S: Real>(_ block: [S], feature: SIMD2<Double>) -> (S, S) {
    precondition(block.count == 15, "baReprojectionError expects 15 values (camera 11, point 3, weight 1), got \(block.count)")
    let r0 = block[0], r1 = block[1], r2 = block[2]
    let x0 = block[11] - block[3], x1 = block[12] - block[4], x2 = block[13] - block[5]
    let rotated0: S, rotated1: S, rotated2: S
    let squaredAngle = r0 * r0 + r1 * r1 + r2 * r2
    if squaredAngle != 0 {
        let angle = S.sqrt(squaredAngle)
        let cosine = S.cos(angle), sine = S.sin(angle)
        let inverse = 1 / angle
        let w0 = r0 * inverse, w1 = r1 * inverse, w2 = r2 * inverse
        let cross0 = w1 * x2 - w2 * x1
        let cross1 = w2 * x0 - w0 * x2
        let cross2 = w0 * x1 - w1 * x0
        let projection = (w0 * x0 + w1 * x1 + w2 * x2) * (1 - cosine)
        rotated0 = x0 * cosine + cross0 * sine + w0 * projection
        rotated1 = x1 * cosine + cross1 * sine + w1 * projection
        rotated2 = x2 * cosine + cross2 * sine + w2 * projection
    } else {
        rotated0 = x0 + (r1 * x2 - r2 * x1)
        rotated1 = x1 + (r2 * x0 - r0 * x2)
        rotated2 = x2 + (r0 * x1 - r1 * x0)
    }
    let p0 = rotated0 / rotated2, p1 = rotated1 / rotated2
    let squaredRadius = p0 * p0 + p1 * p1
    let distortion = 1 + block[9] * squaredRadius + block[10] * squaredRadius * squaredRadius
    let focal = block[6]
    let projected0 = p0 * distortion * focal + block[7]
    let projected1 = p1 * distortion * focal + block[8]
    let weight = block[14]
    return (weight * (projected0 - S(converting: feature.x)), weight * (projected1 - S(converting: feature.y)))
}

/// ``baReprojectionError(_:feature:)`` as an array of two values, the form the `jacobian`
/// operators take: `jacobian(at: block) { baResidualBlock($0, feature: f) }` gives the dense
/// 2 × 15 block of observation i.
@inlinable
public func baResidualBlock<S: Real>(_ block: [S], feature: SIMD2<Double>) -> [S] {
    let (e0, e1) = baReprojectionError(block, feature: feature)
    return [e0, e1]
}

/// The weight residual of one observation, `1 − w²`.
@inlinable
public func baWeightError<S: Real>(_ weight: S) -> S {
    1 - weight * weight
}
