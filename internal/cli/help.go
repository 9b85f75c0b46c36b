package cli

import "fmt"

// The usage texts follow bpftool's, listing what bpfhost implements, with
// the program name in place of bpftool's as bpftool prints its argv[0].

func mainUsage(c *cli) {
	b := c.bin
	fmt.Fprintf(c.stderr, `Usage: %s [OPTIONS] OBJECT { COMMAND | help }
       %s batch file FILE
       %s version
       %s unpin PATH...

       OBJECT := { prog | map }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-f|--bpffs} |
                    {-V|--version} | --engine={interpreter|jit|auto} |
                    --root=DIR | --cpus=N }
`, b, b, b, b)
}

func progUsage(c *cli) {
	b := c.bin
	fmt.Fprintf(c.stderr, `Usage: %s prog { show | list } [PROG]
       %s prog dump xlated PROG [{ file FILE | opcodes }]
       %s prog pin   PROG FILE
       %s prog { load | loadall } OBJ  PATH \
                         [type TYPE] \
                         [map { idx IDX | name NAME } MAP]\
                         [pinmaps MAP_DIR]
       %s prog run PROG \
                         data_in FILE \
                         [data_out FILE [data_size_out L]] \
                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \
                         [repeat N]
       %s prog tracelog
       %s prog help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       TYPE := { xdp }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-f|--bpffs} |
                    --engine={interpreter|jit|auto} | --root=DIR | --cpus=N }
`, b, b, b, b, b, b, b)
}

func mapUsage(c *cli) {
	b := c.bin
	fmt.Fprintf(c.stderr, `Usage: %s map { show | list }   [MAP]
       %s map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \
                                  entries MAX_ENTRIES name NAME [flags FLAGS] \
                                  [inner_map MAP]
       %s map dump       MAP
       %s map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]
       %s map lookup     MAP [key DATA]
       %s map getnext    MAP [key DATA]
       %s map delete     MAP  key DATA
       %s map pin        MAP  FILE
       %s map peek       MAP
       %s map push       MAP value VALUE
       %s map pop        MAP
       %s map enqueue    MAP value VALUE
       %s map dequeue    MAP
       %s map freeze     MAP
       %s map help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       DATA := { [hex] BYTES }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       VALUE := { DATA | MAP | PROG }
       UPDATE_FLAGS := { any | exist | noexist }
       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |
                 percpu_array | lru_hash | lru_percpu_hash | lpm_trie |
                 array_of_maps | hash_of_maps | queue | stack | ringbuf }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-f|--bpffs} |
                    --root=DIR | --cpus=N }
`, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b)
}
