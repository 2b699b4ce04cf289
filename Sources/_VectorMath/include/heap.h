// How the C heap treats large freed blocks (see heap.c).
#ifndef AUTODIFF_HEAP_H
#define AUTODIFF_HEAP_H

// The first call (per process) has glibc keep freed blocks of up to 16 MiB for reuse
// instead of unmapping them, unless the user tuned malloc; later calls do nothing.
// Returns 1 when the heap keeps such blocks because of this call, 0 otherwise.
int autodiff_heap_keep_large_blocks(void);

#endif
