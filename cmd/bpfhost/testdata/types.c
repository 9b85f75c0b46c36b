// Third test object of the bpfhost CLI tests: map values of every BTF kind
// bpftool formats (enums, signed and char integers, strings, arrays, unions,
// pointers, bit fields) for the "formatted" output.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

enum color { RED = 1, GREEN = 2, BLUE = -3 };
typedef unsigned short u16_t;
struct inner { char c; signed char sc; unsigned char uc; bool b; };
union un { __u32 u; __s16 s[2]; };
struct val {
	enum color col;
	__s32 neg;
	__s64 big;
	u16_t td;
	char name[8];
	char raw[4];
	__u32 arr[3];
	struct inner in;
	union un un;
	void *ptr;
	unsigned int bf1:3, bf2:5;
	int sbf:4;
	__u64 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct val);
	__uint(max_entries, 1);
} types SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u64);
	__type(value, struct inner);
	__uint(max_entries, 4);
} pch SEC(".maps");

SEC("xdp")
int xdp_types(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&types, &k);
	__u64 hk = 5;
	struct inner in = { .c = 'x', .sc = -2, .uc = 200, .b = 1 };
	if (!v)
		return XDP_PASS;
	v->col = BLUE;
	v->neg = -5;
	v->big = -1234567890123LL;
	v->td = 65535;
	__builtin_memcpy(v->name, "hello", 6);
	v->raw[0] = 1; v->raw[1] = 'a'; v->raw[2] = 0x7f; v->raw[3] = 0;
	v->arr[0] = 1; v->arr[1] = 2; v->arr[2] = 0xffffffff;
	v->in.c = 'A'; v->in.sc = -1; v->in.uc = 255; v->in.b = 1;
	v->un.u = 0x00020001;
	v->ptr = (void *)0x1234;
	v->bf1 = 5; v->bf2 = 17; v->sbf = -3;
	v->last = 42;
	bpf_map_update_elem(&pch, &hk, &in, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
