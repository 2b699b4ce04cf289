import Autodiff
import Testing

/// A row of a misuse table: a misuse of the API and the message it must print.
protocol MisuseRow: CaseIterable, Codable, Sendable, RawRepresentable<String> {
    /// A substring of the message, naming the operation.
    var expected: String { get }
    /// Does the wrong thing (and so never returns).
    func trigger()
}

/// One row of the misuse tables (CoreMisuse, TensorMisuse, TrainingMisuse): Codable, so
/// that an exit test can capture it.
enum Misuse: Codable, Sendable, CustomTestStringConvertible {
    case core(CoreMisuse), tensor(TensorMisuse), training(TrainingMisuse)

    static var allCases: [Misuse] {
        CoreMisuse.allCases.map(Misuse.core) + TensorMisuse.allCases.map(Misuse.tensor)
            + TrainingMisuse.allCases.map(Misuse.training)
    }

    var row: any MisuseRow {
        switch self {
        case let .core(m): m
        case let .tensor(m): m
        case let .training(m): m
        }
    }

    var testDescription: String { row.rawValue }
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
            misuse.row.trigger()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(misuse.row.expected), "message was: \(stderr)")
    }
}
