import Testing
import AutodiffTensor

/// Every linear-algebra operation exists as a method and as a free function, with the same result.
@Suite("Tensor: linear algebra as methods and as free functions")
struct LinearAlgebraFormsTests {
    @Test func bothFormsAgree() throws {
        let a = Tensor<Double>([[4, 1, 0], [1, 3, 1], [0, 1, 2]])
        let b = Tensor<Double>([[1, 2], [0, 1], [3, -1]])
        #expect(try a.solve(b).scalars == solve(a, b).scalars)
        #expect(try a.cholesky().scalars == cholesky(a).scalars)
        #expect(try a.eigh().eigenvalues.scalars == eigh(a).eigenvalues.scalars)
        #expect(try a.svd().s.scalars == svd(a).s.scalars)
        #expect(try a.qr().r.scalars == qr(a).r.scalars)
        #expect(try a.leastSquares(b).scalars == leastSquares(a, b).scalars)
        let l = try a.cholesky()
        #expect(try l.triangularSolve(b, lower: true).scalars == triangularSolve(l, b, lower: true).scalars)
        #expect(try inverse(a).scalars == a.inverse().scalars)
        #expect(try determinant(a).scalars == a.determinant().scalars)
        #expect(try logDeterminant(a).logAbsDeterminant.scalars == a.logDeterminant().logAbsDeterminant.scalars)
        #expect(try l.choleskySolve(b).scalars == choleskySolve(b, cholesky: l).scalars)
        #expect(try a.pinv().scalars == pinv(a).scalars)
        #expect(try a.matrixExp().scalars == matrixExp(a).scalars)
        #expect(try a.lu().u.scalars == lu(a).u.scalars)
    }
}
