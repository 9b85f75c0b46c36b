// Custom .rodata.* and .data.* sections: a const volatile string settable
// before load and a counter.
#include "common.h"

const volatile char greet[8] SEC(".rodata.greet") = "hello";
__u32 counter SEC(".data.counters");

SEC("xdp")
int rodata(struct xdp_md *ctx)
{
	counter++;
	return greet[1] + greet[4]; /* 'e' + 'o' = 212 */
}

char LICENSE[] SEC("license") = "GPL";
