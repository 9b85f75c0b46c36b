/* tracing: a kprobe that counts calls and bytes per process and reports
 * large requests on a ring buffer; a tracepoint that builds a log2
 * histogram of a record field in a bounded loop; a raw tracepoint that
 * sums its arguments with bpf_loop; and a perf_event program that samples
 * instruction pointers per CPU and walks its table with
 * for_each_map_elem. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct proc_stats {
	__u64 calls;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct proc_stats);
} procs SEC(".maps");

struct big_req {
	__u32 pid;
	__u32 pad;
	__u64 size;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} big SEC(".maps");

SEC("kprobe/vfs_write")
int kp_write(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 size = ctx->rdx;
	struct proc_stats *s, zero = {};
	struct big_req *r;

	s = bpf_map_lookup_elem(&procs, &pid);
	if (!s) {
		bpf_map_update_elem(&procs, &pid, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&procs, &pid);
		if (!s)
			return 0;
	}
	__sync_fetch_and_add(&s->calls, 1);
	__sync_fetch_and_add(&s->bytes, size);
	if (size < (1 << 20))
		return 0;
	r = bpf_ringbuf_reserve(&big, sizeof(*r), 0);
	if (!r)
		return 0;
	r->pid = pid;
	r->pad = 0;
	r->size = size;
	r->ts = bpf_ktime_get_ns();
	if (size > (1 << 30))
		bpf_ringbuf_discard(r, 0);
	else
		bpf_ringbuf_submit(r, 0);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int tp_read(void *ctx)
{
	/* struct trace_event_raw_sys_enter: common fields (8 bytes), then
	 * the syscall number and the six arguments. */
	__u64 count = *(__u64 *)(ctx + 32);
	__u32 slot = 0;
	__u64 *n;
	int i;

	for (i = 0; i < 63; i++) {
		if (count <= 1)
			break;
		count >>= 1;
		slot++;
	}
	n = bpf_map_lookup_elem(&hist, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

struct sum_ctx {
	__u64 *args;
	__u64 sum;
};

static long add_arg(__u32 i, void *data)
{
	struct sum_ctx *c = data;

	c->sum += i;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rawsum SEC(".maps");

SEC("raw_tp/sys_enter")
int rawtp_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct sum_ctx c = { .sum = ctx->args[1] };
	__u32 zero = 0;
	__u64 *total;

	bpf_loop(6, add_arg, &c, 0);
	total = bpf_map_lookup_elem(&rawsum, &zero);
	if (total)
		*total += c.sum;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u64);
} ips SEC(".maps");

static long hot(void *map, __u64 *key, __u64 *val, void *data)
{
	__u64 *best = data;

	if (*val > *best)
		*best = *val;
	return 0;
}

SEC("perf_event")
int pe_sample(struct bpf_perf_event_data *ctx)
{
	__u64 ip = ctx->regs.rip, one = 1, best = 0, *n;

	n = bpf_map_lookup_elem(&ips, &ip);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&ips, &ip, &one, BPF_NOEXIST);
	if (ctx->sample_period > 1000)
		bpf_for_each_map_elem(&ips, hot, &best, 0);
	return best > 100;
}
