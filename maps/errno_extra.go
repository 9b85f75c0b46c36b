package maps

// ENOTSUPP is the kernel-internal "operation not supported" (524) that the
// bpf() syscall leaks to user space for operations a map type lacks, such as
// looking up an element of a ring buffer or a perf event array.
const ENOTSUPP Errno = 524

func init() { errnoText[ENOTSUPP] = "unknown error 524" }
