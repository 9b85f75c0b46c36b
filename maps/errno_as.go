package maps

import "errors"

func asErrno(err error, target *Errno) bool { return errors.As(err, target) }
