// A prog array initialised with a program of the same object, and a tail
// call through it.
#include "common.h"

SEC("xdp")
int tc_target(struct xdp_md *ctx)
{
	return 42;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} jmp_table SEC(".maps") = {
	.values = { [1] = (void *)&tc_target },
};

SEC("xdp")
int tc_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 1);
	return 7; /* only when the slot is empty */
}

char LICENSE[] SEC("license") = "GPL";
