//go:build unix

package files

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

func init() {
	helpers["save-loop"] = saveLoop
	helpers["fsize"] = fsizeLimited
}

// bigSession is session j of the crash tests: large enough that writing
// it takes a while, and each one different.
func bigSession(j int) *serializer.Dict {
	r := rand.New(rand.NewPCG(uint64(j), 7))
	b := make([]byte, 200_000)
	for i := 0; i < len(b); i += 8 {
		x := r.Uint64()
		for k := i; k < i+8 && k < len(b); k++ {
			b[k] = 'a' + byte(x%26)
			x /= 26
		}
	}
	return serializer.DictOf("j", serializer.Int(j), "blob", serializer.Str(b))
}

// helperStore opens the store the parent test named in the environment.
func helperStore() (*Store, string, error) {
	c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(testSecret)})
	if err != nil {
		return nil, "", err
	}
	s, err := New(Config{Dir: os.Getenv("FILES_DIR"), Codec: c})
	return s, os.Getenv("FILES_KEY"), err
}

// saveLoop saves bigSession(1), bigSession(2), ... over one key until it
// is killed, saying "write" before writing each temporary file, "publish"
// before renaming it and "saved" after.
func saveLoop() error {
	s, key, err := helperStore()
	if err != nil {
		return err
	}
	stageHook = func(stage, _ string) error {
		_, err := os.Stdout.WriteString(stage + "\n")
		return err
	}
	for j := 1; ; j++ {
		if err := s.Save(ctx, key, djangosess.Record{Data: bigSession(j)}); err != nil {
			return err
		}
		if _, err := os.Stdout.WriteString("saved\n"); err != nil {
			return err
		}
	}
}

// fsizeLimited saves and creates with a file size limit (RLIMIT_FSIZE)
// below the session's size, so that the write fails halfway with EFBIG,
// and reports what the store returned.
func fsizeLimited() error {
	s, key, err := helperStore()
	if err != nil {
		return err
	}
	signal.Ignore(syscall.SIGXFSZ)
	lim := syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return err
	}
	for _, op := range []struct {
		name string
		fn   func() error
	}{
		{"Save", func() error { return s.Save(ctx, key, djangosess.Record{Data: bigSession(1)}) }},
		{"Create", func() error {
			return s.Create(ctx, os.Getenv("FILES_NEW_KEY"), djangosess.Record{Data: bigSession(2)})
		}},
	} {
		err := op.fn()
		fmt.Printf("%s: EFBIG %v, ErrUnavailable %v\n", op.name, errors.Is(err, syscall.EFBIG), errors.Is(err, djangosess.ErrUnavailable))
	}
	return nil
}

func helperCmd(t *testing.T, name string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + name}, env...)...)
	cmd.Stderr = os.Stderr
	return cmd
}

// A writer killed with SIGKILL at any moment leaves the old session or the
// new one, never part of one; its leftover temporary file is not a session.
func TestKilledWriter(t *testing.T) {
	s := newStore(t, Config{})
	key := mustKey(t)
	if err := s.Create(ctx, key, djangosess.Record{Data: bigSession(0)}); err != nil {
		t.Fatal(err)
	}
	maxJ := 0
	for round := range 6 {
		cmd := helperCmd(t, "save-loop", "FILES_DIR="+s.Dir(), "FILES_KEY="+key)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The writer says "write", "publish", "saved", "write", ...:
		// kill it right after line round+1, so while the temporary file
		// is written and synced, just before or during the rename, or
		// while the next session is being encoded.
		lines := bufio.NewScanner(out)
		for n := 0; n <= round && lines.Scan(); n++ {
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the writer ended with %v, not SIGKILL", round, err)
		}
		r, err := s.Load(ctx, key)
		if err != nil {
			t.Fatalf("round %d: Load after the kill: %v", round, err)
		}
		jv, _ := r.Data.GetStr("j")
		j := int(jv.(serializer.Int))
		if !serializer.Equal(r.Data, bigSession(j)) {
			t.Fatalf("round %d: the session is not a complete bigSession(%d)", round, j)
		}
		maxJ = max(maxJ, j)
	}
	if maxJ == 0 {
		t.Error("no writer ever replaced the session")
	}
	// Leftover temporary files are not sessions, and a day later
	// ClearExpired removes them.
	var leftovers []string
	for _, name := range dirNames(t, s.Dir()) {
		if name != "sessionid"+key {
			if !strings.HasPrefix(name, "sessionid"+key+"_out_") {
				t.Errorf("unexpected file %q", name)
			}
			leftovers = append(leftovers, name)
		}
	}
	t.Logf("%d of 6 kills left a temporary file", len(leftovers))
	for k, err := range s.Keys(ctx) {
		if err != nil || k != key {
			t.Errorf("Keys: %q, %v", k, err)
		}
	}
	later := newStore(t, Config{Dir: s.Dir(), Now: func() time.Time { return time.Now().Add(staleTemp + time.Hour) }})
	if _, err := later.ClearExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := changeTime(mustStat(t, filepath.Join(s.Dir(), "sessionid"+key))); ok {
		onlyFiles(t, s.Dir(), "sessionid"+key)
	}
}

// A write that fails halfway (the file size limit is hit while the
// temporary file is written) leaves the old session and no temporary file.
func TestWriteFailsHalfway(t *testing.T) {
	s := newStore(t, Config{})
	key, newKey := mustKey(t), mustKey(t)
	if err := s.Create(ctx, key, djangosess.Record{Data: session(1)}); err != nil {
		t.Fatal(err)
	}
	path, _ := s.Path(key)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := helperCmd(t, "fsize", "FILES_DIR="+s.Dir(), "FILES_KEY="+key, "FILES_NEW_KEY="+newKey)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	want := "Save: EFBIG true, ErrUnavailable true\nCreate: EFBIG true, ErrUnavailable true\n"
	if string(out) != want {
		t.Errorf("helper said %q, want %q", out, want)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != string(before) {
		t.Errorf("the session changed: %v", err)
	}
	onlyFiles(t, s.Dir(), "sessionid"+key)
}
