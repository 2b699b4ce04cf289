// The tour: every example of the seed tutorials (../shared/seed-examples.md), in order,
// printing what the tutorial prints.
import Autodiff

let sections: [TourSection] = scalarSections

print("Autodiff tour: the examples of the seed autograd tutorials")
for section in sections {
    heading(section)
    do {
        try section.run()
    } catch {
        print("error: \(error)")
    }
}
