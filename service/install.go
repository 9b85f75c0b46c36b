package service

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ServiceName is the name the service is registered under with the OS
// (systemd unit bpfhost.service, launchd label io.bpfhost.serve, Windows
// service bpfhost).
const ServiceName = "bpfhost"

// launchdLabel is the launchd job label.
const launchdLabel = "io.bpfhost.serve"

// installConfig is the command line of `bpfhost service install|uninstall`.
type installConfig struct {
	// Exe is the bpfhost binary the OS will start.
	Exe string
	// Args are the arguments of `bpfhost serve`.
	Args []string
	// Dir is where the unit or plist is written (systemd, launchd).
	Dir string
	// DryRun prints what would be written and run, and does nothing.
	DryRun bool
	// NoStart writes the files but neither enables nor starts the service.
	NoStart bool
}

// InstallMain runs `bpfhost service install|uninstall [options]`.
func InstallMain(args []string, stdout, stderr io.Writer) int {
	if err := installMain(args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	return 0
}

func installMain(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "install" && args[0] != "uninstall") {
		return fmt.Errorf("usage: bpfhost service {install|uninstall} [--root DIR] [--group NAME] [--socket PATH] [--bpf-stats] [--metrics-addr ADDR] [--dir DIR] [--no-start] [--dry-run]")
	}
	verb := args[0]
	cfg := &installConfig{Dir: defaultServiceDir()}
	fs := flag.NewFlagSet("bpfhost service "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "state directory of the service")
	group := fs.String("group", "", "administrators' group")
	socket := fs.String("socket", "", "socket path")
	stats := fs.Bool("bpf-stats", false, "run statistics in prog show")
	metrics := fs.String("metrics-addr", "", "loopback address for Prometheus metrics")
	fs.StringVar(&cfg.Dir, "dir", cfg.Dir, "directory of the unit file or plist")
	fs.BoolVar(&cfg.DryRun, "dry-run", false, "print what would be done, do nothing")
	fs.BoolVar(&cfg.NoStart, "no-start", false, "write the files only; do not enable or start")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cfg.Exe = exe
	cfg.Args = []string{"serve"}
	if *root != "" {
		abs, err := filepath.Abs(*root)
		if err != nil {
			return err
		}
		cfg.Args = append(cfg.Args, "--root", abs)
	}
	for _, o := range []struct{ name, val string }{{"group", *group}, {"socket", *socket}, {"metrics-addr", *metrics}} {
		if o.val != "" {
			cfg.Args = append(cfg.Args, "--"+o.name, o.val)
		}
	}
	if *stats {
		cfg.Args = append(cfg.Args, "--bpf-stats")
	}
	if verb == "install" {
		return install(cfg, stdout)
	}
	return uninstall(cfg, stdout)
}

// systemdUnit is the unit file of the service.
func systemdUnit(exe string, args []string) string {
	var b strings.Builder
	b.WriteString("# Installed by `bpfhost service install`.\n")
	b.WriteString("[Unit]\nDescription=bpfhost: eBPF programs and maps hosted in user space\n")
	b.WriteString("Documentation=https://github.com/bpfhost/bpfhost/blob/main/docs/service.md\nAfter=local-fs.target\n\n")
	b.WriteString("[Service]\nType=simple\nExecStart=" + systemdQuote(exe))
	for _, a := range args {
		b.WriteString(" " + systemdQuote(a))
	}
	b.WriteString("\nRestart=on-failure\nRestartSec=1\n")
	b.WriteString("# SIGTERM lets calls in progress finish; state survives SIGKILL too.\nKillSignal=SIGTERM\nTimeoutStopSec=10\n\n")
	b.WriteString("[Install]\nWantedBy=multi-user.target\n")
	return b.String()
}

// systemdQuote quotes a word of ExecStart when it needs it.
func systemdQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;$%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

// launchdPlist is the launchd property list of the service.
func launchdPlist(exe string, args []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + launchdLabel + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range append([]string{exe}, args...) {
		b.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
	<key>StandardErrorPath</key>
	<string>/var/log/bpfhost.log</string>
</dict>
</plist>
`)
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// writeServiceFile writes a unit file or plist (or prints it for a dry run).
func writeServiceFile(cfg *installConfig, name, content string, stdout io.Writer) (string, error) {
	path := filepath.Join(cfg.Dir, name)
	if cfg.DryRun {
		fmt.Fprintf(stdout, "would write %s:\n%s", path, content)
		return path, nil
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return path, nil
}
