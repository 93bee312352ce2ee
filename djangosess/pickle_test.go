package djangosess

import "github.com/djangosess/djangosess/serializer"

// pickleSerializer is Django's PickleSerializer (protocol 5, as on Python ≥ 3.8).
func pickleSerializer() serializer.Codec { return serializer.Pickle{} }
