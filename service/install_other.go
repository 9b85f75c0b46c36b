//go:build !linux && !darwin && !windows

package service

import (
	"fmt"
	"io"
	"runtime"
)

func defaultServiceDir() string { return "" }

func install(cfg *installConfig, stdout io.Writer) error {
	return fmt.Errorf("service install is not supported on %s", runtime.GOOS)
}

func uninstall(cfg *installConfig, stdout io.Writer) error {
	return fmt.Errorf("service uninstall is not supported on %s", runtime.GOOS)
}
