package djangosess

import (
	"context"
	"errors"
	"fmt"

	"github.com/djangosess/djangosess/keys"
)

// CreateNew stores r under a freshly drawn session key and returns the key,
// drawing again while the key is taken, as Django's create() does.
func CreateNew(ctx context.Context, s Store, r Record) (string, error) {
	for range MaxCreateAttempts {
		key, err := keys.Generate()
		if err != nil {
			return "", err
		}
		err = s.Create(ctx, key, r)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, ErrExists) {
			return "", err
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%w: no free session key after %d attempts", ErrUnavailable, MaxCreateAttempts)
}

// Put stores r under key whether or not a session is there: an update,
// or a create when the key is free. (Django itself never upserts; this is
// for tools that set a session by key.)
func Put(ctx context.Context, s Store, key string, r Record) error {
	for range 3 {
		err := s.Save(ctx, key, r)
		if !errors.Is(err, ErrVanished) {
			return err
		}
		err = s.Create(ctx, key, r)
		if !errors.Is(err, ErrExists) {
			return err
		}
		// Created by someone else meanwhile: update it.
	}
	return fmt.Errorf("%w: the session kept appearing and vanishing", ErrVanished)
}
