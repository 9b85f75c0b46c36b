//go:build !(linux || darwin)

package main

// maybeStartService does nothing where the service is not tested.
func maybeStartService(h *host) {}
