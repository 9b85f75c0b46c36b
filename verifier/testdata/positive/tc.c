/* tc: a classifier that parses Ethernet/IPv4/IPv6/TCP/UDP with direct
 * packet access, classifies flows through a policy map, rewrites the DSCP
 * field with skb_store_bytes and l3_csum_replace, marks the packet,
 * tail-calls a per-policy program, and an action that counts packets per
 * priority and redirects marked ones. */
#include "common.h"

struct policy {
	__u32 mark;
	__u8 dscp;
	__u8 prog;
	__u16 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, struct policy);
} policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tc_jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} prio_count SEC(".maps");

#define IP_OFF (sizeof(struct ethhdr))
#define TOS_OFF (IP_OFF + offsetof(struct iphdr, tos))
#define CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

static __always_inline int l4_port(struct __sk_buff *skb, void *l4, void *data_end, __u8 proto, __u16 *port)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return -1;
		*port = bpf_ntohs(th->dest);
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return -1;
		*port = bpf_ntohs(uh->dest);
		return 0;
	}
	*port = 0;
	return 0;
}

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct policy *pol;
	__u16 port = 0;
	__u8 proto;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return TC_ACT_SHOT;
		proto = ip->protocol;
		if (l4_port(skb, (void *)ip + ip->ihl * 4, data_end, proto, &port) < 0)
			return TC_ACT_SHOT;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_SHOT;
		proto = ip6->nexthdr;
		if (l4_port(skb, ip6 + 1, data_end, proto, &port) < 0)
			return TC_ACT_SHOT;
	} else {
		return TC_ACT_OK;
	}
	pol = bpf_map_lookup_elem(&policies, &port);
	if (!pol)
		return TC_ACT_OK;
	skb->mark = pol->mark;
	skb->priority = pol->dscp & 7;
	skb->cb[0] = port;
	if (eth->h_proto == bpf_htons(ETH_P_IP) && pol->dscp) {
		__u8 old_tos, new_tos = pol->dscp << 2;

		if (bpf_skb_load_bytes(skb, TOS_OFF, &old_tos, 1) < 0)
			return TC_ACT_SHOT;
		bpf_l3_csum_replace(skb, CSUM_OFF, bpf_htons(old_tos), bpf_htons(new_tos), 2);
		bpf_skb_store_bytes(skb, TOS_OFF, &new_tos, 1, 0);
	}
	if (pol->prog < 4)
		bpf_tail_call(skb, &tc_jmp, pol->prog);
	return TC_ACT_OK;
}

SEC("tc")
int tc_policy_drop_syn(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *th;

	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return TC_ACT_OK;
	th = (void *)(ip + 1);
	if ((void *)(th + 1) > data_end)
		return TC_ACT_OK;
	return th->syn && !th->ack ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("action")
int act_count(struct __sk_buff *skb)
{
	__u32 prio = skb->priority & 7;
	__u64 *n = bpf_map_lookup_elem(&prio_count, &prio);
	__u32 i, sum = 0;

	if (n)
		(*n)++;
	/* A bounded loop over the control buffer. */
	for (i = 0; i < 5; i++)
		sum += skb->cb[i];
	if (skb->mark && sum)
		return bpf_redirect(skb->ifindex, 0);
	return TC_ACT_PIPE;
}
