package verifier

// ctxField is one field of a program type's context. Programs address the
// Linux layout (off, size); after the loader's rewrite (Options.HostContext)
// they address the host layout (hostOff, hostSize) instead.
type ctxField struct {
	name              string
	off, size         int
	hostOff, hostSize int
	// typ is what a load yields: scalar or one of the packet pointers.
	typ      regType
	writable bool
	// devmapOnly fields exist only for programs attached to device maps
	// (expected attach type BPF_XDP_DEVMAP), which bpfhost does not have.
	devmapOnly bool
}

// progType describes what the verifier needs of a program type.
type progType struct {
	name string
	// fields of the context (built-in types).
	fields []ctxField
	// ctx describes the context instead of fields (Options.Type).
	ctx Context
	// rawMem: r1 is writable memory of Options.MemSize bytes, r2 its length.
	rawMem bool
	// pktWrite allows stores into packet data.
	pktWrite bool
	// helper reports whether the type offers the helper.
	helper func(n int32) bool
}

// xdpFields is struct xdp_md (Linux) and the host's XDP context block.
var xdpFields = []ctxField{
	{name: "data", off: 0, size: 4, hostOff: 0, hostSize: 8, typ: ptrPacket},
	{name: "data_end", off: 4, size: 4, hostOff: 8, hostSize: 8, typ: ptrPacketEnd},
	{name: "data_meta", off: 8, size: 4, hostOff: 16, hostSize: 8, typ: ptrPacketMeta},
	{name: "ingress_ifindex", off: 12, size: 4, hostOff: 24, hostSize: 4, typ: scalar},
	{name: "rx_queue_index", off: 16, size: 4, hostOff: 28, hostSize: 4, typ: scalar},
	{name: "egress_ifindex", off: 20, size: 4, hostOff: 32, hostSize: 4, typ: scalar, devmapOnly: true},
}

// genericHelper reports helpers every program type offers.
func genericHelper(n int32) bool {
	switch n {
	case 1, 2, 3, 5, 6, 7, 8, 14, 42, 87, 88, 89, 93, 94, 118, 125, 130, 131, 132, 133, 134,
		160, 164, 165, 181, 182, 195, 208:
		return true
	}
	return false
}

var progTypes = map[string]*progType{
	"xdp": {
		name: "xdp", fields: xdpFields, pktWrite: true,
		helper: func(n int32) bool {
			switch n {
			case 12, 23, 25, 28, 44, 51, 54, 65, 188, 189, 190:
				return true
			}
			return genericHelper(n)
		},
	},
	"raw": {name: "raw", rawMem: true, helper: genericHelper},
}

// field finds the context field an access of size bytes at off hits.
func (p *progType) field(off, size int, host bool) (*ctxField, bool) {
	for i := range p.fields {
		f := &p.fields[i]
		fo, fs := f.off, f.size
		if host {
			fo, fs = f.hostOff, f.hostSize
		}
		if off == fo && size == fs {
			return f, true
		}
	}
	return nil, false
}
