package ebpf

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"reflect"
)

// hostOrder is the byte order keys and values are marshalled in, as the
// kernel's bpf() syscall sees them: the host's.
var hostOrder = binary.NativeEndian

// marshal turns a key or value into exactly size bytes: a byte slice as is,
// an encoding.BinaryMarshaler through MarshalBinary, anything else that
// encoding/binary can size (fixed-size values, pointers to them, slices of
// them) in host byte order.
func marshal(v any, size int) ([]byte, error) {
	var b []byte
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("nil value")
	case []byte:
		b = x
	case uint32:
		b = hostOrder.AppendUint32(nil, x)
	case *uint32:
		b = hostOrder.AppendUint32(nil, *x)
	case uint64:
		b = hostOrder.AppendUint64(nil, x)
	case *uint64:
		b = hostOrder.AppendUint64(nil, *x)
	case encoding.BinaryMarshaler:
		var err error
		if b, err = x.MarshalBinary(); err != nil {
			return nil, err
		}
	default:
		if binary.Size(v) < 0 {
			return nil, fmt.Errorf("cannot marshal %T: not a fixed-size type", v)
		}
		var err error
		if b, err = binary.Append(nil, hostOrder, v); err != nil {
			return nil, fmt.Errorf("marshalling %T: %w", v, err)
		}
	}
	if len(b) != size {
		return nil, fmt.Errorf("%T marshals to %d bytes, want %d", v, len(b), size)
	}
	return b, nil
}

// unmarshal fills out from b: a byte slice of the same length (copied
// into), a pointer to a byte slice (replaced), an encoding.BinaryUnmarshaler,
// or a pointer to a fixed-size value decoded in host byte order.
func unmarshal(b []byte, out any) error {
	switch x := out.(type) {
	case nil:
		return fmt.Errorf("nil output")
	case []byte:
		if len(x) != len(b) {
			return fmt.Errorf("output buffer has %d bytes, want %d", len(x), len(b))
		}
		copy(x, b)
		return nil
	case *[]byte:
		*x = append((*x)[:0], b...)
		return nil
	case *uint32:
		if len(b) != 4 {
			return fmt.Errorf("cannot decode %d bytes into a uint32", len(b))
		}
		*x = hostOrder.Uint32(b)
		return nil
	case *uint64:
		if len(b) != 8 {
			return fmt.Errorf("cannot decode %d bytes into a uint64", len(b))
		}
		*x = hostOrder.Uint64(b)
		return nil
	case encoding.BinaryUnmarshaler:
		return x.UnmarshalBinary(b)
	}
	if rv := reflect.ValueOf(out); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("cannot decode into %T: need a pointer", out)
	}
	if n := binary.Size(out); n != len(b) {
		return fmt.Errorf("cannot decode %d bytes into %T (%d bytes)", len(b), out, n)
	}
	if _, err := binary.Decode(b, hostOrder, out); err != nil {
		return fmt.Errorf("decoding into %T: %w", out, err)
	}
	return nil
}

// marshalPerCPU lays out a slice of per-CPU values as the kernel expects
// them: ncpu values, each rounded up to 8 bytes. A byte slice of exactly
// that size is taken as already laid out.
func marshalPerCPU(v any, valueSize, ncpu int) ([]byte, error) {
	stride := (valueSize + 7) &^ 7
	if b, ok := v.([]byte); ok && len(b) == stride*ncpu {
		return b, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Slice {
		return nil, fmt.Errorf("per-CPU value must be a slice with one element per CPU, not %T", v)
	}
	if rv.Len() != ncpu {
		return nil, fmt.Errorf("per-CPU value has %d elements, want one per possible CPU (%d)", rv.Len(), ncpu)
	}
	out := make([]byte, stride*ncpu)
	for i := 0; i < ncpu; i++ {
		b, err := marshal(rv.Index(i).Interface(), valueSize)
		if err != nil {
			return nil, fmt.Errorf("CPU %d: %w", i, err)
		}
		copy(out[i*stride:], b)
	}
	return out, nil
}

// unmarshalPerCPU fills out (a pointer to a slice, resized to ncpu, or a
// slice of ncpu elements) from the kernel's per-CPU layout.
func unmarshalPerCPU(b []byte, out any, valueSize, ncpu int) error {
	stride := (valueSize + 7) &^ 7
	if x, ok := out.([]byte); ok && len(x) == len(b) {
		copy(x, b)
		return nil
	}
	rv := reflect.ValueOf(out)
	switch {
	case rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Slice:
		s := rv.Elem()
		if s.Len() != ncpu {
			s.Set(reflect.MakeSlice(s.Type(), ncpu, ncpu))
		}
		rv = s
	case rv.Kind() == reflect.Slice && rv.Len() == ncpu:
	default:
		return fmt.Errorf("per-CPU output must be a pointer to a slice or a slice of %d elements, not %T", ncpu, out)
	}
	for i := 0; i < ncpu; i++ {
		elem := rv.Index(i)
		var dst any
		if elem.Kind() == reflect.Slice && elem.Type().Elem().Kind() == reflect.Uint8 {
			cp := append([]byte(nil), b[i*stride:i*stride+valueSize]...)
			elem.SetBytes(cp)
			continue
		}
		dst = elem.Addr().Interface()
		if err := unmarshal(b[i*stride:i*stride+valueSize], dst); err != nil {
			return fmt.Errorf("CPU %d: %w", i, err)
		}
	}
	return nil
}
