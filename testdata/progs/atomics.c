/* atomics: every atomic operation on map values, 64- and 32-bit, with and
 * without fetching the old value. The old values fetched are stored too so
 * that tests see them. */
#include "common.h"

struct cells {
	__u64 add;      /* += len (no fetch: BPF_XADD) */
	__u64 fadd;     /* fetch-and-add 1, old value -> old_fadd */
	__u64 cas;      /* compare-and-swap: 0 -> len, else len -> len+1 */
	__u64 xchg;     /* exchange with len, old value -> old_xchg */
	__u64 or64;     /* |= 1 << (len & 63) */
	__u64 and64;    /* &= ~(1 << (len & 7)) */
	__u64 xor64;    /* ^= len */
	__u32 add32;    /* fetch-and-add len */
	__u32 or32;     /* fetch-or 1 << (len & 31) */
	__u32 and32;    /* fetch-and */
	__u32 xor32;    /* fetch-xor */
	__u32 cas32;    /* compare-and-swap 32-bit */
	__u32 xchg32;   /* exchange 32-bit */
	__u64 old_fadd;
	__u64 old_cas;
	__u64 old_xchg;
	__u64 old32;    /* sum of the old values the 32-bit ops returned */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cells);
} cells SEC(".maps");

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 zero = 0;
	struct cells *c = bpf_map_lookup_elem(&cells, &zero);

	if (!c)
		return XDP_ABORTED;
	__sync_fetch_and_add(&c->add, len);
	c->old_fadd = __sync_fetch_and_add(&c->fadd, 1);
	__u64 old = __sync_val_compare_and_swap(&c->cas, 0, len);
	if (old != 0)
		old = __sync_val_compare_and_swap(&c->cas, len, len + 1);
	c->old_cas = old;
	c->old_xchg = __sync_lock_test_and_set(&c->xchg, len);
	__sync_fetch_and_or(&c->or64, 1ULL << (len & 63));
	__sync_fetch_and_and(&c->and64, ~(1ULL << (len & 7)));
	__sync_fetch_and_xor(&c->xor64, len);

	__u64 o = 0;
	o += __sync_fetch_and_add(&c->add32, (__u32)len);
	o += __sync_fetch_and_or(&c->or32, 1U << (len & 31));
	o += __sync_fetch_and_and(&c->and32, ~(1U << (len & 31)));
	o += __sync_fetch_and_xor(&c->xor32, (__u32)len * 0x01010101U);
	o += __sync_val_compare_and_swap(&c->cas32, 0, (__u32)len);
	o += __sync_lock_test_and_set(&c->xchg32, (__u32)len << 8);
	__sync_fetch_and_add(&c->old32, o);
	return len & 1 ? XDP_TX : XDP_PASS;
}
