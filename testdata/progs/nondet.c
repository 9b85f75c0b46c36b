/* nondet: helpers whose results differ from run to run and between bpfhost
 * and the kernel — clocks, random numbers, the CPU number. The tests exclude
 * those bytes from exact comparison (Case.Ignore) and check properties
 * instead: clocks are non-zero and never go backwards, the CPU number is
 * below the number of CPUs. */
#include "common.h"

struct state {
	__u64 first_ns;   /* bpf_ktime_get_ns at the first run (ignored) */
	__u64 last_ns;    /* bpf_ktime_get_ns at the last run (ignored) */
	__u64 boot_ns;    /* bpf_ktime_get_boot_ns at the last run (ignored) */
	__u32 random;     /* bpf_get_prandom_u32 at the last run (ignored) */
	__u32 cpu;        /* bpf_get_smp_processor_id at the last run (ignored) */
	__u64 runs;       /* exact */
	__u64 monotonic;  /* runs that saw the clock not go backwards: exact */
	__u64 random_or;  /* OR of all random numbers (ignored) */
};

struct state st;

SEC("xdp")
int xdp_nondet(struct xdp_md *ctx)
{
	__u64 now = bpf_ktime_get_ns();

	if (st.runs == 0)
		st.first_ns = now;
	if (now >= st.last_ns && now >= st.first_ns)
		st.monotonic++;
	st.last_ns = now;
	st.boot_ns = bpf_ktime_get_boot_ns();
	st.random = bpf_get_prandom_u32();
	st.random_or |= st.random;
	st.cpu = bpf_get_smp_processor_id();
	st.runs++;
	return XDP_PASS;
}
