// Freed tensor-sized blocks kept in the C heap for reuse (called once per process, when
// the first tensor is made: TensorBuffer.init in AutodiffTensor/Tensor/Tensor.swift).
//
// glibc serves a block above its mmap threshold (128 KiB at start, raised to the largest
// block freed so far) with a fresh mmap, and gives the free top of its heaps back to the
// kernel once it exceeds twice that threshold. A program that makes and drops tensors of
// a few hundred KiB each step (a gradient, a slice, an intermediate of 1e5 doubles) then
// takes a page fault on every 4 KiB page of every new tensor: in the rosen-grad benchmark
// at n = 1e5 that was about half of the CPU time (perf: exc_page_fault, clear_page_erms;
// Benchmarks/RESULTS.md). With a fixed mmap threshold of 16 MiB and a trim threshold of
// 64 MiB, freed blocks up to 16 MiB are reused, and the process keeps at most 64 MiB of
// freed memory per heap. Larger blocks are mapped and unmapped as before.
//
// Nothing is changed when the user tuned malloc (MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_, a glibc.malloc tunable) or set
// AUTODIFF_MALLOC_DEFAULTS=1.
#include "heap.h"

#include <stdlib.h>   // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>
#include <string.h>

static int kept = 0;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void configure(void) {
    const char *defaults = getenv("AUTODIFF_MALLOC_DEFAULTS");
    const char *tunables = getenv("GLIBC_TUNABLES");
    if ((defaults && strcmp(defaults, "1") == 0) || getenv("MALLOC_MMAP_THRESHOLD_") || getenv("MALLOC_TRIM_THRESHOLD_")
        || getenv("MALLOC_TOP_PAD_") || (tunables && strstr(tunables, "glibc.malloc."))) {
        return;
    }
    kept = mallopt(M_MMAP_THRESHOLD, 16 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 64 << 20) == 1;
}

int autodiff_heap_keep_large_blocks(void) {
    pthread_once(&once, configure);
    return kept;
}
#else
int autodiff_heap_keep_large_blocks(void) { return 0; }
#endif
