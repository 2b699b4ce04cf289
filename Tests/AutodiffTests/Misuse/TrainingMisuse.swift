import Autodiff
import Testing

/// Misuse of the training API, one row each: what is done wrong, and the message that must
/// be printed (in debug and, through `scripts/test.sh`, in release builds). Every message
/// has the form `Autodiff: <operation>: <what was wrong>`.
enum TrainingMisuse: String, MisuseRow {
    case dataLoaderBatchSize, datasetLengths, sgdNegativeLearningRate, sgdLearningRateSetNaN, sgdNesterovSet,
         adamLearningRateSetNegative, adamBetaSet, adamWWeightDecaySet, rmspropMomentumSet, adagradLearningRateSet,
         linearReplacedBias, linearReplacedWeight, linearInitBias, crossEntropyClass, nllClass, linePlotLengths,
         batchMeanOutsideKL

    var expected: String {
        switch self {
        case .dataLoaderBatchSize: "Autodiff: DataLoader: batch size must be positive, got 0"
        case .datasetLengths: "Autodiff: TensorDataset: inputs [3, 2] and targets [2] must have the same first dimension"
        case .sgdNegativeLearningRate: "Autodiff: SGD: invalid learning rate -0.1"
        case .sgdLearningRateSetNaN: "Autodiff: SGD.learningRate: invalid learning rate nan"
        case .sgdNesterovSet: "Autodiff: SGD.nesterov: Nesterov momentum requires a momentum and zero dampening"
        case .adamLearningRateSetNegative: "Autodiff: Adam.learningRate: invalid learning rate -0.001"
        case .adamBetaSet: "Autodiff: Adam.beta2: invalid betas (0.9, 1.0)"
        case .adamWWeightDecaySet: "Autodiff: AdamW.weightDecay: invalid weight decay -0.01"
        case .rmspropMomentumSet: "Autodiff: RMSProp.momentum: invalid momentum -0.5"
        case .adagradLearningRateSet: "Autodiff: AdaGrad.learningRate: invalid learning rate nan"
        case .linearReplacedBias: "Autodiff: Linear: bias of shape [3] for weight of shape [3, 2] (the bias must be [2])"
        case .linearReplacedWeight: "Autodiff: Linear: the weight must be a matrix [in, out], got shape [6]"
        case .linearInitBias: "Autodiff: Linear(weight:bias:): bias of shape [2] for weight of shape [3, 3]"
        case .crossEntropyClass: "Autodiff: crossEntropy: class index 3 out of range 0..<3 (sample 1)"
        case .nllClass: "Autodiff: negativeLogLikelihood: class index 3 out of range 0..<3 (sample 1)"
        case .linePlotLengths: "Autodiff: LinePlot.addSeries: 2 x values for 3 y values"
        case .batchMeanOutsideKL: "Autodiff: meanSquaredError: reduction .batchMean is only defined for klDivergence"
        }
    }

    func trigger() {
        let p = [Parameter(Tensor<Double>([1, 2]))]
        switch self {
        case .dataLoaderBatchSize:
            let data = TensorDataset(inputs: Tensor<Double>.zeros([3, 2]), targets: Tensor<Double>.zeros([3]))
            _ = DataLoader(data, batchSize: 0)
        case .datasetLengths:
            _ = TensorDataset(inputs: Tensor<Double>.zeros([3, 2]), targets: Tensor<Double>.zeros([2]))
        case .sgdNegativeLearningRate: _ = SGD(p, learningRate: -0.1)
        case .sgdLearningRateSetNaN: SGD(p, learningRate: 0.1).learningRate = .nan
        case .sgdNesterovSet: SGD(p, learningRate: 0.1).nesterov = true
        case .adamLearningRateSetNegative: Adam(p).learningRate = -1e-3
        case .adamBetaSet: Adam(p).beta2 = 1
        case .adamWWeightDecaySet: AdamW(p).weightDecay = -0.01
        case .rmspropMomentumSet: RMSProp(p).momentum = -0.5
        case .adagradLearningRateSet: AdaGrad(p).learningRate = .nan
        case .linearReplacedBias:
            let layer = Linear(weight: Tensor<Double>.zeros([3, 2]), bias: Tensor<Double>.zeros([2]))
            layer.bias!.value = Tensor<Double>([1, 2, 3])
            _ = layer(Tensor<Double>.zeros([4, 3]))
        case .linearReplacedWeight:
            let layer = Linear(weight: Tensor<Double>.zeros([3, 2]))
            layer.weight.value = Tensor<Double>.zeros([6])
            _ = layer(Tensor<Double>.zeros([4, 3]))
        case .linearInitBias: _ = Linear(weight: Tensor<Double>.eye(3), bias: Tensor<Double>.zeros([2]))
        case .crossEntropyClass: _ = crossEntropy(Tensor<Double>.zeros([2, 3]), classes: [0, 3])
        case .nllClass: _ = negativeLogLikelihood(Tensor<Double>.zeros([2, 3]), classes: [0, 3])
        case .linePlotLengths:
            var plot = LinePlot()
            plot.addSeries(label: "loss", x: [1, 2], y: [1, 2, 3])
        case .batchMeanOutsideKL:
            _ = meanSquaredError(Tensor<Double>.zeros([2]), Tensor<Double>.zeros([2]), reduction: .batchMean)
        }
    }
}
