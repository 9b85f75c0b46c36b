/* Safe: bpf-to-bpf calls passing stack pointers, a bpf_loop callback
 * updating the caller's stack, ringbuf events, and a hash map update. */
#include "common.h"

struct event {
	__u32 len;
	__u32 sum;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct event);
} last SEC(".maps");

struct loop_ctx {
	__u32 acc;
	__u32 n;
};

static long step(__u64 i, void *arg)
{
	struct loop_ctx *lc = arg;

	lc->acc += i * 3;
	return lc->acc > 1000 ? 1 : 0;
}

static __attribute__((noinline)) int fill(struct event *e, __u32 len)
{
	struct loop_ctx lc = {.acc = len, .n = 0};

	bpf_loop(16, step, &lc, 0);
	e->len = len;
	e->sum = lc.acc;
	e->ts = bpf_ktime_get_ns();
	return 0;
}

SEC("xdp")
int calls(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct event ev = {};
	__u32 key = len & 63;

	fill(&ev, len);
	bpf_map_update_elem(&last, &key, &ev, BPF_ANY);
	struct event *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return XDP_PASS;
	*r = ev;
	if (len > 100)
		bpf_ringbuf_submit(r, 0);
	else
		bpf_ringbuf_discard(r, 0);
	return XDP_PASS;
}
