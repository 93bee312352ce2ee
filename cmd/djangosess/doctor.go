package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
)

// doctorReport is what doctor --json prints.
type doctorReport struct {
	Engine   string             `json:"engine"`
	Findings []transfer.Finding `json:"findings"`
	Warnings int                `json:"warnings"`
	Errors   int                `json:"errors"`
}

// runDoctor checks the configured store's setup (transfer.DoctorSettings)
// and prints one line per finding. Exit status 0 when every finding is
// ok or info, 1 when there is a warning or an error, 2 for a usage error.
func runDoctor(ctx context.Context, args []string, e *env) error {
	var asJSON bool
	var maxFiles int
	var f storeFlags
	fs := newFlagSet("doctor", "", `
Checks the setup of the configured store and says what to fix: a
SECRET_KEY (and fallbacks) that Django's own deployment check calls weak
(security.W009, W025), the pickle serializer, a Redis that persists
nothing or evicts keys under the cache engine (sessions lost on a restart
or when memory is full), a session directory or files other users can
read, a session table without its expire_date index, and expired sessions
piling up because nothing runs clearsessions. It only reads.

One line per finding: OK, INFO, WARN or ERROR, the check's id, what was
found and what to do. Exit status 1 when there is a warning or an error.
The secret key is optional here (without it the key is not checked) and is
never printed.`+"\n"+storeDoc, e)
	f.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print {\"engine\", \"findings\": [{\"check\", \"severity\", \"message\", \"advice\"}], \"warnings\", \"errors\"}")
	fs.IntVar(&maxFiles, "max-files", 1000, "examine at most `N` session files (file engine)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("doctor takes no arguments")
	}
	s, err := engine.FromEnv(f.s, e.getenv)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if f.age < 0 {
		return usageErrorf("--cookie-age must be positive")
	}
	if f.age > 0 {
		s.CookieAge = time.Duration(f.age) * time.Second
	}
	name, err := engine.EngineName(s.Engine)
	if err != nil {
		return usageErrorf("%v", err)
	}
	// The key is optional: doctor checks it when it is given.
	if f.secrets.keyFile != "" || e.getenv(envSecretKey) != "" {
		if s.SecretKey, s.FallbackKeys, err = f.secrets.load(e.getenv); err != nil {
			return err
		}
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	findings, err := transfer.DoctorSettings(ctx, s, transfer.DoctorOptions{MaxFiles: maxFiles})
	if err != nil {
		if errors.Is(err, djangosess.ErrConfig) {
			return usageErrorf("%v", err)
		}
		return err
	}
	rep := doctorReport{Engine: name, Findings: findings}
	for _, x := range findings {
		switch x.Severity {
		case transfer.SeverityWarning:
			rep.Warnings++
		case transfer.SeverityError:
			rep.Errors++
		}
	}
	if asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else {
		w := e.stdout
		for _, x := range findings {
			line := fmt.Sprintf("%-5s %-18s %s", doctorLabel(x.Severity), x.Check, x.Message)
			if x.Advice != "" {
				line += ". Fix: " + x.Advice
			}
			fmt.Fprintln(w, line)
		}
		if _, err := fmt.Fprintf(w, "doctor: %s engine: %d findings, warnings %d, errors %d\n", name, len(findings), rep.Warnings, rep.Errors); err != nil {
			return err
		}
	}
	if rep.Warnings+rep.Errors > 0 {
		return errSomeRejected
	}
	return nil
}

func doctorLabel(s transfer.Severity) string {
	switch s {
	case transfer.SeverityOK:
		return "OK"
	case transfer.SeverityInfo:
		return "INFO"
	case transfer.SeverityWarning:
		return "WARN"
	}
	return "ERROR"
}
