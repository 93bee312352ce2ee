package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
)

// config is everything the service reads from the environment.
type config struct {
	listen   string
	settings engine.Settings
}

// loadConfig reads the environment the Django project reads. Errors name
// variables, never their values.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{listen: getenv("LISTEN")}
	if c.listen == "" {
		c.listen = "127.0.0.1:8001"
	}
	s := engine.Settings{Engine: getenv("SESSION_ENGINE"), CacheClient: getenv("CACHE_CLIENT")}
	if s.Engine == "" {
		s.Engine = engine.CachedDB // the Django project's default
	}
	s, err := engine.FromEnv(s, getenv)
	if err != nil {
		return c, err
	}
	if s.CookieName == "" {
		s.CookieName = "sessionid"
	}
	key := getenv("DJANGO_SECRET_KEY")
	if key == "" {
		return c, errors.New("DJANGO_SECRET_KEY is not set")
	}
	s.SecretKey = []byte(key)
	for _, k := range strings.Split(getenv("DJANGO_SECRET_KEY_FALLBACKS"), "\n") {
		if k = strings.TrimSuffix(k, "\r"); k != "" {
			s.FallbackKeys = append(s.FallbackKeys, []byte(k))
		}
	}
	if v := getenv("DJANGO_VERSION"); v != "" {
		if s.Django, err = djangosess.ParseVersion(v); err != nil {
			return c, fmt.Errorf("DJANGO_VERSION: %w", err)
		}
	}
	c.settings = s
	return c, nil
}
