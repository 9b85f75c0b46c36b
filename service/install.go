package service

import (
	"fmt"
	"io"
)

// InstallMain runs `bpfhost service install|uninstall`.
func InstallMain(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stderr, "Error: 'service install|uninstall' is not implemented yet\n")
	return 1
}
