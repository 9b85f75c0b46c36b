/* perf: bpf_perf_event_output from XDP, with packet bytes appended through
 * BPF_F_CTXLEN_MASK, and its refusals: more packet bytes than the frame
 * holds (-EFAULT), an index past the array (-E2BIG). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct meta {
	__u32 seq;
	__u32 len;
	__u32 magic;
};

__u32 seq;
__s64 rets[3];

SEC("xdp")
int xdp_perf(struct xdp_md *ctx)
{
	struct meta m = {
		.seq = __sync_fetch_and_add(&seq, 1),
		.len = ctx->data_end - ctx->data,
		.magic = 0xfeedf00d,
	};

	/* 12 bytes of meta and 16 of packet: 28 + the 4-byte size header is a
	 * multiple of 8, so the kernel adds no padding to the sample. */
	rets[0] += bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (16ULL << 32), &m, sizeof(m));
	rets[1] += bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (0xfffffULL << 32), &m, sizeof(m));
	rets[2] += bpf_perf_event_output(ctx, &events, 1000, &m, sizeof(m));
	return XDP_PASS;
}
