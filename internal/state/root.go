package state

import (
	"os"
	"path/filepath"
	"runtime"
)

// EnvRoot names the environment variable that selects the state directory.
const EnvRoot = "BPFHOST_ROOT"

// DefaultRoot returns the state directory used when neither --root nor
// BPFHOST_ROOT is given: /var/lib/bpfhost for root on Linux,
// %ProgramData%\bpfhost on Windows, and the user's configuration directory
// otherwise (~/Library/Application Support/bpfhost on macOS,
// $XDG_CONFIG_HOME/bpfhost elsewhere).
func DefaultRoot() (string, error) {
	if v := os.Getenv(EnvRoot); v != "" {
		return v, nil
	}
	switch runtime.GOOS {
	case "linux":
		if os.Geteuid() == 0 {
			return "/var/lib/bpfhost", nil
		}
	case "windows":
		if pd := os.Getenv("ProgramData"); pd != "" {
			return filepath.Join(pd, "bpfhost"), nil
		}
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "bpfhost"), nil
}
