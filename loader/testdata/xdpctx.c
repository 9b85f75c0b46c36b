// Reads every pointer field of struct xdp_md and ingress_ifindex, stores what
// it saw in an array and returns the first packet byte.
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} seen SEC(".maps");

static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdpctx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *meta = (void *)(long)ctx->data_meta;
	put(0, end - data);
	put(1, data - meta);
	put(2, ctx->ingress_ifindex);
	put(3, ctx->rx_queue_index);
	if (data + 1 > end)
		return XDP_ABORTED;
	return *(__u8 *)data;
}

char LICENSE[] SEC("license") = "GPL";
