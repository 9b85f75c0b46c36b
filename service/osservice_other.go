//go:build !windows

package service

import "context"

// runAsOSService: systemd and launchd run `bpfhost serve` as an ordinary
// process (stopped with SIGTERM), so there is nothing to do here.
func runAsOSService(serve func(ctx context.Context) error) (bool, error) { return false, nil }
