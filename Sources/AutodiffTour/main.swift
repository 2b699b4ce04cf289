// The tour: every example of the seed tutorials (../shared/seed-examples.md), in order,
// printing what the tutorial prints.
import Autodiff
import Foundation

let sections: [TourSection] = seed000Sections + seed001Sections + seed002Sections + seed003TensorSections
    + seed004Sections

let start = Date()
print("Autodiff tour: the examples of the seed autograd tutorials")
for section in sections {
    heading(section)
    do {
        try section.run()
    } catch {
        print("error: \(error)")
    }
}
print(String(format: "\nTour finished in %.1f s.", Date().timeIntervalSince(start)))
