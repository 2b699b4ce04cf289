import Autodiff
import Testing

/// Misuse of the tensor API, one row each: what is done wrong, and the message that must be
/// printed (in debug and, through `scripts/test.sh`, in release builds). Every message has
/// the form `Autodiff: <operation>: <what was wrong>`.
enum TensorMisuse: String, MisuseRow {
    case matmulInner, matmulScalar, dotLengths, broadcast, reshapeCount, reshapeTwoInferred, shapeOverflowZeros,
         shapeOverflowInit, shapeOverflowReshape, shapeScalarCount, scalarsSetCount, axisOutOfRange, indexOutOfBounds,
         concatenateShapes, stackShapes, splitSizes, permuteAxes, linspaceCount, raggedLiteral, leafInPlace,
         requiresGradOfNonLeaf, zeroDimensionalAxis, gatherIndexOutOfRange, topkTooLarge, rollShiftCount,
         layerNormShape

    var expected: String {
        switch self {
        case .matmulInner: "Autodiff: matmul: shapes [2, 3] and [4, 5] are incompatible (inner dimensions 3 and 4 differ)"
        case .matmulScalar: "Autodiff: matmul: shapes [] and [2] are incompatible (0-d arguments"
        case .dotLengths: "Autodiff: dot: shapes [2] and [3] are incompatible"
        case .broadcast: "Autodiff: add: shapes [2, 3] and [4] are incompatible for broadcasting"
        case .reshapeCount: "Autodiff: reshape: shape [4, 2] is invalid for input of shape [2, 3] (6 elements)"
        case .reshapeTwoInferred: "Autodiff: reshape: at most one dimension can be -1, got [-1, -1]"
        case .shapeOverflowZeros:
            "Autodiff: full: shape [4294967296, 4294967296] has more elements than Int can count"
        case .shapeOverflowInit:
            "Autodiff: Tensor(shape:scalars:): shape [4294967296, 4294967296, 0] has more elements than Int can count"
        case .shapeOverflowReshape:
            "Autodiff: reshape: shape [4294967296, 4294967296, -1] has more elements than Int can count"
        case .shapeScalarCount: "Autodiff: Tensor(shape:scalars:): shape [2, 2] needs 4 scalars, got 3"
        case .scalarsSetCount: "Autodiff: Tensor.scalars (set): shape [2] needs 2 scalars, got 3"
        case .axisOutOfRange: "Autodiff: sum: axis 2 out of range for tensor of shape [2, 3]"
        case .indexOutOfBounds: "Autodiff: subscript: index 5 is out of bounds for dimension 0 with size 2"
        case .concatenateShapes: "Autodiff: concatenate(axis: 0): shapes [2, 3] and [2, 4] are incompatible"
        case .stackShapes: "Autodiff: stack: shapes [2] and [3] are incompatible"
        case .splitSizes: "Autodiff: split: sizes [1, 1] do not add up to dimension 0 of shape [3]"
        case .permuteAxes: "Autodiff: permute: [0, 0] is not a permutation of the 2 dimensions of shape [2, 3]"
        case .linspaceCount: "Autodiff: linspace: count must be non-negative, got -1"
        case .raggedLiteral: "Autodiff: Tensor literal: ragged nesting, elements of shapes [2] and [1]"
        case .leafInPlace: "Autodiff: add_: a leaf Variable that requires grad is being used in an in-place operation"
        case .requiresGradOfNonLeaf: "Autodiff: requiresGrad (set): you can only change requires_grad flags of leaf variables"
        case .zeroDimensionalAxis: "Autodiff: sum: axis 1 out of range for tensor of shape []"
        case .gatherIndexOutOfRange: "Autodiff: gather: index 2.0 is not an integer in range for a dimension of size 2"
        case .topkTooLarge: "Autodiff: topk: k = 4 out of range for a dimension of size 3"
        case .rollShiftCount: "Autodiff: roll: 2 shifts for 1 axes (one shift per axis)"
        case .layerNormShape:
            "Autodiff: layerNorm: normalizedShape [2] must be the last dimensions of the input of shape [2, 3]"
        }
    }

    func trigger() {
        switch self {
        case .matmulInner: _ = matmul(Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([4, 5]))
        case .matmulScalar: _ = matmul(Tensor<Double>(1.0), Tensor<Double>.zeros([2]))
        case .dotLengths: _ = dot(Tensor<Double>.zeros([2]), Tensor<Double>.zeros([3]))
        case .broadcast: _ = Tensor<Double>.zeros([2, 3]) + Tensor<Double>.zeros([4])
        case .reshapeCount: _ = Tensor<Double>.zeros([2, 3]).reshaped([4, 2])
        case .reshapeTwoInferred: _ = Tensor<Double>.zeros([2, 3]).reshaped([-1, -1])
        case .shapeOverflowZeros: _ = Tensor<Double>.zeros([1 << 32, 1 << 32])
        case .shapeOverflowInit: _ = Tensor<Double>(shape: [1 << 32, 1 << 32, 0], scalars: [])
        case .shapeOverflowReshape: _ = Tensor<Double>.zeros([0]).reshaped([1 << 32, 1 << 32, -1])
        case .shapeScalarCount: _ = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3])
        case .scalarsSetCount:
            var t = Tensor<Double>([1, 2])
            t.scalars = [1, 2, 3]
        case .axisOutOfRange: _ = Tensor<Double>.zeros([2, 3]).sum(axes: [2])
        case .indexOutOfBounds: _ = Tensor<Double>.zeros([2, 3])[5]
        case .concatenateShapes: _ = concatenate([Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([2, 4])], axis: 0)
        case .stackShapes: _ = stack([Tensor<Double>.zeros([2]), Tensor<Double>.zeros([3])])
        case .splitSizes: _ = Tensor<Double>.zeros([3]).split(sizes: [1, 1])
        case .permuteAxes: _ = Tensor<Double>.zeros([2, 3]).permuted([0, 0])
        case .linspaceCount: _ = Tensor<Double>.linspace(from: 0, to: 1, count: -1)
        case .raggedLiteral: _ = Tensor<Double>([[1, 2], [3]])
        case .leafInPlace:
            var w = Tensor<Double>([1, 2], requiresGrad: true)
            w.add(Tensor(1.0))
        case .requiresGradOfNonLeaf:
            let x = Tensor<Double>([1, 2], requiresGrad: true)
            (x * 2).requiresGrad = false
        case .zeroDimensionalAxis: _ = Tensor<Double>(1.0).sum(axes: [1])
        case .gatherIndexOutOfRange: _ = Tensor<Double>.zeros([2, 2]).gathering(axis: 1, index: [[0, 2]])
        case .topkTooLarge: _ = Tensor<Double>.zeros([3]).top(4)
        case .rollShiftCount: _ = Tensor<Double>.zeros([2, 3]).rolled(shifts: [1, 1], axes: [0])
        case .layerNormShape: _ = layerNorm(Tensor<Double>.zeros([2, 3]), normalizedShape: [2])
        }
    }
}

@Suite("Tensor: solve with mismatched shapes")
struct TensorSolveShapeTests {
    /// `solve` with shapes that do not fit throws (a recoverable error, as LAPACK failures
    /// are) rather than stopping: the row for solve checks the thrown message instead.
    @Test("solve with mismatched shapes throws shapeMismatch naming solve and both shapes")
    func solveShapes() {
        #expect(throws: TensorError.shapeMismatch(operation: "solve", lhs: [2, 2], rhs: [3])) {
            try solve(Tensor<Double>.eye(2), Tensor<Double>.zeros([3]))
        }
    }
}
