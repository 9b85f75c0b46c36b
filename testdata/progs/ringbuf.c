/* ringbuf: bpf_ringbuf_reserve/submit/discard and bpf_ringbuf_output. */
#include "common.h"

struct event {
	__u32 len;
	__u16 proto;
	__u16 pad;
	__u8 head[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* results[0] = reservations that failed, [1] = bpf_ringbuf_output result sum,
 * [2] = BPF_RB_AVAIL_DATA after the run's records. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void set(__u32 idx, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&results, &idx);

	if (p)
		*p += v;
}

SEC("xdp")
int xdp_ringbuf(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = end - data;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		set(0, 1);
		return XDP_PASS;
	}
	e->len = len;
	e->proto = bpf_ntohs(eth->h_proto);
	e->pad = 0;
	__builtin_memset(e->head, 0, sizeof(e->head));
	if (data + 16 <= end)
		__builtin_memcpy(e->head, data, 16);
	/* Runt frames are reported through bpf_ringbuf_output only. */
	if (len < 60) {
		bpf_ringbuf_discard(e, 0);
		__u64 runt = 0xabcd000000000000ULL | len;
		set(1, bpf_ringbuf_output(&events, &runt, sizeof(runt), 0));
	} else {
		bpf_ringbuf_submit(e, 0);
	}
	set(2, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA));
	return XDP_PASS;
}
