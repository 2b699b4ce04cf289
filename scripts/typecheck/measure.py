#!/usr/bin/env python3
"""Type-checks Tests/TypeCheckCorpus/main.swift with `import Autodiff` and with only
`import RealModule`, and fails if importing Autodiff makes an expression slow.

Each expression's time comes from `-warn-long-expression-type-checking=1`. Both variants
are compiled ROUNDS times, alternating, and each expression keeps its fastest time (the
machines are shared; the minimum is the steadiest figure). An expression fails when, with
the import, it takes more than RATIO times its time without it plus SLACK_MS (timer noise),
or more than LIMIT_MS where it took less without the import.

Needs a debug build first (`swift build`): it reads the modules from .build/debug.
Usage: python3 scripts/typecheck/measure.py
"""
import pathlib
import re
import subprocess
import sys
import tempfile

RATIO, SLACK_MS, LIMIT_MS, ROUNDS = 1.5, 20.0, 200.0, 5
ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "Tests/TypeCheckCorpus/main.swift"
BUILD = ROOT / ".build/debug"


def flags():
    shims = next(ROOT.glob(".build/checkouts/swift-numerics/Sources/_NumericsShims/include"))
    return ["-I", str(BUILD / "Modules"), "-I", str(shims),
            "-Xcc", f"-fmodule-map-file={ROOT / 'Sources/_CLAPACK/module.modulemap'}",
            "-Xcc", f"-fmodule-map-file={ROOT / 'Sources/_CSleef/module.modulemap'}",
            # the C target's generated module map (SwiftPM writes it into the build directory)
            "-Xcc", f"-fmodule-map-file={BUILD / '_VectorMath.build/module.modulemap'}"]


def times(path):
    out = subprocess.run(
        ["swiftc", "-typecheck", "-swift-version", "6", *flags(), str(path),
         "-Xfrontend", "-warn-long-expression-type-checking=1"],
        capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"type-checking {path.name} failed:\n{out.stderr}")
    result = {}
    for m in re.finditer(r"^\S*?:(\d+):(\d+): warning: expression took (\d+)ms", out.stderr, re.M):
        key = (int(m.group(1)), int(m.group(2)))
        result[key] = max(result.get(key, 0), float(m.group(3)))
    return result


def main():
    text = CORPUS.read_text()
    assert "import Autodiff  // TYPECHECK-IMPORT" in text
    with tempfile.TemporaryDirectory() as tmp:
        plain = pathlib.Path(tmp) / "main.swift"
        plain.write_text(text.replace("import Autodiff  // TYPECHECK-IMPORT", "import RealModule  // TYPECHECK-IMPORT"))
        best_with, best_without = {}, {}
        for _ in range(ROUNDS):
            for store, path in ((best_with, CORPUS), (best_without, plain)):
                t = times(path)
                for key in set(store) | set(t):
                    store[key] = min(store.get(key, float("inf")), t.get(key, 0.0))
    lines = text.splitlines()
    failures = []
    keys = sorted(set(best_with) | set(best_without))
    for key in keys:
        a, b = best_with.get(key, 0.0), best_without.get(key, 0.0)
        slow = a > RATIO * b + SLACK_MS or (a > LIMIT_MS and b <= LIMIT_MS)
        if slow:
            failures.append(f"line {key[0]}: {a:.0f} ms with import Autodiff, {b:.0f} ms without: "
                            f"{lines[key[0] - 1].strip()}")
    total_with, total_without = sum(best_with.values()), sum(best_without.values())
    statements = sum(1 for l in lines if re.match(r"^\s+(let|var) ", l))
    print(f"type-check corpus: {statements} statements; expressions over 1 ms: "
          f"{len(best_with)} with import Autodiff, {len(best_without)} without; "
          f"total {total_with:.0f} ms vs {total_without:.0f} ms; slowest with the import: "
          f"{max(best_with.values(), default=0):.0f} ms")
    if failures:
        print("expressions slower with import Autodiff:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
