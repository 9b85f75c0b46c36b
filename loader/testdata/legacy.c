// A legacy "maps" section map definition (pre-BTF libbpf style).
#include "common.h"

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 2,
};

SEC("xdp")
int legacy(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u32 *v = bpf_map_lookup_elem(&legacy_array, &k);
	if (!v)
		return XDP_ABORTED;
	*v += 40;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
