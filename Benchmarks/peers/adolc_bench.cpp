// ADOL-C peer for the benchmark suite (shared/bench/SUITE.md): rosen-grad, rosen-hess, chain-jac.
//
// Single-threaded, dense drivers only. Built and run by adolc.sh:
//     g++ -O3 -march=native -std=c++17 adolc_bench.cpp -ladolc
//     ./adolc_bench --case rosen-grad/n=1000 --refs refs.txt [--quick] [--json out.json] [--version text]
// One case per process: ADOL-C's adouble location store is global, and a tape recorded after a larger one
// inherits its number of live locations (every later sweep then allocates and walks that many).
// The reference file is written by adolc.sh from shared/bench/reference/*.json, one entry a line:
//     <key> <count> <v_0> ... <v_{count-1}>        (matrices row-major)
//
// Timing follows SUITE.md: median of repeated calls after warm-up, inputs in memory. Each sample
// reads CLOCK_THREAD_CPUTIME_ID (thread CPU time: the machine is shared) and CLOCK_MONOTONIC (wall);
// calls shorter than ~200 us are repeated inside one sample and the sample divided by the count.
// Recording (trace_on ... trace_off) is timed apart; rows whose variant says "record" include it.
//
// Output: JSON on stdout (also to --json), a readable table on stderr.

#include <adolc/adolc.h>
#include <adolc/taping.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <time.h>
#include <vector>

static const double TOLERANCE = 1e-9;

// ----------------------------------------------------------------------------- clocks and timing

static double now(clockid_t id) {
    timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

struct Timing {
    double cpu = 0, wall = 0;  // median seconds per call
    int samples = 0, inner = 1;
};

struct Config {
    double budget = 2.0;  // seconds of samples per measurement (wall)
    int maxSamples = 100, minSamples = 5, warmup = 3;
    double minSample = 2e-4;  // repeat a call inside one sample until it lasts this long
} config;

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static Timing measure(const std::function<void()>& f) {
    for (int i = 0; i < config.warmup; i++) f();
    double t0 = now(CLOCK_MONOTONIC);
    f();
    double once = now(CLOCK_MONOTONIC) - t0;
    Timing t;
    t.inner = once >= config.minSample ? 1 : std::max(1, (int)std::ceil(config.minSample / std::max(once, 1e-9)));
    std::vector<double> cpu, wall;
    double start = now(CLOCK_MONOTONIC);
    while ((int)cpu.size() < config.minSamples ||
           ((int)cpu.size() < config.maxSamples && now(CLOCK_MONOTONIC) - start < config.budget)) {
        double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
        for (int k = 0; k < t.inner; k++) f();
        double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_THREAD_CPUTIME_ID);
        cpu.push_back((c1 - c0) / t.inner);
        wall.push_back((w1 - w0) / t.inner);
    }
    t.cpu = median(cpu);
    t.wall = median(wall);
    t.samples = (int)cpu.size();
    return t;
}

struct Once {
    double cpu, wall;
};

static Once timeOnce(const std::function<void()>& f) {
    double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    f();
    double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_THREAD_CPUTIME_ID);
    return {c1 - c0, w1 - w0};
}

// ----------------------------------------------------------------------------- references and checks

static std::map<std::string, std::vector<double>> refs;

static void loadRefs(const char* path) {
    std::ifstream in(path);
    if (!in) {
        fprintf(stderr, "adolc_bench: cannot read %s\n", path);
        exit(2);
    }
    std::string key;
    size_t count;
    while (in >> key >> count) {
        std::vector<double> v(count);
        for (size_t i = 0; i < count; i++) in >> v[i];
        refs[key] = std::move(v);
    }
}

static const std::vector<double>* lookupRef(const std::string& key) {
    auto it = refs.find(key);
    return it == refs.end() ? nullptr : &it->second;
}

// Same definition as peers.py: elementwise |a-b| / max(|a|, |b|, 1e-12 * max|b|), 0 where equal.
static double maxRelDiff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return INFINITY;
    double scale = 0;
    for (double v : b) scale = std::max(scale, std::fabs(v));
    double worst = 0;
    for (size_t i = 0; i < a.size(); i++) {
        if (std::isnan(a[i])) return INFINITY;
        double d = std::fabs(a[i] - b[i]);
        if (d == 0) continue;
        double den = std::max(std::max(std::fabs(a[i]), std::fabs(b[i])), scale * 1e-12);
        worst = std::max(worst, d / den);
    }
    return worst;
}

// ----------------------------------------------------------------------------- rows

struct Row {
    std::string problem, size, variant, driver, check = "reference";
    Timing derivative, objective;
    bool hasRecord = false;
    Timing record;              // median of trace_on ... trace_off alone
    Once firstCall{-1, -1};     // first call of the row's computation, including its first recording
    size_t ops = 0;             // NUM_OPERATIONS of the tape
    bool opsInCore = true;
    double diff = -1, objDiff = -1;  // -1: no reference
    std::string note;
};

static std::vector<Row> rows;

static std::string fmtTime(double s) {
    char buf[32];
    if (s < 0) return "-";
    if (s < 1e-3) snprintf(buf, sizeof buf, "%.2f us", s * 1e6);
    else if (s < 1) snprintf(buf, sizeof buf, "%.3f ms", s * 1e3);
    else snprintf(buf, sizeof buf, "%.3f s", s);
    return buf;
}

static bool rowOk(const Row& r) {
    return r.diff >= 0 && r.diff <= TOLERANCE && (r.objDiff < 0 || r.objDiff <= TOLERANCE);
}

static void printRow(const Row& r) {
    char diff[32] = "-";
    if (r.diff >= 0) snprintf(diff, sizeof diff, "%.1e", r.diff);
    std::string nsop = "-";
    if (r.ops) {
        char b[32];
        snprintf(b, sizeof b, "%.2f", r.derivative.cpu * 1e9 / r.ops);
        nsop = b;
    }
    fprintf(stderr, "  %-10s %-8s %-44s cpu %11s  wall %11s  obj %10s  ratio %7.1f  first %11s  ns/op %6s  diff %8s %s\n",
            r.problem.c_str(), r.size.c_str(), r.variant.c_str(), fmtTime(r.derivative.cpu).c_str(),
            fmtTime(r.derivative.wall).c_str(), fmtTime(r.objective.cpu).c_str(), r.derivative.cpu / r.objective.cpu,
            fmtTime(r.firstCall.cpu).c_str(), nsop.c_str(), diff,
            r.diff < 0 ? "n/a" : (rowOk(r) ? "ok" : "FAILED"));
}

// ----------------------------------------------------------------------------- problems

static std::vector<double> detInput(int n) {
    std::vector<double> x(n);
    for (int i = 0; i < n; i++) x[i] = 0.9 * std::cos((double)i);
    return x;
}

// rosen-grad / rosen-hess: f(x) = sum_{i=0}^{n-2} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, a scalar loop.
template <class T>
static T rosen(const T* x, int n) {
    T s = 0.0;
    for (int i = 0; i < n - 1; i++) {
        T a = x[i + 1] - x[i] * x[i];
        T b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    return s;
}

// chain-jac: F_i(x) = x_i exp(x_{(i+1) mod n}) + sin(x_{(i+n-1) mod n}).
template <class T>
static void chain(const T* x, T* y, int n) {
    using std::exp;
    using std::sin;
    for (int i = 0; i < n; i++) y[i] = x[i] * exp(x[(i + 1) % n]) + sin(x[(i + n - 1) % n]);
}

// Buffer sizes for trace_on: ADOL-C's defaults (524288 entries) would spill a large tape to files.
static unsigned bufferSize(size_t estimate) { return (unsigned)std::max<size_t>(524288, estimate); }

// tbs: Taylor buffer entries; a forward sweep with keep > 0 whose Taylor stack outgrows it spills to a file.
static double recordRosen(short tag, const std::vector<double>& x, int keep, size_t tbs = 0) {
    int n = (int)x.size();
    unsigned b = bufferSize(16 * (size_t)n);
    trace_on(tag, keep, b, b, b, std::max(b, bufferSize(tbs)));
    adouble* ax = new adouble[n];
    for (int i = 0; i < n; i++) ax[i] <<= x[i];
    adouble y = rosen(ax, n);
    double f;
    y >>= f;
    trace_off();
    delete[] ax;
    return f;
}

static void recordChain(short tag, const std::vector<double>& x, std::vector<double>& y) {
    int n = (int)x.size();
    trace_on(tag);
    adouble* ax = new adouble[n];
    adouble* ay = new adouble[n];
    for (int i = 0; i < n; i++) ax[i] <<= x[i];
    chain(ax, ay, n);
    for (int i = 0; i < n; i++) ay[i] >>= y[i];
    trace_off();
    delete[] ax;
    delete[] ay;
}

static size_t tapeOps(short tag, bool* inCore, size_t* maxLives = nullptr) {
    size_t stats[STAT_SIZE];
    tapestats(tag, stats);
    if (inCore) *inCore = stats[OP_FILE_ACCESS] == 0;
    if (maxLives) *maxLives = stats[NUM_MAX_LIVES];
    if (getenv("ADOLC_BENCH_STATS"))
        fprintf(stderr, "    tape %d: ops %zu, locations %zu, values %zu, max lives %zu, taylor stack %zu, op file %zu\n", tag,
                stats[NUM_OPERATIONS], stats[NUM_LOCATIONS], stats[NUM_VALUES], stats[NUM_MAX_LIVES],
                stats[TAY_STACK_SIZE], stats[OP_FILE_ACCESS]);
    return stats[NUM_OPERATIONS];
}

static short nextTag = 1;

static void rosenGrad(int n) {
    std::string size = "n=" + std::to_string(n);
    std::vector<double> x = detInput(n), g(n);
    const std::vector<double>* rg = lookupRef("rosen-grad/" + size + "/gradient");
    const std::vector<double>* rf = lookupRef("rosen-grad/" + size + "/objective");
    double fval = 0;
    Timing obj = measure([&] { fval = rosen(x.data(), n); asm volatile("" ::: "memory"); });
    double objDiff = rf ? maxRelDiff({fval}, *rf) : -1;

    // One tape recorded for the replay rows; its recording is timed on its own, first and repeated.
    short tag = nextTag++;
    Once recFirst = timeOnce([&] { recordRosen(tag, x, 0); });
    Timing rec = measure([&] { recordRosen(tag, x, 0); });
    bool inCore = true;
    size_t ops = tapeOps(tag, &inCore);

    auto finish = [&](Row r) {
        r.problem = "rosen-grad";
        r.size = size;
        r.objective = obj;
        r.objDiff = objDiff;
        r.ops = ops;
        r.opsInCore = inCore;
        r.hasRecord = true;
        r.record = rec;
        if (rg) r.diff = maxRelDiff(g, *rg);
        rows.push_back(r);
        printRow(rows.back());
    };

    {   // (b) recorded once, gradient() replayed at the point (zos_forward keep=1 + fos_reverse)
        Row r;
        r.variant = "gradient() on recorded tape";
        r.driver = "gradient(tag,n,x,g)";
        std::fill(g.begin(), g.end(), 0.0);
        r.firstCall = timeOnce([&] { gradient(tag, n, x.data(), g.data()); });
        r.firstCall.cpu += recFirst.cpu;
        r.firstCall.wall += recFirst.wall;
        r.derivative = measure([&] { gradient(tag, n, x.data(), g.data()); });
        finish(r);
    }
    {   // (b') only the reverse sweep: zos_forward(keep=1) once, then fos_reverse repeated
        Row r;
        r.variant = "fos_reverse after one zos_forward(keep=1)";
        r.driver = "fos_reverse(tag,1,n,u,g)";
        std::vector<double> y(1);
        double u = 1.0;
        zos_forward(tag, 1, n, 1, x.data(), y.data());
        std::fill(g.begin(), g.end(), 0.0);
        r.derivative = measure([&] { fos_reverse(tag, 1, n, &u, g.data()); });
        r.note = "the Taylor values of one zos_forward(keep=1) are reused by every fos_reverse";
        finish(r);
    }
    {   // (a) record + gradient() every call
        Row r;
        short t2 = nextTag++;
        r.variant = "record + gradient() each call";
        r.driver = "trace_on/trace_off + gradient";
        std::fill(g.begin(), g.end(), 0.0);
        r.firstCall = timeOnce([&] { recordRosen(t2, x, 0); gradient(t2, n, x.data(), g.data()); });
        r.derivative = measure([&] { recordRosen(t2, x, 0); gradient(t2, n, x.data(), g.data()); });
        finish(r);
    }
    {   // (a') record with keep=1 (the recording is the forward sweep), then fos_reverse every call
        Row r;
        short t3 = nextTag++;
        r.variant = "record(keep=1) + fos_reverse each call";
        r.driver = "trace_on(tag,1)/trace_off + fos_reverse";
        double u = 1.0;
        std::fill(g.begin(), g.end(), 0.0);
        r.firstCall = timeOnce([&] { recordRosen(t3, x, 1); fos_reverse(t3, 1, n, &u, g.data()); });
        r.derivative = measure([&] { recordRosen(t3, x, 1); fos_reverse(t3, 1, n, &u, g.data()); });
        finish(r);
    }
    {   // the objective replayed from the tape, for scale
        Row r;
        r.variant = "zos_forward (objective on tape, no derivative)";
        r.driver = "zos_forward(tag,1,n,0,x,y)";
        double y = 0;
        r.derivative = measure([&] { zos_forward(tag, 1, n, 0, x.data(), &y); });
        r.problem = "rosen-grad";
        r.size = size;
        r.objective = obj;
        r.ops = ops;
        r.opsInCore = inCore;
        r.check = "objective";
        if (rf) r.diff = maxRelDiff({y}, *rf);
        rows.push_back(r);
        printRow(rows.back());
    }
}

// Closed-form Hessian of rosen, used where no reference exists (n=400).
static std::vector<double> rosenHessianExact(const std::vector<double>& x) {
    int n = (int)x.size();
    std::vector<double> h((size_t)n * n, 0.0);
    for (int i = 0; i < n - 1; i++) {
        h[(size_t)i * n + i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[(size_t)(i + 1) * n + (i + 1)] += 200.0;
        h[(size_t)i * n + i + 1] += -400.0 * x[i];
        h[(size_t)(i + 1) * n + i] += -400.0 * x[i];
    }
    return h;
}

static void rosenHess(int n) {
    std::string size = "n=" + std::to_string(n);
    std::vector<double> x = detInput(n);
    const std::vector<double>* rh = lookupRef("rosen-hess/" + size + "/hessian");
    const std::vector<double>* rf = lookupRef("rosen-hess/" + size + "/objective");
    std::vector<double> exact;
    if (!rh) exact = rosenHessianExact(x);
    double fval = 0;
    Timing obj = measure([&] { fval = rosen(x.data(), n); asm volatile("" ::: "memory"); });
    double objDiff = rf ? maxRelDiff({fval}, *rf) : -1;

    // hessian2's vector forward sweep keeps about 11 n^2 Taylor entries (n=400: 1.8 million): its tape gets a
    // Taylor buffer that holds them. hessian() keeps the default (each sweep mallocs the whole buffer).
    size_t big = 16 * (size_t)n * n;
    double** H = myalloc2(n, n);
    auto full = [&] {  // the drivers fill the lower triangle only
        std::vector<double> h((size_t)n * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) h[(size_t)i * n + j] = h[(size_t)j * n + i] = H[i][j];
        return h;
    };
    typedef int (*Driver)(short, int, double*, double**);
    struct V {
        const char* name;
        const char* driver;
        Driver fn;
        size_t tbs;
    } variants[] = {
        {"hessian() on recorded tape", "hessian: n x hess_vec (fos_forward + hos_reverse)", hessian, 0},
        {"hessian2() on recorded tape", "hessian2: hov_wk_forward + hos_ov_reverse, n directions", hessian2, big},
    };
    for (const V& v : variants) {
        short tag = nextTag++;
        Row r;
        r.problem = "rosen-hess";
        r.size = size;
        r.variant = v.name;
        r.driver = v.driver;
        r.objective = obj;
        r.objDiff = objDiff;
        for (int i = 0; i < n; i++) std::fill(H[i], H[i] + n, 0.0);
        r.firstCall = timeOnce([&] { recordRosen(tag, x, 0, v.tbs); v.fn(tag, n, x.data(), H); });
        r.hasRecord = true;
        r.record = measure([&] { recordRosen(tag, x, 0, v.tbs); });
        r.derivative = measure([&] { v.fn(tag, n, x.data(), H); });
        r.ops = tapeOps(tag, &r.opsInCore);
        if (rh) r.diff = maxRelDiff(full(), *rh);
        else {
            r.diff = maxRelDiff(full(), exact);
            r.check = "closed-form Hessian (no reference file entry)";
        }
        rows.push_back(r);
        printRow(rows.back());
    }
    {   // record + hessian() every call
        short tag = nextTag++;
        Row r;
        r.problem = "rosen-hess";
        r.size = size;
        r.variant = "record + hessian() each call";
        r.driver = "trace_on/trace_off + hessian";
        r.objective = obj;
        r.objDiff = objDiff;
        r.derivative = measure([&] { recordRosen(tag, x, 0); hessian(tag, n, x.data(), H); });
        r.ops = tapeOps(tag, &r.opsInCore);
        if (rh) r.diff = maxRelDiff(full(), *rh);
        else {
            r.diff = maxRelDiff(full(), exact);
            r.check = "closed-form Hessian (no reference file entry)";
        }
        rows.push_back(r);
        printRow(rows.back());
    }
    myfree2(H);
}

static void chainJac(int n) {
    std::string size = "n=" + std::to_string(n);
    int m = n;
    std::vector<double> x = detInput(n), y(m);
    const std::vector<double>* rj = lookupRef("chain-jac/" + size + "/jacobian");
    const std::vector<double>* rf = lookupRef("chain-jac/" + size + "/objective");
    Timing obj = measure([&] { chain(x.data(), y.data(), n); asm volatile("" ::: "memory"); });
    double objDiff = rf ? maxRelDiff(y, *rf) : -1;

    short tag = nextTag++;
    Once recFirst = timeOnce([&] { recordChain(tag, x, y); });
    Timing rec = measure([&] { recordChain(tag, x, y); });
    bool inCore = true;
    size_t ops = tapeOps(tag, &inCore);

    double** J = myalloc2(m, n);
    double** seed = myalloc2(n, n);  // identity, used as X[n][n] (forward) and U[m][m] (reverse)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) seed[i][j] = i == j ? 1.0 : 0.0;
    auto flat = [&] {
        std::vector<double> v((size_t)m * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) v[(size_t)i * n + j] = J[i][j];
        return v;
    };
    auto add = [&](Row r, const std::function<void()>& f, bool first) {
        r.problem = "chain-jac";
        r.size = size;
        r.objective = obj;
        r.objDiff = objDiff;
        r.ops = ops;
        r.opsInCore = inCore;
        r.hasRecord = true;
        r.record = rec;
        for (int i = 0; i < m; i++) std::fill(J[i], J[i] + n, 0.0);
        if (first) {
            r.firstCall = timeOnce(f);
            r.firstCall.cpu += recFirst.cpu;
            r.firstCall.wall += recFirst.wall;
        }
        r.derivative = measure(f);
        if (rj) r.diff = maxRelDiff(flat(), *rj);
        rows.push_back(r);
        printRow(rows.back());
    };
    {
        Row r;
        r.variant = "jacobian() (n/2 < m: forward, fov_forward)";
        r.driver = "jacobian(tag,m,n,x,J)";
        add(r, [&] { jacobian(tag, m, n, x.data(), J); }, true);
    }
    {
        Row r;
        r.variant = "fov_forward, n directions";
        r.driver = "fov_forward(tag,m,n,n,x,I,y,J)";
        add(r, [&] { fov_forward(tag, m, n, n, x.data(), seed, y.data(), J); }, false);
    }
    {
        Row r;
        r.variant = "zos_forward(keep=1) + fov_reverse, m directions";
        r.driver = "zos_forward + fov_reverse(tag,m,n,m,I,J)";
        add(r, [&] { zos_forward(tag, m, n, 1, x.data(), y.data()); fov_reverse(tag, m, n, m, seed, J); }, false);
    }
    {
        Row r;
        r.variant = "per row: zos_forward(keep=1) + fos_reverse";
        r.driver = "m x (zos_forward + fos_reverse(tag,m,n,e_i,J[i]))";
        add(r, [&] {
            for (int i = 0; i < m; i++) {
                zos_forward(tag, m, n, 1, x.data(), y.data());
                fos_reverse(tag, m, n, seed[i], J[i]);
            }
        }, false);
    }
    {   // as vec_jac(repeat=1) does: the Taylor values of one zos_forward(keep=1) serve every row's reverse sweep
        Row r;
        r.variant = "one zos_forward(keep=1) + m fos_reverse";
        r.driver = "zos_forward + m x fos_reverse(tag,m,n,e_i,J[i])";
        add(r, [&] {
            zos_forward(tag, m, n, 1, x.data(), y.data());
            for (int i = 0; i < m; i++) fos_reverse(tag, m, n, seed[i], J[i]);
        }, false);
    }
    {
        Row r;
        short t2 = nextTag++;
        r.variant = "record + jacobian() each call";
        r.driver = "trace_on/trace_off + jacobian";
        r.problem = "chain-jac";
        r.size = size;
        r.objective = obj;
        r.objDiff = objDiff;
        r.derivative = measure([&] { recordChain(t2, x, y); jacobian(t2, m, n, x.data(), J); });
        r.ops = tapeOps(t2, &r.opsInCore);
        if (rj) r.diff = maxRelDiff(flat(), *rj);
        rows.push_back(r);
        printRow(rows.back());
    }
    myfree2(J);
    myfree2(seed);
}

// ----------------------------------------------------------------------------- JSON

static std::string jstr(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o + "\"";
}

static std::string jnum(double v) {
    if (!std::isfinite(v)) return "null";
    char b[40];
    snprintf(b, sizeof b, "%.6g", v);
    return b;
}

static std::string toJSON(const std::string& version, bool quick) {
    std::ostringstream o;
    time_t t = time(nullptr);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", localtime(&t));
    o << "{\n \"generated\": " << jstr(when) << ",\n \"engine\": \"ADOL-C\",\n \"version\": " << jstr(version)
      << ",\n \"mode\": \"tape (trace_on/trace_off), dense drivers, double, 1 thread\""
      << ",\n \"compiler\": " << jstr(std::string("g++ ") + __VERSION__ + ", -O3 -march=native")
      << ",\n \"clock\": \"derivative_s/primal_s: median CLOCK_THREAD_CPUTIME_ID per call; *_wall_s: CLOCK_MONOTONIC\""
      << ",\n \"tolerance\": " << jnum(TOLERANCE) << ",\n \"quick\": " << (quick ? "true" : "false") << ",\n \"rows\": [\n";
    for (size_t i = 0; i < rows.size(); i++) {
        const Row& r = rows[i];
        o << "  {\"problem\": " << jstr(r.problem) << ", \"size\": " << jstr(r.size) << ", \"engine\": \"ADOL-C\""
          << ", \"variant\": " << jstr(r.variant) << ", \"driver\": " << jstr(r.driver)
          << ", \"derivative_s\": " << jnum(r.derivative.cpu) << ", \"derivative_wall_s\": " << jnum(r.derivative.wall)
          << ", \"samples\": " << r.derivative.samples << ", \"calls_per_sample\": " << r.derivative.inner
          << ", \"primal_s\": " << jnum(r.objective.cpu) << ", \"primal_wall_s\": " << jnum(r.objective.wall)
          << ", \"ratio\": " << jnum(r.derivative.cpu / r.objective.cpu);
        if (r.hasRecord)
            o << ", \"record_s\": " << jnum(r.record.cpu) << ", \"record_wall_s\": " << jnum(r.record.wall);
        if (r.firstCall.cpu >= 0)
            o << ", \"first_call_s\": " << jnum(r.firstCall.cpu) << ", \"first_call_wall_s\": " << jnum(r.firstCall.wall);
        if (r.ops)
            o << ", \"tape_ops\": " << r.ops << ", \"ns_per_op\": " << jnum(r.derivative.cpu * 1e9 / r.ops)
              << ", \"tape_in_core\": " << (r.opsInCore ? "true" : "false");
        if (r.diff >= 0) {
            o << ", \"check\": " << jstr(r.check) << ", \"max_rel_diff\": " << jnum(r.diff);
            if (r.objDiff >= 0) o << ", \"objective_max_rel_diff\": " << jnum(r.objDiff);
            o << ", \"ok\": " << (rowOk(r) ? "true" : "false");
        } else {
            o << ", \"ok\": null";
        }
        if (!r.note.empty()) o << ", \"note\": " << jstr(r.note);
        o << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    o << " ]\n}\n";
    return o.str();
}

// ----------------------------------------------------------------------------- driver

int main(int argc, char** argv) {
    const char* refPath = nullptr;
    const char* jsonPath = nullptr;
    std::string version = "unknown", which;
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--refs" && i + 1 < argc) refPath = argv[++i];
        else if (a == "--json" && i + 1 < argc) jsonPath = argv[++i];
        else if (a == "--version" && i + 1 < argc) version = argv[++i];
        else if (a == "--case" && i + 1 < argc) which = argv[++i];
        else if (a == "--quick") quick = true;
        else which = "";
    }
    static const char* cases[] = {"rosen-grad/n=1000", "rosen-grad/n=100000", "rosen-hess/n=100", "rosen-hess/n=400",
                                  "chain-jac/n=100"};
    if (std::find_if(std::begin(cases), std::end(cases), [&](const char* c) { return which == c; }) == std::end(cases)) {
        fprintf(stderr, "usage: adolc_bench --case CASE --refs FILE [--quick] [--json FILE] [--version TEXT]\n"
                        "CASE is one of: rosen-grad/n=1000 rosen-grad/n=100000 rosen-hess/n=100 rosen-hess/n=400 "
                        "chain-jac/n=100\n(one case per process: ADOL-C's location store is global, and a tape "
                        "recorded after a larger one inherits its number of live locations)\n");
        return 2;
    }
    if (refPath) loadRefs(refPath);
    if (quick) {
        config.budget = 0.3;
        config.maxSamples = 15;
        config.warmup = 1;
        config.minSamples = 3;
    }
    std::string problem = which.substr(0, which.find('/'));
    int n = std::atoi(which.c_str() + which.find('=') + 1);
    if (problem == "rosen-grad") rosenGrad(n);
    else if (problem == "rosen-hess") rosenHess(n);
    else chainJac(n);

    std::string json = toJSON(version, quick);
    fputs(json.c_str(), stdout);
    if (jsonPath) {
        std::ofstream out(jsonPath);
        out << json;
    }
    int failed = 0;
    for (const Row& r : rows)
        if (r.diff >= 0 && !rowOk(r)) failed++;
    return failed ? 1 : 0;
}
