package jit

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
	"weak"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/vm"
)

// The tail tables map program IDs to native entry points (layout: see
// TailTableSize). Their life cycle, and why code is never freed under a CPU:
//
//   - An entry is published for executable x of program p under p's ID when
//     p is registered, x was compiled with the table's Options for the
//     table's program type, and the entry is free: at load, and again on a
//     Go-route tail call to p (p registered after it was compiled, or
//     re-registered). While published, the table's Go mirror holds x, so
//     the GC cannot free x's code.
//   - vm.UnregisterProgram withdraws p's entries (tag = 0): from then on
//     native code takes the Go route for that ID, which finds the ID
//     unregistered, as helpers.tailCall does.
//   - A withdrawn entry is reclaimed (mirror reference dropped, entry
//     free for reuse) only after a grace period: (1) a stop-the-world, after
//     which no CPU can be between loading the old tag and jumping (native
//     code cannot be stopped; the world stops only once every goroutine is
//     back in Go), and (2) until no CPU's tail word still holds the old tag
//     (that CPU entered the code natively and Go may not hold it yet). Go
//     holds the code a CPU runs from its first exit on (the run loop
//     resolves the tail word), so once both hold, nothing can reach the
//     code except through Go references, and the GC decides as for any
//     executable.

// maxTailTables bounds the number of tables (distinct Options and program
// types); programs beyond it keep the Go route.
const maxTailTables = 64

type tailKey struct {
	opts Options
	typ  string
}

// tailTable is one off-heap table and its Go mirror.
type tailTable struct {
	addr  uintptr // TailTableSize entries; never freed
	slots [TailTableSize]tailSlot
}

type tailSlot struct {
	// x is the executable of the published or withdrawn entry; read by
	// run loops resolving a tail word, written under tails.mu.
	x   atomic.Pointer[Executable]
	tag atomic.Uint64 // tag of x's entry; 0 when the slot is free
	gen uint32        // last generation used in this slot (under tails.mu)
}

type tailRef struct {
	t   *tailTable
	idx uint32
}

var tails struct {
	mu      sync.Mutex
	tables  map[tailKey]*tailTable
	byProg  map[*vm.Program][]tailRef // published entries
	retired []tailRef                 // withdrawn, awaiting the grace period
	busy    bool                      // a reclaimer goroutine runs
	states  []weak.Pointer[state]     // every CPU state, for the tail words
	// reclaimed counts slots freed after a grace period (for tests).
	reclaimed atomic.Uint64
}

func init() { vm.OnUnregister(withdrawTail) }

// tailTableFor returns the table for programs of type typ compiled with
// opts, creating it; nil if the tables are exhausted or allocation fails.
func tailTableFor(opts Options, typ string) *tailTable {
	k := tailKey{opts, typ}
	tails.mu.Lock()
	defer tails.mu.Unlock()
	if t, ok := tails.tables[k]; ok {
		return t
	}
	if len(tails.tables) >= maxTailTables {
		return nil
	}
	blk, err := offheap.Alloc(TailTableSize * TailEntryBytes)
	if err != nil {
		return nil
	}
	if tails.tables == nil {
		tails.tables = map[tailKey]*tailTable{}
		tails.byProg = map[*vm.Program][]tailRef{}
	}
	t := &tailTable{addr: blk.Addr()}
	tails.tables[k] = t
	return t
}

// word returns the address of word off of entry idx.
func (t *tailTable) word(idx uint32, off uintptr) *uint64 {
	return (*uint64)(ptrAt(t.addr + uintptr(idx)*TailEntryBytes + off))
}

// publishTail publishes x under its program's current ID if it is not
// already, the program is registered and the entry is free. It is cheap
// when x was already published under that ID.
func publishTail(x *Executable) {
	t := x.tail
	if t == nil {
		return
	}
	id := x.prog.ID()
	if id == 0 || x.pubID.Load() == id {
		return
	}
	tails.mu.Lock()
	defer tails.mu.Unlock()
	idx := id & TailTableMask
	s := &t.slots[idx]
	if tag := s.tag.Load(); tag != 0 {
		if uint32(tag) != id {
			x.pubID.Store(id) // a colliding ID holds the entry: stay on the Go route
		}
		return // published, or withdrawn and not yet reclaimed: try again later
	}
	// Registered now? Checked after taking tails.mu: an unregistration
	// from here on runs withdrawTail after us, which withdraws the entry.
	if vm.ProgramByID(id) != x.prog {
		x.pubID.Store(id)
		return
	}
	x.pubID.Store(id)
	s.gen++
	if s.gen == 0 {
		s.gen = 1
	}
	tag := uint64(id) | uint64(s.gen)<<32
	s.x.Store(x)
	s.tag.Store(tag)
	atomic.StoreUint64(t.word(idx, TailOffEntry), uint64(x.base)+uint64(x.code.Offsets[0]))
	atomic.StoreUint64(t.word(idx, TailOffTag), tag)
	tails.byProg[x.prog] = append(tails.byProg[x.prog], tailRef{t, idx})
}

// withdrawTail withdraws p's entries (vm.OnUnregister hook) and starts the
// reclaimer.
func withdrawTail(p *vm.Program) {
	tails.mu.Lock()
	defer tails.mu.Unlock()
	refs := tails.byProg[p]
	if len(refs) == 0 {
		return
	}
	delete(tails.byProg, p)
	for _, r := range refs {
		atomic.StoreUint64(r.t.word(r.idx, TailOffTag), 0)
		if x := r.t.slots[r.idx].x.Load(); x != nil {
			x.pubID.Store(0)
		}
	}
	tails.retired = append(tails.retired, refs...)
	if !tails.busy {
		tails.busy = true
		go reclaimTail()
	}
}

// reclaimTail frees withdrawn entries after their grace period.
func reclaimTail() {
	var ms runtime.MemStats
	for {
		tails.mu.Lock()
		batch := tails.retired
		tails.retired = nil
		if len(batch) == 0 {
			tails.busy = false
			tails.mu.Unlock()
			return
		}
		tails.mu.Unlock()
		// (1) ReadMemStats stops the world: when it returns, every
		// goroutine has been back in Go since the tags were cleared, so no
		// native code still holds a tag it loaded before.
		runtime.ReadMemStats(&ms)
		// (2) Wait until no CPU runs code it entered through these entries
		// without Go holding it.
		for tailWordsHold(batch) {
			time.Sleep(time.Millisecond)
		}
		tails.mu.Lock()
		for _, r := range batch {
			s := &r.t.slots[r.idx]
			atomic.StoreUint64(r.t.word(r.idx, TailOffEntry), 0)
			s.x.Store(nil)
			s.tag.Store(0)
		}
		tails.mu.Unlock()
		tails.reclaimed.Add(uint64(len(batch)))
	}
}

// tailWordsHold reports whether some live CPU state's tail word holds the
// tag of one of the withdrawn entries.
func tailWordsHold(batch []tailRef) bool {
	tails.mu.Lock()
	pruneTailStates()
	states := append([]weak.Pointer[state](nil), tails.states...)
	tails.mu.Unlock()
	for _, w := range states {
		s := w.Value()
		if s == nil {
			continue
		}
		// s is held: its native stack block (and tail word) is not freed.
		cur := atomic.LoadUint64(s.tailWord())
		runtime.KeepAlive(s)
		if cur == 0 {
			continue
		}
		for _, r := range batch {
			if cur == r.t.slots[r.idx].tag.Load() {
				return true
			}
		}
	}
	return false
}

// registerTailState records a new CPU state for the reclaimer.
func registerTailState(s *state) {
	tails.mu.Lock()
	if n := len(tails.states); n >= 64 && n&(n-1) == 0 {
		pruneTailStates() // CPU pools come and go
	}
	tails.states = append(tails.states, weak.Make(s))
	tails.mu.Unlock()
}

// pruneTailStates drops the states the GC has collected. tails.mu is held.
func pruneTailStates() {
	live := tails.states[:0]
	for _, w := range tails.states {
		if w.Value() != nil {
			live = append(live, w)
		}
	}
	clear(tails.states[len(live):])
	tails.states = live
}

// tailWord returns the CPU's tail word (see tailWordBytes).
func (s *state) tailWord() *uint64 {
	return (*uint64)(ptrAt(s.f.NativeStack))
}

// ptrAt converts the address of off-heap memory to a pointer (through
// memory, so vet's uintptr check does not apply: the memory is not Go's).
func ptrAt(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }
