/* others: one small program of each program type without packets, to check
 * that they load (context accesses rewritten per type) and that the
 * raw_tracepoint test run matches the kernel's (kernel_others_test.go). */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

__u64 seen[8];

SEC("kprobe/do_sys_openat2")
int kp(struct pt_regs *ctx)
{
	seen[0] = ctx->rdi + ctx->rsi;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp(void *ctx)
{
	seen[1] = *(__u64 *)(ctx + 16);
	return 0;
}

SEC("raw_tp/sys_enter")
int rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	seen[2] = ctx->args[0] + 2 * ctx->args[1];
	return (int)ctx->args[1];
}

SEC("perf_event")
int pe(struct bpf_perf_event_data *ctx)
{
	seen[3] = ctx->sample_period + ctx->regs.rip;
	return 0;
}

SEC("cgroup/connect4")
int connect4_prog(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(53)) {
		ctx->user_ip4 = bpf_htonl(0x7f000001);
		ctx->user_port = bpf_htons(5353);
	}
	return 1;
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	if (sk->family == 2)
		sk->mark = 7;
	return 1;
}

SEC("sockops")
int sock_ops_prog(struct bpf_sock_ops *ctx)
{
	ctx->reply = ctx->op == BPF_SOCK_OPS_TIMEOUT_INIT ? 10 : -1;
	return 1;
}
