import Testing
import AutodiffTraining
import AutodiffTensor

/// Training parts without ceremony: a default, seedable generator, as torch.manual_seed.
@Suite("NN: the default generator and manualSeed", .serialized)
struct DefaultGeneratorTests {
    @Test func manualSeedMakesRunsRepeat() {
        manualSeed(42)
        let a = Tensor<Double>.randomNormal([5]), la = Linear<Double>(3, 2)
        manualSeed(42)
        let b = Tensor<Double>.randomNormal([5]), lb = Linear<Double>(3, 2)
        #expect(a.scalars == b.scalars)
        #expect(la.weight.value.scalars == lb.weight.value.scalars)
        #expect(la.bias!.value.scalars == lb.bias!.value.scalars)
        let c = Tensor<Double>.randomNormal([5])
        #expect(c.scalars != b.scalars)
        // PyTorch's bound: every weight within ±1/√in.
        #expect(la.weight.value.scalars.allSatisfy { Swift.abs($0) <= 1 / 3.0.squareRoot() })
    }

    @Test func sequentialInfersItsScalar() {
        manualSeed(0)
        let model = Sequential(Linear<Double>(1, 32), Tanh(), Linear(32, 1))
        let y = model(Tensor<Double>([[0.5], [1.5]]))
        #expect(y.shape == [2, 1])
        #expect(model.namedParameters().count == 4)
    }
}
