/* skb: a socket filter that parses IPv4/IPv6 through skb_load_bytes
 * (socket filters have no direct packet access), walking IPv6 extension
 * headers in a bounded loop and counting flows per port; and a cgroup_skb
 * ingress program that enforces a per-protocol byte budget with direct
 * packet reads. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u16);
	__type(value, __u64);
} port_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} budget SEC(".maps");

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	__u8 vers, next = 0;
	__u32 off = 0;
	__u16 port;
	__u64 one = 1, *n;
	int i;

	if (bpf_skb_load_bytes(skb, 0, &vers, 1) < 0)
		return 0;
	vers >>= 4;
	if (vers == 4) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
			return 0;
		next = ip.protocol;
		off = ip.ihl * 4;
	} else if (vers == 6) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return 0;
		next = ip6.nexthdr;
		off = sizeof(ip6);
		for (i = 0; i < MAX_EXT_HDRS; i++) {
			__u8 opt[2];

			if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS)
				break;
			if (bpf_skb_load_bytes(skb, off, opt, 2) < 0)
				return 0;
			next = opt[0];
			off += (opt[1] + 1) * 8;
		}
	} else {
		return 0;
	}
	if (next != IPPROTO_TCP && next != IPPROTO_UDP)
		return skb->len;
	if (bpf_skb_load_bytes(skb, off + 2, &port, 2) < 0)
		return 0;
	port = bpf_ntohs(port);
	n = bpf_map_lookup_elem(&port_count, &port);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&port_count, &port, &one, BPF_NOEXIST);
	skb->cb[1] = port;
	return skb->len;
}

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	__u32 proto, verdict = 1, mark = 0;
	__u64 *left;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	if ((void *)(ip + 1) > data_end)
		return 1;
	proto = ip->protocol;
	left = bpf_map_lookup_elem(&budget, &proto);
	if (!left || *left == 0)
		return 1;
	if (*left < skb->len) {
		verdict = 0;
		mark = 0xdead;
	} else {
		__sync_fetch_and_sub(left, skb->len);
	}
	skb->mark = mark;
	skb->priority = proto;
	return verdict;
}
