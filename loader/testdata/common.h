/* Shared includes for the loader test objects. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
