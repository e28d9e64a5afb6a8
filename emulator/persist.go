package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/runai-sync/runai-sync/internal/atomicfile"
)

// flushInterval is the shortest time between two background writes of the
// data file. When a write takes long (a large state), the interval grows to
// four times the write's duration, so persisting never dominates serving.
const flushInterval = 200 * time.Millisecond

// loadDataFile reads a data file; (nil, nil) when it does not exist.
func loadDataFile(path string) (*db, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: read data file: %w", err)
	}
	d := newDB()
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("emulator: data file %s is corrupt (not the emulator's JSON): %w", path, err)
	}
	if d.Version != dbVersion {
		return nil, fmt.Errorf("emulator: data file %s has version %d, want %d", path, d.Version, dbVersion)
	}
	if d.Assets == nil {
		d.Assets = map[string]*asset{}
	}
	if d.ServiceAccounts == nil {
		d.ServiceAccounts = map[string]*serviceAccount{}
	}
	if d.AccessKeys == nil {
		d.AccessKeys = map[string]*accessKey{}
	}
	if d.Seqera == nil {
		d.Seqera = map[string]*seqeraCred{}
	}
	return d, nil
}

// persister writes the state to the data file in the background after
// changes, and once more on Close.
type persister struct {
	s     *Server
	path  string
	dirty atomic.Bool
	write sync.Mutex // one writer at a time
	stopC chan struct{}
	done  chan struct{}
}

func newPersister(s *Server, path string) *persister {
	return &persister{s: s, path: path, stopC: make(chan struct{}), done: make(chan struct{})}
}

func (p *persister) start() {
	go func() {
		defer close(p.done)
		wait := flushInterval
		t := time.NewTimer(wait)
		defer t.Stop()
		for {
			select {
			case <-p.stopC:
				return
			case <-t.C:
			}
			if p.dirty.Load() {
				began := time.Now()
				if err := p.flushNow(); err != nil {
					p.dirty.Store(true) // try again at the next tick
					if p.s.opts.Logf != nil {
						p.s.opts.Logf("emulator: write data file: %v", err)
					}
				}
				wait = max(flushInterval, 4*time.Since(began))
			}
			t.Reset(wait)
		}
	}()
}

// stop ends the background writer and writes the final state.
func (p *persister) stop() error {
	close(p.stopC)
	<-p.done
	return p.flushNow()
}

// flushNow writes the current state atomically: a temporary file in the
// same directory, fsync, rename, mode 0600.
func (p *persister) flushNow() error {
	p.write.Lock()
	defer p.write.Unlock()
	p.dirty.Store(false)
	p.s.mu.RLock()
	snap := *p.s.db
	snap.IDCounter = p.s.ids.counter()
	b, err := json.Marshal(&snap)
	p.s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("emulator: encode state: %w", err)
	}
	if err := atomicfile.Write(p.path, b, 0o600); err != nil {
		return fmt.Errorf("emulator: write data file %s: %w", p.path, err)
	}
	return nil
}

// changed marks the state as modified so the data file is rewritten soon.
func (s *Server) changed() {
	if s.persist != nil {
		s.persist.dirty.Store(true)
	}
}

// writeTo runs edit on the object lookup finds in c's path, holding the
// write lock, and marks the state changed when edit answers 2xx. A lookup
// that fails (404) is the reply.
func writeTo[T any](s *Server, c *call, lookup func(*call) (T, *reply), edit func(T) reply) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, rep := lookup(c)
	if rep != nil {
		return *rep
	}
	r := edit(v)
	if r.status >= 200 && r.status < 300 {
		s.changed()
	}
	return r
}
