// bpf-to-bpf calls: a chain of non-inlined functions, one taking the context
// pointer as its argument, and a bpf_loop callback (ld_imm64 pseudo func).
#include "common.h"

static __noinline __u32 pkt_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

static __noinline int add3(int a, int b, int c)
{
	return a + b + c;
}

static __noinline int twice_plus(int a, int b)
{
	return add3(a, a, b);
}

SEC("xdp")
int calls(struct xdp_md *ctx)
{
	/* 2*len + 5 */
	return twice_plus(pkt_len(ctx), 5);
}

static long loop_cb(__u64 index, void *data)
{
	__u64 *sum = data;
	*sum += index;
	return 0;
}

SEC("xdp")
int looper(struct xdp_md *ctx)
{
	__u64 sum = 0;
	bpf_loop(5, loop_cb, &sum, 0);
	return sum; /* 0+1+2+3+4 = 10 */
}

char LICENSE[] SEC("license") = "GPL";
