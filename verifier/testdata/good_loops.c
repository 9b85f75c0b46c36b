/* Safe: loops as clang emits them: a packet scan with a per-byte bounds
 * check and a variable trip count, a stack array indexed by a masked
 * variable, and bpf_for_each_map_elem summing an array. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

struct sum_ctx {
	__u64 sum;
	__u32 seen;
};

static long add_one(void *map, __u32 *key, __u64 *val, struct sum_ctx *sc)
{
	sc->sum += *val + *key;
	sc->seen++;
	return 0;
}

SEC("xdp")
int loops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 n = ctx->rx_queue_index;
	__u8 hist[16] = {};
	__u32 i;

	if (n > 200)
		n = 200;
	for (i = 0; i < n; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		hist[p[i] & 15]++;
	}
	struct sum_ctx sc = {};
	bpf_for_each_map_elem(&vals, add_one, &sc, 0);
	__u32 k = hist[3] & 7;
	__u64 *v = bpf_map_lookup_elem(&vals, &k);
	if (v)
		*v += sc.sum + hist[0];
	return XDP_PASS;
}
