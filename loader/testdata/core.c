// A CO-RE field access (preserve_access_index): bpfhost has no kernel BTF to
// relocate it against, so loading must fail with a clear error.
#include "common.h"

struct xdp_md___local {
	__u32 data;
	__u32 data_end;
} __attribute__((preserve_access_index));

SEC("xdp")
int core(struct xdp_md *ctx)
{
	struct xdp_md___local *c = (void *)ctx;
	return c->data_end - c->data;
}

char LICENSE[] SEC("license") = "GPL";
