import AutodiffCore
import RealModule

/// The ADBench hand model (`bones.txt` and `vertices.txt` of a model folder): a skeleton of
/// bones with rest transforms, and skinned vertices.
///
/// ```swift
/// let model = try HandModel.load(bonesPath: shared.adbench("bones.txt"),
///                                verticesPath: shared.adbench("vertices.txt"))
/// ```
public struct HandModel: Sendable {
    /// The bone names, in file order.
    public let boneNames: [String]
    /// The parent of each bone (an earlier bone), or −1 for the root.
    public let parents: [Int]
    /// Per bone, the 4 × 4 base relative transform, row-major (16 values per bone).
    public let baseRelatives: [Double]
    /// Per bone, the 4 × 4 inverse base absolute transform, row-major.
    public let inverseBaseAbsolutes: [Double]
    /// The vertices' rest positions, row-major (3 values per vertex).
    public let basePositions: [Double]
    /// For vertex v, its skinning weights are `weightBones[k]`, `weightValues[k]` for
    /// `k` in `weightStart[v]..<weightStart[v + 1]`.
    public let weightStart: [Int]
    /// Bone index of each skinning weight.
    public let weightBones: [Int]
    /// Value of each skinning weight.
    public let weightValues: [Double]

    /// Number of bones.
    public var boneCount: Int { parents.count }
    /// Number of vertices.
    public var vertexCount: Int { basePositions.count / 3 }

    /// Reads `bones.txt` (`name:parent:16 base_relative:16 inverse_base_absolute`, row-major)
    /// and `vertices.txt` (`x:y:z:5 unused:count:bone:weight:...`).
    public static func load(bonesPath: String, verticesPath: String) throws -> HandModel {
        var bones = try TokenReader(path: bonesPath, colonSeparates: true)
        var names: [String] = [], parents: [Int] = [], relatives: [Double] = [], inverses: [Double] = []
        while let name = bones.nextToken() {
            let bone = names.count
            let parent = try bones.int("the parent of bone '\(name)'", atLeast: -1)
            guard parent < bone else {
                throw ProblemDataError(path: bonesPath, line: bones.tokenLine,
                                       message: "bone '\(name)' has parent \(parent), which is not an earlier bone")
            }
            names.append(String(name))
            parents.append(parent)
            relatives += try bones.doubles(16, "the base relative matrix of bone '\(name)'")
            inverses += try bones.doubles(16, "the inverse base absolute matrix of bone '\(name)'")
        }
        guard !names.isEmpty else { throw ProblemDataError(path: bonesPath, message: "no bones in the file") }

        var vertices = try TokenReader(path: verticesPath, colonSeparates: true)
        var positions: [Double] = [], starts: [Int] = [0], weightBones: [Int] = [], weightValues: [Double] = []
        while let first = vertices.nextToken() {
            let vertex = starts.count - 1
            guard let x = Double(first) else {
                throw ProblemDataError(path: verticesPath, line: vertices.tokenLine,
                                       message: "expected the x coordinate of vertex \(vertex), found '\(first)'")
            }
            positions.append(x)
            positions += try vertices.doubles(2, "the y, z coordinates of vertex \(vertex)")
            _ = try vertices.doubles(5, "the 5 unused values of vertex \(vertex)")
            let count = try vertices.int("the weight count of vertex \(vertex)")
            for _ in 0..<count {
                let bone = try vertices.int("a bone index of vertex \(vertex)")
                guard bone < names.count else {
                    throw ProblemDataError(path: verticesPath, line: vertices.tokenLine,
                                           message: "vertex \(vertex) names bone \(bone), but there are \(names.count) bones")
                }
                weightBones.append(bone)
                weightValues.append(try vertices.double("a weight of vertex \(vertex)"))
            }
            starts.append(weightBones.count)
        }
        guard !positions.isEmpty else { throw ProblemDataError(path: verticesPath, message: "no vertices in the file") }
        return HandModel(boneNames: names, parents: parents, baseRelatives: relatives, inverseBaseAbsolutes: inverses,
                         basePositions: positions, weightStart: starts, weightBones: weightBones, weightValues: weightValues)
    }
}

/// An ADBench hand-tracking input, simple variant (`hand*_t26_c*.txt`) with its model: N
/// observed points, each matched to a model vertex, and the 26 pose parameters θ.
///
/// ```swift
/// let input = try HandInput.load(path: shared.adbench("hand1_t26_c100.txt"), model: model)
/// let residuals = handResiduals(input.theta, input)        // 3N values
/// ```
public struct HandInput: Sendable {
    /// The hand model.
    public let model: HandModel
    /// The vertex matched to each observed point.
    public let correspondences: [Int]
    /// The N × 3 observed points, row-major.
    public let points: [Double]
    /// The pose parameters θ at which the problem is evaluated (26 values).
    public let theta: [Double]

    /// Reads `N n_theta`, N lines `vertex_index y1 y2 y3`, then the n_theta values of θ.
    public static func load(path: String, model: HandModel) throws -> HandInput {
        var reader = try TokenReader(path: path)
        let n = try reader.int("N (line 1: N n_theta)", atLeast: 1)
        let thetaCount = try reader.int("n_theta (line 1: N n_theta)", atLeast: 1)
        guard thetaCount == handThetaCount else {
            throw ProblemDataError(path: path, line: 1, message: "the simple hand variant has \(handThetaCount) pose parameters, the file says \(thetaCount)")
        }
        var correspondences: [Int] = [], points: [Double] = []
        for i in 0..<n {
            let vertex = try reader.int("the vertex index of point \(i)")
            guard vertex < model.vertexCount else {
                throw ProblemDataError(path: path, line: reader.tokenLine,
                                       message: "point \(i) is matched to vertex \(vertex), but the model has \(model.vertexCount) vertices")
            }
            correspondences.append(vertex)
            points += try reader.doubles(3, "the coordinates of point \(i)")
        }
        let theta = try reader.doubles(thetaCount, "theta")
        try reader.expectEnd("theta")
        return HandInput(model: model, correspondences: correspondences, points: points, theta: theta)
    }
}

/// Number of pose parameters of the simple hand variant.
public let handThetaCount = 26

/// The residuals of ADBench hand tracking, simple variant: `err[3i+j] = point_i[j] −
/// vertex_{corr_i}[j]` where the vertices are skinned by the pose θ.
///
/// θ (26) gives the pose: θ[0..<3] a global angle-axis rotation, θ[3..<6] a global
/// translation, and per finger f (bones 2+4f ... 4+4f) the Euler angles x and z of its first
/// joint, then the angle x of the next two. Bone b: `relative_b = base_relative_b ·
/// [[Rz(z) Ry(y) Rx(x), 0], [0, 1]]`, `absolute_b = absolute_parent · relative_b`,
/// `transform_b = absolute_b · inverse_base_absolute_b`; `vertex_v = Σ_b w_bv (transform_b
/// [p_v; 1])[0:3]`; then rotated by the global rotation (scale 1) and translated. Only the
/// matched vertices are skinned.
///
/// ```swift
/// let residuals = handResiduals(input.theta, input)                        // [Double], 3N
/// let column = handResiduals(input.theta.indices.map { Dual(input.theta[$0], derivative: $0 == 5 ? 1 : 0) }, input)
/// ```
@inlinable
public func handResiduals<S: Real>(_ theta: [S], _ input: HandInput) -> [S] {
    precondition(theta.count == handThetaCount, "handResiduals expects \(handThetaCount) pose parameters, got \(theta.count)")
    let model = input.model
    let boneCount = model.boneCount
    // Per bone: its absolute transform and its skinning transform (4 × 4 each).
    // Then two 3 × 3 rotations: the current bone's and the global one.
    var scratch = [S](repeating: .zero, count: 32 * boneCount + 18)
    scratch.withUnsafeMutableBufferPointer { buffer in
        let absolutes = buffer.baseAddress!
        let transforms = absolutes + 16 * boneCount
        let rotation = transforms + 16 * boneCount
        writeAngleAxisRotation(theta[0], theta[1], theta[2], into: rotation + 9)
        model.baseRelatives.withUnsafeBufferPointer { baseRelatives in
            for bone in 0..<boneCount {
                // Euler angles (x, z, y) of the bone from θ; zero for bones θ does not move.
                var angleX = S.zero, angleZ = S.zero
                let angleY = S.zero
                if bone >= 2 {
                    let finger = (bone - 2) / 4, joint = (bone - 2) % 4
                    switch joint {
                    case 0: angleX = theta[6 + 4 * finger]; angleZ = theta[7 + 4 * finger]
                    case 1: angleX = theta[8 + 4 * finger]
                    case 2: angleX = theta[9 + 4 * finger]
                    default: break
                    }
                }
                writeEulerRotation(x: angleX, y: angleY, z: angleZ, into: rotation)
                // relative = base_relative · [[rotation, 0], [0, 1]]
                let base = 16 * bone
                let parent = model.parents[bone]
                let target = parent < 0 ? absolutes + base : transforms + base
                for row in 0..<4 {
                    for column in 0..<3 {
                        var sum = S.zero
                        for k in 0..<3 { sum += S(converting: baseRelatives[base + 4 * row + k]) * rotation[3 * k + column] }
                        target[4 * row + column] = sum
                    }
                    target[4 * row + 3] = S(converting: baseRelatives[base + 4 * row + 3])
                }
                if parent >= 0 {
                    // absolute = absolute_parent · relative (relative staged in transforms[bone]).
                    let parentAbsolute = absolutes + 16 * parent
                    for row in 0..<4 {
                        for column in 0..<4 {
                            var sum = S.zero
                            for k in 0..<4 { sum += parentAbsolute[4 * row + k] * target[4 * k + column] }
                            absolutes[base + 4 * row + column] = sum
                        }
                    }
                }
            }
        }
        // transform = absolute · inverse_base_absolute (rows 0..<3 are all that skinning uses).
        model.inverseBaseAbsolutes.withUnsafeBufferPointer { inverses in
            for bone in 0..<boneCount {
                let base = 16 * bone
                for row in 0..<3 {
                    for column in 0..<4 {
                        var sum = S.zero
                        for k in 0..<4 { sum += absolutes[base + 4 * row + k] * S(converting: inverses[base + 4 * k + column]) }
                        transforms[base + 4 * row + column] = sum
                    }
                }
            }
        }
    }

    let count = input.correspondences.count
    return [S](unsafeUninitializedCapacity: 3 * count) { output, initialized in
        scratch.withUnsafeBufferPointer { buffer in
            let transforms = buffer.baseAddress! + 16 * boneCount
            let global = transforms + 16 * boneCount + 9
            for i in 0..<count {
                let vertex = input.correspondences[i]
                let p0 = S(converting: model.basePositions[3 * vertex])
                let p1 = S(converting: model.basePositions[3 * vertex + 1])
                let p2 = S(converting: model.basePositions[3 * vertex + 2])
                var v0 = S.zero, v1 = S.zero, v2 = S.zero
                for w in model.weightStart[vertex]..<model.weightStart[vertex + 1] {
                    let t = transforms + 16 * model.weightBones[w]
                    let weight = S(converting: model.weightValues[w])
                    v0 += weight * (t[0] * p0 + t[1] * p1 + t[2] * p2 + t[3])
                    v1 += weight * (t[4] * p0 + t[5] * p1 + t[6] * p2 + t[7])
                    v2 += weight * (t[8] * p0 + t[9] * p1 + t[10] * p2 + t[11])
                }
                let world0 = global[0] * v0 + global[1] * v1 + global[2] * v2 + theta[3]
                let world1 = global[3] * v0 + global[4] * v1 + global[5] * v2 + theta[4]
                let world2 = global[6] * v0 + global[7] * v1 + global[8] * v2 + theta[5]
                let out = output.baseAddress! + 3 * i
                out.initialize(to: S(converting: input.points[3 * i]) - world0)
                (out + 1).initialize(to: S(converting: input.points[3 * i + 1]) - world1)
                (out + 2).initialize(to: S(converting: input.points[3 * i + 2]) - world2)
            }
        }
        initialized = 3 * count
    }
}

/// Writes the rotation `Rz(z) · Ry(y) · Rx(x)`, row-major 3 × 3, to `r[0..<9]`.
@inlinable
func writeEulerRotation<S: Real>(x: S, y: S, z: S, into r: UnsafeMutablePointer<S>) {
    let cx = S.cos(x), sx = S.sin(x), cy = S.cos(y), sy = S.sin(y), cz = S.cos(z), sz = S.sin(z)
    // Rz · Ry = [[cz·cy, −sz, cz·sy], [sz·cy, cz, sz·sy], [−sy, 0, cy]], then times
    // Rx = [[1, 0, 0], [0, cx, −sx], [0, sx, cx]].
    let a02 = cz * sy, a12 = sz * sy
    r[0] = cz * cy
    r[1] = -sz * cx + a02 * sx
    r[2] = sz * sx + a02 * cx
    r[3] = sz * cy
    r[4] = cz * cx + a12 * sx
    r[5] = -cz * sx + a12 * cx
    r[6] = -sy
    r[7] = cy * sx
    r[8] = cy * cx
}

/// Writes the rotation of the angle-axis vector `(a0, a1, a2)` (Rodrigues), row-major 3 × 3,
/// to `r[0..<9]`; the identity when the angle is below 1e-4 (as ADBench).
@inlinable
func writeAngleAxisRotation<S: Real>(_ a0: S, _ a1: S, _ a2: S, into r: UnsafeMutablePointer<S>) {
    let angle = S.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
    if angle < S(converting: 1e-4) {
        r[0] = 1; r[1] = 0; r[2] = 0
        r[3] = 0; r[4] = 1; r[5] = 0
        r[6] = 0; r[7] = 0; r[8] = 1
        return
    }
    let x = a0 / angle, y = a1 / angle, z = a2 / angle
    let s = S.sin(angle), c = S.cos(angle)
    let t = 1 - c
    r[0] = x * x + (1 - x * x) * c
    r[1] = x * y * t - z * s
    r[2] = x * z * t + y * s
    r[3] = x * y * t + z * s
    r[4] = y * y + (1 - y * y) * c
    r[5] = y * z * t - x * s
    r[6] = x * z * t - y * s
    r[7] = z * y * t + x * s
    r[8] = z * z + (1 - z * z) * c
}
