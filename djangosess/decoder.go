package djangosess

import (
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// A Decoder decodes one session after another, as its Codec's DecodeInfo
// does, reusing its memory from one call to the next: with the JSON
// serializer, the dicts and lists of the session it returns are valid only
// until its next call, which overwrites them (see serializer.JSONDecoder);
// strs and all other values stay valid. After its first sessions a typical
// one decodes with a few small allocations instead of about a kilobyte.
//
// It is for loops that are done with each session before the next:
// listing, checking, copying or printing every session of a store (the
// CLI's decode --lines uses one per worker). A Decoder must not be used by
// several goroutines at once; Codec itself has no such limits.
type Decoder struct {
	c *Codec
	r *signing.ObjectReader // nil when the codec does not read signed data
}

// NewDecoder returns a Decoder for c.
func (c *Codec) NewDecoder() *Decoder {
	d := &Decoder{c: c}
	if c.reader != nil {
		d.r = c.reader.NewObjectReader()
	}
	return d
}

// Decode is Codec.Decode, except that the dicts and lists of the session
// are valid only until the next call.
func (d *Decoder) Decode(data string) (*serializer.Dict, error) {
	info, err := d.DecodeInfo(data)
	return info.Data, err
}

// DecodeInfo is Codec.DecodeInfo, except that the dicts and lists of the
// session are valid only until the next call.
func (d *Decoder) DecodeInfo(data string) (Decoded, error) {
	return d.c.decodeInfo(data, d.r)
}
