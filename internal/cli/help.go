package cli

import (
	"fmt"
	"strings"
)

// The usage texts are bpftool's (v7.1), word for word, with the program
// name in place of bpftool's as bpftool prints its own argv[0]; commands
// and types bpfhost does not implement are refused when used. The main text
// adds bpfhost's own options and commands at the end.

func printUsage(c *cli, text string) {
	fmt.Fprint(c.stderr, strings.ReplaceAll(text, "BIN", c.bin))
}

func mainUsage(c *cli) {
	printUsage(c, `Usage: BIN [OPTIONS] OBJECT { COMMAND | help }
       BIN batch file FILE
       BIN version

       OBJECT := { prog | map | link | cgroup | perf | net | feature | btf | gen | struct_ops | iter }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-V|--version} }

       BIN only: BIN unpin PATH...
                 BIN verify OBJ [program NAME] [type TYPE]
       OPTIONS += { --engine={interpreter|jit|auto} | --root=DIR | --cpus=N |
                    --unsafe-skip-verifier }
`)
}

func progUsage(c *cli) {
	printUsage(c, `Usage: BIN prog { show | list } [PROG]
       BIN prog dump xlated PROG [{ file FILE | opcodes | visual | linum }]
       BIN prog dump jited  PROG [{ file FILE | opcodes | linum }]
       BIN prog pin   PROG FILE
       BIN prog { load | loadall } OBJ  PATH \
                         [type TYPE] [dev NAME] \
                         [map { idx IDX | name NAME } MAP]\
                         [pinmaps MAP_DIR]
       BIN prog attach PROG ATTACH_TYPE [MAP]
       BIN prog detach PROG ATTACH_TYPE [MAP]
       BIN prog run PROG \
                         data_in FILE \
                         [data_out FILE [data_size_out L]] \
                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \
                         [repeat N]
       BIN prog profile PROG [duration DURATION] METRICs
       BIN prog tracelog
       BIN prog help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       TYPE := { socket | kprobe | kretprobe | classifier | action |
                 tracepoint | raw_tracepoint | xdp | perf_event | cgroup/skb |
                 cgroup/sock | cgroup/dev | lwt_in | lwt_out | lwt_xmit |
                 lwt_seg6local | sockops | sk_skb | sk_msg | lirc_mode2 |
                 sk_reuseport | flow_dissector | cgroup/sysctl |
                 cgroup/bind4 | cgroup/bind6 | cgroup/post_bind4 |
                 cgroup/post_bind6 | cgroup/connect4 | cgroup/connect6 |
                 cgroup/getpeername4 | cgroup/getpeername6 |
                 cgroup/getsockname4 | cgroup/getsockname6 | cgroup/sendmsg4 |
                 cgroup/sendmsg6 | cgroup/recvmsg4 | cgroup/recvmsg6 |
                 cgroup/getsockopt | cgroup/setsockopt | cgroup/sock_release |
                 struct_ops | fentry | fexit | freplace | sk_lookup }
       ATTACH_TYPE := { sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict |
                        sk_skb_stream_parser | flow_dissector }
       METRIC := { cycles | instructions | l1d_loads | llc_misses | itlb_misses | dtlb_misses }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} | {-m|--mapcompat} | {-n|--nomount} |
                    {-L|--use-loader} }
`)
}

func mapUsage(c *cli) {
	printUsage(c, `Usage: BIN map { show | list }   [MAP]
       BIN map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \
                                  entries MAX_ENTRIES name NAME [flags FLAGS] \
                                  [inner_map MAP] [dev NAME]
       BIN map dump       MAP
       BIN map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]
       BIN map lookup     MAP [key DATA]
       BIN map getnext    MAP [key DATA]
       BIN map delete     MAP  key DATA
       BIN map pin        MAP  FILE
       BIN map event_pipe MAP [cpu N index M]
       BIN map peek       MAP
       BIN map push       MAP value VALUE
       BIN map pop        MAP
       BIN map enqueue    MAP value VALUE
       BIN map dequeue    MAP
       BIN map freeze     MAP
       BIN map help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       DATA := { [hex] BYTES }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       VALUE := { DATA | MAP | PROG }
       UPDATE_FLAGS := { any | exist | noexist }
       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |
                 percpu_array | stack_trace | cgroup_array | lru_hash |
                 lru_percpu_hash | lpm_trie | array_of_maps | hash_of_maps |
                 devmap | devmap_hash | sockmap | cpumap | xskmap | sockhash |
                 cgroup_storage | reuseport_sockarray | percpu_cgroup_storage |
                 queue | stack | sk_storage | struct_ops | ringbuf | inode_storage |
                 task_storage | bloom_filter | user_ringbuf }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} | {-n|--nomount} }
`)
}
