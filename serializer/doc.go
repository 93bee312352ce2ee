// Package serializer holds the Python value model shared by every codec in
// this module, and the codecs themselves: JSON exactly as Python's json module
// reads and writes it (what Django's JSONSerializer uses), pickle, and the
// tagged JSON that the djangosess command prints.
//
// A decoded session is a *Dict. Typed accessors give Go values back:
//
//	d, _ := serializer.JSON{}.Unmarshal(data)
//	uid, ok := d.(*serializer.Dict).String("_auth_user_id")
//
// Every decoder takes limits (input size, nesting depth) and returns errors
// that match ErrMalformed, ErrTooLarge or ErrUnsupported with errors.Is; none
// panics on any input.
package serializer
