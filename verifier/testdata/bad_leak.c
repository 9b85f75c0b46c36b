/* Unsafe: a ringbuf record is neither submitted nor discarded on one path. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int leak(struct xdp_md *ctx)
{
	__u64 *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);

	if (!r)
		return XDP_PASS;
	*r = ctx->ingress_ifindex;
	if (ctx->rx_queue_index == 3)
		return XDP_DROP;
	bpf_ringbuf_submit(r, 0);
	return XDP_PASS;
}
