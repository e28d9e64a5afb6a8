package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

// The tests of this file run against every backend (see forEachBackend).

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		st := mustOpen(t, spec)
		d, err := st.Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Entries) != 0 || len(d.Salt) != saltLen {
			t.Fatalf("new state: %d entries, salt of %d bytes; want 0 and %d", len(d.Entries), len(d.Salt), saltLen)
		}
		a, c := entry("a", "1"), entry("c", "3")
		a.Rotation = "2026-11"
		a.Pending = []manifest.Key{key("dependent")}
		steps := []struct {
			name string
			do   func() error
			want []Entry
		}{
			{"put two", func() error { return st.Put(ctx, a, c) }, []Entry{a, c}},
			{"put one more", func() error { return st.Put(ctx, entry("b", "2")) }, []Entry{a, entry("b", "2"), c}},
			{"replace", func() error { return st.Put(ctx, entry("b", "22")) }, []Entry{a, entry("b", "22"), c}},
			{"remove", func() error { return st.Remove(ctx, ref("a"), ref("absent")) }, []Entry{entry("b", "22"), c}},
			{"nothing", func() error { return errors.Join(st.Put(ctx), st.Remove(ctx)) }, []Entry{entry("b", "22"), c}},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			for _, reader := range []Store{st, mustOpen(t, spec)} {
				got, err := reader.Load(ctx, testScope)
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				if diff := cmp.Diff(s.want, got.Sorted()); diff != "" {
					t.Fatalf("%s: entries (-want +got):\n%s", s.name, diff)
				}
				if !bytes.Equal(got.Salt, d.Salt) {
					t.Fatalf("%s: the salt changed", s.name)
				}
			}
		}
	})
}

func TestAppliedAtDefaultsToNow(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		st := mustOpen(t, spec)
		e := entry("a", "1")
		e.AppliedAt = time.Time{}
		before := time.Now()
		if err := st.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		d, err := st.Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		got := d.Entries[key("a")].AppliedAt
		if got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
			t.Fatalf("AppliedAt = %v, want about now", got)
		}
	})
}

func TestSaltIsMadeOnceAndKept(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		st := mustOpen(t, spec)
		first, err := st.Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		again, err := st.Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Salt, again.Salt) {
			t.Fatal("two Loads of a new state gave two salts")
		}
		if err := st.Put(ctx, entry("a", "1")); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			d, err := mustOpen(t, spec).Load(ctx, testScope)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(d.Salt, first.Salt) {
				t.Fatalf("open %d: the salt saved is not the one Load returned before the first write", i)
			}
		}
		other, err := mustOpen(t, b.state(t)).Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(other.Salt, first.Salt) {
			t.Fatal("two states have the same salt")
		}
	})
}

func TestLockContention(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		a, other := mustOpen(t, spec), mustOpen(t, spec)
		holder := me("runai-sync apply -f a/")
		unlock, err := a.Lock(ctx, testScope, holder, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		n := notes(other)
		start := time.Now()
		_, err = other.Lock(ctx, testScope, me("runai-sync apply -f b/"), 600*time.Millisecond)
		waited := time.Since(start)
		var le *LockedError
		if !errors.As(err, &le) {
			t.Fatalf("second Lock: %v, want a *LockedError", err)
		}
		if waited < 600*time.Millisecond {
			t.Fatalf("second Lock gave up after %v, want it to wait 600ms", waited)
		}
		if le.Holder.Host != holder.Host || le.Holder.PID != holder.PID || !le.Holder.Since.Equal(holder.Since) || le.Holder.Command != holder.Command {
			t.Fatalf("LockedError names %+v, want %+v", le.Holder, holder)
		}
		for _, want := range []string{"pid " + itoa(holder.PID), "on " + holder.Host, "since ", "runai-sync state unlock"} {
			if !strings.Contains(le.Error(), want) {
				t.Errorf("LockedError %q does not say %q", le.Error(), want)
			}
		}
		if msgs := n.all(); len(msgs) != 1 || !strings.Contains(msgs[0], "locked by pid") {
			t.Errorf("notes while waiting: %q, want one that names the holder", msgs)
		}
		// Released while the other waits: the other gets it.
		got := make(chan error, 1)
		go func() {
			u, err := other.Lock(ctx, testScope, me("second"), 10*time.Second)
			if err == nil {
				err = u()
			}
			got <- err
		}()
		time.Sleep(300 * time.Millisecond)
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
		if err := <-got; err != nil {
			t.Fatalf("Lock after the holder released: %v", err)
		}
		if err := unlock(); err != nil {
			t.Fatalf("a second unlock: %v", err)
		}
	})
}

func TestLockExcludesConcurrentHolders(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		var inside, most, done atomic.Int32
		var wg sync.WaitGroup
		for i := range 4 {
			st := mustOpen(t, spec)
			wg.Go(func() {
				for range 3 {
					unlock, err := st.Lock(ctx, testScope, me("worker "+itoa(i)), 30*time.Second)
					if err != nil {
						t.Error(err)
						return
					}
					n := inside.Add(1)
					if n > most.Load() {
						most.Store(n)
					}
					if err := st.Put(ctx, entry("w"+itoa(i), itoa(int(done.Add(1))))); err != nil {
						t.Error(err)
					}
					time.Sleep(10 * time.Millisecond)
					inside.Add(-1)
					if err := unlock(); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if most.Load() != 1 {
			t.Fatalf("%d holders at once", most.Load())
		}
		d, err := mustOpen(t, spec).Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Entries) != 4 {
			t.Fatalf("%d entries, want 4", len(d.Entries))
		}
	})
}

func TestForceUnlock(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		a, admin, next := mustOpen(t, spec), mustOpen(t, spec), mustOpen(t, spec)
		if was, err := admin.ForceUnlock(ctx); err != nil || was != nil {
			t.Fatalf("ForceUnlock of a free lock = %v, %v; want nil, nil", was, err)
		}
		holder := me("stuck apply")
		unlockA, err := a.Lock(ctx, testScope, holder, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Put(ctx, entry("a", "1")); err != nil {
			t.Fatal(err)
		}
		was, err := admin.ForceUnlock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(was) != 1 || was[0].Host != holder.Host || was[0].PID != holder.PID || was[0].Command != holder.Command {
			t.Fatalf("ForceUnlock says it broke %+v, want %+v", was, holder)
		}
		unlockNext, err := next.Lock(ctx, testScope, me("next apply"), 5*time.Second)
		if err != nil {
			t.Fatalf("Lock after ForceUnlock: %v", err)
		}
		// The run whose lock was broken must stop writing...
		if err := a.Put(ctx, entry("a", "2")); err == nil || !strings.Contains(err.Error(), "lock") {
			t.Fatalf("Put after losing the lock: %v, want an error about the lock", err)
		}
		// ...and its unlock must leave the new holder's lock alone.
		_ = unlockA()
		if _, err := admin.Lock(ctx, testScope, me("third"), 0); !errors.As(err, new(*LockedError)) {
			t.Fatalf("Lock while the next run holds it: %v, want a *LockedError", err)
		}
		if err := next.Put(ctx, entry("a", "3")); err != nil {
			t.Fatal(err)
		}
		if err := unlockNext(); err != nil {
			t.Fatal(err)
		}
		d, err := admin.Load(ctx, testScope)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Entries[key("a")].ID; got != "3" {
			t.Fatalf("entry a has id %q, want 3", got)
		}
	})
}

func TestLockHonoursContext(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		a, other := mustOpen(t, spec), mustOpen(t, spec)
		if _, err := a.Lock(context.Background(), testScope, me("a"), time.Second); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if _, err := other.Lock(ctx, testScope, me("b"), time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Lock with a cancelled context: %v", err)
		}
	})
}

func TestNoSecretValueIsStored(t *testing.T) {
	ctx := context.Background()
	secrets := []string{"hunter2-correct-horse", "AKIA-SECRET-ACCESS-KEY-0123456789", "p@ss w0rd \"quoted\"", "ñandú-ü-secret"}
	for _, stateKey := range []string{"", "state-key-from-env"} {
		t.Run("key="+stateKey, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, b backend, spec string) {
				st := mustOpen(t, spec)
				d, err := st.Load(ctx, testScope)
				if err != nil {
					t.Fatal(err)
				}
				fp := NewFingerprinter(d, stateKey)
				unlock, err := st.Lock(ctx, testScope, me("apply"), time.Second)
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range secrets {
					e := entry("s"+itoa(i), itoa(i))
					e.Fingerprints = map[string]string{"spec.password": fp.Sum(manifest.NewSecret(v))}
					if err := st.Put(ctx, e); err != nil {
						t.Fatal(err)
					}
				}
				// Before and after compaction (the file backend compacts on Close).
				check := func(when string) {
					all := b.dump(t, spec)
					if len(all) == 0 {
						t.Fatalf("%s: nothing stored", when)
					}
					for _, v := range append(secrets, stateKey) {
						// As it is, and as JSON writes it (the quotes escaped).
						quoted, _ := json.Marshal(v)
						if v != "" && (bytes.Contains(all, []byte(v)) || bytes.Contains(all, quoted[1:len(quoted)-1])) {
							t.Errorf("%s: a secret value is stored in plain text", when)
						}
					}
					if !bytes.Contains(all, []byte(FingerprintPrefix)) {
						t.Errorf("%s: no fingerprint stored", when)
					}
				}
				check("while locked")
				if err := unlock(); err != nil {
					t.Fatal(err)
				}
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
				check("after Close")
			})
		})
	}
}
