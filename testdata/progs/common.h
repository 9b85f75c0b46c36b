/* Shared includes and packet-parsing helpers of the test corpus. */
#ifndef PROGS_COMMON_H
#define PROGS_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* Every object is GPL so that GPL-only helpers (trace_printk) load in the kernel. */
char LICENSE[] SEC("license") = "GPL";

#endif
