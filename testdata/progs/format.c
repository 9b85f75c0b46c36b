/* format: bpf_snprintf and bpf_trace_printk conversions — signed and
 * unsigned integers, widths, flags, hex, strings, characters, IPv4 and IPv6
 * addresses, truncation. (Unknown conversions and argument counts that do
 * not match are refused by the verifier at load time, so no loadable
 * program has them.) Each result and return value is kept in out[]. */
#include "common.h"

#define N 14

struct result {
	__s64 ret;
	char buf[56];
};

struct result out[N];
__s64 printk_rets[3];

static const char word[] = "ab";
static const char long_text[] = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz";
static const __u8 v4[4] = { 192, 0, 2, 1 };
static const __u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

/* PTR hides a pointer's value from the optimizer so that argument arrays
 * are built at run time: a constant array of pointers would go to .rodata
 * with data relocations, which no loader resolves (they read as 0). */
#define PTR(x)                                     \
	({                                         \
		__u64 __p = (__u64)(long)(x);      \
		asm volatile("" : "+r"(__p));      \
		__p;                               \
	})

#define FMT(i, fmt, ...)                                                                  \
	do {                                                                                  \
		__u64 a[] = { __VA_ARGS__ };                                                  \
		out[i].ret = bpf_snprintf(out[i].buf, sizeof(out[i].buf), fmt, a, sizeof(a)); \
	} while (0)

SEC("xdp")
int xdp_format(struct xdp_md *ctx)
{
	FMT(0, "%d %i %u", (__u64)-5, (__u64)-6, 7);
	FMT(1, "%5d|%-5d|%05d|", 42, 42, 42);
	FMT(2, "%x %X %lx %llx", 255, 255, 0xdeadbeefcafeULL, (__u64)-1);
	FMT(3, "%s|%5s|%-4s|", PTR(word), PTR(word), PTR(word));
	FMT(4, "%c%c%c", 'x', 'y', 'z');
	FMT(5, "%pI4 %pi4", PTR(v4), PTR(v4));
	FMT(6, "%pI6", PTR(v6));
	FMT(7, "%pi6", PTR(v6));
	FMT(8, "100%% %lld", (__u64)-9000000000LL);
	FMT(9, "%u", (__u64)-1);                /* int conversions take 32 bits */
	FMT(10, "%d", 0x100000005ULL);
	FMT(11, "%s", PTR(long_text));  /* cut to the buffer */
	FMT(12, "%lu %ld", (__u64)-1, (__u64)-1);
	FMT(13, "%llu%llu%llu%llu", 1, 22, 333, 4444);
	printk_rets[0] = bpf_printk("format: %d %u", -1, 2);
	printk_rets[1] = bpf_printk("format: %x %s", 0xbeef, word);
	printk_rets[2] = bpf_printk("format: %pI4", v4);
	return XDP_PASS;
}
