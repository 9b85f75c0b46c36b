/* xdp-firewall: a small stateless XDP firewall.
 *
 * - Sources in the blocklists (LPM tries, IPv4 and IPv6 prefixes) are dropped.
 * - TCP and UDP to the blocked destination port (a const volatile setting,
 *   fixed when the program is loaded) are dropped.
 * - Truncated IPv4/IPv6 headers are dropped as malformed.
 * - Everything else, including non-IP traffic such as ARP, passes.
 *
 * Per-verdict packet and byte counters live in a per-CPU array; per-source
 * counters (with the last verdict and the rule that matched) in an LRU hash.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/* Settings, fixed at load time. */
const volatile __u16 blocked_port = 23; /* 0 disables the port rule */
const volatile __u32 port_rule_id = 100;

struct lpm_key_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_key_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Blocklists: value is the rule ID reported in the per-source table. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__type(key, struct lpm_key_v4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__type(key, struct lpm_key_v6);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist_v6 SEC(".maps");

struct counter {
	__u64 packets;
	__u64 bytes;
};

/* Indexed by verdict (XDP_ABORTED .. XDP_REDIRECT). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct counter);
} verdicts SEC(".maps");

struct source_key {
	__u8 family; /* 4 or 6 */
	__u8 pad[3];
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
};

struct source_stats {
	__u64 packets;
	__u64 bytes;
	__u32 last_verdict;
	__u32 rule; /* rule that matched last, 0 for none */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct source_key);
	__type(value, struct source_stats);
} sources SEC(".maps");

static __always_inline int count(struct xdp_md *ctx, int verdict)
{
	__u32 idx = verdict;
	struct counter *c = bpf_map_lookup_elem(&verdicts, &idx);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

static __always_inline void track(struct xdp_md *ctx, struct source_key *key, int verdict, __u32 rule)
{
	__u64 len = ctx->data_end - ctx->data;
	struct source_stats *s = bpf_map_lookup_elem(&sources, key);

	if (s) {
		__sync_fetch_and_add(&s->packets, 1);
		__sync_fetch_and_add(&s->bytes, len);
		s->last_verdict = verdict;
		s->rule = rule;
		return;
	}
	struct source_stats init = { 1, len, verdict, rule };
	bpf_map_update_elem(&sources, key, &init, BPF_ANY);
}

/* Returns the destination port of a TCP/UDP header at l4, 0 for other
 * protocols, -1 when the header is truncated. */
static __always_inline int dest_port(void *l4, void *end, __u8 proto)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			return -1;
		return bpf_ntohs(th->dest);
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			return -1;
		return bpf_ntohs(uh->dest);
	}
	return 0;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct source_key src = {};
	__u32 *rule;
	void *l4;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return count(ctx, XDP_DROP);

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > end || iph->ihl < 5)
			return count(ctx, XDP_DROP);
		l4 = (void *)iph + iph->ihl * 4;
		proto = iph->protocol;
		src.family = 4;
		__builtin_memcpy(src.addr, &iph->saddr, 4);
		struct lpm_key_v4 k = { .prefixlen = 32 };
		__builtin_memcpy(k.addr, &iph->saddr, 4);
		rule = bpf_map_lookup_elem(&blocklist_v4, &k);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return count(ctx, XDP_DROP);
		l4 = ip6 + 1;
		proto = ip6->nexthdr;
		src.family = 6;
		__builtin_memcpy(src.addr, &ip6->saddr, 16);
		struct lpm_key_v6 k = { .prefixlen = 128 };
		__builtin_memcpy(k.addr, &ip6->saddr, 16);
		rule = bpf_map_lookup_elem(&blocklist_v6, &k);
	} else {
		return count(ctx, XDP_PASS);
	}

	if (rule) {
		track(ctx, &src, XDP_DROP, *rule);
		return count(ctx, XDP_DROP);
	}
	int port = dest_port(l4, end, proto);
	if (port < 0) {
		track(ctx, &src, XDP_DROP, 0);
		return count(ctx, XDP_DROP);
	}
	if (blocked_port && port == blocked_port) {
		track(ctx, &src, XDP_DROP, port_rule_id);
		return count(ctx, XDP_DROP);
	}
	track(ctx, &src, XDP_PASS, 0);
	return count(ctx, XDP_PASS);
}
