package main

import "github.com/djangosess/djangosess/serializer"

// newPickleSerializer returns Django's PickleSerializer for "pickle"
// (protocol 5, as Django writes on Python ≥ 3.8; any protocol is read).
func newPickleSerializer(name string) (serializer.Codec, error) {
	if name == "pickle" {
		return serializer.Pickle{}, nil
	}
	return nil, usageErrorf("--serializer: unknown serializer %q (json or pickle)", name)
}
