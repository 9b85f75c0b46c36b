package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/bpfhost/bpfhost/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ForwardToService runs the command in the service that owns root, if one
// answers there: the service runs the same command code against its state,
// reading and writing this process's files and standard streams through
// the connection. With no service it returns done=false and the command
// runs here, embedded. err is set when the service could not run the
// command (refused, connection lost); the caller reports it.
func ForwardToService(root string, args []string, env *Env) (code int, done bool, err error) {
	if root == "" || os.Getenv(EnvNoService) != "" {
		return 0, false, nil
	}
	si, err := client.ReadServiceInfo(root)
	if err != nil {
		return 0, false, nil
	}
	c, err := client.DialSocket(si.Socket)
	if err != nil {
		// No one listens: the service died (its lock went with it).
		return 0, false, nil
	}
	defer c.Close()
	engine := ""
	if env.Getenv != nil {
		engine = env.Getenv(EnvEngine)
	} else {
		engine = os.Getenv(EnvEngine)
	}
	code, err = c.Exec(context.Background(), args, client.ExecIO{Stdin: env.Stdin, Stdout: env.Stdout,
		Stderr: env.Stderr, Cwd: env.Cwd, Engine: engine})
	if err != nil {
		msg := err.Error()
		if st, ok := status.FromError(err); ok {
			msg = st.Message()
			if st.Code() != codes.PermissionDenied {
				msg = fmt.Sprintf("bpfhost service at %s: %s", si.Socket, msg)
			}
		} else if errors.Is(err, context.Canceled) {
			msg = "interrupted"
		}
		return 1, true, errors.New(msg)
	}
	return code, true, nil
}

// EnvNoService, when set, keeps the command line from using a running
// service: it then runs embedded (and waits for the lock the service holds).
const EnvNoService = "BPFHOST_NO_SERVICE"
