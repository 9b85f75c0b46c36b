/* redirect: forwarding by destination MAC. Known MACs (mac_ports hash) are
 * sent out of their port with bpf_redirect (XDP_REDIRECT), broadcast frames
 * are reflected with swapped MACs (XDP_TX), anything else passes. */
#include "common.h"

struct mac {
	__u8 addr[ETH_ALEN];
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct mac);
	__type(value, __u32);
} mac_ports SEC(".maps");

/* redirects[ifindex % 4] counts redirects by port. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} redirects SEC(".maps");

SEC("xdp")
int xdp_redirect_mac(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	struct mac key = {};
	__builtin_memcpy(key.addr, eth->h_dest, ETH_ALEN);
	__u32 *port = bpf_map_lookup_elem(&mac_ports, &key);
	if (port) {
		__u32 idx = *port & 3;
		__u64 *n = bpf_map_lookup_elem(&redirects, &idx);
		if (n)
			*n += 1;
		return bpf_redirect(*port, 0);
	}
	if (eth->h_dest[0] == 0xff && eth->h_dest[1] == 0xff && eth->h_dest[2] == 0xff &&
	    eth->h_dest[3] == 0xff && eth->h_dest[4] == 0xff && eth->h_dest[5] == 0xff) {
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memset(eth->h_source, 0x02, ETH_ALEN);
		return XDP_TX;
	}
	return XDP_PASS;
}
