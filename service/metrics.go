package service

import (
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
)

// metrics counts calls by method and status code, and their durations in a
// histogram per method, for the Prometheus text format.
type metrics struct {
	mu      sync.Mutex
	calls   map[callKey]uint64
	latency map[string]*histogram
}

type callKey struct {
	method string
	code   codes.Code
}

// buckets are the histogram's upper bounds in seconds.
var buckets = []float64{1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 0.1, 1}

type histogram struct {
	counts []uint64 // per bucket, then +Inf
	sum    float64
	n      uint64
}

func (m *metrics) observe(method string, code codes.Code, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls, m.latency = map[callKey]uint64{}, map[string]*histogram{}
	}
	m.calls[callKey{method, code}]++
	h := m.latency[method]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets)+1)}
		m.latency[method] = h
	}
	s := d.Seconds()
	i := sort.SearchFloat64s(buckets, s)
	h.counts[i]++
	h.sum += s
	h.n++
}

// write prints the metrics in the Prometheus text exposition format.
func (s *Server) writeMetrics(w *strings.Builder) {
	m := &s.metrics
	m.mu.Lock()
	keys := make([]callKey, 0, len(m.calls))
	for k := range m.calls {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].method != keys[j].method {
			return keys[i].method < keys[j].method
		}
		return keys[i].code < keys[j].code
	})
	fmt.Fprintf(w, "# HELP bpfhost_calls_total RPCs handled, by method and gRPC status code.\n# TYPE bpfhost_calls_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(w, "bpfhost_calls_total{method=%q,code=%q} %d\n", k.method, k.code.String(), m.calls[k])
	}
	methods := make([]string, 0, len(m.latency))
	for k := range m.latency {
		methods = append(methods, k)
	}
	sort.Strings(methods)
	fmt.Fprintf(w, "# HELP bpfhost_call_duration_seconds RPC durations.\n# TYPE bpfhost_call_duration_seconds histogram\n")
	for _, meth := range methods {
		h := m.latency[meth]
		var cum uint64
		for i, b := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "bpfhost_call_duration_seconds_bucket{method=%q,le=\"%g\"} %d\n", meth, b, cum)
		}
		fmt.Fprintf(w, "bpfhost_call_duration_seconds_bucket{method=%q,le=\"+Inf\"} %d\n", meth, h.n)
		fmt.Fprintf(w, "bpfhost_call_duration_seconds_sum{method=%q} %g\n", meth, h.sum)
		fmt.Fprintf(w, "bpfhost_call_duration_seconds_count{method=%q} %d\n", meth, h.n)
	}
	m.mu.Unlock()
	s.mu.RLock()
	if s.st == nil {
		s.mu.RUnlock()
		return
	}
	nm, np, npins := len(s.st.Meta.Maps), len(s.st.Meta.Progs), len(s.st.Meta.Pins)
	fmt.Fprintf(w, "# HELP bpfhost_maps Live maps.\n# TYPE bpfhost_maps gauge\nbpfhost_maps %d\n", nm)
	fmt.Fprintf(w, "# HELP bpfhost_programs Live programs.\n# TYPE bpfhost_programs gauge\nbpfhost_programs %d\n", np)
	fmt.Fprintf(w, "# HELP bpfhost_pins Pins.\n# TYPE bpfhost_pins gauge\nbpfhost_pins %d\n", npins)
	fmt.Fprintf(w, "# HELP bpfhost_prog_run_count Test runs per program.\n# TYPE bpfhost_prog_run_count counter\n")
	for _, id := range s.st.SortedProgIDs() {
		cnt, _ := s.st.RunStats(id)
		fmt.Fprintf(w, "bpfhost_prog_run_count{id=\"%d\"} %d\n", id, cnt)
	}
	fmt.Fprintf(w, "# HELP bpfhost_prog_run_seconds_total Time in test runs per program.\n# TYPE bpfhost_prog_run_seconds_total counter\n")
	for _, id := range s.st.SortedProgIDs() {
		_, ns := s.st.RunStats(id)
		fmt.Fprintf(w, "bpfhost_prog_run_seconds_total{id=\"%d\"} %g\n", id, float64(ns)/1e9)
	}
	s.mu.RUnlock()
}

// serveMetrics answers GET /metrics on l.
func (s *Server) serveMetrics(l net.Listener) {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		s.writeMetrics(&b)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte(b.String()))
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	hs.Serve(l)
}
