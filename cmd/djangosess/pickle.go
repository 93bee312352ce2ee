package main

import "github.com/djangosess/djangosess/serializer"

// newPickleSerializer is the pickle serializer, once it exists.
func newPickleSerializer(name string) (serializer.Codec, error) {
	return nil, usageErrorf("--serializer: unknown serializer %q (json)", name)
}
