package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time written as Go writes durations, plus days
// and weeks: "90d", "2w", "1d12h", "36h", "30m". Days are 24 hours.
type Duration time.Duration

// ParseDuration reads a Duration. Each term is a non-negative whole or
// decimal number followed by a unit: w, d, h, m, s, ms, us, µs or ns.
func ParseDuration(s string) (Duration, error) {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, fmt.Errorf("empty duration: write a number and a unit, e.g. 90d or 36h")
	}
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		j := i
		for j < len(rest) && !(rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.') {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		if num == "" || unit == "" {
			return 0, fmt.Errorf("duration %q: each term is a number and a unit (w, d, h, m, s), e.g. 90d or 1d12h", s)
		}
		var d time.Duration
		switch unit {
		case "w", "d":
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %q is not a number", s, num)
			}
			day := 24 * time.Hour
			if unit == "w" {
				day *= 7
			}
			d = time.Duration(n * float64(day))
		default:
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, fmt.Errorf("duration %q: unknown unit %q; use w, d, h, m or s", s, unit)
			}
		}
		total += d
	}
	return Duration(total), nil
}

// String writes whole days as "90d", anything else as Go does ("36h0m0s").
func (d Duration) String() string {
	day := 24 * time.Hour
	if td := time.Duration(d); td > 0 && td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	return time.Duration(d).String()
}

// UnmarshalText makes Duration a flag value (kong and encoding use it).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// elapsed renders an elapsed time for messages: "91 days", "91 days 4h",
// "5h30m0s".
func elapsed(d time.Duration) string {
	day := 24 * time.Hour
	if d < day {
		return d.Truncate(time.Second).String()
	}
	n, h := int64(d/day), int64(d%day/time.Hour)
	out := strconv.FormatInt(n, 10) + " days"
	if n == 1 {
		out = "1 day"
	}
	if h > 0 {
		out += " " + strconv.FormatInt(h, 10) + "h"
	}
	return out
}
