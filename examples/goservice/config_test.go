package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(envOf(map[string]string{
		"DJANGO_SECRET_KEY":           "current",
		"DJANGO_SECRET_KEY_FALLBACKS": "old-1\r\n\nold-2\n",
		"DATABASE_URL":                "postgres://u@db/app",
		"CACHE_KEY_PREFIX":            "site",
		"SESSION_COOKIE_AGE":          "3600",
		"DJANGO_VERSION":              "4.2",
		"CACHE_CLIENT":                "django",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.settings
	if c.listen != "127.0.0.1:8001" || s.Engine != "cached_db" || s.CookieName != "sessionid" {
		t.Errorf("defaults: listen %q, engine %q, cookie %q", c.listen, s.Engine, s.CookieName)
	}
	if string(s.SecretKey) != "current" || len(s.FallbackKeys) != 2 ||
		string(s.FallbackKeys[0]) != "old-1" || string(s.FallbackKeys[1]) != "old-2" {
		t.Errorf("keys: %q, fallbacks %q", s.SecretKey, s.FallbackKeys)
	}
	if s.DatabaseURL != "postgres://u@db/app" || s.CacheKeyPrefix != "site" || s.CacheClient != "django" ||
		s.CookieAge != time.Hour || s.Django != (djangosess.Version{Major: 4, Minor: 2}) {
		t.Errorf("settings: %+v", s)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want error // nil: any error
	}{
		{"no secret key", map[string]string{}, nil},
		{"bad version", map[string]string{"DJANGO_SECRET_KEY": "secret-value", "DJANGO_VERSION": "four"}, djangosess.ErrVersion},
		{"bad cookie age", map[string]string{"DJANGO_SECRET_KEY": "secret-value", "SESSION_COOKIE_AGE": "-1"}, djangosess.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(envOf(tc.env))
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("loadConfig: %v, want an error matching %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret-value") {
				t.Errorf("error repeats a value: %v", err)
			}
		})
	}
}
