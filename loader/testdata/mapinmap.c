// Map-in-map: an array of maps whose slot 0 is initialised with an inner map.
#include "common.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 2);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a },
};

SEC("xdp")
int mim(struct xdp_md *ctx)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (!in)
		return XDP_ABORTED;
	__u32 *v = bpf_map_lookup_elem(in, &k);
	if (!v)
		return XDP_ABORTED;
	*v += 1;
	return *v;
}

char LICENSE[] SEC("license") = "GPL";
