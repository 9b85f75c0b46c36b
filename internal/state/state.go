// Package state keeps the objects of the bpfhost command line alive between
// invocations, as the kernel keeps pinned BPF objects alive between bpftool
// invocations.
//
// A state directory holds one metadata file (state.json: maps, programs,
// pins, ID counters), one storage file per map (maps/, the map's off-heap
// memory, file-backed, so stores made by programs and by user space land in
// it directly) and copies of the object files whose BTF describes maps and
// programs (btf/). Every command takes an exclusive lock on the directory for
// its whole duration, restores the objects, runs, then commits: objects that
// no pin reaches any more are destroyed (as the kernel frees them when their
// last reference goes), and the metadata is replaced atomically (temporary
// file, then rename). A command that fails commits nothing and removes the
// files it created, so the directory never holds half-written state.
package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
	cilium "github.com/cilium/ebpf"
)

// Names inside a state directory.
const (
	metaFile  = "state.json"
	lockName  = "lock"
	mapsDir   = "maps"
	btfDir    = "btf"
	traceFile = "trace_pipe"
)

// Errors of pin operations; they wrap the errno the kernel would return.
var (
	ErrPinExists   = fmt.Errorf("pin: %w", maps.EEXIST)
	ErrPinNotFound = fmt.Errorf("pin: %w", maps.ENOENT)
	ErrNotDir      = fmt.Errorf("pin: %w", maps.Errno(20)) // ENOTDIR
)

// Options tune Open.
type Options struct {
	// CPUs is the number of virtual CPUs (0 = as recorded, else the host's).
	CPUs int
	// Engine selects the execution engine of restored and new programs.
	Engine string
	// NoWait makes Open fail with ErrLocked instead of waiting when
	// another process holds the directory (a service refusing to start
	// beside another).
	NoWait bool
}

// State is an opened, locked state directory and its live objects.
type State struct {
	// Root is the state directory.
	Root string
	// Meta is the persisted description, kept in step with the live objects.
	Meta *Meta
	// Engine is the engine programs are loaded with.
	Engine string
	// Cwd, when set, is the directory relative pin paths are taken against
	// (a service's client's), instead of the process's.
	Cwd string

	lock     *os.File
	maps     map[uint32]*ebpf.Map
	progs    map[uint32]*ebpf.Program
	links    map[uint32]*link.Link
	newFiles []string // files created since the last commit
	written  []byte   // the metadata as last read or written
	seq      int
	trace    traceLog
	btf      map[uint32]*cilium.CollectionSpec
	statsTable
}

// Open locks and loads the state directory root, creating it if needed.
func Open(root string, opts Options) (s *State, err error) {
	if root == "" {
		return nil, fmt.Errorf("no state directory")
	}
	for _, d := range []string{root, filepath.Join(root, mapsDir), filepath.Join(root, btfDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	lf, err := os.OpenFile(filepath.Join(root, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	lock := lockFile
	if opts.NoWait {
		lock = tryLockFile
	}
	if err := lock(lf); err != nil {
		lf.Close()
		return nil, fmt.Errorf("locking state directory %s: %w", root, err)
	}
	st := &State{Root: root, Engine: opts.Engine, lock: lf, maps: map[uint32]*ebpf.Map{},
		progs: map[uint32]*ebpf.Program{}, btf: map[uint32]*cilium.CollectionSpec{}}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	s = st
	if err := s.readMeta(); err != nil {
		return nil, err
	}
	if err := s.setCPUs(opts.CPUs); err != nil {
		return nil, err
	}
	maps.ReserveIDs(s.Meta.LastMapID)
	vm.ReserveProgramIDs(s.Meta.LastProgID)
	link.ReserveIDs(s.Meta.LastLinkID)
	if err := s.restore(); err != nil {
		return nil, fmt.Errorf("%w (the state directory cannot be used as it is; remove it to start afresh)", err)
	}
	s.removeOrphans()
	return s, nil
}

func (s *State) readMeta() error {
	b, err := os.ReadFile(filepath.Join(s.Root, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		s.Meta = newMeta()
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading state: %w", err)
	}
	m := newMeta()
	if err := json.Unmarshal(b, m); err != nil {
		return fmt.Errorf("state file %s is corrupt: %w", filepath.Join(s.Root, metaFile), err)
	}
	if m.Version != metaVersion {
		return fmt.Errorf("state file %s has format version %d, this bpfhost reads %d", filepath.Join(s.Root, metaFile), m.Version, metaVersion)
	}
	if m.Maps == nil {
		m.Maps = map[uint32]*MapMeta{}
	}
	if m.Progs == nil {
		m.Progs = map[uint32]*ProgMeta{}
	}
	if m.BTF == nil {
		m.BTF = map[uint32]string{}
	}
	if m.Pins == nil {
		m.Pins = map[string]Pin{}
	}
	s.Meta = m
	s.written = b
	return nil
}

// setCPUs fixes the number of virtual CPUs. Per-CPU map files hold one value
// per CPU, so the number cannot change while maps exist.
func (s *State) setCPUs(n int) error {
	if n < 0 || n > 1024 {
		return fmt.Errorf("invalid number of CPUs %d (1 to 1024)", n)
	}
	switch {
	case n == 0 && s.Meta.CPUs == 0:
		s.Meta.CPUs = runtime.NumCPU()
	case n != 0 && s.Meta.CPUs != 0 && n != s.Meta.CPUs && len(s.Meta.Maps) > 0:
		return fmt.Errorf("state directory %s holds maps for %d CPUs, cannot use %d (remove its pins first)", s.Root, s.Meta.CPUs, n)
	case n != 0:
		s.Meta.CPUs = n
	}
	vm.SetDefaultCPUs(s.Meta.CPUs)
	return nil
}

// CPUs returns the number of virtual CPUs.
func (s *State) CPUs() int { return s.Meta.CPUs }

func specOf(m *SpecMeta) *ebpf.MapSpec {
	if m == nil {
		return nil
	}
	return &ebpf.MapSpec{Name: m.Name, Type: maps.Type(m.Type), KeySize: m.KeySize, ValueSize: m.ValueSize,
		MaxEntries: m.MaxEntries, Flags: m.Flags, InnerMap: specOf(m.Inner)}
}

// SpecMetaOf records a map spec.
func SpecMetaOf(sp *ebpf.MapSpec) *SpecMeta {
	if sp == nil {
		return nil
	}
	return &SpecMeta{Name: sp.Name, Type: uint32(sp.Type), KeySize: sp.KeySize, ValueSize: sp.ValueSize,
		MaxEntries: sp.MaxEntries, Flags: sp.Flags, Inner: SpecMetaOf(sp.InnerMap)}
}

// restore recreates every persisted map with its ID and contents, then every
// program from its linked instructions (which refer to the maps by ID).
func (s *State) restore() error {
	for _, id := range sortedIDs(s.Meta.Maps) {
		mm := s.Meta.Maps[id]
		m, err := ebpf.NewMapWithOptions(specOf(&mm.Spec), ebpf.MapOptions{Path: s.mapPath(mm.File), ID: id})
		if err != nil {
			return fmt.Errorf("restoring map %d (%s) from %s: %w", id, mm.Spec.Name, s.Root, err)
		}
		s.maps[id] = m
	}
	for _, id := range sortedIDs(s.Meta.Progs) {
		pm := s.Meta.Progs[id]
		insns, err := isa.Decode(pm.Insns)
		if err != nil {
			return fmt.Errorf("restoring program %d (%s): %w", id, pm.Name, err)
		}
		p, err := ebpf.NewProgramFromXlated(pm.Name, pm.Type, insns, ebpf.ProgramOptions{Engine: s.Engine, ID: id, UnsafeSkipVerifier: pm.Unverified, Section: pm.Section})
		if err != nil {
			return fmt.Errorf("restoring program %d (%s): %w", id, pm.Name, err)
		}
		s.progs[id] = p
	}
	return s.restoreLinks()
}

func sortedIDs[V any](m map[uint32]V) []uint32 {
	ids := make([]uint32, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// SortedMapIDs returns the IDs of the live maps in increasing order.
func (s *State) SortedMapIDs() []uint32 { return sortedIDs(s.Meta.Maps) }

// SortedProgIDs returns the IDs of the live programs in increasing order.
func (s *State) SortedProgIDs() []uint32 { return sortedIDs(s.Meta.Progs) }

func (s *State) mapPath(file string) string { return filepath.Join(s.Root, mapsDir, file) }

// removeOrphans deletes storage files no metadata refers to, and unfinished
// metadata files: what a process killed before committing left behind.
func (s *State) removeOrphans() {
	used := map[string]bool{}
	for _, mm := range s.Meta.Maps {
		used[filepath.Join(mapsDir, mm.File)] = true
	}
	for _, f := range s.Meta.BTF {
		used[filepath.Join(btfDir, f)] = true
	}
	if tmps, err := filepath.Glob(filepath.Join(s.Root, ".state-*.tmp")); err == nil {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, d := range []string{mapsDir, btfDir} {
		ents, _ := os.ReadDir(filepath.Join(s.Root, d))
		for _, e := range ents {
			if !used[filepath.Join(d, e.Name())] {
				os.Remove(filepath.Join(s.Root, d, e.Name()))
			}
		}
	}
}

// Map returns the live map with the given ID.
func (s *State) Map(id uint32) (*ebpf.Map, *MapMeta, bool) {
	m, ok := s.maps[id]
	if !ok {
		return nil, nil, false
	}
	return m, s.Meta.Maps[id], true
}

// Program returns the live program with the given ID.
func (s *State) Program(id uint32) (*ebpf.Program, *ProgMeta, bool) {
	p, ok := s.progs[id]
	if !ok {
		return nil, nil, false
	}
	return p, s.Meta.Progs[id], true
}

// CreateMap creates a new file-backed map. btfID and btfMap say where its
// key and value types are described (0, "" for none).
func (s *State) CreateMap(spec *ebpf.MapSpec, btfID uint32, btfMap string) (*ebpf.Map, *MapMeta, error) {
	s.seq++
	file := fmt.Sprintf("%d-%d-%d.map", time.Now().UnixNano(), os.Getpid(), s.seq)
	path := s.mapPath(file)
	os.Remove(path)
	s.newFiles = append(s.newFiles, path)
	m, err := ebpf.NewMapWithOptions(spec, ebpf.MapOptions{Path: path})
	if err != nil {
		return nil, nil, err
	}
	mm := &MapMeta{ID: m.ID(), Spec: *SpecMetaOf(spec), File: file, BTFID: btfID, BTFMap: btfMap}
	s.maps[mm.ID] = m
	s.Meta.Maps[mm.ID] = mm
	return m, mm, nil
}

// AddProgram records a program loaded in this process.
func (s *State) AddProgram(p *ebpf.Program, gpl bool, btfID uint32) *ProgMeta {
	insns := p.Xlated()
	pm := &ProgMeta{
		ID: p.ID(), Name: p.Name(), Type: p.Type(), Insns: isa.Encode(insns),
		MapIDs: MapIDsOf(insns), LoadedAt: time.Now().UnixNano(), UID: uint32(os.Getuid()),
		GPL: gpl, BTFID: btfID, Tag: Tag(insns), Unverified: !p.Verified(),
		Section: p.Section(),
	}
	s.progs[pm.ID] = p
	s.Meta.Progs[pm.ID] = pm
	for _, id := range pm.MapIDs {
		if mm := s.Meta.Maps[id]; mm != nil && maps.Type(mm.Spec.Type) == maps.ProgArray && mm.OwnerProgType == "" {
			mm.OwnerProgType = pm.Type
		}
	}
	return pm
}

// AddBTF keeps a copy of the object file at path as a new BTF object and
// returns its ID.
func (s *State) AddBTF(path string) (uint32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return s.AddBTFBytes(b)
}

// AddBTFBytes keeps a copy of an object file's contents as a new BTF
// object and returns its ID.
func (s *State) AddBTFBytes(b []byte) (uint32, error) {
	s.Meta.LastBTFID++
	id := s.Meta.LastBTFID
	file := fmt.Sprintf("%d.o", id)
	dst := filepath.Join(s.Root, btfDir, file)
	s.newFiles = append(s.newFiles, dst)
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		return 0, err
	}
	s.Meta.BTF[id] = file
	return id, nil
}

// BTFSpec returns the parsed object file of a BTF object (cached).
func (s *State) BTFSpec(id uint32) (*cilium.CollectionSpec, error) {
	if cs, ok := s.btf[id]; ok {
		return cs, nil
	}
	file, ok := s.Meta.BTF[id]
	if !ok {
		return nil, fmt.Errorf("BTF object %d: %w", id, maps.ENOENT)
	}
	cs, err := cilium.LoadCollectionSpec(filepath.Join(s.Root, btfDir, file))
	if err != nil {
		return nil, fmt.Errorf("BTF object %d: %w", id, err)
	}
	s.btf[id] = cs
	return cs, nil
}

// Pin pins an object at a user-given path.
func (s *State) Pin(userPath, kind string, id uint32) error {
	key, err := s.pinKey(userPath)
	if err != nil {
		return err
	}
	if _, ok := s.Meta.Pins[key]; ok {
		return ErrPinExists
	}
	for _, dir := range parentsOf(key) {
		if _, ok := s.Meta.Pins[dir]; ok {
			return ErrNotDir
		}
	}
	prefix := key + "/"
	for k := range s.Meta.Pins {
		if strings.HasPrefix(k, prefix) {
			return ErrPinExists // a directory of pins is there
		}
	}
	s.Meta.Pins[key] = Pin{Kind: kind, ID: id}
	return nil
}

// Unpin removes a pin (as rm on a bpffs file would).
func (s *State) Unpin(userPath string) error {
	key, err := s.pinKey(userPath)
	if err != nil {
		return err
	}
	if _, ok := s.Meta.Pins[key]; !ok {
		return ErrPinNotFound
	}
	delete(s.Meta.Pins, key)
	return nil
}

// Lookup returns the object pinned at a user-given path.
func (s *State) Lookup(userPath string) (Pin, error) {
	key, err := s.pinKey(userPath)
	if err != nil {
		return Pin{}, err
	}
	p, ok := s.Meta.Pins[key]
	if !ok {
		return Pin{}, ErrPinNotFound
	}
	return p, nil
}

// PinsOf lists the paths an object is pinned at, as bpftool -f shows them.
func (s *State) PinsOf(kind string, id uint32) []string {
	var out []string
	for k, p := range s.Meta.Pins {
		if p.Kind == kind && p.ID == id {
			if !strings.HasPrefix(k, "/") {
				k = bpffsRoot + "/" + k
			}
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Commit destroys unreachable objects and persists the state atomically.
func (s *State) Commit() error {
	s.flushTrace()
	garbage := s.collect()
	s.Meta.LastMapID = max(s.Meta.LastMapID, maps.LastID())
	s.Meta.LastProgID = max(s.Meta.LastProgID, vm.LastProgramID())
	s.Meta.LastLinkID = max(s.Meta.LastLinkID, s.lastLinkID())
	b, err := json.MarshalIndent(s.Meta, "", " ")
	if err != nil {
		return err
	}
	if !bytes.Equal(b, s.written) {
		if err := writeAtomic(filepath.Join(s.Root, metaFile), b); err != nil {
			return fmt.Errorf("saving state: %w", err)
		}
		s.written = b
	}
	s.newFiles = nil
	for _, f := range garbage {
		os.Remove(f)
	}
	return nil
}

// Abort forgets the files created since the last commit (the metadata on
// disk does not mention them). The in-memory state must not be committed
// afterwards.
func (s *State) Abort() {
	s.closeLinks()
	for _, p := range s.progs {
		p.Close()
	}
	for _, m := range s.maps {
		m.Close()
	}
	s.progs, s.maps = map[uint32]*ebpf.Program{}, map[uint32]*ebpf.Map{}
	for _, f := range s.newFiles {
		os.Remove(f)
	}
	s.newFiles = nil
	s.trace.buf = nil
}

// Close releases the objects and the lock.
func (s *State) Close() {
	if s == nil {
		return
	}
	s.closeLinks()
	for _, p := range s.progs {
		p.Close()
	}
	for _, m := range s.maps {
		m.Close()
	}
	s.progs, s.maps = nil, nil
	if s.lock != nil {
		unlockFile(s.lock)
		s.lock.Close()
		s.lock = nil
	}
}

// writeAtomic replaces path with data so that readers (and a crash) see the
// old or the new contents, never a mix.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable where the OS allows opening directories.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// UnpinTree removes the pin at a user-given path and every pin below it
// (a directory of pins) and returns how many it removed.
func (s *State) UnpinTree(userPath string) (int, error) {
	key, err := s.pinKey(userPath)
	if err != nil {
		return 0, err
	}
	n := 0
	for k := range s.Meta.Pins {
		if k == key || strings.HasPrefix(k, key+"/") {
			delete(s.Meta.Pins, k)
			n++
		}
	}
	return n, nil
}
