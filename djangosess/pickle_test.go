package djangosess

import "github.com/djangosess/djangosess/serializer"

// pickleSerializer is the pickle codec, for the vectors made with
// PickleSerializer; nil until it exists.
func pickleSerializer() serializer.Codec { return nil }
