/* Programs whose results depend on whether BPF_PROG_TEST_RUN's repeat
 * reruns on the same buffer and context (kernel) or on fresh copies.
 * Rebuild: clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(gcc -print-multiarch) -c repeat.c -o repeat.o */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* bump increments the frame's first byte and returns it: after n runs on
 * one buffer it returns n plus the byte's initial value. */
SEC("xdp")
int bump(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (data + 1 > end)
		return XDP_ABORTED;
	data[0]++;
	return data[0];
}

/* shrink drops the frame's first byte and returns the new length: the
 * frame shrinks once per run if the context persists. */
SEC("xdp")
int shrink(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, 1))
		return 1000;
	return ctx->data_end - ctx->data;
}

/* mark increments skb->mark and returns it. */
SEC("tc")
int mark(struct __sk_buff *skb)
{
	skb->mark++;
	return skb->mark;
}
