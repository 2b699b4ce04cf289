import RealModule

/// The sparsity patterns and colourings of a ``RecordedFunction``'s current recording,
/// made when first asked for and dropped when the function is recorded again.
@usableFromInline
internal struct _PreparedSparsity {
    @inlinable init() {}
}
