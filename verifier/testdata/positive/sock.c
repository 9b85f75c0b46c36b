/* sock: socket-level programs. A cgroup/sock_create program that applies
 * a per-protocol socket policy (mark, priority, bound device); a
 * cgroup/connect4 socket load balancer that rewrites the destination of
 * connections to a service address to a backend chosen by hash (as
 * Cilium's socket LB does); and a sock_ops program that tracks TCP state
 * transitions and RTT per remote address. */
#include "common.h"

struct sock_policy {
	__u32 mark;
	__u32 priority;
	__u32 ifindex;
	__u32 deny;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct sock_policy);
} sock_policy SEC(".maps");

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	__u32 proto = sk->protocol;
	struct sock_policy *p = bpf_map_lookup_elem(&sock_policy, &proto);

	if (!p)
		return 1;
	if (p->deny && sk->family == 10 /* AF_INET6 */)
		return 0;
	sk->mark = p->mark;
	sk->priority = p->priority;
	if (p->ifindex)
		sk->bound_dev_if = p->ifindex;
	return 1;
}

struct svc_key {
	__u32 addr;
	__u16 port;
	__u16 pad;
};

struct svc {
	__u32 count;
	__u32 backends[8];
	__u16 ports[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct svc_key);
	__type(value, struct svc);
} svcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} affinity SEC(".maps");

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	struct svc_key key = { .addr = ctx->user_ip4, .port = (__u16)ctx->user_port };
	__u64 cookie = bpf_get_current_pid_tgid();
	struct svc *s;
	__u64 idx, *pinned;

	if (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP)
		return 1;
	s = bpf_map_lookup_elem(&svcs, &key);
	if (!s || s->count == 0)
		return 1;
	pinned = bpf_map_lookup_elem(&affinity, &cookie);
	if (pinned)
		idx = *pinned;
	else
		idx = bpf_get_prandom_u32();
	idx %= s->count;
	idx &= 7;
	bpf_map_update_elem(&affinity, &cookie, &idx, BPF_ANY);
	ctx->user_ip4 = s->backends[idx];
	ctx->user_port = s->ports[idx];
	return 1;
}

struct tcp_stats {
	__u64 established;
	__u64 rtt_sum;
	__u64 samples;
	__u32 last_state;
	__u32 min_rtt;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct tcp_stats);
} tcp_stats SEC(".maps");

SEC("sockops")
int sock_ops_rtt(struct bpf_sock_ops *ops)
{
	__u32 remote = ops->remote_ip4;
	struct tcp_stats *st, zero = {};
	__u32 op = ops->op;

	if (ops->family != 2 /* AF_INET */)
		return 1;
	st = bpf_map_lookup_elem(&tcp_stats, &remote);
	if (!st) {
		bpf_map_update_elem(&tcp_stats, &remote, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&tcp_stats, &remote);
		if (!st)
			return 1;
	}
	switch (op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		st->established++;
		break;
	case BPF_SOCK_OPS_RTT_CB:
		st->rtt_sum += ops->srtt_us >> 3;
		st->samples++;
		if (!st->min_rtt || ops->rtt_min < st->min_rtt)
			st->min_rtt = ops->rtt_min;
		break;
	case BPF_SOCK_OPS_STATE_CB:
		st->last_state = ops->args[1];
		break;
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		ops->reply = st->min_rtt > 100000 ? 3 : -1;
		break;
	}
	return 1;
}
