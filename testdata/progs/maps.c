/* maps: every keyed map type from a program: hash (update with flags,
 * lookup, delete), array, per-CPU array and hash, LRU hash and LRU per-CPU
 * hash, LPM trie route
 * lookup, queue and stack push/pop. */
#include "common.h"

struct flow {
	__u32 saddr;
	__u32 daddr;
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct flow);
	__type(value, struct flow_stats);
} flows SEC(".maps");

/* stats[0] = lookups that found a route, [1] = misses, [2] = deletes, [3] = pops. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct flow_stats);
} pcpu_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} last_len SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} lru_pcpu_proto SEC(".maps");

struct lpm_v4 {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

/* Next hops chosen, in order (queue) and most recent first (stack). */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} hop_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} hop_stack SEC(".maps");

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_maps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 len = end - data;
	__u32 zero = 0;

	struct flow_stats *tot = bpf_map_lookup_elem(&pcpu_total, &zero);
	if (tot) {
		tot->packets++;
		tot->bytes += len;
	}
	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	__u32 proto = iph->protocol;
	__u64 *pp = bpf_map_lookup_elem(&pcpu_proto, &proto);
	if (pp) {
		*pp += 1;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&pcpu_proto, &proto, &one, BPF_NOEXIST);
	}

	pp = bpf_map_lookup_elem(&lru_pcpu_proto, &proto);
	if (pp) {
		*pp += 1;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&lru_pcpu_proto, &proto, &one, BPF_ANY);
	}

	struct flow key = { .saddr = iph->saddr, .daddr = iph->daddr };
	struct flow_stats *fs = bpf_map_lookup_elem(&flows, &key);
	if (fs) {
		fs->packets++;
		fs->bytes += len;
	} else {
		struct flow_stats init = { 1, len };
		/* NOEXIST then EXIST: the second must fail with -EEXIST... */
		if (bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST) == 0 &&
		    bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST) == -17)
			bump(2);
	}
	/* TTL 1 means "forget this flow". */
	if (iph->ttl == 1 && bpf_map_delete_elem(&flows, &key) == 0)
		bump(2);

	__u32 src = iph->saddr;
	bpf_map_update_elem(&last_len, &src, &len, BPF_ANY);

	struct lpm_v4 lk = { .prefixlen = 32, .addr = iph->daddr };
	__u32 *hop = bpf_map_lookup_elem(&routes, &lk);
	if (!hop) {
		bump(1);
		return XDP_DROP;
	}
	bump(0);
	__u32 h = *hop;
	bpf_map_push_elem(&hop_queue, &h, 0);
	bpf_map_push_elem(&hop_stack, &h, 0);
	/* A hop of 0 pops one element back from each. */
	if (h == 0) {
		__u32 out;
		if (bpf_map_pop_elem(&hop_queue, &out) == 0)
			bump(3);
		if (bpf_map_peek_elem(&hop_stack, &out) == 0 && bpf_map_pop_elem(&hop_stack, &out) == 0)
			bump(3);
	}
	return XDP_TX;
}
