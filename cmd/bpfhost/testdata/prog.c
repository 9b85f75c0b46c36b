// Test object for the bpfhost CLI integration test (see build.sh).
//
// xdp_count counts packets in an array, a per-CPU array, a hash keyed by a
// struct (BTF-formatted output) and global variables (.data, .bss; .rodata
// holds drop_byte), logs with bpf_printk, drops frames whose first byte is
// drop_byte, tail-calls jmp_table[0] for frames starting with 0xee, and
// otherwise writes byte0+1 into byte 3 and passes the frame.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
	__u32 addr;
	__u16 port;
	__u16 proto;
};

struct flow_val {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
	__uint(max_entries, 16);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(max_entries, 2);
} jmp_table SEC(".maps");

const volatile __u32 drop_byte = 0xff;
__u64 seen = 1;
__u32 last_len;

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 k = 0;
	__u64 *c;
	__u32 *p;
	unsigned char *b = data;

	c = bpf_map_lookup_elem(&counters, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	p = bpf_map_lookup_elem(&pcpu, &k);
	if (p)
		*p += 1;
	seen++;
	last_len = data_end - data;
	if (b + 4 > (unsigned char *)data_end)
		return XDP_ABORTED;
	struct flow_key fk = { .addr = b[1], .port = b[2], .proto = 6 };
	struct flow_val *fv = bpf_map_lookup_elem(&flows, &fk);
	if (fv) {
		fv->packets++;
		fv->bytes += last_len;
	} else {
		struct flow_val nv = { .packets = 1, .bytes = last_len };
		bpf_map_update_elem(&flows, &fk, &nv, BPF_ANY);
	}
	bpf_printk("len %u", last_len);
	if (b[0] == drop_byte)
		return XDP_DROP;
	if (b[0] == 0xee)
		bpf_tail_call(ctx, &jmp_table, 0);
	b[3] = b[0] + 1;
	return XDP_PASS;
}

SEC("xdp")
int xdp_tail(struct xdp_md *ctx)
{
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
