/* csum: destination NAT for IPv4 TCP/UDP. Packets to nat_from get their
 * destination rewritten to nat_to; the IPv4 and L4 checksums are updated
 * incrementally with bpf_csum_diff, and the IPv4 one is checked against a
 * full recomputation over the header. */
#include "common.h"

const volatile __u32 nat_from = 0x0a000001; /* 10.0.0.1 */
const volatile __u32 nat_to = 0x0a000063;   /* 10.0.0.99 */

/* verify[0] = rewritten packets, [1] = IPv4 checksum mismatches after rewrite. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} verify SEC(".maps");

static __always_inline __u16 fold(__s64 sum)
{
	__u64 s = (__u64)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Incremental update (RFC 1624): HC' = ~(~HC + ~m + m'). */
static __always_inline __u16 csum_replace(__u16 check, __be32 from, __be32 to)
{
	__s64 s = bpf_csum_diff(&from, sizeof(from), &to, sizeof(to), (__u16)~check);

	return ~fold(s);
}

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&verify, &idx);

	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_dnat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5)
		return XDP_PASS;
	if (iph->daddr != bpf_htonl(nat_from))
		return XDP_PASS;

	__be32 from = iph->daddr, to = bpf_htonl(nat_to);
	void *l4 = iph + 1;
	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			return XDP_DROP;
		th->check = csum_replace(th->check, from, to);
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			return XDP_DROP;
		if (uh->check)
			uh->check = csum_replace(uh->check, from, to);
	} else {
		return XDP_PASS;
	}
	iph->daddr = to;
	iph->check = csum_replace(iph->check, from, to);
	bump(0);

	/* A correct header sums to 0xffff. */
	__s64 full = bpf_csum_diff(0, 0, (__be32 *)iph, sizeof(*iph), 0);
	if (fold(full) != 0xffff)
		bump(1);

	/* Swap MAC addresses and send back out. */
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return XDP_TX;
}
