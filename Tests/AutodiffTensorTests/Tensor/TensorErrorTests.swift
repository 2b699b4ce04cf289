import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// The errors thrown by LAPACK-backed operations and value-needing reductions,
/// with the contents of their messages, for the LAPACK (Double, Float) and the
/// generic (Dual) paths.
@Suite("Tensor errors")
struct TensorErrorTests {
    /// Runs `body`, requires it to throw a `TensorError`, and returns it.
    func thrown<R>(_ body: () throws -> R, sourceLocation: SourceLocation = #_sourceLocation) -> TensorError? {
        do {
            _ = try body()
            Issue.record("expected a TensorError, nothing was thrown", sourceLocation: sourceLocation)
            return nil
        } catch let error as TensorError {
            return error
        } catch {
            Issue.record("expected a TensorError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    func dual(_ t: Tensor<Double>) -> Tensor<Dual<Double>> {
        Tensor(shape: t.shape, scalars: t.scalars.map { Dual($0, derivative: 0) })
    }
    func float(_ t: Tensor<Double>) -> Tensor<Float> { Tensor(shape: t.shape, scalars: t.scalars.map(Float.init)) }

    let singular: Tensor<Double> = [[1, 2], [2, 4]]

    @Test("solve of a singular matrix throws singularMatrix naming solve and the shape")
    func solveSingular() throws {
        let b = Tensor<Double>([1, 1])
        for error in [thrown { try solve(singular, b) }, thrown { try solve(float(singular), float(b)) },
                      thrown { try solve(dual(singular), dual(b)) }] {
            guard case let .singularMatrix(op, shape, info)? = error else {
                Issue.record("expected singularMatrix, got \(String(describing: error))"); continue
            }
            #expect(op == "solve" && shape == [2, 2] && info == 2)
            let text = error!.description
            #expect(text.contains("solve") && text.contains("singular") && text.contains("[2, 2]")
                    && text.contains("LAPACK info = 2"), "message was: \(text)")
        }
    }

    @Test("inverse, triangularSolve and leastSquares report singular matrices")
    func otherSingular() {
        for error in [thrown { try singular.inverse() }, thrown { try float(singular).inverse() },
                      thrown { try dual(singular).inverse() }] {
            #expect(error?.description.contains("inverse: matrix of shape [2, 2] is singular") == true,
                    "message was: \(String(describing: error))")
        }
        // A zero on the diagonal: LAPACK's info is its 1-based index.
        let zeroDiagonal: Tensor<Double> = [[2, 0, 0], [1, 0, 0], [1, 1, 3]]
        let b = Tensor<Double>([1, 2, 3])
        for error in [thrown { try triangularSolve(zeroDiagonal, b, lower: true) },
                      thrown { try triangularSolve(dual(zeroDiagonal), dual(b), lower: true) }] {
            #expect(error == .singularMatrix(operation: "triangularSolve", shape: [3, 3], info: 2))
        }
        // An exactly zero column: R has an exact zero on its diagonal (numerical rank 1).
        let rankDeficient: Tensor<Double> = [[1, 0], [2, 0], [3, 0]]
        let error = thrown { try leastSquares(rankDeficient, Tensor([1, 2, 3])) }
        #expect(error == .rankDeficient(operation: "leastSquares", shape: [3, 2], rank: 1))
        #expect(error?.description == "leastSquares: matrix of shape [3, 2] is rank-deficient (numerical rank 1)")
    }

    @Test("cholesky of a matrix that is not positive definite names the leading minor")
    func notPositiveDefinite() {
        let a: Tensor<Double> = [[4, 2, 0], [2, 1, 0], [0, 0, 1]]   // second leading minor is 0
        for error in [thrown { try cholesky(a) }, thrown { try cholesky(float(a)) }, thrown { try cholesky(dual(a)) }] {
            #expect(error == .notPositiveDefinite(operation: "cholesky", shape: [3, 3], info: 2))
            let text = error?.description ?? ""
            #expect(text.contains("cholesky") && text.contains("not positive definite") && text.contains("[3, 3]")
                    && text.contains("leading minor 2"), "message was: \(text)")
        }
        let negative: Tensor<Double> = [[-1, 0], [0, 1]]
        #expect(thrown { try cholesky(negative) } == .notPositiveDefinite(operation: "cholesky", shape: [2, 2], info: 1))
    }

    @Test("NaN or infinity in any input of a LAPACK operation is refused before LAPACK runs")
    func nonFinite() {
        let good: Tensor<Double> = [[2, 1], [1, 2]]
        let b = Tensor<Double>([1, 1])
        for bad in [Double.nan, .infinity, -.infinity] {
            var a = good
            a[scalarAt: [1, 0]] = bad
            var bb = b
            bb[scalarAt: [1]] = bad
            let cases: [(String, TensorError?)] = [
                ("solve", thrown { try solve(a, b) }),
                ("solve", thrown { try solve(good, bb) }),
                ("solve", thrown { try solve(dual(a), dual(b)) }),
                ("cholesky", thrown { try cholesky(a) }),
                ("inverse", thrown { try a.inverse() }),
                ("determinant", thrown { try a.determinant() }),
                ("logDeterminant", thrown { try a.logDeterminant() }),
                ("triangularSolve", thrown { try triangularSolve(a, b, lower: true) }),
                ("triangularSolve", thrown { try triangularSolve(good, bb, lower: true) }),
                ("eigh", thrown { try eigh(a) }),
                ("svd", thrown { try svd(a) }),
                ("qr", thrown { try qr(a) }),
                ("leastSquares", thrown { try leastSquares(a, b) }),
                ("leastSquares", thrown { try leastSquares(good, bb) }),
            ]
            for (op, error) in cases {
                #expect(error == .nonFinite(operation: op), "\(op) with \(bad)")
                #expect(error?.description == "\(op): input contains NaN or infinity")
            }
        }
    }

    @Test("square-only operations refuse non-square matrices with the shape in the message")
    func notSquare() {
        let a = Tensor<Double>.ones([2, 3])
        let cases: [(String, TensorError?)] = [
            ("solve", thrown { try solve(a, Tensor<Double>.ones([2])) }),
            ("cholesky", thrown { try cholesky(a) }),
            ("inverse", thrown { try a.inverse() }),
            ("determinant", thrown { try a.determinant() }),
            ("logDeterminant", thrown { try a.logDeterminant() }),
            ("triangularSolve", thrown { try triangularSolve(a, Tensor<Double>.ones([2]), lower: true) }),
            ("eigh", thrown { try eigh(a) }),
            ("cholesky", thrown { try cholesky(dual(a)) }),
        ]
        for (op, error) in cases {
            #expect(error == .notSquare(operation: op, shape: [2, 3]), "\(op)")
            #expect(error?.description == "\(op): expected square matrices, got shape [2, 3]")
        }
        // A batch whose matrices are not square.
        #expect(thrown { try Tensor<Double>.ones([4, 2, 3]).inverse() } == .notSquare(operation: "inverse", shape: [4, 2, 3]))
    }

    @Test("rank and right-hand-side shape errors name both shapes")
    func shapeErrors() {
        let error = thrown { try solve(Tensor<Double>([1, 2]), Tensor<Double>([1, 2])) }
        #expect(error == .rankMismatch(operation: "solve", shape: [2], expected: "a matrix or a batch of matrices"))
        #expect(error?.description == "solve: expected a matrix or a batch of matrices, got shape [2]")
        let mismatch = thrown { try solve(Tensor<Double>.eye(3), Tensor<Double>.ones([2])) }
        #expect(mismatch == .shapeMismatch(operation: "solve", lhs: [3, 3], rhs: [2]))
        #expect(mismatch?.description == "solve: shapes [3, 3] and [2] are incompatible")
    }

    @Test("min, max, argmin, argmax and item of empty tensors throw empty")
    func empty() {
        let e = Tensor<Double>(shape: [0], scalars: [])
        let e2 = Tensor<Double>(shape: [3, 0], scalars: [])
        let cases: [(String, TensorError?)] = [
            ("min", thrown { try e.min() }), ("max", thrown { try e.max() }),
            ("argmin", thrown { try e.argmin() }), ("argmax", thrown { try e.argmax() }),
            ("item", thrown { try e.item() }),
            ("min", thrown { try e2.min(axes: [1]) }), ("argmax", thrown { try e2.argmax(axis: 1) }),
            ("max", thrown { try dual(e).max() }),
        ]
        for (op, error) in cases {
            #expect(error == .empty(operation: op), "\(op)")
            #expect(error?.description == "\(op): the tensor is empty, a value is needed")
        }
        // Reducing the non-empty axis of [3, 0] gives an empty result, not an error.
        #expect((try? e2.min(axes: [0]))?.shape == [0])
        // item() of more than one element is a shape mismatch.
        #expect(thrown { try Tensor<Double>([1, 2]).item() } == .shapeMismatch(operation: "item", lhs: [2], rhs: []))
        let seven: Tensor<Double> = [[7]]
        #expect((try? seven.item()) == 7)
    }

    @Test("choleskySolve, pinv, matrixExp and batched leastSquares name themselves and the shapes in their errors")
    func newOperationErrors() {
        let l = Tensor<Double>([[2, 0], [1, 1]])
        #expect(thrown { try choleskySolve(Tensor<Double>([1, 2, 3]), cholesky: l) }
                == .shapeMismatch(operation: "choleskySolve", lhs: [2, 2], rhs: [3]))
        #expect(thrown { try choleskySolve(Tensor<Double>([1, 2]), cholesky: Tensor([[1, 0], [1, 0]])) }
                == .singularMatrix(operation: "choleskySolve", shape: [2, 2], info: 2))
        #expect(thrown { try matrixExp(Tensor<Double>.zeros([2, 3])) } == .notSquare(operation: "matrixExp", shape: [2, 3]))
        #expect(thrown { try matrixExp(Tensor<Double>([1, 2])) }
                == .rankMismatch(operation: "matrixExp", shape: [2], expected: "a matrix or a batch of matrices"))
        #expect(thrown { try pinv(Tensor<Double>(shape: [1, 2], scalars: [1, .nan])) } == .nonFinite(operation: "pinv"))
        #expect(thrown { try leastSquares(Tensor<Double>.zeros([2, 3, 2]) + 1, Tensor<Double>.zeros([2, 4, 1])) }
                == .shapeMismatch(operation: "leastSquares", lhs: [2, 3, 2], rhs: [2, 4, 1]))
        #expect(thrown { try leastSquares(Tensor<Double>.ones([2, 3, 2]), Tensor<Double>.zeros([3, 3, 1])) }
                == .shapeMismatch(operation: "leastSquares", lhs: [2, 3, 2], rhs: [3, 3, 1]))
        let factors = (try? lu(Tensor<Double>([[2, 1], [1, 3]])))!
        #expect(thrown { try luSolve(factors, Tensor<Double>([1, 2, 3])) }
                == .shapeMismatch(operation: "luSolve", lhs: [2, 2], rhs: [3]))
        let wide = (try? lu(Tensor<Double>([[2, 1, 0], [1, 3, 1]])))!
        #expect(thrown { try luSolve(wide, Tensor<Double>([1, 2])) } == .shapeMismatch(operation: "luSolve", lhs: [2, 2], rhs: [2]))
        #expect(thrown { try lu(Tensor<Double>([1, 2])) }
                == .rankMismatch(operation: "lu", shape: [2], expected: "a matrix or a batch of matrices"))
    }

    @Test("eigh, svd, qr and leastSquares of non-LAPACK scalars throw unsupportedScalar with a clear message")
    func unsupportedScalar() {
        let a = dual([[2, 1], [1, 2]])
        let cases: [(String, TensorError?)] = [
            ("eigh", thrown { try eigh(a) }), ("svd", thrown { try svd(a) }), ("qr", thrown { try qr(a) }),
            ("leastSquares", thrown { try leastSquares(a, dual(Tensor([1, 1]))) }), ("pinv", thrown { try pinv(a) }),
            ("lu", thrown { try lu(dual([[2, 1, 0], [1, 2, 0]])) }),
        ]
        for (op, error) in cases {
            #expect(error == .unsupportedScalar(operation: op, scalar: "Dual<Double>"), "\(op)")
            let text = error?.description ?? ""
            #expect(text == "\(op): not available for scalar type Dual<Double> (only Float and Double, through LAPACK)",
                    "message was: \(text)")
        }
    }

    @Test("no LAPACK-backed operation modifies its inputs", arguments: [false, true])
    func inputsUnchanged(batched: Bool) throws {
        var rng = RandomGenerator(seed: 7)
        let shape = batched ? [2, 4, 4] : [4, 4]
        let m = Tensor<Double>.randomNormal(shape, using: &rng)
        // Symmetric positive definite, and a general matrix with a distinct upper triangle.
        let spd = matmul(m, m.transposed()) + Tensor<Double>.eye(4) * 4
        let general = Tensor<Double>.randomNormal(shape, using: &rng)
        let b = Tensor<Double>.randomNormal(batched ? [2, 4, 3] : [4, 3], using: &rng)
        let tall = Tensor<Double>.randomNormal([6, 3], using: &rng)
        let tallB = Tensor<Double>.randomNormal([6, 2], using: &rng)
        let inputs = [spd, general, b, tall, tallB]
        let copies = inputs.map { Tensor<Double>(shape: $0.shape, scalars: Array($0.scalars)) }
        let floats = inputs.map(float)
        let floatCopies = floats.map { Tensor<Float>(shape: $0.shape, scalars: Array($0.scalars)) }

        _ = try solve(general, b)
        _ = try solve(general, general)
        _ = try cholesky(spd)
        _ = try triangularSolve(general, b, lower: true)
        _ = try triangularSolve(general, b, lower: false, transpose: true)
        _ = try general.inverse()
        _ = try general.determinant()
        _ = try general.logDeterminant()
        _ = try eigh(spd)
        _ = try svd(general)
        _ = try qr(general)
        _ = try leastSquares(tall, tallB)
        _ = try solve(floats[1], floats[2])
        _ = try cholesky(floats[0])
        _ = try floats[1].inverse()
        _ = try triangularSolve(floats[1], floats[2], lower: false)
        _ = try eigh(floats[0])
        _ = try svd(floats[1])
        _ = try qr(floats[1])
        _ = try leastSquares(floats[3], floats[4])
        for (x, c) in zip(inputs, copies) { #expect(x.scalars == c.scalars && x.shape == c.shape) }
        for (x, c) in zip(floats, floatCopies) { #expect(x.scalars == c.scalars && x.shape == c.shape) }
    }

    /// The LAPACK drivers work on the row-major buffer seen column-major (Aᵀ);
    /// every layout-dependent variant must agree with the generic kernels.
    @Test("LAPACK solve, triangular solve, inverse and Cholesky agree with the generic kernels for every layout")
    func lapackMatchesGeneric() throws {
        var rng = RandomGenerator(seed: 11)
        let n = 5
        let a = Tensor<Double>.randomNormal([n, n], using: &rng) + Tensor<Double>.eye(n) * 3
        let spd = matmul(a, a.transposed())
        func values(_ t: Tensor<Dual<Double>>) -> Tensor<Double> { Tensor(shape: t.shape, scalars: t.scalars.map(\.value)) }
        for nrhs in [1, 3] {
            let b = Tensor<Double>.randomNormal([n, nrhs], using: &rng)
            let x = try solve(a, b)
            expectClose(x, values(try solve(dual(a), dual(b))), tol: 1e-12, "solve nrhs=\(nrhs)")
            expectClose(matmul(a, x), b, tol: 1e-12, "A·X = B, nrhs=\(nrhs)")
            expectClose(try solve(float(a), float(b)), x, tol: 1e-4, "solve Float nrhs=\(nrhs)")
            for lower in [true, false] {
                for transpose in [false, true] {
                    for unit in [false, true] {
                        let name = "triangularSolve lower=\(lower) transpose=\(transpose) unit=\(unit) nrhs=\(nrhs)"
                        let t = try triangularSolve(a, b, lower: lower, transpose: transpose, unitDiagonal: unit)
                        let g = try triangularSolve(dual(a), dual(b), lower: lower, transpose: transpose, unitDiagonal: unit)
                        expectClose(t, values(g), tol: 1e-11, name)
                        let tf = try triangularSolve(float(a), float(b), lower: lower, transpose: transpose,
                                                     unitDiagonal: unit)
                        expectClose(tf, t, tol: 1e-3, name + " (Float)")
                    }
                }
            }
        }
        // A vector right-hand side keeps its rank.
        let v = Tensor<Double>([1, 2, 3, 4, 5])
        #expect(try solve(a, v).shape == [n])
        expectClose(try a.inverse(), values(try dual(a).inverse()), tol: 1e-12, "inverse")
        expectClose(matmul(try a.inverse(), a), Tensor<Double>.eye(n), tol: 1e-12, "inverse·A")
        let l = try cholesky(spd)
        expectClose(l, values(try cholesky(dual(spd))), tol: 1e-12, "cholesky")
        expectClose(matmul(l, l.transposed()), spd, tol: 1e-12, "L·Lᵀ")
        #expect((0..<n).allSatisfy { i in (i + 1 ..< n).allSatisfy { j in l[scalarAt: [i, j]] == 0 } }, "L upper triangle is zero")
        expectClose(try cholesky(float(spd)), l, tol: 1e-4, "cholesky Float")
        // Only the lower triangle of A is read.
        var upperGarbage = spd
        upperGarbage[scalarAt: [0, n - 1]] = 1e6
        expectClose(try cholesky(upperGarbage), l, tol: 0, "cholesky reads the lower triangle only")
    }
}

@Suite("Tensor batched matmul kernel")
struct TensorBatchedMatmulTests {
    @Test("batched and broadcast matmul (BLAS per batch entry) equals the generic kernel and per-matrix products")
    func batchedMatmul() {
        var rng = RandomGenerator(seed: 21)
        let cases: [([Int], [Int])] = [
            ([2, 3, 4], [4, 5]), ([3, 4], [2, 4, 5]), ([2, 1, 3, 4], [5, 4, 2]), ([1, 3, 4], [2, 4, 5]),
            ([2, 3, 4], [2, 4, 1]), ([2, 1, 4], [2, 4, 3]), ([0, 3, 4], [4, 2]), ([2, 3, 0], [2, 0, 2]),
        ]
        for (sa, sb) in cases {
            let a = Tensor<Double>.randomNormal(sa, using: &rng), b = Tensor<Double>.randomNormal(sb, using: &rng)
            let a0 = Array(a.scalars), b0 = Array(b.scalars)
            let c = matmul(a, b)
            #expect(a.scalars == a0 && b.scalars == b0, "matmul modified an input")
            let da = Tensor<Dual<Double>>(shape: sa, scalars: a.scalars.map { Dual($0, derivative: 0) })
            let db = Tensor<Dual<Double>>(shape: sb, scalars: b.scalars.map { Dual($0, derivative: 0) })
            let g = matmul(da, db)
            expectClose(c, Tensor(shape: g.shape, scalars: g.scalars.map(\.value)), tol: 1e-12, "matmul \(sa)·\(sb)")
            let fa = Tensor<Float>(shape: sa, scalars: a.scalars.map(Float.init))
            let fb = Tensor<Float>(shape: sb, scalars: b.scalars.map(Float.init))
            expectClose(matmul(fa, fb), c, tol: 1e-4, "matmul Float \(sa)·\(sb)")
        }
    }
}
