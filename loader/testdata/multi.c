// Several programs in one object, in different sections.
#include "common.h"

SEC("xdp")
int prog_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int prog_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp/custom")
int prog_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
