/* ctxinfo: the fields of struct xdp_md as a test run sets them up — the
 * receiving interface and queue (from the context given to the run, the
 * loopback device by default in the kernel) and metadata passed in front
 * of the frame. */
#include "common.h"

struct info {
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex; /* not read: only devmap programs may (the verifier refuses) */
	__u32 meta_len;
	__u32 meta_word; /* the first 4 bytes of metadata, 0 without */
	__u32 len;
};

struct info infos[4]; /* by run number, modulo 4 */
__u32 runs;

SEC("xdp")
int xdp_ctxinfo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *meta = (void *)(long)ctx->data_meta;
	struct info *i = &infos[runs++ & 3];

	i->ingress_ifindex = ctx->ingress_ifindex;
	i->rx_queue_index = ctx->rx_queue_index;
	i->meta_len = data - meta;
	i->meta_word = 0;
	if (meta + 4 <= data)
		i->meta_word = *(__u32 *)meta;
	i->len = end - data;
	return XDP_PASS;
}
