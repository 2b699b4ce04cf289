import Testing
import AutodiffCore

/// `AUTODIFF_NUM_THREADS` (read once, by `_coreCount`): a positive number caps the library's
/// threads, anything else leaves every processor; 1 runs parallel loops in order on the caller.
@Suite("System: the thread count from AUTODIFF_NUM_THREADS")
struct ThreadCountTests {
    @Test("a positive setting caps the processors; unset, 0, negative or not a number leaves them all")
    func parsing() {
        #expect(_threadCount(online: 2, setting: nil) == 2)
        #expect(_threadCount(online: 2, setting: "1") == 1)
        #expect(_threadCount(online: 8, setting: "3") == 3)
        #expect(_threadCount(online: 2, setting: "16") == 2)
        for ignored in ["0", "-4", "two", ""] { #expect(_threadCount(online: 4, setting: ignored) == 4) }
        #expect(_threadCount(online: 0, setting: nil) == 1)
    }

    @Test("the parallel loop covers every iteration exactly once")
    func everyIterationOnce() {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        hits.initialize(repeating: 0)
        defer { hits.deallocate() }
        nonisolated(unsafe) let counts = hits
        _concurrentPerform(iterations: 64) { counts[$0] += 1 }
        #expect(Array(hits) == Array(repeating: 1, count: 64))
    }
}
