//go:build windows

package service

import (
	"context"

	"golang.org/x/sys/windows/svc"
)

// runAsOSService runs serve under the service control manager when the
// process was started by it (bpfhost service install), translating its
// stop and shutdown requests into cancelling ctx.
func runAsOSService(serve func(ctx context.Context) error) (bool, error) {
	is, err := svc.IsWindowsService()
	if err != nil || !is {
		return false, err
	}
	h := &scmHandler{serve: serve}
	if err := svc.Run(ServiceName, h); err != nil {
		return true, err
	}
	return true, h.err
}

type scmHandler struct {
	serve func(ctx context.Context) error
	err   error
}

// Execute serves until the service control manager asks to stop.
func (h *scmHandler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.serve(ctx) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			h.err = err
			status <- svc.Status{State: svc.Stopped}
			if err != nil {
				return true, 1
			}
			return false, 0
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
			}
		}
	}
}
