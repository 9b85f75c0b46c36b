// Second test object of the bpfhost CLI tests: one map of every kind the
// state directory must persist and restore, including a map-in-map with an
// initial inner map, a map pinned by name (LIBBPF_PIN_BY_NAME) and a
// program that writes into all of them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
} inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a },
};

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 4);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared SEC(".maps");

SEC("xdp")
int xdp_maps(struct xdp_md *ctx)
{
	__u32 k = 1, v = 7, *inner;
	__u64 one = 1;
	struct lpm_key lk = { .prefixlen = 32, .addr = 0x0100000a };
	void *m = bpf_map_lookup_elem(&outer, &(__u32){0});

	if (m) {
		inner = bpf_map_lookup_elem(m, &k);
		if (inner)
			*inner += 1;
	}
	bpf_map_update_elem(&lru, &k, &one, BPF_ANY);
	bpf_map_push_elem(&q, &v, BPF_EXIST);
	bpf_map_update_elem(&shared, &k, &v, BPF_ANY);
	bpf_ringbuf_output(&events, &v, sizeof(v), 0);
	if (bpf_map_lookup_elem(&routes, &lk))
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
