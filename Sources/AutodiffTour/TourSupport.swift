import Autodiff

/// Prints an optional like Python prints `None`.
func show<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "None" }

/// Prints Python's `True`/`False`.
func py(_ b: Bool) -> String { b ? "True" : "False" }

/// The tutorials' doubling loop: `y = x * 2; while y.norm() < 1000 { y = y * 2 }` (the
/// norm is read outside the history, like `y.data.norm()`). Returns y and the number of
/// factors of 2 (k, so that dy/dx = 2^k).
func doubling<S>(_ x: Tensor<S>) throws -> (y: Tensor<S>, k: Int) {
    var y = x * 2
    var k = 1
    while try y.detach().norm().item() < 1000 {
        y = y * 2
        k += 1
    }
    return (y, k)
}

