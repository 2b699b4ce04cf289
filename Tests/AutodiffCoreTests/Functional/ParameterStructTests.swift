import RealModule
import Testing
@testable import AutodiffCore

struct Layer: DifferentiableParameters {
    var weights: [Double]
    var bias: Double
}

struct Model: DifferentiableParameters {
    var a = 0.5, b = -1.2, c = 0.3
    var inner = Inner()
    var layers = [Layer(weights: [0.1, 0.2], bias: 0.05), Layer(weights: [-0.3, 0.4], bias: -0.1)]
    var steps = 3            // not a parameter: carried along
    var name = "model"       // not a parameter
    var optional: Double? = 2.0

    struct Inner: DifferentiableParameters { var x = 1.5; var y = [0.25, 0.75] }
}

/// A parameter struct with twenty named fields, as in the example.
struct Twenty: DifferentiableParameters {
    var p0 = 0.1, p1 = 0.2, p2 = 0.3, p3 = 0.4, p4 = 0.5, p5 = 0.6, p6 = 0.7, p7 = 0.8, p8 = 0.9, p9 = 1.0
    var q0 = -0.1, q1 = -0.2, q2 = -0.3, q3 = -0.4, q4 = -0.5, q5 = -0.6, q6 = -0.7, q7 = -0.8, q8 = -0.9, q9 = -1.0
}

func modelLoss<S: Real>(_ m: Parameters<Model, S>) -> S {
    var total = m.a * m.b + S.sin(m.c) * m.inner.x
    for (i, layer) in m.layers.elements.enumerated() {
        total += layer.bias * S(i + 1) + layer.weights[0] * layer.weights[1] * m.inner.y[i]
    }
    return total * S(m.base.steps)
}

@Suite("Functional API: parameter structs")
struct ParameterStructTests {
    @Test("the gradient of a struct with nested structs, arrays and arrays of structs comes back as the same struct")
    func nested() {
        let model = Model()
        let (value, g) = valueWithGradient(at: model) { m in modelLoss(m) }
        #expect(value == modelLoss(Parameters<Model, Double>(constantsOf: model)))
        // The same function on a flat array, by hand, as the oracle.
        let flat = [model.a, model.b, model.c, model.inner.x, model.inner.y[0], model.inner.y[1],
                    model.layers[0].weights[0], model.layers[0].weights[1], model.layers[0].bias,
                    model.layers[1].weights[0], model.layers[1].weights[1], model.layers[1].bias]
        let expected = gradient(at: flat) { v -> Reverse<Double> in
            let first: Reverse<Double> = v[0] * v[1] + Reverse.sin(v[2]) * v[3]
            let layer0: Reverse<Double> = v[8] + v[6] * v[7] * v[4]
            let layer1: Reverse<Double> = v[11] * 2 + v[9] * v[10] * v[5]
            return (first + layer0 + layer1) * 3
        }
        let got = [g.a, g.b, g.c, g.inner.x, g.inner.y[0], g.inner.y[1],
                   g.layers[0].weights[0], g.layers[0].weights[1], g.layers[0].bias,
                   g.layers[1].weights[0], g.layers[1].weights[1], g.layers[1].bias]
        #expect(zip(got, expected).allSatisfy { Swift.abs($0 - $1) <= 1e-15 * Swift.max(1, Swift.abs($1)) }, "\(got) vs \(expected)")
        #expect(g.steps == 3 && g.name == "model")      // constants are carried along
        #expect(g.optional == 0)                        // a variable the loss does not use
        #expect(model.a == 0.5 && model.layers[1].bias == -0.1)   // the input is untouched
    }

    @Test("twenty named fields, no packing: gradient and Jacobian rows as structs")
    func twentyFields() {
        let p = Twenty()
        let g = gradient(at: p) { p in
            p.p0 * p.q0 + p.p1 * p.q1 + p.p2 * p.q2 + p.p3 * p.q3 + p.p4 * p.q4
                + p.p5 * p.q5 + p.p6 * p.q6 + p.p7 * p.q7 + p.p8 * p.q8 + p.p9 * p.q9
        }
        #expect(g.p0 == p.q0 && g.q9 == p.p9 && g.p4 == p.q4 && g.q5 == p.p5)
        let rows = jacobian(at: p) { p in [p.p0 * p.p1, p.q9 - p.p9] }
        #expect(rows.count == 2)
        #expect(rows[0].p0 == p.p1 && rows[0].p1 == p.p0 && rows[0].q9 == 0)
        #expect(rows[1].q9 == 1 && rows[1].p9 == -1 && rows[1].p0 == 0)
    }

    @Test("the DocC examples of DifferentiableParameters")
    func docExamples() {
        struct Line: DifferentiableParameters { var slope = 1.0; var intercept = 0.0 }
        let data: [(x: Double, y: Double)] = [(0, 1), (1, 3), (2, 5)]
        let g = gradient(at: Line()) { p in
            data.reduce(0) { total, point in
                let r = p.slope * point.x + p.intercept - point.y
                return total + r * r
            }
        }
        #expect(g.slope == -16 && g.intercept == -12)
        func predict<S: Real>(_ p: Parameters<Line, S>, _ x: Double) -> S { p.slope * S(converting: x) + p.intercept }
        let line = Line(slope: 2, intercept: 1)
        #expect(predict(Parameters(constantsOf: line), 3.0) == 7.0)
        #expect(gradient(at: line) { p in predict(p, 3.0) }.slope == 3.0)
    }
}
