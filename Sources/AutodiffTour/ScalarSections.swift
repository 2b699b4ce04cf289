import Autodiff
import RealModule

/// f(x) = 9x⁴ + 2x³ + 3x² + 6x + 1, written once for any Real type.
func seedPolynomial<S: Real>(_ x: S) -> S { 9 * S.pow(x, 4) + 2 * S.pow(x, 3) + 3 * x * x + 6 * x + 1 }

/// y = x² + z³.
func seedPartials<S: Real>(_ v: [S]) -> S { v[0] * v[0] + v[1] * v[1] * v[1] }

let scalarSections: [TourSection] = [
    TourSection(seed: "003", title: "derivative of f(x) = 9x^4 + 2x^3 + 3x^2 + 6x + 1 at x = 2") {
        let d = derivative(at: 2.0) { x in seedPolynomial(x) }
        print("forward mode:  f'(2) = \(d)")
        print("reverse mode:  f'(2) = \(gradient(at: 2.0) { x in seedPolynomial(x) })")
        let d2 = derivative(at: 2.0) { x in derivative(at: x) { y in seedPolynomial(y) } }
        print("nested:        f''(2) = \(d2)")
    },
    TourSection(seed: "003", title: "partial derivatives of y = x^2 + z^3 at (x, z) = (1, 2)") {
        let (value, grad) = valueWithGradient(at: [1.0, 2.0]) { v in seedPartials(v) }
        print("y = \(value), (dy/dx, dy/dz) = (\(grad[0]), \(grad[1]))")
    },
]
