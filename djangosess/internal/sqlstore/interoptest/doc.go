// Package interoptest runs real Django (through testdata/oracle.py) and a Go
// SQL session store on the same database, for every Django version on the
// machine, both serializers and USE_TZ true and false, and checks that
// each side reads what the other wrote: values, expire_date, deletes,
// expiries and clear_expired.
//
// It is imported by the engines' tests only.
package interoptest
