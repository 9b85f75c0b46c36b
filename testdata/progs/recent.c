/* recent: helpers of Linux 5.18 and later: bpf_xdp_get_buff_len,
 * bpf_xdp_load_bytes and bpf_xdp_store_bytes in and out of bounds, and
 * bpf_map_lookup_percpu_elem with a valid and an invalid CPU number. */
#include "common.h"

/* rets[0] = buffer length, [1..2] = loads, [3..4] = stores, [5..6] =
 * per-CPU lookups found (1) or not (0). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 7);
	__type(key, __u32);
	__type(value, __s64);
} rets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

__u8 loaded[8]; /* the first 6 bytes as loaded */

static __always_inline void put(__u32 i, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&rets, &i);

	if (p)
		*p = v;
}

SEC("xdp")
int xdp_recent(struct xdp_md *ctx)
{
	__u32 k0 = 0;
	__u32 len = bpf_xdp_get_buff_len(ctx);
	__u8 mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

	put(0, len);
	put(1, bpf_xdp_load_bytes(ctx, 0, loaded, 6));
	put(2, bpf_xdp_load_bytes(ctx, len - 2, loaded + 6, 2) + 100 * bpf_xdp_load_bytes(ctx, len - 1, loaded + 6, 2));
	put(3, bpf_xdp_store_bytes(ctx, 0, mac, 6));
	put(4, bpf_xdp_store_bytes(ctx, len, mac, 1));
	put(5, bpf_map_lookup_percpu_elem(&pcpu, &k0, 0) != 0);
	put(6, bpf_map_lookup_percpu_elem(&pcpu, &k0, 100000) != 0); /* no such CPU */
	return XDP_TX;
}
