/* spinlock: bpf_spin_lock/bpf_spin_unlock around a read-modify-write of a
 * map value that also holds the lock. */
#include "common.h"

struct counter {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} locked SEC(".maps");

SEC("xdp")
int xdp_spinlock(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 len = ctx->data_end - ctx->data;
	struct counter *c = bpf_map_lookup_elem(&locked, &k);

	if (!c)
		return XDP_ABORTED;
	bpf_spin_lock(&c->lock);
	c->packets++;
	c->bytes += len;
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}
