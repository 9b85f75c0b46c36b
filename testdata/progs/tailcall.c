/* tailcall: bpf_tail_call through a program array. xdp_dispatch jumps by
 * IP protocol: TCP -> xdp_tc_tcp (returns XDP_TX), UDP -> xdp_tc_udp which
 * jumps again to xdp_tc_last (XDP_PASS), ICMP -> slot 3 which is left empty
 * (the call falls through: XDP_DROP), protocol 253 (experimental) ->
 * xdp_tc_loop, which jumps to itself until the kernel's limit of 33 tail
 * calls stops it. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

/* hits[i] counts runs of the program in slot i; hits[7] counts fall-throughs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void hit(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 slot;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	switch (iph->protocol) {
	case IPPROTO_TCP:
		slot = 0;
		break;
	case IPPROTO_UDP:
		slot = 1;
		break;
	case IPPROTO_ICMP:
		slot = 3;
		break;
	case 253:
		slot = 4;
		break;
	default:
		return XDP_PASS;
	}
	bpf_tail_call(ctx, &jmp, slot);
	hit(7);
	return XDP_DROP;
}

SEC("xdp")
int xdp_tc_tcp(struct xdp_md *ctx)
{
	hit(0);
	return XDP_TX;
}

SEC("xdp")
int xdp_tc_udp(struct xdp_md *ctx)
{
	hit(1);
	bpf_tail_call(ctx, &jmp, 2);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_tc_last(struct xdp_md *ctx)
{
	hit(2);
	return XDP_PASS;
}

SEC("xdp")
int xdp_tc_loop(struct xdp_md *ctx)
{
	hit(4);
	bpf_tail_call(ctx, &jmp, 4);
	/* Reached once the tail-call limit is exhausted. */
	hit(5);
	return XDP_TX;
}
