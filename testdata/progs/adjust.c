/* adjust: encapsulation and decapsulation with bpf_xdp_adjust_head, frame
 * trimming and padding with bpf_xdp_adjust_tail, and metadata with
 * bpf_xdp_adjust_meta. */
#include "common.h"

/* Outer addresses of the IPIP tunnel (192.0.2.1 -> 192.0.2.2 by default). */
const volatile __u32 tunnel_src = 0xc0000201;
const volatile __u32 tunnel_dst = 0xc0000202;

/* Metadata cookie: the frame length seen by xdp_meta, read back after writing. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} meta_seen SEC(".maps");

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* xdp_encap wraps an IPv4 packet in an outer IPv4 header (IP-in-IP). */
SEC("xdp")
int xdp_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *inner;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	inner = (void *)(eth + 1);
	if ((void *)(inner + 1) > end)
		return XDP_PASS;
	__u16 inner_len = bpf_ntohs(inner->tot_len);
	__u8 tos = inner->tos;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;

	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	struct ethhdr *neth = data;
	struct iphdr *outer = data + sizeof(struct ethhdr);
	if ((void *)(outer + 1) > end)
		return XDP_ABORTED;
	/* Move the Ethernet header to the new front. */
	__builtin_memmove(neth, data + sizeof(struct iphdr), sizeof(struct ethhdr));

	outer->version = 4;
	outer->ihl = 5;
	outer->tos = tos;
	outer->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = bpf_htons(0x4000);
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(tunnel_src);
	outer->daddr = bpf_htonl(tunnel_dst);
	__s64 sum = bpf_csum_diff(0, 0, (__be32 *)outer, sizeof(*outer), 0);
	outer->check = csum_fold(sum);
	return XDP_TX;
}

/* xdp_decap strips the outer header of an IP-in-IP packet. */
SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *outer;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > end || outer->protocol != IPPROTO_IPIP || outer->ihl != 5)
		return XDP_PASS;
	/* Copy the Ethernet header over the end of the outer IP header. */
	struct ethhdr copy = *eth;
	struct ethhdr *neth = (void *)outer + sizeof(*outer) - sizeof(struct ethhdr);
	if ((void *)(neth + 1) > end)
		return XDP_ABORTED;
	*neth = copy;
	if (bpf_xdp_adjust_head(ctx, sizeof(struct iphdr)))
		return XDP_ABORTED;
	return XDP_PASS;
}

/* xdp_tail trims frames longer than 64 bytes to 64 and pads shorter ones
 * with a 4-byte trailer. */
SEC("xdp")
int xdp_tail(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	if (len > 64) {
		if (bpf_xdp_adjust_tail(ctx, 64 - len))
			return XDP_ABORTED;
		return XDP_TX;
	}
	if (bpf_xdp_adjust_tail(ctx, 4))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	/* The verifier forbids arithmetic on data_end: index from data. */
	__u32 off = len & 0xff;
	__u8 *trailer = data + off;
	if ((void *)(trailer + 4) > end)
		return XDP_ABORTED;
	trailer[0] = 0xde;
	trailer[1] = 0xad;
	trailer[2] = 0xbe;
	trailer[3] = 0xef;
	return XDP_TX;
}

/* xdp_meta reserves 8 bytes of metadata, stores the frame length there and
 * reads it back through data_meta. */
SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 *meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return XDP_ABORTED;
	*meta = 0x1122334400000000ULL | (__u64)(end - data);

	__u32 k = 0;
	__u64 *seen = bpf_map_lookup_elem(&meta_seen, &k);
	if (seen)
		*seen = *meta;
	return XDP_PASS;
}
