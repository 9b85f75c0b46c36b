/* limits: probes the edges of bpf_xdp_adjust_head, _tail and _meta. Each
 * frame carries a probe after its Ethernet header (ethertype 0x88b5): an ID
 * and the three deltas to try, in that order (zero: skip). The results and
 * the lengths after each step are recorded under the probe's ID, so the
 * kernel's limits (headroom left for struct xdp_frame, the minimum frame of
 * ETH_HLEN, metadata of at most 32 bytes in 4-byte units, the tailroom of the
 * buffer) can be compared exactly. */
#include "common.h"

struct probe {
	__u32 id;
	__s32 head;
	__s32 tail;
	__s32 meta;
};

struct outcome {
	__s64 head_ret;
	__s64 tail_ret;
	__s64 meta_ret;
	__u64 len_after_head;
	__u64 len_after_tail;
	__u64 meta_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct outcome);
} outcomes SEC(".maps");

/* Lengths are computed from pointers each time: letting clang reuse the
 * 32-bit context fields would truncate a pointer, which the verifier refuses. */
static __always_inline __u64 span(void *from, void *to)
{
	return to - from;
}

SEC("xdp")
int xdp_limits(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct probe *p = (void *)(eth + 1);
	struct outcome o = {};

	if ((void *)(p + 1) > end || eth->h_proto != bpf_htons(0x88b5))
		return XDP_PASS;
	struct probe pr = *p;

	if (pr.head)
		o.head_ret = bpf_xdp_adjust_head(ctx, pr.head);
	o.len_after_head = span((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	if (pr.tail)
		o.tail_ret = bpf_xdp_adjust_tail(ctx, pr.tail);
	o.len_after_tail = span((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	if (pr.meta)
		o.meta_ret = bpf_xdp_adjust_meta(ctx, pr.meta);
	o.meta_len = span((void *)(long)ctx->data_meta, (void *)(long)ctx->data);
	bpf_map_update_elem(&outcomes, &pr.id, &o, BPF_ANY);
	return XDP_PASS;
}
