package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// mapLookupPercpuElem is bpf_map_lookup_percpu_elem(map, key, cpu): the
// address of key's value in the slot of another CPU, or NULL when the map is
// not per-CPU (the kernel's verifier refuses those), the key is missing or
// cpu is not below the number of possible CPUs.
func mapLookupPercpuElem(ctx *vm.Context, r1, r2, r3, _, _ uint64) uint64 {
	m := mapArg(r1)
	if m == nil {
		return 0
	}
	typ, keySize, _, _ := maps.Dims(m)
	if !typ.PerCPU() {
		return 0
	}
	key, ok := mem(ctx, FnMapLookupPercpuElem, "key", r2, int(keySize), false)
	if !ok {
		return 0
	}
	cpu := uint32(r3)
	if uint64(cpu) >= uint64(vm.PossibleCPUs()) {
		return 0
	}
	// The maps bound cpu by the CPUs they were created for as well.
	return uint64(m.LookupElem(key, int(cpu)))
}
