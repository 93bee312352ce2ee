// Package djangorace is the test of Go and Django writing one session at
// the same moment, shared by the store packages: a Django process saves
// values in a loop while a Go writer saves others, readers on both sides
// load the session all along, and every load must be one complete value
// that some writer saved, with Django's last-writer-wins outcome at the
// end.
package djangorace

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// concDjangoSaves is how many saves the Django writer makes; the Go writer
// makes at least as many and goes on until Django's last one returned.
const concDjangoSaves = 200

// Run is the test on a store and the Django settings
// (SESSION_ENGINE and where) of the same sessions.
func Run(t *testing.T, dj djangotest.Django, settings map[string]any, s djangosess.Store) {
	key, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	vals := &concValues{}
	if err := s.Create(context.Background(), key, djangosess.Record{Data: vals.get("init", 0)}); err != nil {
		t.Fatal(err)
	}
	djValues := make([]json.RawMessage, concDjangoSaves)
	for i := range djValues {
		djValues[i] = concTag(t, vals.get("dj", i))
	}
	conf := map[string]any{"settings": settings, "key": key, "serializer": "json"}
	writer := startConcLoop(t, dj, concConf(conf, "write", djValues))
	reader := startConcLoop(t, dj, concConf(conf, "read", nil))

	// The Go writer: go(0), go(1), ... at least concDjangoSaves of them, and
	// on until the Django writer has finished, so that its last save
	// starts after Django's last one returned.
	goSaves := 0
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			finished := Closed(writer.done)
			if err := s.Save(context.Background(), key, djangosess.Record{Data: vals.get("go", i)}); err != nil {
				t.Errorf("Go Save %d: %v", i, err)
				return
			}
			goSaves = i + 1
			if i+1 >= concDjangoSaves && finished {
				return
			}
		}
	})
	// The Go reader, until both writers are done.
	stop := make(chan struct{})
	var goLoads concCounts
	var rg sync.WaitGroup
	rg.Go(func() {
		for !Closed(stop) {
			r, err := s.Load(context.Background(), key)
			if err != nil {
				t.Errorf("Go Load during the saves: %v", err)
				return
			}
			w, ok := vals.check(r.Data)
			if !ok {
				t.Errorf("Go Load during the saves gave a value no writer wrote: %.200v", r.Data)
				return
			}
			goLoads.add(w)
		}
	})
	writer.start(t)
	reader.start(t)
	wg.Wait()
	close(stop)
	reader.stop()
	rg.Wait()

	// The Django writer: every save kept the key.
	wlines := writer.wait(t)
	if len(wlines) != concDjangoSaves {
		t.Errorf("the Django writer answered %d saves, want %d", len(wlines), concDjangoSaves)
	}
	for n, l := range wlines {
		var a struct{ Key, Error, Message string }
		if err := json.Unmarshal([]byte(l), &a); err != nil || a.Key != key {
			t.Errorf("Django save %d: %s (%v)", n, l, err)
			break
		}
	}
	// The Django reader: every load found the session, complete.
	var djLoads concCounts
	for n, l := range reader.wait(t) {
		var a struct {
			Found     bool
			Keys      []string
			W         string
			I         int
			PadLen    int    `json:"pad_len"`
			PadSHA256 string `json:"pad_sha256"`
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("Django load %d: %q: %v", n, l, err)
		}
		want := vals.lookup(a.W, a.I)
		if !a.Found || !slices.Equal(a.Keys, []string{"i", "pad", "w"}) || want == nil ||
			a.PadLen != len(want.pad) || a.PadSHA256 != want.sum {
			t.Errorf("Django load %d gave a value no writer wrote: %s", n, l)
			break
		}
		djLoads.add(a.W)
	}
	t.Logf("Go saves %d, Django saves %d; Go loads %v; Django loads %v", goSaves, len(wlines), &goLoads, &djLoads)
	if t.Failed() {
		return
	}

	// The Go writer saved last: Go and Django both read its last value.
	o := dj.Start(t, "--settings="+string(JSON(t, settings)))
	last := vals.get("go", goSaves-1)
	if got := concGoLoad(t, s, key); !serializer.Equal(got, last) {
		t.Errorf("after the runs Go loads %.200v, want the last save, go(%d)", got, goSaves-1)
	}
	if got := DjangoLoad(t, o, key); !serializer.Equal(got, last) {
		t.Errorf("after the runs Django loads %.200v, want the last save, go(%d)", got, goSaves-1)
	}
	// One more save on each side is what the other side loads.
	DjangoSave(t, o, key, vals.get("dj", concDjangoSaves))
	if got := concGoLoad(t, s, key); !serializer.Equal(got, vals.get("dj", concDjangoSaves)) {
		t.Errorf("after one more Django save Go loads %.200v", got)
	}
	if err := s.Save(context.Background(), key, djangosess.Record{Data: vals.get("go", goSaves)}); err != nil {
		t.Fatal(err)
	}
	if got := DjangoLoad(t, o, key); !serializer.Equal(got, vals.get("go", goSaves)) {
		t.Errorf("after one more Go save Django loads %.200v", got)
	}
}

func concConf(conf map[string]any, mode string, values []json.RawMessage) map[string]any {
	out := map[string]any{"mode": mode}
	for k, v := range conf {
		out[k] = v
	}
	if values != nil {
		out["values"] = values
	}
	return out
}

// Closed reports whether c is closed, without waiting.
func Closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// JSON is json.Marshal of v, failing the test on error.
func JSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func concGoLoad(t *testing.T, s djangosess.Store, key string) *serializer.Dict {
	t.Helper()
	r, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Go Load: %v", err)
	}
	return r.Data
}

// DjangoLoad is the data Django's store_load gives; the session must be
// found.
func DjangoLoad(t *testing.T, o *djangotest.Oracle, key string) *serializer.Dict {
	t.Helper()
	a := o.Do(t, map[string]any{"op": "store_load", "data": key})[0]
	if !a.OK {
		t.Fatalf("Django store_load: %s: %s", a.Error, a.Message)
	}
	v := a.Tagged(t).(*serializer.Dict)
	if found, _ := v.Bool("found"); !found {
		t.Fatal("Django did not find the session")
	}
	d, _ := v.Dict("data")
	return d
}

// DjangoSave saves d under key through Django's store_save.
func DjangoSave(t *testing.T, o *djangotest.Oracle, key string, d *serializer.Dict) {
	t.Helper()
	a := o.Do(t, map[string]any{"op": "store_save", "data": key, "value": concTag(t, d)})[0]
	if !a.OK {
		t.Fatalf("Django store_save: %s: %s", a.Error, a.Message)
	}
	if k := a.Tagged(t); k != serializer.Str(key) {
		t.Fatalf("Django store_save returned key %v", k)
	}
}

// concValue is one writer's value: {"w": writer, "i": i, "pad": 1 to 16
// kB of random letters}, so that the files span several pages and a torn
// write shows.
type concValue struct {
	d   *serializer.Dict
	pad string
	sum string // hex SHA-256 of pad
}

// concValues makes and remembers the writers' values.
type concValues struct {
	mu sync.Mutex
	m  map[string]*concValue
}

func (v *concValues) lookup(w string, i int) *concValue {
	if (w != "go" && w != "dj" && w != "init") || i < 0 || i > 1<<20 {
		return nil
	}
	name := fmt.Sprint(w, i)
	v.mu.Lock()
	defer v.mu.Unlock()
	if lv := v.m[name]; lv != nil {
		return lv
	}
	h := fnv.New64a()
	io.WriteString(h, w)
	r := rand.New(rand.NewPCG(uint64(i), h.Sum64()))
	b := make([]byte, 1000+r.IntN(15000))
	for k := range b {
		b[k] = 'a' + byte(r.IntN(26))
	}
	sum := sha256.Sum256(b)
	lv := &concValue{
		d:   serializer.DictOf("w", serializer.Str(w), "i", serializer.Int(i), "pad", serializer.Str(b)),
		pad: string(b),
		sum: hex.EncodeToString(sum[:]),
	}
	if v.m == nil {
		v.m = map[string]*concValue{}
	}
	v.m[name] = lv
	return lv
}

func (v *concValues) get(w string, i int) *serializer.Dict { return v.lookup(w, i).d }

// check reports whose value d is, and whether it is exactly that value.
func (v *concValues) check(d *serializer.Dict) (string, bool) {
	w, _ := d.String("w")
	i, _ := d.Int64("i")
	lv := v.lookup(w, int(i))
	return w, lv != nil && serializer.Equal(d, lv.d)
}

// concCounts counts a reader's loads by writer, and how often the writer
// changed between two loads.
type concCounts struct {
	n       map[string]int
	last    string
	changes int
}

func (c *concCounts) add(w string) {
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[w]++
	if c.last != "" && w != c.last {
		c.changes++
	}
	c.last = w
}

func (c *concCounts) String() string {
	total := 0
	for _, n := range c.n {
		total += n
	}
	return fmt.Sprintf("%d (go %d, dj %d, init %d; the writer changed %d times)", total, c.n["go"], c.n["dj"], c.n["init"], c.changes)
}

// concLoopScript runs testdata/djangoops.py's store_loop.
const concLoopScript = `import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.environ["DJANGOSESS_TESTDATA"])
import djangoops
djangoops.store_loop(sys.stdin, sys.stdout)
`

// concLoop is a Django process running store_loop.
type concLoop struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	done  chan struct{} // closed when its output ended
	lines []string      // its output after "ready"; read after done
}

// startConcLoop starts store_loop under dj with conf and waits until it
// is ready.
func startConcLoop(t *testing.T, dj djangotest.Django, conf map[string]any) *concLoop {
	t.Helper()
	pyrun.Require(t)
	cmd, in, out := dj.Piped(t, 4096, "-c", concLoopScript)
	l := &concLoop{cmd: cmd, in: in, out: out, done: make(chan struct{})}
	t.Cleanup(func() {
		in.Close()
		if !Closed(l.done) {
			cmd.Process.Kill()
		}
		cmd.Wait()
	})
	if _, err := in.Write(append(JSON(t, conf), '\n')); err != nil {
		t.Fatalf("writing to Django: %v", err)
	}
	if line, err := l.out.ReadString('\n'); line != "ready\n" {
		t.Fatalf("Django said %q, %v; want ready", line, err)
	}
	return l
}

// start lets it go and collects its output.
func (l *concLoop) start(t *testing.T) {
	t.Helper()
	go func() {
		defer close(l.done)
		for {
			line, err := l.out.ReadString('\n')
			if line != "" {
				l.lines = append(l.lines, strings.TrimSuffix(line, "\n"))
			}
			if err != nil {
				return
			}
		}
	}()
	if _, err := io.WriteString(l.in, "go\n"); err != nil {
		t.Fatalf("writing to Django: %v", err)
	}
}

// stop ends a reader's loop.
func (l *concLoop) stop() { l.in.Close() }

// wait waits for the end and returns the output lines before "done".
func (l *concLoop) wait(t *testing.T) []string {
	t.Helper()
	<-l.done
	if err := l.cmd.Wait(); err != nil {
		t.Fatalf("Django: %v", err)
	}
	if len(l.lines) == 0 || l.lines[len(l.lines)-1] != "done" {
		t.Fatalf("Django's output did not end with done")
	}
	return l.lines[:len(l.lines)-1]
}

func concTag(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
