//go:build linux || darwin

package service

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

func defaultServiceDir() string {
	if runtime.GOOS == "darwin" {
		return "/Library/LaunchDaemons"
	}
	return "/etc/systemd/system"
}

// run runs an init system command (or prints it for a dry run).
func run(cfg *installConfig, stdout io.Writer, name string, args ...string) error {
	line := name + " " + strings.Join(args, " ")
	if cfg.DryRun {
		fmt.Fprintf(stdout, "would run: %s\n", line)
		return nil
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", line, err, out)
	}
	fmt.Fprintf(stdout, "ran: %s\n", line)
	return nil
}

func install(cfg *installConfig, stdout io.Writer) error {
	if runtime.GOOS == "darwin" {
		path, err := writeServiceFile(cfg, launchdLabel+".plist", launchdPlist(cfg.Exe, cfg.Args), stdout)
		if err != nil || cfg.NoStart {
			return err
		}
		return run(cfg, stdout, "launchctl", "bootstrap", "system", path)
	}
	if _, err := writeServiceFile(cfg, ServiceName+".service", systemdUnit(cfg.Exe, cfg.Args), stdout); err != nil || cfg.NoStart {
		return err
	}
	if err := run(cfg, stdout, "systemctl", "daemon-reload"); err != nil {
		return err
	}
	return run(cfg, stdout, "systemctl", "enable", "--now", ServiceName+".service")
}

func uninstall(cfg *installConfig, stdout io.Writer) error {
	name := ServiceName + ".service"
	if runtime.GOOS == "darwin" {
		name = launchdLabel + ".plist"
		if !cfg.NoStart {
			// Not loaded is fine: the goal is that it is not running.
			_ = run(cfg, stdout, "launchctl", "bootout", "system/"+launchdLabel)
		}
	} else if !cfg.NoStart {
		_ = run(cfg, stdout, "systemctl", "disable", "--now", name)
	}
	path := filepath.Join(cfg.Dir, name)
	if cfg.DryRun {
		fmt.Fprintf(stdout, "would remove %s\n", path)
		return nil
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed %s\n", path)
	if runtime.GOOS == "linux" && !cfg.NoStart {
		return run(cfg, stdout, "systemctl", "daemon-reload")
	}
	return nil
}
