//go:build linux

package files

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/djangorace"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// tmpfsPage is the unit in which tmpfs hands out space.
const tmpfsPage = 4096

// smallFS mounts a 256 KiB tmpfs on a fresh directory and unmounts it when
// the test ends. Mounting needs root (CAP_SYS_ADMIN): without it the test
// skips, also under CI, unless it runs as root there.
func smallFS(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := syscall.Mount("tmpfs", root, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size=256k,mode=0700"); err != nil {
		if os.Getenv("CI") == "true" && os.Geteuid() == 0 {
			t.Fatalf("mounting a 256 KiB tmpfs as root: %v", err)
		}
		t.Skipf("cannot mount a tmpfs to fill (this needs root): %v", err)
	}
	// Registered after t.TempDir's removal, so it runs before it.
	t.Cleanup(func() {
		if err := syscall.Unmount(root, 0); err != nil {
			t.Errorf("unmounting the tmpfs: %v", err)
			syscall.Unmount(root, syscall.MNT_DETACH)
		}
	})
	if err := os.Mkdir(filepath.Join(root, "sessions"), 0o700); err != nil {
		t.Fatal(err)
	}
	return root
}

// freePages is how many pages the file system has left.
func freePages(t *testing.T, root string) int {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(root, &st); err != nil {
		t.Fatal(err)
	}
	return int(st.Bavail) * int(st.Bsize) / tmpfsPage
}

// leaveFree rewrites root/filler so that exactly pages pages stay free.
func leaveFree(t *testing.T, root string, pages int) {
	t.Helper()
	filler := filepath.Join(root, "filler")
	if err := os.Remove(filler); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	free := freePages(t, root)
	if free < pages {
		t.Fatalf("only %d pages free, want %d", free, pages)
	}
	if err := os.WriteFile(filler, make([]byte, (free-pages)*tmpfsPage), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := freePages(t, root); got != pages {
		t.Fatalf("%d pages free after filling, want %d", got, pages)
	}
}

// letters is a session {"w": w, "j": j, "pad": n random letters}: random
// letters do not compress much, so its file is about 0.8 n bytes.
func letters(w string, j, n int) *serializer.Dict {
	r := rand.New(rand.NewPCG(uint64(j), uint64(len(w))<<32|uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(r.IntN(26))
	}
	return serializer.DictOf("w", serializer.Str(w), "j", serializer.Int(j), "pad", serializer.Str(b))
}

// isNoSpace reports the error a write to a full file system must give.
func isNoSpace(t *testing.T, what string, err error, key string) {
	t.Helper()
	if !errors.Is(err, syscall.ENOSPC) || !errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("%s on a full file system = %v, want ENOSPC and ErrUnavailable", what, err)
	}
	if err != nil && strings.Contains(err.Error(), key) {
		t.Errorf("%s: the error repeats the key: %v", what, err)
	}
}

// Saves and creates on a file system that is nearly full (the temporary
// file runs out of space halfway) or full (not one byte fits) fail with
// ENOSPC and change nothing: the old session stays byte for byte, no
// temporary file stays, and a new key gets no file at all, not even
// Django's empty placeholder (which Django and Load would read as an
// empty session, and which would keep the key taken). Once there is space
// again the same writes work.
func TestNoSpace(t *testing.T) {
	root := smallFS(t)
	s := newStore(t, Config{Dir: filepath.Join(root, "sessions")})
	key, newKey := mustKey(t), mustKey(t)
	name := "sessionid" + key
	if err := s.Create(ctx, key, djangosess.Record{Data: session(1)}); err != nil {
		t.Fatal(err)
	}
	path, _ := s.Path(key)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	big := letters("big", 0, 40_000)
	if enc, err := s.codec.Encode(big); err != nil || len(enc) <= 4*tmpfsPage {
		t.Fatalf("the big session encodes to %d bytes (%v), want more than 4 pages", len(enc), err)
	}
	unchanged := func(what string, free int) {
		t.Helper()
		if b, err := os.ReadFile(path); err != nil || string(b) != string(before) {
			t.Errorf("%s: the session file changed (%d bytes, %v)", what, len(b), err)
		}
		if got := mustLoadData(t, s, key); !serializer.Equal(got, session(1)) {
			t.Errorf("%s: Load = %v", what, got)
		}
		onlyFiles(t, s.Dir(), name)
		if ok, err := s.Exists(ctx, newKey); ok || err != nil {
			t.Errorf("%s: the new key has a file (%v)", what, err)
		}
		if got := freePages(t, root); got != free {
			t.Errorf("%s: %d pages free, want %d back", what, got, free)
		}
	}

	for _, free := range []int{2, 0} {
		leaveFree(t, root, free)
		what := fmt.Sprintf("%d pages free", free)
		isNoSpace(t, "Save, "+what, s.Save(ctx, key, djangosess.Record{Data: big}), key)
		unchanged("Save, "+what, free)
		isNoSpace(t, "Create, "+what, s.Create(ctx, newKey, djangosess.Record{Data: big}), newKey)
		unchanged("Create, "+what, free)
	}
	// Full: even the smallest session does not fit, and the placeholder
	// path Create takes without hard links leaves no placeholder either.
	isNoSpace(t, "Save of {}", s.Save(ctx, key, djangosess.Record{}), key)
	unchanged("Save of {}", 0)
	linkFile = func(oldname, newname string) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.EPERM}
	}
	t.Cleanup(func() { linkFile = os.Link })
	isNoSpace(t, "Create without hard links", s.Create(ctx, newKey, djangosess.Record{Data: session(2)}), newKey)
	unchanged("Create without hard links", 0)
	linkFile = os.Link

	// With space again, the same writes work.
	if err := os.Remove(filepath.Join(root, "filler")); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, key, djangosess.Record{Data: big}); err != nil {
		t.Fatalf("Save after freeing space: %v", err)
	}
	if err := s.Create(ctx, newKey, djangosess.Record{Data: session(2)}); err != nil {
		t.Fatalf("Create after freeing space: %v", err)
	}
	if got := mustLoadData(t, s, key); !serializer.Equal(got, big) {
		t.Error("Load after the Save with space gives something else")
	}
	if got := mustLoadData(t, s, newKey); !serializer.Equal(got, session(2)) {
		t.Errorf("Load of the new key = %v", got)
	}
	onlyFiles(t, s.Dir(), min(name, "sessionid"+newKey), max(name, "sessionid"+newKey))
}

// Many goroutines save and create sessions on a file system with a few
// pages left, while others load them: every write either works or fails
// with ENOSPC, every load and every file left is one complete session its
// key was given, no temporary file stays and a failed Create leaves no
// file.
func TestNoSpaceConcurrent(t *testing.T) {
	root := smallFS(t)
	s := newStore(t, Config{Dir: filepath.Join(root, "sessions")})
	// 11 pages free. Writers 0 to 3 create creates[w] (one page) first;
	// then every writer saves values[w][j] (one to three pages) over
	// keys[(w+j)%nkeys]; writer 0's last save is larger than the free
	// space ever is. The sessions can grow by 4 pages and the creates
	// take 4, so a lone save always has room, and concurrent ones
	// sometimes not.
	const nkeys, writers, ops, free = 2, 8, 20, 11
	initial := letters("init", 0, 100)
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = mustKey(t)
		if err := s.Create(ctx, keys[i], djangosess.Record{Data: initial}); err != nil {
			t.Fatal(err)
		}
	}
	values := make([][]*serializer.Dict, writers)
	creates := make([]string, writers)
	for w := range values {
		creates[w] = mustKey(t)
		for j := range ops {
			n := 2000 + (w*7919+j*104729)%10000
			switch {
			case j == 0:
				n = 2000
			case j == ops-1 && w == 0:
				n = 80_000
			}
			values[w] = append(values[w], letters(fmt.Sprint("w", w), j, n))
		}
	}
	pages := func(d *serializer.Dict) int {
		enc, err := s.codec.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		return (len(enc) + tmpfsPage - 1) / tmpfsPage
	}
	for w := range values {
		for j, d := range values[w] {
			n := pages(d)
			huge := j == ops-1 && w == 0
			if (j == 0 && n != 1) || (huge && n <= free) || (!huge && n > 3) {
				t.Fatalf("writer %d's session %d is %d pages", w, j, n)
			}
		}
	}
	// belongs reports whether d is a complete session that key was given.
	belongs := func(key string, d *serializer.Dict) bool {
		if serializer.Equal(d, initial) {
			return true
		}
		w := -1
		if name, _ := d.String("w"); len(name) > 1 {
			fmt.Sscan(name[1:], &w)
		}
		j, _ := d.Int64("j")
		if w < 0 || w >= writers || j < 0 || j >= ops || !serializer.Equal(d, values[w][j]) {
			return false
		}
		if j == 0 {
			return creates[w] == key
		}
		return keys[(w+int(j))%nkeys] == key
	}
	leaveFree(t, root, free)
	// Writers hold their finished temporary files a little before the
	// rename, letting the others run: more of them are on disk at once.
	stageHook = func(stage, _ string) error {
		if stage == "publish" {
			for range 20 {
				runtime.Gosched()
			}
		}
		return nil
	}
	t.Cleanup(func() { stageHook = func(string, string) error { return nil } })

	var saved, full, created, createFull, loads atomic.Int64
	createdKeys := make([]bool, writers)
	stop := make(chan struct{})
	var rg sync.WaitGroup
	rg.Go(func() {
		for i := 0; !djangorace.Closed(stop); i++ {
			key := keys[i%nkeys]
			rec, err := s.Load(ctx, key)
			if err != nil {
				t.Errorf("Load while the file system is full: %v", err)
				return
			}
			if !belongs(key, rec.Data) {
				t.Errorf("Load while the file system is full gave a session never saved under its key: %.100v", rec.Data)
				return
			}
			loads.Add(1)
		}
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for j := range ops {
				if j == 0 {
					if w >= 4 {
						continue
					}
					switch err := s.Create(ctx, creates[w], djangosess.Record{Data: values[w][j]}); {
					case err == nil:
						created.Add(1)
						createdKeys[w] = true
					case errors.Is(err, syscall.ENOSPC) && errors.Is(err, djangosess.ErrUnavailable):
						createFull.Add(1)
					default:
						t.Errorf("Create: %v", err)
					}
					continue
				}
				switch err := s.Save(ctx, keys[(w+j)%nkeys], djangosess.Record{Data: values[w][j]}); {
				case err == nil && j == ops-1 && w == 0:
					t.Error("a Save larger than the free space worked")
				case err == nil:
					saved.Add(1)
				case errors.Is(err, syscall.ENOSPC) && errors.Is(err, djangosess.ErrUnavailable):
					full.Add(1)
				default:
					t.Errorf("Save: %v", err)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	t.Logf("saves: %d done, %d ENOSPC; creates: %d done, %d ENOSPC; %d loads; %d pages free at the end",
		saved.Load(), full.Load(), created.Load(), createFull.Load(), loads.Load(), freePages(t, root))

	// What is left: the sessions and the created keys, nothing else, and
	// each file one complete session of its key.
	want := map[string]bool{}
	for _, k := range keys {
		want["sessionid"+k] = true
	}
	for w, k := range creates {
		if createdKeys[w] {
			want["sessionid"+k] = true
		}
	}
	names := dirNames(t, s.Dir())
	if len(names) != len(want) {
		t.Errorf("%d files left, want %d", len(names), len(want))
	}
	for _, name := range names {
		if !want[name] {
			t.Errorf("unexpected file %q", name)
			continue
		}
		key := strings.TrimPrefix(name, "sessionid")
		rec, err := s.Load(ctx, key)
		if err != nil || !belongs(key, rec.Data) {
			t.Errorf("the file of a session is not one complete session of its key: %v", err)
		}
	}
}

// What Django's file backend does on the same file systems, and what Load
// makes of the files it leaves. Django reports success every time: its
// save ignores OSError and the count os.write returns. Nearly full, the
// write stops where the space ends and Django renames the cut file over
// the session, which is lost (Django then loads {}; Load gives a decode
// error). Full, the write fails: a save keeps the old session, a create
// leaves its empty O_EXCL placeholder, an empty session for both.
func TestNoSpaceDjango(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		t.Run(dj.Version, func(t *testing.T) {
			root := smallFS(t)
			s := newStore(t, Config{Dir: filepath.Join(root, "sessions")})
			o := dj.Start(t, "--settings="+string(djangorace.JSON(t, map[string]any{
				"SESSION_ENGINE": "django.contrib.sessions.backends.file", "SESSION_FILE_PATH": s.Dir(),
			})))
			big := letters("big", 0, 40_000)
			enc, err := s.codec.Encode(big)
			if err != nil {
				t.Fatal(err)
			}
			create := func(d *serializer.Dict) string {
				t.Helper()
				a := o.Do(t, map[string]any{"op": "store_create", "value": tag(t, d)})[0]
				if !a.OK {
					t.Fatalf("Django store_create: %s: %s", a.Error, a.Message)
				}
				return string(a.Tagged(t).(serializer.Str))
			}
			file := func(key string) []byte {
				t.Helper()
				p, _ := s.Path(key)
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			// lost checks a session Django cut short.
			lost := func(what, key string) {
				t.Helper()
				if b := file(key); len(b) == 0 || len(b) >= len(enc) {
					t.Errorf("%s: Django left %d bytes, want a part of about %d", what, len(b), len(enc))
				}
				if r, err := s.Load(ctx, key); !errors.Is(err, signing.ErrBadSignature) && !errors.Is(err, signing.ErrMalformed) {
					t.Errorf("%s: Load of the cut file = %.60v, %v; want a decode error", what, r.Data, err)
				}
				if d := djangorace.DjangoLoad(t, o, key); d.Len() != 0 {
					t.Errorf("%s: Django loads %.60v, want {}", what, d)
				}
			}

			// Nearly full.
			key := create(session(1))
			leaveFree(t, root, 2)
			djangorace.DjangoSave(t, o, key, big)
			lost("save, 2 pages free", key)
			lost("create, 2 pages free", create(big))

			// Full.
			if err := os.Remove(filepath.Join(root, "filler")); err != nil {
				t.Fatal(err)
			}
			key = create(session(2))
			before := file(key)
			leaveFree(t, root, 0)
			djangorace.DjangoSave(t, o, key, big)
			if string(file(key)) != string(before) {
				t.Error("save, full: the session file changed")
			}
			if got := mustLoadData(t, s, key); !serializer.Equal(got, session(2)) {
				t.Errorf("save, full: Load = %v", got)
			}
			if got := djangorace.DjangoLoad(t, o, key); !serializer.Equal(got, session(2)) {
				t.Errorf("save, full: Django loads %v", got)
			}
			placeholder := create(big)
			if b := file(placeholder); len(b) != 0 {
				t.Errorf("create, full: Django left %d bytes, want its empty placeholder", len(b))
			}
			if got := mustLoadData(t, s, placeholder); got.Len() != 0 {
				t.Errorf("create, full: Load = %v, want {}", got)
			}
			if got := djangorace.DjangoLoad(t, o, placeholder); got.Len() != 0 {
				t.Errorf("create, full: Django loads %v, want {}", got)
			}
		})
	}
}
