import AutodiffCore
internal import Dispatch
internal import Glibc
internal import _CLAPACK
internal import Synchronization

/// Records, for every tensor operation run inside it, the call count, the
/// total time and the self time (total minus the time spent in tensor
/// operations it called), like `torch.autograd.profiler.profile`. Backward
/// functions run by `backward()` inside the scope are recorded under their
/// node names (`MulBackward0`, …).
///
/// ```swift
/// let prof = Profiler.profile {
///     for _ in 0..<1000 { z = (z / x) * y }
/// }
/// print(prof.table(sortBy: .selfTime))
/// // Name   Self CPU %   Self CPU   CPU total %   CPU total   CPU time avg   # of Calls
/// //  div       58.62%    4.772ms        58.62%     4.772ms        4.772us         1000
/// //  mul       41.38%    3.368ms        41.38%     3.368ms        3.368us         1000
/// ```
///
/// The profiler is thread-safe; nested timing is tracked per thread.
public final class Profiler: @unchecked Sendable {
    // @unchecked: all mutable state is inside the Mutex.

    /// Aggregated statistics of one operation name.
    public struct Entry: Sendable, Equatable {
        /// The operation (`"mul"`, `"matmul"`, `"SinBackward0"`, …).
        public let name: String
        /// Number of calls.
        public var calls: Int
        /// Time inside the operation, excluding nested operations, in seconds.
        public var selfTime: Double
        /// Time inside the operation, nested operations included, in seconds.
        public var totalTime: Double
        /// Average total time per call, in seconds.
        public var averageTime: Double { calls == 0 ? 0 : totalTime / Double(calls) }
    }

    /// Column to sort ``table(sortBy:limit:)`` by (descending).
    public enum SortKey: Sendable {
        case selfTime, totalTime, calls, averageTime
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var stacks: [UInt64: [Int64]] = [:]
    }
    private let state = Mutex(State())

    /// An empty profiler; run code under it with ``record(_:)``.
    public init() {}

    /// Runs `body` under a new profiler and returns the profiler.
    public static func profile(_ body: () throws -> Void) rethrows -> Profiler {
        let p = Profiler()
        try p.record(body)
        return p
    }

    /// Runs `body` with this profiler active (also for nested scopes and `backward()`).
    public func record<R>(_ body: () throws -> R) rethrows -> R {
        var c = _Autograd.context
        c.profiler = self
        return try _Autograd.$context.withValue(c, operation: body)
    }

    /// The statistics, one entry per operation name, in first-call order.
    public var entries: [Entry] {
        state.withLock { s in s.order.compactMap { s.entries[$0] } }
    }

    /// The entry of one operation, if it ran.
    public func entry(_ name: String) -> Entry? { state.withLock { $0.entries[name] } }

    /// Sum of all self times, in seconds.
    public var totalSelfTime: Double { entries.reduce(0) { $0 + $1.selfTime } }

    /// A table in the layout of PyTorch's `key_averages().table(sort_by:)`.
    public func table(sortBy key: SortKey = .selfTime, limit: Int? = nil) -> String {
        var rows = entries
        switch key {
        case .selfTime: rows.sort { $0.selfTime > $1.selfTime }
        case .totalTime: rows.sort { $0.totalTime > $1.totalTime }
        case .calls: rows.sort { $0.calls > $1.calls }
        case .averageTime: rows.sort { $0.averageTime > $1.averageTime }
        }
        if let limit { rows = Array(rows.prefix(limit)) }
        let selfTotal = totalSelfTime
        let headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        let body: [[String]] = rows.map { e in
            [e.name, Profiler.percent(e.selfTime, selfTotal), Profiler.time(e.selfTime),
             Profiler.percent(e.totalTime, selfTotal), Profiler.time(e.totalTime),
             Profiler.time(e.averageTime), "\(e.calls)"]
        }
        let nameWidth = max(13, (rows.map(\.name.count).max() ?? 0) + 2)
        let widths = [nameWidth] + [Int](repeating: 12, count: 6)
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { c, w in String(repeating: " ", count: max(0, w - c.count)) + c }
                .joined(separator: "  ") + "  "
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "  "
        var out = [rule, line(headers), rule]
        out += body.map(line)
        out.append(rule)
        out.append("Self CPU time total: \(Profiler.time(selfTotal))")
        return out.joined(separator: "\n") + "\n"
    }

    static func percent(_ x: Double, _ total: Double) -> String {
        _formatted("%.2f%%", total > 0 ? 100 * x / total : 0)
    }

    static func time(_ seconds: Double) -> String {
        if seconds >= 1 { return _formatted("%.3fs", seconds) }
        if seconds >= 1e-3 { return _formatted("%.3fms", seconds * 1e3) }
        return _formatted("%.3fus", seconds * 1e6)
    }

    // MARK: Recording (called by the op funnel)

    /// Times `body` as one call of `name`.
    func measure<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        let thread = Profiler.threadID()
        state.withLock { $0.stacks[thread, default: []].append(0) }
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Int64(DispatchTime.now().uptimeNanoseconds - start)
            state.withLock { s in
                let children = s.stacks[thread]!.removeLast()
                if !s.stacks[thread]!.isEmpty { s.stacks[thread]![s.stacks[thread]!.count - 1] += elapsed }
                if s.entries[name] == nil {
                    s.entries[name] = Entry(name: name, calls: 0, selfTime: 0, totalTime: 0)
                    s.order.append(name)
                }
                s.entries[name]!.calls += 1
                s.entries[name]!.totalTime += Double(elapsed) * 1e-9
                s.entries[name]!.selfTime += Double(max(0, elapsed - children)) * 1e-9
            }
        }
        return try body()
    }

    static func threadID() -> UInt64 {
        UInt64(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
    }
}

/// The current call stack as symbol strings (anomaly mode).
func _backtraceSymbols(_ count: Int = 64) -> [String] {
    var addresses = [UnsafeMutableRawPointer?](repeating: nil, count: count)
    let n = backtrace(&addresses, Int32(count))
    guard n > 0, let symbols = backtrace_symbols(&addresses, n) else { return [] }
    defer { free(symbols) }
    return (0..<Int(n)).compactMap { symbols[$0].map { String(cString: $0) } }
}
