/* mapinmap: an array of maps whose slots hold two inner arrays; IPv4
 * packets count in inner slot 0, IPv6 packets in inner slot 1, by IP
 * protocol / next header modulo 4. Slot 2 is left empty. A hash of maps
 * keyed by IP version (4, 6) reaches the same inner maps: index 3 of the
 * inner map counts every IP packet through it. */
#include "common.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_v4 SEC(".maps"), inner_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} by_version SEC(".maps");

SEC("xdp")
int xdp_mapinmap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 slot, idx, version = 0;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > end)
			return XDP_ABORTED;
		slot = 0;
		idx = iph->protocol & 3;
		version = 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return XDP_ABORTED;
		slot = 1;
		idx = ip6->nexthdr & 3;
		version = 6;
	} else {
		slot = 2;
		idx = 0;
	}
	void *in = bpf_map_lookup_elem(&outer, &slot);
	if (!in)
		return XDP_DROP;
	__u64 *v = bpf_map_lookup_elem(in, &idx);
	if (!v)
		return XDP_ABORTED;
	__sync_fetch_and_add(v, 1);

	void *byv = bpf_map_lookup_elem(&by_version, &version);
	if (!byv)
		return XDP_TX; /* not reached: both versions are set up */
	__u32 all = 3;
	v = bpf_map_lookup_elem(byv, &all);
	if (!v)
		return XDP_ABORTED;
	__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}
