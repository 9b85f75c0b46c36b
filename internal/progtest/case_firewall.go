package progtest

import ()

// FirewallBlocklist is the blocklist the example loads: LPM keys (prefix
// length, address) and rule IDs, by map.
var FirewallBlocklist = []Op{
	{Map: "blocklist_v4", Key: B(U32(24), IP4("192.0.2.0")), Value: U32(1)},
	{Map: "blocklist_v4", Key: B(U32(32), IP4("203.0.113.7")), Value: U32(2)},
	{Map: "blocklist_v6", Key: B(U32(48), IP6("2001:db8:bad::")), Value: U32(3)},
}

// FirewallCase runs the xdp-firewall example's frames.
func FirewallCase() *Case {
	frames := FirewallFrames()
	// Per frame: verdict, source (family, address) and rule; family 0 = not tracked.
	want := []struct {
		ret    uint32
		family byte
		src    string
		rule   uint32
	}{
		{Pass, 4, "198.51.100.10", 0},
		{Pass, 4, "198.51.100.10", 0},
		{Drop, 4, "198.51.100.20", 100},
		{Drop, 4, "192.0.2.77", 1},
		{Drop, 4, "203.0.113.7", 2},
		{Pass, 4, "203.0.113.8", 0},
		{Pass, 6, "2001:db8:1::10", 0},
		{Drop, 6, "2001:db8:bad:1::5", 3},
		{Pass, 4, "198.51.100.10", 0},
		{Pass, 0, "", 0},
		{Drop, 4, "198.51.100.30", 0},
		{Pass, 4, "198.51.100.10", 0},
	}
	c := &Case{Name: "firewall", Object: "examples/xdp-firewall/bpf/firewall.o", Setup: FirewallBlocklist}
	type stats struct {
		packets, bytes uint64
		verdict, rule  uint32
	}
	var verdicts [5]stats
	sources := map[string]*stats{}
	for i, f := range frames {
		w := want[i]
		c.Steps = append(c.Steps, Step{Prog: "xdp_firewall", In: f.Data, Ret: w.ret})
		n := uint64(len(f.Data))
		verdicts[w.ret].packets++
		verdicts[w.ret].bytes += n
		if w.family == 0 {
			continue
		}
		addr := IP6(w.src)
		if w.family == 4 {
			addr = append(IP4(w.src), Zero(12)...)
		}
		key := string(B([]byte{w.family, 0, 0, 0}, addr))
		s := sources[key]
		if s == nil {
			s = &stats{}
			sources[key] = s
		}
		s.packets++
		s.bytes += n
		s.verdict, s.rule = w.ret, w.rule
	}
	var vs, ss []Entry
	for i, v := range verdicts {
		vs = append(vs, E(U32(uint32(i)), B(U64(v.packets), U64(v.bytes))))
	}
	for k, s := range sources {
		ss = append(ss, E([]byte(k), B(U64(s.packets), U64(s.bytes), U32(s.verdict), U32(s.rule))))
	}
	SortEntries(ss)
	c.Maps = map[string][]Entry{"verdicts": vs, "sources": ss}
	return c
}
