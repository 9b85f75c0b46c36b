/* Unsafe: reads the IP header after checking only the Ethernet header. */
#include "common.h"

SEC("xdp")
int nobounds(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	struct iphdr *ip = (void *)(eth + 1);
	return ip->protocol == IPPROTO_UDP ? XDP_DROP : XDP_PASS;
}
