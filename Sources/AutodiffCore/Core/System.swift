// The few operating-system services the library needs (number formatting, files, the
// environment, running a program, parallel loops), from the C library directly.
//
// Why not Foundation: Foundation adds initializers and members to `Double` and the other
// number types, and a module that imports it, even internally, makes them visible in its
// users' code, where every extra overload slows the type-checking of ordinary arithmetic
// (measured by scripts/typecheck/measure.py: `import Autodiff` cost a plain `Double`
// expression 2-4x its time while any library module imported Foundation).
internal import Dispatch
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A C library call that failed: the operation, its subject and `strerror`'s text.
///
/// ```swift
/// do { try plot.write(to: "/no/such/folder/plot.svg") } catch { print(error) }
/// // could not open /no/such/folder/plot.svg for writing: No such file or directory
/// ```
public struct SystemCallError: Error, CustomStringConvertible, Sendable {
    /// What was attempted, with its subject (`"open /tmp/x.svg for writing"`).
    public let operation: String
    /// The C library's description of the error.
    public let reason: String
    public var description: String { "could not \(operation): \(reason)" }

    package init(_ operation: String, errno code: Int32) {
        self.operation = operation
        self.reason = String(cString: strerror(code))
    }
}

/// `value` formatted by C's `printf` with `format` (one `%…f`, `%…e` or `%…g`
/// conversion of a `double`).
package func _formatted(_ format: String, _ value: Double) -> String {
    withVaList([value]) { args in
        var buffer = [CChar](repeating: 0, count: 64)
        let n = Int(vsnprintf(&buffer, buffer.count, format, args))
        if n >= buffer.count {
            buffer = [CChar](repeating: 0, count: n + 1)
            return withVaList([value]) { again in
                _ = vsnprintf(&buffer, buffer.count, format, again)
                return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return String(decoding: buffer.prefix(Swift.max(0, n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `text` with every occurrence of each key of `replacements` replaced, scanning once.
package func _replacingCharacters(_ text: String, _ replacements: [Character: String]) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text {
        if let r = replacements[c] { out += r } else { out.append(c) }
    }
    return out
}

/// The number of threads the library's parallel work uses (at least 1): the processors
/// online, or fewer when the environment variable `AUTODIFF_NUM_THREADS` says so (read once).
/// With `AUTODIFF_NUM_THREADS=1` everything runs on the calling thread (the tensor kernels'
/// chunks, `hessian`'s and the batched Jacobians' workers), as `OMP_NUM_THREADS=1` does for
/// PyTorch; the benchmark suite runs so, to compare with single-threaded peers.
@usableFromInline
package let _coreCount = _threadCount(online: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                                      setting: _environment("AUTODIFF_NUM_THREADS"))

/// The thread count for `online` processors and the `AUTODIFF_NUM_THREADS` text: a positive
/// number caps it, anything else (unset, 0, not a number) leaves all processors.
package func _threadCount(online: Int, setting: String?) -> Int {
    let all = Swift.max(1, online)
    guard let setting, let wanted = Int(setting), wanted > 0 else { return all }
    return Swift.min(all, wanted)
}

/// `body(0..<iterations)` across the cores (Dispatch is imported internally); in order on
/// the calling thread when the library has one thread (`_coreCount`).
@usableFromInline
package func _concurrentPerform(iterations: Int, _ body: (Int) -> Void) {
    if _coreCount == 1 {
        for i in 0..<iterations { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = _SharedInput(body)
        DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
    }
}

/// The value of an environment variable.
package func _environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// Whether `path` names an executable file.
package func _isExecutable(_ path: String) -> Bool {
    access(path, X_OK) == 0
}

/// Writes `text` to `path` (created or truncated).
package func _writeFile(_ path: String, _ text: String) throws {
    guard let file = fopen(path, "wb") else { throw SystemCallError("open \(path) for writing", errno: errno) }
    defer { fclose(file) }
    let bytes = Array(text.utf8)
    if !bytes.isEmpty && fwrite(bytes, 1, bytes.count, file) != bytes.count {
        throw SystemCallError("write \(path)", errno: errno)
    }
}

/// `path` made absolute (symbolic links resolved when it exists).
package func _absolutePath(_ path: String) -> String {
    if let resolved = realpath(path, nil) {
        defer { free(resolved) }
        return String(cString: resolved)
    }
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return cwd + "/" + path
}

/// The contents of `path`.
package func _readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else { throw SystemCallError("open \(path) for reading", errno: errno) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n > 0 { bytes += chunk[0..<n] }
        if n < chunk.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Runs `executable` with `arguments`, its standard input read from `input` and its
/// output and error output collected (through temporary files, so that neither pipe
/// can fill up while the other is read). Returns the exit status and both outputs.
package func _run(_ executable: String, _ arguments: [String], input: String) throws
    -> (status: Int32, output: String, error: String) {
    func temporary(_ suffix: String) throws -> String {
        var template = Array("/tmp/autodiff-\(suffix)-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw SystemCallError("create a temporary file", errno: errno) }
        close(fd)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    let inPath = try temporary("in"), outPath = try temporary("out"), errPath = try temporary("err")
    defer { for p in [inPath, outPath, errPath] { unlink(p) } }
    try _writeFile(inPath, input)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_TRUNC, 0)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_TRUNC, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw SystemCallError("run \(executable)", errno: spawned) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw SystemCallError("wait for \(executable)", errno: errno) }
    }
    // WIFEXITED / WEXITSTATUS (C macros, not imported): the low 7 bits are the signal.
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, try _readFile(outPath), try _readFile(errPath))
}
