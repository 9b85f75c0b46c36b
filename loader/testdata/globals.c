// Global data in .rodata (const volatile, set before load), .data, .bss and a
// custom .data.* section.
#include "common.h"

const volatile __u32 cfg_ret = 1;
const volatile __u64 cfg_add = 10;
__u64 dval = 5;
__u64 bcount;
__u32 custom SEC(".data.custom") = 3;

SEC("xdp")
int globals(struct xdp_md *ctx)
{
	bcount += dval + cfg_add;
	dval += 1;
	custom *= 2;
	return cfg_ret;
}

char LICENSE[] SEC("license") = "GPL";
