import Foundation

/// Median wall-clock time of `body` in seconds, after warm-up.
///
/// Runs `body` in batches until each batch takes at least `minBatch` seconds (so
/// sub-microsecond bodies are measured over many calls), then takes `samples` batches
/// and returns the median time per call.
public func medianTime(samples: Int = 15, minBatch: Double = 0.01, warmup: Int = 3,
                       _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var batch = 1
    while true {
        let t = elapsed { for _ in 0..<batch { body() } }
        if t >= minBatch || batch >= 1 << 20 { break }
        batch *= 2
    }
    var times: [Double] = []
    for _ in 0..<samples {
        times.append(elapsed { for _ in 0..<batch { body() } } / Double(batch))
    }
    times.sort()
    return times[times.count / 2]
}

/// Seconds taken by `body` once.
public func elapsed(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

/// A time in the unit that reads best (ns, µs, ms, s).
public func formatTime(_ seconds: Double) -> String {
    switch seconds {
    case ..<1e-6: return String(format: "%.1f ns", seconds * 1e9)
    case ..<1e-3: return String(format: "%.2f µs", seconds * 1e6)
    case ..<1: return String(format: "%.3f ms", seconds * 1e3)
    default: return String(format: "%.3f s", seconds)
    }
}

/// Prints a Markdown table with aligned columns.
public func printTable(_ header: [String], _ rows: [[String]]) {
    print(markdownTable(header, rows))
}

/// A Markdown table with aligned columns.
public func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = (0..<header.count).map { c in all.map { $0.count > c ? $0[c].count : 0 }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: " | ") + " |"
    }
    let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
}

/// Keeps the optimizer from deleting a computation whose result is unused.
@inline(never)
public func blackHole<T>(_ x: T) {
    withExtendedLifetime(x) {}
}

/// Seconds of CPU time this thread has used (steadier than wall time on a shared machine).
public func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Median thread CPU time of `body` in seconds, batched and sampled like ``medianTime``.
public func medianThreadTime(samples: Int = 15, minBatch: Double = 0.01, warmup: Int = 3,
                             _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    func cpu(_ batch: Int) -> Double {
        let start = threadCPUSeconds()
        for _ in 0..<batch { body() }
        return threadCPUSeconds() - start
    }
    var batch = 1
    while cpu(batch) < minBatch && batch < 1 << 20 { batch *= 2 }
    var times = (0..<samples).map { _ in cpu(batch) / Double(batch) }
    times.sort()
    return times[times.count / 2]
}
