// A model with twenty named parameters, differentiated with respect to the struct itself:
// the gradient comes back as the same struct, with no packing into arrays.
import Autodiff

struct Oscillator: DifferentiableParameters {
    var amplitude1 = 1.0, frequency1 = 1.0, phase1 = 0.0, decay1 = 0.1
    var amplitude2 = 0.5, frequency2 = 2.0, phase2 = 0.3, decay2 = 0.2
    var amplitude3 = 0.25, frequency3 = 3.0, phase3 = 0.6, decay3 = 0.3
    var amplitude4 = 0.125, frequency4 = 4.0, phase4 = 0.9, decay4 = 0.4
    var offset = 0.0, slope = 0.0, curvature = 0.0, noiseFloor = 0.01
}

func predict<S: Real>(_ p: Parameters<Oscillator, S>, at t: Double) -> S {
    let time = S(converting: t)
    let first = p.amplitude1 * S.exp(-p.decay1 * time) * S.sin(p.frequency1 * time + p.phase1)
    let second = p.amplitude2 * S.exp(-p.decay2 * time) * S.sin(p.frequency2 * time + p.phase2)
    let third = p.amplitude3 * S.exp(-p.decay3 * time) * S.sin(p.frequency3 * time + p.phase3)
    let fourth = p.amplitude4 * S.exp(-p.decay4 * time) * S.sin(p.frequency4 * time + p.phase4)
    let trend = p.offset + p.slope * time + p.curvature * time * time
    return first + second + third + fourth + trend + p.noiseFloor
}

let truth = Oscillator(amplitude1: 1.2, frequency1: 0.9, offset: 0.1, slope: 0.05)
let times = stride(from: 0.0, to: 10.0, by: 0.05).map { $0 }
let observed = times.map { predict(truth.values, at: $0) }

func meanSquaredError<S: Real>(_ p: Parameters<Oscillator, S>) -> S {
    var total = S(0)
    for (t, value) in zip(times, observed) {
        let r = predict(p, at: t) - S(converting: value)
        total += r * r
    }
    return total / S(times.count)
}

var model = Oscillator()
var rate = 0.02
for epoch in 1...200 {
    let (loss, g) = valueWithGradient(at: model) { p in meanSquaredError(p) }
    // Plain gradient descent on every field, through the struct's own fields.
    model.amplitude1 -= rate * g.amplitude1; model.frequency1 -= rate * g.frequency1
    model.phase1 -= rate * g.phase1; model.decay1 -= rate * g.decay1
    model.amplitude2 -= rate * g.amplitude2; model.frequency2 -= rate * g.frequency2
    model.phase2 -= rate * g.phase2; model.decay2 -= rate * g.decay2
    model.offset -= rate * g.offset; model.slope -= rate * g.slope
    if epoch % 50 == 0 { print("epoch \(epoch): loss \(loss), ∂loss/∂amplitude1 \(g.amplitude1)") }
    if epoch == 100 { rate /= 2 }
}
print("amplitude1 \(model.amplitude1) (truth \(truth.amplitude1)), offset \(model.offset) (truth \(truth.offset))")
