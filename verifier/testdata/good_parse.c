/* Safe: Ethernet/IPv4 (with options)/UDP parsing as clang emits it, a
 * per-protocol counter and a payload checksum over a bounded loop. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

SEC("xdp")
int parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_ABORTED;
	__u32 ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return XDP_DROP;
	__u32 key = ip->protocol;
	__u64 *cnt = bpf_map_lookup_elem(&proto_count, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ihl;
	if ((void *)(udp + 1) > end)
		return XDP_ABORTED;
	__u8 *p = (void *)(udp + 1);
	__u32 sum = 0;
	for (int i = 0; i < 32; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		sum += p[i];
	}
	return sum & 1 ? XDP_DROP : XDP_PASS;
}
