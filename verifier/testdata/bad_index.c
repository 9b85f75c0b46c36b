/* Unsafe: indexes a map value with a bound that is one too large. */
#include "common.h"

struct val {
	__u64 slots[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val);
} table SEC(".maps");

SEC("xdp")
int badindex(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct val *v = bpf_map_lookup_elem(&table, &key);
	__u32 i = ctx->rx_queue_index;

	if (!v || i > 8)
		return XDP_PASS;
	v->slots[i] = 1;
	return XDP_PASS;
}
