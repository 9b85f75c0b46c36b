/* calls: bpf-to-bpf calls (noinline functions, three levels deep, with
 * stack use in every frame), a bounded loop over packet bytes, bpf_loop
 * with a callback, and bpf_for_each_map_elem over an array and a hash. */
#include "common.h"

/* out[0] = packet byte sum (bounded loop), [1] = bpf_loop result,
 * [2] = bpf_loop iterations, [3] = array for_each sum, [4] = array for_each
 * visits, [5] = hash for_each sum, [6] = nested call result. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 7);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} weights SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

static __always_inline void put(__u32 idx, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&out, &idx);

	if (p)
		*p = v;
}

static __noinline __u64 mix(__u64 a, __u64 b)
{
	volatile __u64 buf[4] = { a, b, a ^ b, a + b };

	return buf[0] * 31 + buf[1] * 17 + buf[2] + (buf[3] >> 1);
}

static __noinline __u64 level2(__u64 x, __u64 y, __u64 z)
{
	volatile __u8 pad[64];

	for (int i = 0; i < 64; i++)
		pad[i] = i ^ x;
	return mix(x + pad[5], y) + mix(z, pad[63]);
}

static __noinline __u64 level1(__u64 x)
{
	volatile __u64 local[8];

	for (int i = 0; i < 8; i++)
		local[i] = x * i;
	return level2(local[3], local[5], local[7]) ^ local[1];
}

struct loop_ctx {
	__u64 acc;
	__u32 n;
};

static long loop_cb(__u64 i, void *arg)
{
	struct loop_ctx *lc = arg;

	lc->acc = lc->acc * 1099511628211ULL ^ (i + lc->n);
	lc->n++;
	/* Stop early: the 10th iteration returns 1. */
	return i == 9;
}

struct each_ctx {
	__u64 sum;
	__u64 visits;
};

static long array_cb(void *map, __u32 *key, __u64 *val, struct each_ctx *ec)
{
	ec->sum += *val * (*key + 1);
	ec->visits++;
	*val += 1; /* callbacks may write the element */
	return *key == 5; /* stop after key 5 */
}

static long hash_cb(void *map, __u32 *key, __u64 *val, struct each_ctx *ec)
{
	ec->sum += *key ^ *val;
	ec->visits++;
	return 0;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u64 sum = 0;

	/* Bounded loop: sum the first 128 bytes, with a bounds check per byte. */
	for (int i = 0; i < 128; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		sum += p[i];
	}
	put(0, sum);

	struct loop_ctx lc = { .acc = 14695981039346656037ULL, .n = 0 };
	long iters = bpf_loop(100, loop_cb, &lc, 0);
	put(1, lc.acc);
	put(2, iters);

	struct each_ctx ec = {};
	bpf_for_each_map_elem(&weights, array_cb, &ec, 0);
	put(3, ec.sum);
	put(4, ec.visits);

	struct each_ctx hc = {};
	long n = bpf_for_each_map_elem(&table, hash_cb, &hc, 0);
	put(5, hc.sum * 100 + n);

	put(6, level1(sum));
	return XDP_PASS;
}
