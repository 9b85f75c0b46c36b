/* skb: programs of the socket-buffer types (tc, socket filter, cgroup_skb)
 * that read and write struct __sk_buff fields and packet data, for the
 * comparison of bpfhost's test runs with the kernel's (kernel_skb_test.go).
 * Every value read goes to the global array out[] (.bss). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

__u64 out[48];

SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	out[0] = skb->len;
	out[1] = skb->pkt_type;
	out[2] = skb->mark;
	out[3] = skb->queue_mapping;
	out[4] = skb->protocol;
	out[5] = skb->vlan_present;
	out[6] = skb->priority;
	out[7] = skb->ingress_ifindex;
	out[8] = skb->ifindex;
	out[9] = skb->tc_index;
	out[10] = skb->cb[0];
	out[11] = skb->cb[4];
	out[12] = skb->hash;
	out[13] = skb->tc_classid;
	out[14] = skb->wire_len;
	out[15] = skb->gso_segs;
	out[16] = skb->gso_size;
	out[17] = skb->tstamp;
	out[18] = skb->hwtstamp;
	out[19] = data_end - data;
	out[20] = (long)skb->data_meta == (long)skb->data;
	/* Narrow loads of u32 fields. */
	out[21] = *(volatile __u8 *)((void *)skb + offsetof(struct __sk_buff, protocol) + 1);
	out[22] = *(volatile __u16 *)((void *)skb + offsetof(struct __sk_buff, len));
	out[23] = *(volatile __u64 *)((void *)skb + offsetof(struct __sk_buff, cb) + 8);
	out[24] = skb->napi_id;
	out[25] = skb->vlan_tci;

	/* Stores: u32, u16-backed fields (truncated), cb, tstamp. */
	skb->mark = skb->mark + 1;
	skb->priority = 7;
	skb->tc_index = 0x12345;
	skb->tc_classid = 0xabcdef;
	skb->queue_mapping = 3;
	skb->cb[1] = 0x11111111;
	*(volatile __u64 *)((void *)skb + offsetof(struct __sk_buff, cb) + 8) = 0x3333333344444444ULL;
	*(volatile __u8 *)((void *)skb + offsetof(struct __sk_buff, cb) + 17) = 0x22;
	skb->tstamp = 123456789;
	out[26] = skb->tc_index;
	out[27] = skb->tc_classid;
	out[28] = skb->queue_mapping;
	out[29] = skb->cb[2];
	out[30] = skb->cb[4];

	/* Direct packet access: swap the MAC addresses. */
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return TC_ACT_OK;
}

SEC("tc")
int tc_helpers(struct __sk_buff *skb)
{
	__u8 buf[16] = {};
	__u32 len = skb->len;
	__u32 nbo = bpf_htonl(0x0a000063); /* 10.0.0.99 */
	__u32 old;
	int off_daddr = ETH_HLEN + offsetof(struct iphdr, daddr);
	int off_ipcsum = ETH_HLEN + offsetof(struct iphdr, check);
	int off_l4csum = ETH_HLEN + sizeof(struct iphdr) + 6; /* UDP check */

	out[0] = bpf_skb_load_bytes(skb, 0, buf, 6);
	out[1] = *(__u64 *)buf;
	out[2] = bpf_skb_load_bytes(skb, len - 4, buf, 8);
	out[3] = *(__u64 *)buf; /* zeroed on failure */
	out[4] = bpf_skb_load_bytes(skb, len - 8, buf, 8);
	out[5] = bpf_skb_load_bytes(skb, 0x80000000, buf, 4);

	bpf_skb_load_bytes(skb, off_daddr, &old, 4);
	out[6] = bpf_l3_csum_replace(skb, off_ipcsum, old, nbo, 4);
	out[7] = bpf_l4_csum_replace(skb, off_l4csum, old, nbo, BPF_F_PSEUDO_HDR | 4);
	out[8] = bpf_skb_store_bytes(skb, off_daddr, &nbo, 4, 0);
	out[9] = bpf_skb_store_bytes(skb, len - 2, &nbo, 4, 0);
	out[10] = bpf_skb_store_bytes(skb, 0, &nbo, 4, 8);
	out[11] = bpf_l3_csum_replace(skb, off_ipcsum, 0, 0, 3);
	out[12] = bpf_l3_csum_replace(skb, off_ipcsum + 1, 0, 0, 2);
	out[13] = bpf_l3_csum_replace(skb, len, 0, 0, 2);
	out[14] = bpf_l4_csum_replace(skb, off_l4csum, 0, 0, 1 << 9);
	out[15] = bpf_l3_csum_replace(skb, off_ipcsum, 5, 7, 0);
	/* Port change 0x0035 -> 0x1234 as a 2-byte field, with a checksum diff. */
	out[16] = bpf_l4_csum_replace(skb, off_l4csum, bpf_htons(53), bpf_htons(0x1234), 2);
	__u32 d = bpf_csum_diff(0, 0, &nbo, 4, 0);
	out[17] = bpf_l3_csum_replace(skb, off_ipcsum, 0, d, 0);
	out[18] = bpf_l3_csum_replace(skb, off_ipcsum, 0, bpf_htons(0x1234), 2);
	/* Mangled zero: a zero UDP checksum is left alone without ENFORCE. */
	__u16 zero = 0;
	bpf_skb_store_bytes(skb, off_l4csum, &zero, 2, 0);
	out[19] = bpf_l4_csum_replace(skb, off_l4csum, 0, bpf_htons(1), BPF_F_MARK_MANGLED_0 | 2);
	bpf_skb_load_bytes(skb, off_l4csum, &zero, 2);
	out[20] = zero;
	out[21] = bpf_l4_csum_replace(skb, off_l4csum, 0, 0xffff, BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2);
	bpf_skb_load_bytes(skb, off_l4csum, &zero, 2);
	out[22] = zero;
	out[23] = bpf_skb_pull_data(skb, 0);
	out[24] = bpf_skb_pull_data(skb, len);
	out[25] = bpf_skb_pull_data(skb, len + 1);
	out[26] = bpf_csum_update(skb, 0x1234);
	out[27] = bpf_redirect(5, 2);
	return bpf_redirect(4, 0);
}

SEC("socket")
int sf_fields(struct __sk_buff *skb)
{
	__u8 buf[4] = {};

	out[0] = skb->len;
	out[1] = skb->protocol;
	out[2] = skb->pkt_type;
	out[3] = skb->ifindex;
	out[4] = bpf_skb_load_bytes(skb, 0, buf, 1);
	out[5] = buf[0]; /* the first byte of the IP header */
	out[6] = skb->mark;
	skb->cb[0] = 0x5a5a;
	out[7] = skb->cb[0];
	out[8] = bpf_skb_load_bytes_relative(skb, 12, buf, 2, BPF_HDR_START_MAC);
	out[9] = *(__u16 *)buf; /* the EtherType */
	out[10] = bpf_skb_load_bytes_relative(skb, 9, buf, 1, BPF_HDR_START_NET);
	out[11] = buf[0]; /* the IP protocol */
	out[12] = bpf_skb_load_bytes_relative(skb, skb->len - 1, buf, 2, BPF_HDR_START_NET);
	out[13] = bpf_skb_load_bytes_relative(skb, 0, buf, 2, 2);
	out[14] = bpf_skb_load_bytes_relative(skb, 0x10000, buf, 2, BPF_HDR_START_MAC);
	return skb->len;
}

SEC("cgroup_skb/ingress")
int cgskb_fields(struct __sk_buff *skb)
{
	out[0] = skb->len;
	out[1] = skb->family;
	out[2] = skb->remote_ip4;
	out[3] = skb->local_ip4;
	out[4] = skb->protocol;
	out[5] = skb->mark;
	skb->mark = 42;
	skb->priority = 3;
	out[6] = skb->remote_port;
	out[7] = skb->local_port;
	out[8] = skb->data_end - skb->data;
	out[9] = skb->ifindex;
	out[10] = skb->pkt_type;
	return 1;
}

SEC("tc")
int tc_resize(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	out[0] = bpf_skb_change_tail(skb, len + 8, 0);
	out[1] = skb->len;
	out[2] = bpf_skb_change_tail(skb, len + 4, 0);
	out[3] = bpf_skb_change_tail(skb, 13, 0);
	out[4] = bpf_skb_change_tail(skb, len, 1);
	out[5] = bpf_skb_change_tail(skb, 70000, 0);
	out[6] = bpf_skb_change_head(skb, 14, 0);
	out[7] = skb->len;
	out[8] = bpf_skb_change_head(skb, 0, 1);
	out[9] = bpf_skb_change_head(skb, 20000, 0);
	out[10] = bpf_skb_change_head(skb, 300, 0);
	out[11] = skb->len;

	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + 320 > data_end)
		return 1;
	__builtin_memset(data + 300, 0xab, 6);
	out[12] = data_end - data;
	bpf_set_hash_invalid(skb);
	out[13] = skb->hash;
	/* After change_head the MAC header is the new start; the network
	 * header has not moved. */
	__u8 b[4] = {};
	out[14] = bpf_skb_load_bytes_relative(skb, 300, b, 4, BPF_HDR_START_MAC);
	out[15] = *(__u32 *)b;
	out[16] = bpf_skb_load_bytes_relative(skb, 0, b, 4, BPF_HDR_START_NET);
	out[17] = *(__u32 *)b;
	return 0;
}

#define ADJ_DECAP_L3_IPV4 (1ULL << 7) /* Linux 6.3; not in older headers */

SEC("tc")
int tc_room(struct __sk_buff *skb)
{
	out[0] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, 0);
	out[1] = skb->len;
	out[2] = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_MAC, 0);
	out[3] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_NET, 0);
	out[4] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_NET, 0);
	out[5] = bpf_skb_adjust_room(skb, 0x1000, BPF_ADJ_ROOM_MAC, 0);
	out[6] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, 1ULL << 9);
	out[7] = bpf_skb_adjust_room(skb, 4, 2, 0);
	out[8] = bpf_skb_adjust_room(skb, -(int)skb->len, BPF_ADJ_ROOM_MAC, 0);
	out[9] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, ADJ_DECAP_L3_IPV4);
	out[10] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	out[11] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC,
				      BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
	out[12] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC,
				      BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L2(30));
	/* IPv4-in-IPv4: 20 zero bytes after the Ethernet header. */
	out[13] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	out[14] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	out[15] = skb->len;
	out[16] = skb->protocol;
	__u8 b[4] = {};
	out[17] = bpf_skb_load_bytes_relative(skb, 0, b, 4, BPF_HDR_START_NET);
	out[18] = *(__u32 *)b;
	/* Decapsulate again. */
	out[19] = bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_MAC, ADJ_DECAP_L3_IPV4);
	out[20] = skb->len;
	out[21] = bpf_skb_adjust_room(skb, -30, BPF_ADJ_ROOM_NET, 0);
	out[22] = bpf_skb_adjust_room(skb, 300, BPF_ADJ_ROOM_MAC, 0);
	out[23] = skb->len;
	return 0;
}

SEC("tc")
int tc_room6(struct __sk_buff *skb)
{
	/* IPv4 in an IPv6 outer header: the protocol becomes IPv6. */
	out[0] = bpf_skb_adjust_room(skb, 40, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP);
	out[1] = skb->protocol;
	out[2] = skb->len;
	/* NET mode now counts the IPv6 header's 40 bytes. */
	out[3] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0);
	__u8 b[8] = {};
	out[4] = bpf_skb_load_bytes(skb, 14 + 40, b, 8);
	out[5] = *(__u64 *)b;
	out[6] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L4_GRE);
	out[7] = skb->len;
	return 0;
}

SEC("tc")
int tc_vlan(struct __sk_buff *skb)
{
	out[0] = skb->vlan_present;
	out[1] = bpf_skb_vlan_push(skb, bpf_htons(0x8100), 100);
	out[2] = skb->vlan_present | skb->vlan_tci << 8 | (__u64)skb->vlan_proto << 32;
	out[3] = skb->len;
	/* A second push moves the first tag into the packet. */
	out[4] = bpf_skb_vlan_push(skb, bpf_htons(0x88a8), 200);
	out[5] = skb->vlan_present | skb->vlan_tci << 8 | (__u64)skb->vlan_proto << 32;
	out[6] = skb->len;
	out[7] = skb->protocol;
	/* An unknown protocol is taken as 802.1Q. */
	out[8] = bpf_skb_vlan_push(skb, 0x1234, 300);
	out[9] = skb->vlan_proto;
	out[10] = skb->len;
	/* Pops: the accelerated tag, then tags out of the packet. */
	out[11] = bpf_skb_vlan_pop(skb);
	out[12] = skb->vlan_present | skb->vlan_tci << 8 | (__u64)skb->vlan_proto << 32;
	out[13] = skb->len;
	out[14] = skb->protocol;
	out[15] = bpf_skb_vlan_pop(skb);
	out[16] = skb->vlan_present | skb->vlan_tci << 8 | (__u64)skb->vlan_proto << 32;
	out[17] = skb->len;
	out[18] = skb->protocol;
	out[19] = bpf_skb_vlan_pop(skb);
	out[20] = bpf_skb_vlan_pop(skb);
	out[21] = skb->len;
	out[22] = skb->protocol;
	/* Leave one tag in the packet for data_out. */
	bpf_skb_vlan_push(skb, bpf_htons(0x8100), 7);
	bpf_skb_vlan_push(skb, bpf_htons(0x8100), 8);
	return 0;
}

SEC("tc")
int tc_meta(struct __sk_buff *skb)
{
	out[0] = skb->hash;
	out[1] = bpf_set_hash(skb, 0xdeadbeef);
	out[2] = skb->hash;
	out[3] = bpf_get_hash_recalc(skb); /* a hash is set: no recalculation */
	bpf_set_hash_invalid(skb);
	out[4] = skb->hash;
	out[5] = skb->pkt_type;
	out[6] = bpf_skb_change_type(skb, 0);
	out[7] = skb->pkt_type;
	out[8] = bpf_skb_change_type(skb, 4);
	out[9] = skb->pkt_type;
	out[10] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	out[11] = bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	out[12] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	out[13] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	out[14] = bpf_csum_level(skb, BPF_CSUM_LEVEL_DEC);
	out[15] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	out[16] = bpf_csum_level(skb, 7);
	/* adjust_room resets the checksum state unless told not to. */
	bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_NO_CSUM_RESET);
	out[17] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_MAC, 0);
	out[18] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	out[19] = bpf_csum_level(skb, BPF_CSUM_LEVEL_RESET);
	out[20] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	out[21] = bpf_csum_level(skb, BPF_CSUM_LEVEL_DEC);
	return 0;
}

SEC("tc")
int tc_ecn(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = { .nh_family = 2 };

	out[0] = bpf_skb_ecn_set_ce(skb);
	out[1] = bpf_skb_ecn_set_ce(skb);
	out[2] = bpf_redirect_peer(3, 1);
	out[3] = bpf_redirect_neigh(4, 0, 0, 1);
	out[4] = bpf_redirect_neigh(4, &nh, 8, 0);
	out[5] = bpf_redirect_neigh(4, &nh, sizeof(nh), 0);
	out[6] = bpf_redirect_peer(3, 0);
	return bpf_redirect_neigh(5, 0, 0, 0);
}

SEC("tc")
int tc_nat64(struct __sk_buff *skb)
{
	out[0] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 1);
	out[1] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_ARP), 0);
	bpf_set_hash(skb, 77);
	out[2] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	out[3] = skb->len;
	out[4] = skb->protocol;
	out[5] = skb->hash;
	out[6] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	__u8 b[4] = { 0x60, 1, 2, 3 };
	out[7] = bpf_skb_store_bytes(skb, ETH_HLEN, b, 4, 0);
	out[8] = bpf_skb_load_bytes_relative(skb, 0, b, 4, BPF_HDR_START_NET);
	out[9] = *(__u32 *)b;
	if (skb->len > 200)
		return 0;
	out[10] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);
	out[11] = skb->len;
	out[12] = skb->protocol;
	out[13] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);
	return 0;
}

SEC("lwt_xmit")
int lwt_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u8 b[4] = { 1, 2, 3, 4 };

	out[0] = skb->len;
	out[1] = skb->protocol;
	out[2] = data_end - data;
	out[3] = data + 1 <= data_end ? *(__u8 *)data : 0xff; /* the IP version */
	out[4] = skb->pkt_type;
	out[5] = skb->ifindex;
	skb->mark = 9;
	skb->cb[3] = 0x77;
	out[6] = bpf_skb_store_bytes(skb, 4, b, 4, 0);
	out[7] = bpf_l3_csum_replace(skb, 10, 0, 0x1234, 2);
	out[8] = bpf_skb_change_tail(skb, skb->len + 4, 0);
	out[9] = skb->len;
	return BPF_OK;
}

SEC("lwt_in")
int lwt_in_fields(struct __sk_buff *skb)
{
	out[0] = skb->len;
	out[1] = skb->mark;
	skb->priority = 5;
	return BPF_OK;
}
