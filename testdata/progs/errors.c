/* errors: the error returns of helpers, each recorded in rets[] so that
 * bpfhost must return exactly what Linux returns: full hash, missing keys,
 * bad flags, array deletes, queue overflow and BPF_EXIST overwrite, empty
 * pops, oversized ring buffer reservations, bpf_csum_diff sizes, bpf_loop
 * limits, bpf_snprintf truncation, LPM prefix lengths. */
#include "common.h"

#define NRETS 48

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NRETS);
	__type(key, __u32);
	__type(value, __s64);
} rets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} small_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} small_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 2);
	__type(value, __u32);
} small_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} small_ring SEC(".maps");

struct lpm_v4 {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} small_lpm SEC(".maps");

char text[16];   /* truncated bpf_snprintf output */

static __always_inline void put(__u32 i, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&rets, &i);

	if (p)
		*p = v;
}

static long noop_cb(__u64 i, void *ctx)
{
	return 0;
}

SEC("xdp")
int xdp_errors(struct xdp_md *ctx)
{
	__u32 k1 = 1, k2 = 2, k3 = 3, k9 = 9, k0 = 0, k10 = 10;
	__u64 v = 7;
	__u32 q;

	put(0, bpf_map_update_elem(&small_hash, &k1, &v, BPF_NOEXIST));
	put(1, bpf_map_update_elem(&small_hash, &k2, &v, BPF_ANY));
	put(2, bpf_map_update_elem(&small_hash, &k3, &v, BPF_ANY));      /* full */
	put(3, bpf_map_update_elem(&small_hash, &k1, &v, BPF_NOEXIST));  /* exists */
	put(4, bpf_map_update_elem(&small_hash, &k9, &v, BPF_EXIST));    /* missing */
	put(5, bpf_map_update_elem(&small_hash, &k1, &v, 7));            /* bad flags */
	put(6, bpf_map_delete_elem(&small_hash, &k9));
	put(7, bpf_map_update_elem(&small_array, &k10, &v, BPF_ANY));   /* out of range */
	put(8, bpf_map_delete_elem(&small_array, &k0));
	put(9, bpf_map_update_elem(&small_array, &k0, &v, BPF_NOEXIST));

	q = 100;
	put(10, bpf_map_push_elem(&small_queue, &q, 0));
	q = 101;
	put(11, bpf_map_push_elem(&small_queue, &q, 0));
	q = 102;
	put(12, bpf_map_push_elem(&small_queue, &q, 0));                 /* full */
	q = 103;
	put(13, bpf_map_push_elem(&small_queue, &q, BPF_EXIST));         /* drops 100 */
	put(14, bpf_map_pop_elem(&small_queue, &q));
	put(15, q);
	put(16, bpf_map_pop_elem(&small_queue, &q));
	put(17, q);
	put(18, bpf_map_pop_elem(&small_queue, &q));                     /* empty */
	put(19, bpf_map_peek_elem(&small_queue, &q));

	void *r = bpf_ringbuf_reserve(&small_ring, 8192, 0);
	if (r) {
		bpf_ringbuf_discard(r, 0);
		put(20, 1);
	}
	put(21, bpf_ringbuf_query(&small_ring, BPF_RB_RING_SIZE));
	r = bpf_ringbuf_reserve(&small_ring, 8, 0);
	if (r) {
		put(22, 2);
		bpf_ringbuf_discard(r, 0);
	}
	put(23, bpf_ringbuf_query(&small_ring, BPF_RB_PROD_POS));
	put(24, bpf_ringbuf_query(&small_ring, BPF_RB_CONS_POS));

	__u32 w[2] = { 0x01020304, 0x05060708 };
	put(25, bpf_csum_diff(w, 3, 0, 0, 0));                           /* not a multiple of 4 */
	put(26, bpf_csum_diff(0, 0, w, 8, 0x1234));
	put(27, bpf_csum_diff(w, 4, w + 1, 4, 0));

	/* Too many: the kernel's inlined bpf_loop returns -E2BIG zero-extended
	 * from 32 bits, its helper sign-extended; compare the low half only. */
	put(28, (int)bpf_loop(1 << 24, noop_cb, 0, 0));
	put(29, bpf_loop(1, noop_cb, 0, 1));                             /* bad flags */
	put(30, bpf_loop(0, noop_cb, 0, 0));

	__u64 args[3] = { 123456789, (__u64)-42, 0xc0a80001 };
	put(31, bpf_snprintf(text, sizeof(text), "%llu/%lld/%x", args, sizeof(args)));

	struct lpm_v4 lk = { .prefixlen = 33, .addr = 0 };
	__u32 hop = 5;
	put(39, bpf_map_update_elem(&small_lpm, &lk, &hop, BPF_ANY));    /* prefix too long */
	lk.prefixlen = 8;
	lk.addr = bpf_htonl(0x0a000000);
	put(40, bpf_map_update_elem(&small_lpm, &lk, &hop, BPF_ANY));
	lk.prefixlen = 32;
	lk.addr = bpf_htonl(0x0b000001);
	put(41, bpf_map_lookup_elem(&small_lpm, &lk) != 0);              /* no route */
	lk.addr = bpf_htonl(0x0a010203);
	__u32 *h = bpf_map_lookup_elem(&small_lpm, &lk);
	put(42, h ? *h : -1);
	lk.prefixlen = 8;
	lk.addr = bpf_htonl(0x0a000000);
	put(43, bpf_map_delete_elem(&small_lpm, &lk));
	put(44, bpf_map_delete_elem(&small_lpm, &lk));                   /* gone */
	return XDP_PASS;
}
