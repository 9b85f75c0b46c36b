/* xdp: a Cilium-style XDP load balancer front end. The entry program
 * parses Ethernet (with up to two VLAN tags), then tail-calls a per-family
 * program that parses IPv4 or IPv6 (walking extension headers), looks the
 * service up, keeps per-CPU statistics, rewrites the destination of
 * balanced flows with checksum fixes and reports new flows on a ring
 * buffer. */
#include "common.h"

enum { PROG_V4 = 0, PROG_V6 = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

struct backend {
	__u32 addr;
	__u16 port;
	__u16 weight;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow);
	__type(value, struct backend);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow);
	__type(value, __u64);
} conntrack SEC(".maps");

struct stats {
	__u64 packets;
	__u64 bytes;
	__u64 drops;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} l3off SEC(".maps");

static __always_inline void count(__u32 idx, __u64 bytes, int drop)
{
	struct stats *s = bpf_map_lookup_elem(&stats, &idx);

	if (!s)
		return;
	s->packets++;
	s->bytes += bytes;
	if (drop)
		s->drops++;
}

static __always_inline int parse_l2(void *data, void *data_end, __u16 *proto, __u32 *off)
{
	struct ethhdr *eth = data;
	__u32 o = sizeof(*eth);
	__u16 p;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	p = eth->h_proto;
#pragma unroll
	for (i = 0; i < MAX_VLAN; i++) {
		struct vlan_hdr *vh;

		if (p != bpf_htons(ETH_P_8021Q) && p != bpf_htons(ETH_P_8021AD))
			break;
		vh = data + o;
		if ((void *)(vh + 1) > data_end)
			return -1;
		p = vh->proto;
		o += sizeof(*vh);
	}
	*proto = p;
	*off = o;
	return 0;
}

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, off;
	__u16 proto;

	if (parse_l2(data, data_end, &proto, &off) < 0) {
		count(0, data_end - data, 1);
		return XDP_DROP;
	}
	count(0, data_end - data, 0);
	bpf_map_update_elem(&l3off, &zero, &off, BPF_ANY);
	if (proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jmp, PROG_V4);
	else if (proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(ctx, &jmp, PROG_V6);
	return XDP_PASS;
}

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

static __always_inline void report(struct flow *f)
{
	struct flow *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return;
	__builtin_memcpy(e, f, sizeof(*e));
	bpf_ringbuf_submit(e, 0);
}

SEC("xdp")
int xdp_v4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, *offp, off;
	struct flow f = {};
	struct backend *be;
	struct iphdr *ip;
	__u64 now, *seen;

	offp = bpf_map_lookup_elem(&l3off, &zero);
	if (!offp)
		return XDP_ABORTED;
	off = *offp;
	if (off > 22)
		return XDP_ABORTED;
	ip = data + off;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (ip->ihl < 5 || ip->version != 4)
		return XDP_DROP;
	f.family = 4;
	f.proto = ip->protocol;
	f.saddr[0] = ip->saddr;
	f.daddr[0] = ip->daddr;
	if (ip->ihl == 5 && (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP)) {
		struct udphdr *l4 = (void *)(ip + 1);

		if ((void *)(l4 + 1) > data_end)
			return XDP_DROP;
		f.sport = l4->source;
		f.dport = l4->dest;
	} else if (ip->protocol == IPPROTO_ICMP) {
		count(1, 0, 0);
		return XDP_PASS;
	}
	now = bpf_ktime_get_ns();
	seen = bpf_map_lookup_elem(&conntrack, &f);
	if (seen)
		*seen = now;
	else {
		bpf_map_update_elem(&conntrack, &f, &now, BPF_NOEXIST);
		report(&f);
	}
	be = bpf_map_lookup_elem(&services, &f);
	if (!be)
		return XDP_PASS;
	{
		__u32 old = ip->daddr;
		__u32 csum = ~((__u32)ip->check) & 0xffff;

		ip->daddr = be->addr;
		csum += (~old & 0xffff) + (~old >> 16);
		csum += (be->addr & 0xffff) + (be->addr >> 16);
		ip->check = csum_fold(csum);
	}
	count(2, data_end - data, 0);
	return XDP_TX;
}

SEC("xdp")
int xdp_v6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, *offp, off;
	struct flow f = {};
	struct ipv6hdr *ip6;
	__u8 next;
	void *p;
	int i;

	offp = bpf_map_lookup_elem(&l3off, &zero);
	if (!offp)
		return XDP_ABORTED;
	off = *offp;
	if (off > 22)
		return XDP_ABORTED;
	ip6 = data + off;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	f.family = 6;
	__builtin_memcpy(f.saddr, &ip6->saddr, 16);
	__builtin_memcpy(f.daddr, &ip6->daddr, 16);
	next = ip6->nexthdr;
	p = ip6 + 1;
	for (i = 0; i < MAX_EXT_HDRS; i++) {
		struct ipv6_opt_hdr {
			__u8 nexthdr;
			__u8 hdrlen;
		} *opt = p;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS)
			break;
		if ((void *)(opt + 1) > data_end)
			return XDP_DROP;
		next = opt->nexthdr;
		p += (opt->hdrlen + 1) * 8;
	}
	f.proto = next;
	if (next == IPPROTO_TCP) {
		struct tcphdr *th = p;

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		f.sport = th->source;
		f.dport = th->dest;
		if (th->syn && !th->ack)
			report(&f);
	}
	if (bpf_map_lookup_elem(&services, &f))
		count(3, data_end - data, 0);
	return XDP_PASS;
}
