package fleet

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize reads a byte size the way Synapse reads max_upload_size: a whole number of bytes,
// or one followed by `K` (1024 bytes) or `M` (1024 * 1024 bytes), upper case only. Synapse
// knows no other suffix ("1G" and "100MB" fail at its startup). The result must be at least 1
// and fit in int64.
func ParseSize(s string) (int64, error) {
	num, mult := s, int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		num, mult = s[:len(s)-1], 1<<10
	case strings.HasSuffix(s, "M"):
		num, mult = s[:len(s)-1], 1<<20
	}
	if num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a size Synapse reads: write a whole number of bytes, or one followed by K (KiB) or M (MiB), e.g. \"100M\"", s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > (1<<63-1)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if n == 0 {
		return 0, fmt.Errorf("%q is zero; a size must be at least 1 byte", s)
	}
	return n * mult, nil
}

// FormatSize writes a byte count the way ParseSize reads it, with the largest suffix that
// divides it ("100M", "1536K", "1000").
func FormatSize(n int64) string {
	switch {
	case n != 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "M"
	case n != 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "K"
	}
	return strconv.FormatInt(n, 10)
}
