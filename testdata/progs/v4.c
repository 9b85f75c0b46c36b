/* v4: arithmetic built with -mcpu=v4 so that the object holds the newer
 * instructions: signed division and modulo, sign-extending loads and moves,
 * byte swaps and long jumps. Results land in an array. */
#include "common.h"

/* res[0] = signed div, [1] = signed mod, [2] = sign-extended byte load,
 * [3] = sign-extended half load, [4] = bswap64, [5] = bswap32 + bswap16,
 * [6] = movsx from 32 bits, [7] = unsigned div/mod mix. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline void put(__u32 idx, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&res, &idx);

	if (p)
		*p = v;
}

SEC("xdp")
int xdp_v4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > end)
		return XDP_DROP;
	/* Values derived from the frame so nothing folds at compile time. */
	__s64 a = -(__s64)(p[12] * 1000 + p[13]);
	__s64 b = (__s64)(p[14] | 1) - 9;
	put(0, a / b);
	put(1, a % b);
	put(2, *(volatile __s8 *)(p + 6));
	put(3, *(volatile __s16 *)(p + 7));
	__u64 w = *(volatile __u64 *)(p + 8);
	put(4, __builtin_bswap64(w));
	put(5, (__s64)__builtin_bswap32((__u32)w) + __builtin_bswap16((__u16)w));
	__s32 n = (__s32)(w >> 16);
	put(6, (__s64)n * 3);
	__u32 u = (__u32)w | 1;
	put(7, (__s64)((0xfffffffdU / u) + (0xfffffffdU % u)));
	return XDP_PASS;
}
