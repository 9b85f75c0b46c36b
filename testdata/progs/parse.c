/* parse: Ethernet / 802.1Q / IPv4 (with options) / IPv6 (with extension
 * headers) / TCP / UDP parsing with explicit bounds checks, bounded loops
 * and counters. Verdict: XDP_ABORTED for truncated headers, XDP_DROP for
 * TCP/UDP destination port 23, XDP_PASS otherwise. */
#include "common.h"

enum { C_OTHER, C_IPV4, C_IPV6, C_TCP, C_UDP, C_ICMP, C_TRUNC, C_VLAN, C_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Packets seen per destination port (host byte order). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u64);
} ports SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline int l4(void *l4h, void *end, __u8 proto)
{
	__u16 dport;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4h;

		if ((void *)(th + 1) > end)
			return -1;
		count(C_TCP);
		dport = bpf_ntohs(th->dest);
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4h;

		if ((void *)(uh + 1) > end)
			return -1;
		count(C_UDP);
		dport = bpf_ntohs(uh->dest);
	} else {
		if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
			count(C_ICMP);
		return 0;
	}
	__u64 one = 1, *hits = bpf_map_lookup_elem(&ports, &dport);
	if (hits)
		__sync_fetch_and_add(hits, 1);
	else
		bpf_map_update_elem(&ports, &dport, &one, BPF_NOEXIST);
	return dport;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur;
	__u16 proto;
	__u8 l4proto;
	int port;

	if ((void *)(eth + 1) > end)
		goto trunc;
	proto = eth->h_proto;
	cur = eth + 1;

	/* Up to two VLAN tags (QinQ), a bounded loop. */
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != bpf_htons(ETH_P_8021Q))
			break;
		if ((void *)(vh + 1) > end)
			goto trunc;
		count(C_VLAN);
		proto = vh->proto;
		cur = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = cur;

		if ((void *)(iph + 1) > end)
			goto trunc;
		__u32 hl = iph->ihl * 4;
		if (hl < sizeof(*iph) || cur + hl > end)
			goto trunc;
		count(C_IPV4);
		l4proto = iph->protocol;
		cur += hl;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;

		if ((void *)(ip6 + 1) > end)
			goto trunc;
		count(C_IPV6);
		l4proto = ip6->nexthdr;
		cur = ip6 + 1;
		/* Skip hop-by-hop, routing and destination options headers. */
		for (int i = 0; i < 4; i++) {
			__u8 *ext = cur;

			if (l4proto != 0 && l4proto != 43 && l4proto != 60)
				break;
			if ((void *)(ext + 2) > end)
				goto trunc;
			l4proto = ext[0];
			cur += (ext[1] + 1) * 8;
		}
	} else {
		count(C_OTHER);
		return XDP_PASS;
	}

	port = l4(cur, end, l4proto);
	if (port < 0)
		goto trunc;
	return port == 23 ? XDP_DROP : XDP_PASS;
trunc:
	count(C_TRUNC);
	return XDP_ABORTED;
}
