import RealModule
import Testing
@testable import AutodiffTensor

@Suite("Issue 14: new operations, values and derivatives to second order")
struct MoreTensorOpsTests {
    @Test("cumulativeSum and cumulativeProduct")
    func scans() throws {
        #expect(Tensor<Double>([1, 2, 3]).cumulativeSum(axis: 0).scalars == [1, 3, 6])
        #expect(Tensor<Double>([1, 2, 3]).cumulativeProduct(axis: 0).scalars == [1, 2, 6])
        #expect(Tensor<Double>([[1, 2], [3, 4]]).cumulativeSum(axis: 0).scalars == [1, 2, 4, 6])
        #expect(Tensor<Double>(0.5).cumulativeSum(axis: -1).scalars == [0.5])
        #expect(Tensor<Double>(0.5).cumulativeProduct(axis: 0).shape == [])
        let x = agRandom([2, 3, 4], 201, lower: 0.3, upper: 1.5)
        try tensorGradchecks("cumsum axis 1", [x]) { $0[0].cumulativeSum(axis: 1) * $0[0] }
        try tensorGradchecks("cumsum axis -1", [x]) { $0[0].cumulativeSum(axis: -1) }
        try tensorGradchecks("cumprod axis 2", [x]) { $0[0].cumulativeProduct(axis: 2) }
        try tensorGradchecks("cumprod axis 0", [x]) { $0[0].cumulativeProduct(axis: 0) }
        let zeros = Tensor<Double>([[0, 2, 3, 0.5], [1.5, 0, 0, 2]])
        try tensorGradchecks("cumprod with zeros", [zeros]) { $0[0].cumulativeProduct(axis: 1) }
    }

    @Test("sorted and top: values, indices, derivatives")
    func sortAndTopk() throws {
        let (v, i) = Tensor<Double>([3, 1, 2, 1]).sorted()
        #expect(v.scalars == [1, 1, 2, 3] && i.scalars == [1, 3, 2, 0])
        let (vd, id) = Tensor<Double>([[3, 1, 2], [0, 5, 4]]).sorted(axis: 1, descending: true)
        #expect(vd.scalars == [3, 2, 1, 5, 4, 0] && id.scalars == [0, 2, 1, 1, 2, 0])
        let (tv, ti) = Tensor<Double>([1, 5, 3]).top(2)
        #expect(tv.scalars == [5, 3] && ti.scalars == [1, 2])
        let (sv, si) = Tensor<Double>([[1, 5], [3, 0]]).top(1, axis: 0, largest: false)
        #expect(sv.scalars == [1, 0] && si.scalars == [0, 1] && sv.shape == [1, 2])
        let x = agRandom([3, 4], 202)
        try tensorGradchecks("sort", [x]) { $0[0].sorted(axis: 0).values * $0[0] }
        try tensorGradchecks("topk", [x]) { v in v[0].top(2, axis: 1).values.map(.exp) }
    }

    @Test("gathering, scatteringAdd and maskedSelect")
    func gatherScatter() throws {
        let t: Tensor<Double> = [[1, 2], [3, 4]]
        #expect(t.gathering(axis: 1, index: [[0, 0], [1, 0]]).scalars == [1, 1, 4, 3])
        #expect(t.gathering(axis: 0, index: [[1, 0]]).scalars == [3, 2])
        let s = Tensor<Double>.zeros([3]).scatteringAdd(axis: 0, index: [0, 2, 0], source: [1, 2, 3])
        #expect(s.scalars == [4, 0, 2])
        #expect(t.maskedSelect(t .> 2).scalars == [3, 4])
        let x = agRandom([3, 4], 203)
        let index: Tensor<Double> = [[0, 2, 2], [1, 1, 0], [3, 0, 1]]
        try tensorGradchecks("gather", [x]) { v in v[0].gathering(axis: 1, index: index) * v[0].gathering(axis: 1, index: index) }
        let source = agRandom([3, 4], 204)
        try tensorGradchecks("scatter_add", [x, source]) { v in
            let r = v[0].scatteringAdd(axis: 1, index: index, source: v[1])
            return r * r
        }
        try tensorGradchecks("masked_select", [x]) { v in
            let m = v[0].maskedSelect(Tensor([1, 0, 1, 1]))
            return m * m
        }
    }

    @Test("flipped, rolled, tiled, lower/upper triangle, trace")
    func rearrangements() throws {
        let m: Tensor<Double> = [[1, 2], [3, 4]]
        #expect(m.flipped(axes: [1]).scalars == [2, 1, 4, 3])
        #expect(m.flipped(axes: [0, -1]).scalars == [4, 3, 2, 1])
        #expect(Tensor<Double>([1, 2, 3, 4]).rolled(shifts: [1]).scalars == [4, 1, 2, 3])
        #expect(m.rolled(shifts: [-1], axes: [1]).scalars == [2, 1, 4, 3])
        #expect(m.rolled(shifts: [1]).scalars == [4, 1, 2, 3])
        let tiled = Tensor<Double>([1, 2]).tiled([2, 2])
        #expect(tiled.shape == [2, 4] && tiled.scalars == [1, 2, 1, 2, 1, 2, 1, 2])
        #expect(m.tiled([2, 1]).scalars == [1, 2, 3, 4, 1, 2, 3, 4])
        #expect(m.lowerTriangle().scalars == [1, 0, 3, 4])
        #expect(m.upperTriangle().scalars == [1, 2, 0, 4])
        #expect(m.upperTriangle(diagonal: 1).scalars == [0, 2, 0, 0])
        #expect(m.lowerTriangle(diagonal: -1).scalars == [0, 0, 3, 0])
        #expect(m.trace().scalars == [5])
        let x = agRandom([3, 4], 205)
        let sq = { (v: Tensor<Double>) in v * v }
        try tensorGradchecks("flip", [x]) { sq($0[0].flipped(axes: [0, 1])) }
        try tensorGradchecks("roll", [x]) { sq($0[0].rolled(shifts: [1, -2], axes: [0, 1])) }
        try tensorGradchecks("tile", [x]) { sq($0[0].tiled([2, 1, 2])) }
        try tensorGradchecks("tril", [x]) { sq($0[0].lowerTriangle(diagonal: 1)) }
        try tensorGradchecks("triu", [x]) { sq($0[0].upperTriangle()) }
        try tensorGradchecks("trace", [agRandom([3, 3], 206)]) { v in v[0].trace() * v[0].trace() }
    }

    @Test("logAddExp, xlogy, logit")
    func elementwise() throws {
        let big = logAddExp(Tensor<Double>([1000, 0, -.infinity]), Tensor([1000, 0, -.infinity]))
        #expect(Swift.abs(big.scalars[0] - (1000 + Double.log(2))) < 1e-9)
        #expect(Swift.abs(big.scalars[1] - Double.log(2)) < 1e-12 && big.scalars[2] == -.infinity)
        #expect(agClose(xlogy(Tensor<Double>([0, 2, 3]), Tensor([0, 1, Double.exp(1)])), Tensor([0, 0, 3])))
        #expect(xlogy(Tensor<Double>([0]), Tensor([.nan])).scalars[0].isNaN)
        #expect(Swift.abs(logit(Tensor<Double>([0.75])).scalars[0] - Double.log(3)) < 1e-12)
        let a = agRandom([2, 3], 207), b = agRandom([3], 208)
        try tensorGradchecks("logaddexp", [a, b]) { logAddExp($0[0], $0[1]) }
        let p = agRandom([2, 3], 209, lower: 0.1, upper: 0.9)
        try tensorGradchecks("xlogy", [a, p]) { xlogy($0[0], $0[1]) }
        // At x = 0 both derivatives are 0, as PyTorch.
        let x0 = Tensor<Double>([0, 2], requiresGrad: true), y0 = Tensor<Double>([0.5, 0.5], requiresGrad: true)
        try xlogy(x0, y0).sum().backward()
        #expect(x0.grad!.scalars[0] == 0 && y0.grad!.scalars[0] == 0)
        try tensorGradchecks("logit", [p]) { logit($0[0]) }
        try tensorGradcheck("logit eps", [Tensor([0.05, 0.5, 0.97])]) { logit($0[0], epsilon: 0.1) }
    }

    @Test("gelu, silu, elu, leakyRelu")
    func activations() throws {
        #expect(Swift.abs(gelu(Tensor<Double>([1])).scalars[0] - 0.8413447460685429) < 1e-12)
        #expect(Swift.abs(silu(Tensor<Double>([1])).scalars[0] - 0.7310585786300049) < 1e-12)
        #expect(Swift.abs(elu(Tensor<Double>([-1])).scalars[0] - (Double.exp(-1) - 1)) < 1e-12)
        #expect(leakyRelu(Tensor<Double>([-1, 2])).scalars == [-0.01, 2])
        let x = Tensor<Double>([-1.3, -0.4, 0.2, 0.9, 1.7])
        try tensorGradchecks("gelu", [x]) { gelu($0[0]) }
        try tensorGradchecks("silu", [x]) { silu($0[0]) }
        try tensorGradchecks("elu", [x]) { elu($0[0], alpha: 1.5) }
        try tensorGradchecks("leakyRelu", [x]) { leakyRelu($0[0], negativeSlope: 0.2) * $0[0] }
    }

    @Test("layerNorm")
    func layerNormalisation() throws {
        let y = layerNorm(Tensor<Double>([[1, 2, 3]]), normalizedShape: [3])
        let expected = 1 / Double.sqrt(2.0 / 3 + 1e-5)
        let target: [Double] = [-expected, 0, expected]
        #expect(agClose(y, Tensor(shape: [1, 3], scalars: target), 1e-12))
        let x = agRandom([2, 3, 4], 210)
        try tensorGradchecks("layerNorm", [x, agRandom([3, 4], 211), agRandom([3, 4], 212)]) {
            layerNorm($0[0], normalizedShape: [3, 4], weight: $0[1], bias: $0[2])
        }
        try tensorGradchecks("layerNorm no affine", [x]) { layerNorm($0[0], normalizedShape: [4]) }
    }
}
