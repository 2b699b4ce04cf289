import Autodiff
import Testing

/// Misuse of the core API, one row each: what is done wrong, and the message that must be
/// printed (in debug and, through `scripts/test.sh`, in release builds). Every message has
/// the form `Autodiff: <operation>: <what was wrong>`.
enum CoreMisuse: String, MisuseRow {
    case jvpDirectionLength, vjpCotangentLength, hvpDirectionLength, checkGradientNaN, checkGradientStep,
         recordedGradientInputLength, dualVectorLane, tapeRecordPartials, customRulePartials,
         checkpointNegativeSteps, checkpointUniformSegment, checkpointNoSnapshots, checkpointStateSize
    case recordedFunctionHessianOfVector, recordedFunctionWeights, recordedFunctionCotangent,
         recordedFunctionBatchPoints, recordedFunctionBatchOutput

    var expected: String {
        switch self {
        case .jvpDirectionLength: "Autodiff: jvp(at:direction:of:): the direction has 1 entries but the input has 2"
        case .vjpCotangentLength: "Autodiff: vjp(at:cotangent:of:): the cotangent has 3 entries but the function returned 2"
        case .hvpDirectionLength: "Autodiff: hvp(at:direction:of:): the direction has 3 entries but the input has 2"
        case .checkGradientNaN: "Autodiff: checkGradient: input[1] is nan"
        case .checkGradientStep: "Autodiff: checkGradient: the step eps must be positive and finite, got -0.001"
        case .recordedGradientInputLength: "Autodiff: RecordedGradient.gradient(at:): the input has 3 entries but the tape was recorded with 2"
        case .dualVectorLane: "Autodiff: DualVector.init(_:seed:): lane 4 is outside 0..<4"
        case .tapeRecordPartials: "Autodiff: Tape.record(value:inputs:partials:): 2 inputs but 1 partials"
        case .customRulePartials:
            "Autodiff: CustomDerivativeRule.gradient(_:): the custom rule OnePartialRule returned 1 partials for 2 inputs"
        case .recordedFunctionHessianOfVector:
            "Autodiff: RecordedFunction.hessian(at:weights:): the function has 2 outputs; give weights for the outputs, or record a function with one output"
        case .recordedFunctionWeights: "Autodiff: RecordedFunction.hvp(at:direction:weights:): 1 weights for 2 outputs"
        case .recordedFunctionCotangent:
            "Autodiff: RecordedFunction.vjp(at:cotangent:): the cotangent has 3 entries but the function has 2 outputs"
        case .recordedFunctionBatchPoints:
            "Autodiff: RecordedFunction.jacobians(at:into:mode:): the points hold 5 values, not a multiple of the 2 inputs the function was recorded with"
        case .recordedFunctionBatchOutput:
            "Autodiff: RecordedFunction.jacobians(at:into:mode:): J has 4 entries; 3 points of 2 × 2 Jacobians need 12"
        case .checkpointNegativeSteps:
            "Autodiff: \(Self.checkpointed): steps must be at least 0, got -1"
        case .checkpointUniformSegment:
            "Autodiff: \(Self.checkpointed): uniform(every:) needs a segment of at least 1 step, got 0"
        case .checkpointNoSnapshots:
            "Autodiff: \(Self.checkpointed): binomial(snapshots:) needs at least 1 snapshot (the initial state is one), got 0"
        case .checkpointStateSize:
            "Autodiff: \(Self.checkpointed): step 3 (of 0..<10) returned a state of 3 entries, but the initial state has 2"
        }
    }

    func trigger() {
        switch self {
        case .jvpDirectionLength:
            _ = jvp(at: [1.0, 2.0], direction: [1.0]) { x in x }
        case .vjpCotangentLength:
            _ = vjp(at: [1.0, 2.0], cotangent: [1.0, 1, 1]) { x in x }
        case .hvpDirectionLength:
            _ = hvp(at: [1.0, 2.0], direction: [1.0, 0, 0]) { x in x[0] * x[1] }
        case .checkGradientNaN:
            _ = checkGradient(Product(), at: [1.0, .nan])
        case .checkGradientStep:
            _ = checkGradient(Product(), at: [1.0, 2.0], eps: -1e-3)
        case .recordedGradientInputLength:
            let tape = RecordedGradient(at: [1.0, 2.0]) { x in x[0] * x[1] }
            _ = try? tape.gradient(at: [1.0, 2.0, 3.0])
        case .dualVectorLane:
            _ = DualVector<Double, 4>(1.0, seed: 4)
        case .tapeRecordPartials:
            Tape<Double>.withTape { tape in
                let x = tape.variable(1.0), y = tape.variable(2.0)
                _ = tape.record(value: 2.0, inputs: [x, y], partials: [1.0])
            }
        case .customRulePartials:
            _ = gradient(at: [1.0, 2.0]) { x in OnePartialRule()(x) }
        case .recordedFunctionHessianOfVector:
            let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0]] }
            _ = try? f.hessian(at: [1.0, 2.0])
        case .recordedFunctionWeights:
            let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0]] }
            _ = try? f.hvp(at: [1.0, 2.0], direction: [1, 0], weights: [1])
        case .recordedFunctionCotangent:
            let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0]] }
            _ = try? f.vjp(at: [1.0, 2.0], cotangent: [1, 1, 1])
        case .recordedFunctionBatchPoints:
            let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0]] }
            var J = [Double](repeating: 0, count: 8)
            try? f.jacobians(at: [1, 2, 3, 4, 5], into: &J)
        case .recordedFunctionBatchOutput:
            let f = RecordedFunction(at: [1.0, 2.0]) { x in [x[0] * x[1], x[0]] }
            var J = [Double](repeating: 0, count: 4)
            try? f.jacobians(at: [1, 2, 3, 4, 5, 6], into: &J)
        case .checkpointNegativeSteps:
            _ = Self.checkpointedLoop(steps: -1, .squareRoot)
        case .checkpointUniformSegment:
            _ = Self.checkpointedLoop(steps: 10, .uniform(every: 0))
        case .checkpointNoSnapshots:
            _ = Self.checkpointedLoop(steps: 10, .binomial(snapshots: 0))
        case .checkpointStateSize:
            // The state grows by one entry at step 3 (counting from 0).
            _ = valueWithCheckpointedGradient(
                at: [1.0, 2.0], steps: 10, schedule: .binomial(snapshots: 3),
                step: { x, _ in x[0].value > 3.5 ? x + [x[0]] : [x[0] + 1, x[1]] },
                loss: { x, _ in x[0] })
        }
    }

    static let checkpointed = "valueWithCheckpointedGradient(at:parameters:steps:schedule:step:loss:)"

    static func checkpointedLoop(steps: Int, _ schedule: CheckpointSchedule) -> CheckpointedGradient<Double> {
        valueWithCheckpointedGradient(at: [1.0], steps: steps, schedule: schedule,
                                      step: { x, _ in [x[0] * 2] }, loss: { x, _ in x[0] })
    }
}

/// A wrong custom rule: one partial for any number of inputs.
struct OnePartialRule: CustomDerivativeRule {
    func value<V: Real>(_ x: [V]) -> V { x.reduce(0, +) }
    func gradient<V: Real>(_ x: [V]) -> [V] { [1] }
}

/// x₀·x₁, for the gradient checker.
private struct Product: ScalarDifferentiableFunction {
    func callAsFunction<S: Real>(_ x: [S]) -> S { x[0] * x[1] }
}
