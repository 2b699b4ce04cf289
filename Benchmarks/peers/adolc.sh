#!/usr/bin/env bash
# ADOL-C peer of the benchmark suite (shared/bench/SUITE.md): rosen-grad, rosen-hess, chain-jac.
# Usage (from the repository root):  bash Benchmarks/peers/adolc.sh [--quick] [--problems a,b] [--json out.json] [--markdown]
# Installs Debian's libadolc-dev if missing (needs root or sudo), builds adolc_bench.cpp with
# g++ -O3 -march=native into Benchmarks/.build-peers/adolc (or $ADOLC_BUILD_DIR), converts the reference
# JSON files to a plain list with python3, runs each case (problem and size) single-threaded in its own
# process (ADOL-C's location store is global: a tape recorded after a larger one inherits its size),
# and prints one merged JSON document on stdout (the readable table goes to stderr; --markdown adds the
# RESULTS.md table there).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! dpkg -s libadolc-dev >/dev/null 2>&1; then
    echo "adolc.sh: installing libadolc-dev" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -q libadolc-dev >&2
fi
version="$(dpkg-query -W -f='${Version}' libadolc-dev)"
include="$(dpkg -L libadolc-dev | grep '/adolc/adolc.h$' | head -1)"
include="$(dirname "$(dirname "$include")")"                 # /usr/include
libdir="$(dirname "$(dpkg -L libadolc-dev | grep '/libadolc.so$' | head -1)")"

shared="${AUTODIFF_SHARED:-}"
if [ -z "$shared" ]; then
    for c in "$root/../shared" "$PWD/../shared"; do
        if [ -f "$c/bench/SUITE.md" ]; then shared="$(cd "$c" && pwd)"; break; fi
    done
fi
[ -n "$shared" ] && [ -f "$shared/bench/SUITE.md" ] || { echo "adolc.sh: cannot find shared/; set AUTODIFF_SHARED" >&2; exit 2; }

build="${ADOLC_BUILD_DIR:-$root/Benchmarks/.build-peers/adolc}"
mkdir -p "$build"
bin="$build/adolc_bench"
if [ ! -x "$bin" ] || [ "$here/adolc_bench.cpp" -nt "$bin" ]; then
    echo "adolc.sh: building $bin" >&2
    g++ -O3 -march=native -std=c++17 -I"$include" "$here/adolc_bench.cpp" -o "$bin" -L"$libdir" -ladolc
fi

python3 - "$shared/bench/reference" "$build/refs.txt" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
def flat(v):
    return [x for r in v for x in flat(r)] if isinstance(v, list) else [float(v)]
with open(dst, "w") as out:
    for problem, fields in (("rosen-grad", ("objective", "gradient")), ("rosen-hess", ("objective", "hessian")),
                            ("chain-jac", ("objective", "jacobian"))):
        with open(os.path.join(src, problem + ".json")) as f:
            cases = json.load(f)["cases"]
        for case, body in cases.items():
            for field in fields:
                if field in body:
                    v = flat(body[field])
                    out.write("%s/%s/%s %d %s\n" % (problem, case, field, len(v), " ".join(repr(x) for x in v)))
PY

quick=() problems="rosen-grad,rosen-hess,chain-jac" json="" markdown=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick) ;;
        --problems) problems="$2"; shift ;;
        --json) json="$2"; shift ;;
        --markdown) markdown=1 ;;
        *) echo "usage: adolc.sh [--quick] [--problems rosen-grad,rosen-hess,chain-jac] [--json out.json] [--markdown]" >&2; exit 2 ;;
    esac
    shift
done
[ -z "$json" ] || json="$(cd "$(dirname "$json")" && pwd)/$(basename "$json")"

cd "$build"   # ADOL-C writes tape files (if a tape outgrows its buffers) into the working directory
rm -f case-*.json
status=0 i=0
for c in rosen-grad/n=1000 rosen-grad/n=100000 rosen-hess/n=100 rosen-hess/n=400 chain-jac/n=100; do
    case ",$problems," in *",${c%%/*},"*) ;; *) continue ;; esac
    i=$((i + 1))
    "$bin" --case "$c" --refs "$build/refs.txt" --version "ADOL-C $version (Debian libadolc-dev)" \
        ${quick[@]+"${quick[@]}"} > "case-$i.json" || status=1
done

python3 - "$json" "$markdown" case-*.json <<'PY'
import json, sys
out, markdown = sys.argv[1], sys.argv[2] == "1"
docs = [json.load(open(p)) for p in sorted(sys.argv[3:], key=lambda p: int(p[5:-5]))]
merged = {k: v for k, v in docs[0].items() if k != "rows"} if docs else {}
merged["rows"] = [r for d in docs for r in d["rows"]]
text = json.dumps(merged, indent=1)
print(text)
if out:
    open(out, "w").write(text + "\n")
bad = [r for r in merged["rows"] if r.get("ok") is False]
def t(s):
    if s is None:
        return "—"
    if s < 1e-5:
        return "%.2f µs" % (s * 1e6)
    return "%.1f µs" % (s * 1e6) if s < 1e-3 else ("%.2f ms" % (s * 1e3) if s < 1 else "%.2f s" % s)
if markdown:  # the table of RESULTS.md's "ADOL-C peer" section, on stderr
    print("| problem | size | ADOL-C variant | derivative (thread CPU) | wall | objective (plain double) | d/p | record (trace_on…off) "
          "| first call incl. recording | tape ops | ns / tape op | max rel diff |", file=sys.stderr)
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|", file=sys.stderr)
    for r in merged["rows"]:
        diff = "—" if "max_rel_diff" not in r else ("%.0e" % r["max_rel_diff"] if r["max_rel_diff"] else "0") + ("" if r["ok"] else " FAILED")
        if r.get("check", "reference") != "reference" and "max_rel_diff" in r:
            diff += " (%s)" % ("closed form" if r["check"].startswith("closed") else r["check"])
        print("| %s | %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |" % (
            r["problem"], r["size"], r["variant"], t(r["derivative_s"]), t(r["derivative_wall_s"]), t(r["primal_s"]),
            r["ratio"], t(r.get("record_s")), t(r.get("first_call_s")), r.get("tape_ops", "—"),
            "%.1f" % r["ns_per_op"] if "ns_per_op" in r else "—", diff), file=sys.stderr)
print("adolc.sh: %d rows, %d wrong" % (len(merged["rows"]), len(bad)), file=sys.stderr)
PY
exit $status
