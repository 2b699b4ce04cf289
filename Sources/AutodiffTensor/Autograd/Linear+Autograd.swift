import AutodiffCore
import RealModule

// The fused forward and backward of `Linear` (PyTorch's `addmm`, `AddmmBackward0`):
// y = x·W + b as one node (gemm, then the bias added in place) whose pullback uses
// `_matmulTransposing` (gemm with transposition flags, no transposed copies).
// Used for Float/Double matrices; other cases compose the public operations. When the
// backward pass is itself recorded (`createGraph`), the pullback uses the public
// (recording) operations, so the gradient can be differentiated again.

extension Tensor {
    /// `x·W + b` (b optional) for `x` [batch, in], `W` [in, out], `b` [out].
    package static func _linear(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
        guard x.rank == 2, w.rank == 2, x.shape[1] == w.shape[0], let t = _lapackType(Scalar.self) else {
            let y = AutodiffTensor.matmul(x, w)
            return b.map { y + $0 } ?? y
        }
        let inputs = b.map { [x, w, $0] } ?? [x, w]
        return _op("addmm", b == nil ? "MmBackward0" : "AddmmBackward0", inputs, saving: [x, w], {
            _linearForward(t, x, w, b)
        }) { g in
            if isGradEnabled {   // createGraph: differentiable pullback
                return [_if(x.requiresGrad) { AutodiffTensor.matmul(g, w.transposed()) },
                        _if(w.requiresGrad) { AutodiffTensor.matmul(x.transposed(), g) }]
                    + (b == nil ? [] : [_if(b!.requiresGrad) { g.sum(axes: [0]) }])
            }
            let gx = _if(x.requiresGrad) { _matmulTransposing(g, false, w, true) }   // g·Wᵀ
            let gw = _if(w.requiresGrad) { _matmulTransposing(x, true, g, false) }   // Xᵀ·g
            let gb = b.flatMap { b in _if(b.requiresGrad) { g.sum(axes: [0]) } }     // column sums
            return [gx, gw] + (b == nil ? [] : [gb])
        }
    }

    @_specialize(where Scalar == Double, T == Double)
    @_specialize(where Scalar == Float, T == Float)
    private static func _linearForward<T: LAPACKScalar>(_: T.Type, _ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
        let (m, k, n) = (x.shape[0], x.shape[1], w.shape[1])
        if m == 0 || n == 0 || k == 0 { let y = _matmulKernel(x, w); return b.map { y + $0 } ?? y }
        let X = LAPACK.cast(x._buffer.elements, T.self), W = LAPACK.cast(w._buffer.elements, T.self)
        let bias = b.map { LAPACK.cast($0._buffer.elements, T.self) }
        let y = [T](unsafeUninitializedCapacity: m * n) { out, initialized in
            X.withUnsafeBufferPointer { px in
                W.withUnsafeBufferPointer { pw in
                    T._gemm(false, false, m, n, k, px.baseAddress!, k, pw.baseAddress!, n, out.baseAddress!, n)
                }
            }
            if let bias {
                for i in 0..<m { for j in 0..<n { out[i * n + j] += bias[j] } }
            }
            initialized = m * n
        }
        return Tensor(_shape: [m, n], _scalars: LAPACK.cast(y, Scalar.self))
    }
}
