import Autodiff
import Testing

/// One row of the misuse tables (CoreMisuse, TensorMisuse, TrainingMisuse): Codable, so
/// that an exit test can capture it.
enum Misuse: Codable, Sendable, CustomTestStringConvertible {
    case core(CoreMisuse), tensor(TensorMisuse), training(TrainingMisuse)

    static var allCases: [Misuse] {
        CoreMisuse.allCases.map(Misuse.core) + TensorMisuse.allCases.map(Misuse.tensor)
            + TrainingMisuse.allCases.map(Misuse.training)
    }

    var testDescription: String {
        switch self {
        case let .core(m): "core." + m.rawValue
        case let .tensor(m): "tensor." + m.rawValue
        case let .training(m): "training." + m.rawValue
        }
    }

    var expected: String {
        switch self {
        case let .core(m): m.expected
        case let .tensor(m): m.expected
        case let .training(m): m.expected
        }
    }

    func trigger() {
        switch self {
        case let .core(m): m.trigger()
        case let .tensor(m): m.trigger()
        case let .training(m): m.trigger()
        }
    }
}

/// Every row of the misuse tables as an exit test: the process must stop, and its standard
/// error must hold the row's message. `scripts/test.sh` runs this suite (like every suite
/// named *MisuseMessages*) a second time against a release build, where Swift's
/// `precondition` would print nothing.
@Suite("Misuse messages, one row per misuse, across the API")
struct MisuseMessagesTable {
    @Test("each misuse stops the process with a message naming the operation", arguments: Misuse.allCases)
    func misuse(_ misuse: Misuse) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [misuse] in
            misuse.trigger()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(misuse.expected), "message was: \(stderr)")
    }
}
