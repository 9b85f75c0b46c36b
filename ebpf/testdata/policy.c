/* Maps whose sizes and pinning are loader policy: a BTF map with
 * max_entries 0 (user space sizes it before loading), one pinned by name,
 * and an iproute2-style legacy map (struct bpf_elf_map, pinning
 * PIN_GLOBAL_NS). bpfhost verify checks the program without creating them.
 * Build: clang-19 -O2 -g -target bpf -c policy.c -o policy.o */
#include <linux/bpf.h>

#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 0);
	__type(key, __u32);
	__type(value, __u64);
} sized_later SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__uint(pinning, 1); /* LIBBPF_PIN_BY_NAME */
	__type(key, __u32);
	__type(value, __u64);
} pinned SEC(".maps");

/* iproute2's struct bpf_elf_map. */
struct bpf_elf_map {
	__u32 type, size_key, size_value, max_elem, flags, id, pinning, inner_id, inner_idx;
};

struct bpf_elf_map SEC("maps") legacy = {
	.type = BPF_MAP_TYPE_ARRAY, .size_key = 4, .size_value = 8, .max_elem = 4,
	.pinning = 2, /* PIN_GLOBAL_NS */
};

SEC("xdp")
int policy(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&sized_later, &k);
	__u64 *b = bpf_map_lookup_elem(&pinned, &k);
	__u64 *c = bpf_map_lookup_elem(&legacy, &k);
	__u64 n = 0;

	if (a)
		n += *a;
	if (b)
		n += *b;
	if (c)
		n += *c;
	return n ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
