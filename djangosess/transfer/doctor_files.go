package transfer

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for DoctorSettings

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
)

// CheckFiles examines a session directory (the file engine): its mode
// and owner, the modes of up to opts.MaxFiles session files, and how
// many of those were last written longer than cookieAge ago. That is
// the expiry Django computes for a session without _session_expiry,
// so such files are (almost all) expired: a session given a later
// expiry by set_expiry is counted too. Nothing is opened or changed.
func CheckFiles(ctx context.Context, dir, cookieName string, cookieAge time.Duration, opts DoctorOptions) []Finding {
	opts = opts.withDefaults()
	if cookieName == "" {
		cookieName = "sessionid"
	}
	if cookieAge <= 0 {
		cookieAge = djangosess.DefaultCookieAge
	}
	if dir == "" {
		dir = os.TempDir()
	}
	storeErr := func(msg string) []Finding {
		return []Finding{{Check: CheckStore, Severity: SeverityError, Message: msg,
			Advice: "Create SESSION_FILE_PATH, owned by the web server's user, mode 0700."}}
	}
	di, err := os.Stat(dir)
	switch {
	case err != nil:
		return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s cannot be read: %s", dir, pathErrText(err)))
	case !di.IsDir():
		return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s is not a directory", dir))
	}
	now := opts.Now()
	var total, sampled, loose, stale, staleOld int
	var looseMode fs.FileMode
	d, err := os.Open(dir)
	if err != nil {
		return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s cannot be listed: %s", dir, pathErrText(err)))
	}
	defer d.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		ents, err := d.ReadDir(256)
		for _, ent := range ents {
			key, ok := strings.CutPrefix(ent.Name(), cookieName)
			if !ok || keys.ValidateFileKey(key) != nil {
				continue
			}
			total++
			if sampled >= opts.MaxFiles {
				continue
			}
			fi, err := ent.Info()
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			sampled++
			if fi.Mode().Perm()&0o077 != 0 {
				loose++
				looseMode = fi.Mode()
			}
			if exp := fi.ModTime().Add(cookieAge); exp.Before(now) {
				stale++
				if exp.Add(opts.ExpiredAge).Before(now) {
					staleOld++
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s cannot be listed: %s", dir, pathErrText(err)))
		}
	}
	var out []Finding
	perm := modeBits(di.Mode())
	if perm&0o044 != 0 {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityWarning,
			Message: fmt.Sprintf("SESSION_FILE_PATH %s (mode %04o) can be listed by other users, and the file names are the session keys: anyone on the machine can take over any session", dir, perm),
			Advice:  "Give the sessions a directory of their own, owned by the web server's user, mode 0700 (the default, the system's temporary directory, is listable by everyone)."})
	}
	if perm&0o022 != 0 {
		msg := fmt.Sprintf("SESSION_FILE_PATH %s (mode %04o) is writable by other users: they can add session files", dir, perm)
		if di.Mode()&fs.ModeSticky == 0 {
			msg += ", and delete or replace those of the application"
		}
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityWarning, Message: msg,
			Advice: "Make the directory writable by the web server's user only (chmod 0700)."})
	}
	if loose > 0 {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityWarning,
			Message: fmt.Sprintf("%d of %d session files examined are open to group or other users (e.g. mode %04o): they can read the sessions", loose, sampled, modeBits(looseMode)),
			Advice:  "chmod 0600 the session files (Django writes them 0600; a umask or a copy changed that)."})
	}
	if uid, ok := ownerUID(di); ok && os.Geteuid() >= 0 && uid != os.Geteuid() {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityInfo,
			Message: fmt.Sprintf("SESSION_FILE_PATH %s is owned by uid %d, not by the user running this check (uid %d)", dir, uid, os.Geteuid()),
			Advice:  "Make sure it belongs to the web server's user."})
	}
	if len(out) == 0 {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityOK,
			Message: fmt.Sprintf("SESSION_FILE_PATH %s (mode %04o) and the %d session files examined are private to their owner", dir, perm, sampled)})
	}
	of := ""
	if sampled < total {
		of = fmt.Sprintf(" (of %d session files)", total)
	}
	f := Finding{Check: CheckExpiredSessions, Severity: SeverityOK,
		Message: fmt.Sprintf("%d of %d session files examined%s were written more than SESSION_COOKIE_AGE (%s) ago", stale, sampled, of, roundAge(cookieAge))}
	if total == 0 {
		f.Message = "there are no session files"
	}
	switch {
	case stale == 0:
	case int64(stale) > opts.ExpiredLimit || 2*stale > sampled:
		f.Severity, f.Advice = SeverityWarning, clearAdvice
		f.Message += ": expired sessions are piling up"
	case staleOld > 0:
		f.Severity, f.Advice = SeverityWarning, clearAdvice
		f.Message += fmt.Sprintf(": %d of them expired more than %s ago, so nothing clears them", staleOld, roundAge(opts.ExpiredAge))
	}
	return append(out, f)
}

const clearAdvice = "Delete expired sessions on a schedule: manage.py clearsessions from cron (Django's documentation suggests daily), or djangosess clear-expired."

// modeBits is a mode as chmod takes it: the permissions with the
// setuid, setgid and sticky bits.
func modeBits(m fs.FileMode) uint32 {
	b := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// ownerUID is the owner of a file, where FileInfo.Sys has a Uid field
// (syscall.Stat_t on Unix systems).
func ownerUID(fi fs.FileInfo) (int, bool) {
	v := reflect.ValueOf(fi.Sys())
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0, false
	}
	f := v.FieldByName("Uid")
	if !f.IsValid() || !f.CanUint() {
		return 0, false
	}
	return int(f.Uint()), true
}
