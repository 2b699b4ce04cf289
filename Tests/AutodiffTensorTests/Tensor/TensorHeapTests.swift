import Testing
import AutodiffTensor
#if canImport(Glibc)
import Glibc
#endif

/// Freed tensor-sized blocks are reused from the C heap, not unmapped and faulted in
/// again (heap.c in _VectorMath: glibc's mmap and trim thresholds are set when the
/// first tensor is made).
@Suite("Tensor: the heap keeps freed large blocks")
struct TensorHeapTests {
    #if canImport(Glibc)
    /// Minor page faults of the calling thread so far.
    private func threadPageFaults() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)   // 1: RUSAGE_THREAD (a GNU name Glibc does not import)
        return usage.ru_minflt
    }

    /// Four 1 MiB tensors made and dropped together, 40 times. With glibc's defaults the
    /// 4 MiB freed at the top of the heap exceed its trim threshold (twice the 1 MiB
    /// dynamic mmap threshold) and go back to the kernel, so every round faults all
    /// 1024 pages in again (about 40,000 faults in all); kept, the rounds reuse them.
    static let mallocTuned = ["AUTODIFF_MALLOC_DEFAULTS", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_",
                              "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"].contains { (name: String) in getenv(name) != nil }

    @Test(.disabled(if: mallocTuned, "malloc is tuned from the environment; the library leaves it alone"))
    func droppedTensorsAreReused() throws {
        let n = 131_072   // 1 MiB of Double
        func round() throws -> Double {
            let tensors = (0..<4).map { k in Tensor<Double>.ones([n]) * Double(k) }
            return try tensors.reduce(0) { try $0 + $1.sum().item() }
        }
        _ = try round()   // the first round maps the pages
        let before = threadPageFaults()
        var total = 0.0
        for _ in 0..<40 { total += try round() }
        let faults = threadPageFaults() - before
        #expect(total == 40 * Double(n) * 6)
        #expect(faults < 4_000, "\(faults) page faults for 40 rounds of 4 MiB: freed blocks are not reused")
    }
    #endif
}
