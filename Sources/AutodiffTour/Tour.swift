import Autodiff

/// One example of the seed tutorials, printed under its heading.
struct TourSection: Sendable {
    let seed: String
    let title: String
    let run: @Sendable () throws -> Void
}

/// Prints a section heading in the tour's format.
func heading(_ section: TourSection) {
    print("\n== [\(section.seed)] \(section.title) ==")
}
