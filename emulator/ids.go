package emulator

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
)

// splitmix64 is the finaliser of the SplitMix64 generator: a bijective mix
// of 64 bits, good enough to turn (seed, counter) into independent draws.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// draw returns the n-th value of the stream named stream for seed: a pure
// function, so the same (seed, stream, n) always gives the same value.
func draw(seed int64, stream, n uint64) uint64 {
	return splitmix64(splitmix64(uint64(seed)^splitmix64(stream)) + n)
}

// unitFloat maps a draw to [0, 1).
func unitFloat(v uint64) float64 { return float64(v>>11) / (1 << 53) }

// Streams of draw; fault decisions and ids never share one.
const (
	streamFail = 1
	streamLost = 2
	streamIDs  = 3
)

// idGen produces ids and secrets. With a seed it is the deterministic
// counter-based stream streamIDs (the counter is persisted, so a restarted
// emulator does not hand out the same ids again); without one it reads
// crypto/rand.
type idGen struct {
	mu     sync.Mutex
	seeded bool
	seed   int64
	next   uint64 // counter of the seeded stream
}

func (g *idGen) bytes(n int) []byte {
	b := make([]byte, n)
	if !g.seeded {
		if _, err := rand.Read(b); err != nil {
			panic(fmt.Sprintf("emulator: crypto/rand: %v", err))
		}
		return b
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], draw(g.seed, streamIDs, g.next))
		g.next++
		copy(b[i:], w[:])
	}
	return b
}

func (g *idGen) counter() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.next
}

func (g *idGen) setCounter(n uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if n > g.next {
		g.next = n
	}
}

// uuid returns a random (version 4) UUID.
func (g *idGen) uuid() string {
	b := g.bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// token returns n characters drawn from [0-9A-Za-z].
func (g *idGen) token(n int) string {
	b := g.bytes(n)
	out := make([]byte, n)
	for i := range b {
		out[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(out)
}

// hex returns n lowercase hex digits.
func (g *idGen) hex(n int) string {
	return fmt.Sprintf("%x", g.bytes((n+1)/2))[:n]
}
