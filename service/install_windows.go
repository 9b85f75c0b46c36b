//go:build windows

package service

import (
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

func defaultServiceDir() string { return "" }

// install registers `bpfhost serve` with the service control manager
// (automatic start, as LocalSystem) and starts it.
func install(cfg *installConfig, stdout io.Writer) error {
	if cfg.DryRun {
		fmt.Fprintf(stdout, "would create Windows service %s: %s %v\n", ServiceName, cfg.Exe, cfg.Args)
		return nil
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service control manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.CreateService(ServiceName, cfg.Exe, mgr.Config{DisplayName: "bpfhost",
		Description: "eBPF programs and maps hosted in user space", StartType: mgr.StartAutomatic}, cfg.Args...)
	if err != nil {
		return fmt.Errorf("creating service %s: %w", ServiceName, err)
	}
	defer s.Close()
	fmt.Fprintf(stdout, "created Windows service %s\n", ServiceName)
	if cfg.NoStart {
		return nil
	}
	return s.Start()
}

// uninstall stops and deletes the Windows service.
func uninstall(cfg *installConfig, stdout io.Writer) error {
	if cfg.DryRun {
		fmt.Fprintf(stdout, "would stop and delete Windows service %s\n", ServiceName)
		return nil
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service control manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(ServiceName)
	if err != nil {
		return fmt.Errorf("service %s: %w", ServiceName, err)
	}
	defer s.Close()
	if st, err := s.Control(svc.Stop); err == nil {
		for i := 0; i < 50 && st.State != svc.Stopped; i++ {
			time.Sleep(200 * time.Millisecond)
			if st, err = s.Query(); err != nil {
				break
			}
		}
	}
	if err := s.Delete(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deleted Windows service %s\n", ServiceName)
	return nil
}
