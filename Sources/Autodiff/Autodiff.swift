// The umbrella module: `import Autodiff` gives the whole library and swift-numerics'
// `Real`, so that `func f<S: Real>(_ x: [S]) -> S` compiles with this one import.
//
// Take a part instead when that is all you need (the scalar core builds with no
// LAPACK or BLAS installed):
//
//     .product(name: "AutodiffCore", package: "Autodiff")      // Dual, Reverse, gradient, jacobian, …
//     .product(name: "AutodiffTensor", package: "Autodiff")    // Tensor and the eager autograd
//     .product(name: "AutodiffTraining", package: "Autodiff")  // layers, losses, optimizers, data
@_exported import AutodiffCore
@_exported import AutodiffTensor
@_exported import AutodiffTraining
@_exported import RealModule
