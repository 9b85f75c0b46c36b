/* globals: global data in .data, .bss and .rodata (const volatile settings
 * and string constants), bpf_trace_printk and bpf_snprintf. */
#include "common.h"

const volatile __u32 min_len = 0;       /* shorter frames are dropped */
const volatile __u64 salt = 0x5a5a;     /* mixed into the digest */

__u64 packets = 100;                    /* .data: starts at 100 */
__u64 bytes;                            /* .bss */
__u64 digest;                           /* .bss */
__s64 printk_ret;                       /* .bss: last bpf_trace_printk result */
__s64 snprintf_ret;                     /* .bss: last bpf_snprintf result */
char line[64];                          /* .bss: last bpf_snprintf output */

static const char names[4][8] = { "other", "ipv4", "arp", "ipv6" };

static __always_inline int class_of(__u16 proto)
{
	switch (proto) {
	case ETH_P_IP:
		return 1;
	case ETH_P_ARP:
		return 2;
	case ETH_P_IPV6:
		return 3;
	}
	return 0;
}

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = end - data;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (len < min_len)
		return XDP_DROP;
	packets++;
	bytes += len;
	digest = (digest ^ salt) * 31 + len;

	int c = class_of(bpf_ntohs(eth->h_proto));
	printk_ret = bpf_printk("globals: len %u class %d", len, c);

	__u64 args[3] = { len, bpf_ntohs(eth->h_proto), (__u64)(long)names[c & 3] };
	snprintf_ret = bpf_snprintf(line, sizeof(line), "%u bytes, ethertype %04x (%s)", args, sizeof(args));
	return XDP_PASS;
}
