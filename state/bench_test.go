package state

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkPut measures one Put (one change saved) on each backend, on a
// state that already holds 1,000 entries:
//
//	go test -run '^$' -bench Put ./state/
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	specs := map[string]string{"file": filepath.Join(b.TempDir(), "state.json")}
	if dsn := os.Getenv(envTestPostgres); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("schema", "bench_"+newToken()[:12])
		u.RawQuery = q.Encode()
		specs["postgres"] = u.String()
	}
	for name, spec := range specs {
		b.Run(name, func(b *testing.B) {
			st, err := Open(spec, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			if ps, ok := st.(*pgStore); ok {
				defer func() {
					c, err := ps.connect(ctx)
					if err == nil {
						_, _ = c.Exec(ctx, `DROP SCHEMA `+ps.schema+` CASCADE`)
						c.Close(ctx)
					}
				}()
			}
			for i := range 1000 {
				if err := st.Put(ctx, entry("seed-"+itoa(i), "1")); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := st.Put(ctx, entry("e"+itoa(i%5000), itoa(i))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
