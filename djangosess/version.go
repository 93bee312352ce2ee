package djangosess

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is a Django release, as far as the wire formats care.
type Version struct {
	Major, Minor, Patch int
}

// The versions whose behaviour this package knows. Versions after Newest are
// treated as Newest; versions before Oldest are refused.
var (
	Oldest = Version{1, 11, 0}
	Newest = Version{6, 0, 0}
)

// Versions where the formats changed (django-formats.md §14).
var (
	v3_1   = Version{3, 1, 0} // new session format, Signer sha256 with sha1 accepted
	v3_1_1 = Version{3, 1, 1} // legacy writing again under DEFAULT_HASHING_ALGORITHM='sha1'
	v4_0   = Version{4, 0, 0} // legacy formats and sha1 removed
	v4_1   = Version{4, 1, 0} // SECRET_KEY_FALLBACKS; _session_expiry as ISO string
)

// ErrVersion is returned for a version string that is not a Django release
// this package knows.
var ErrVersion = errors.New("djangosess: unsupported Django version")

// ParseVersion parses "3.2", "3.1.1" or "5.2.18".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("%w: %q (want MAJOR.MINOR[.PATCH])", ErrVersion, s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || (len(p) > 1 && p[0] == '0') {
			return Version{}, fmt.Errorf("%w: %q", ErrVersion, s)
		}
		n[i] = v
	}
	v := Version{n[0], n[1], n[2]}
	if v.Less(Oldest) {
		return Version{}, fmt.Errorf("%w: %s is older than %s", ErrVersion, v, Oldest)
	}
	return v, nil
}

// String returns "3.2" or "3.1.1".
func (v Version) String() string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Patch < w.Patch
}

// IsZero reports whether v is the zero Version (no version chosen).
func (v Version) IsZero() bool { return v == Version{} }

// orNewest returns Newest for the zero Version.
func (v Version) orNewest() Version {
	if v.IsZero() {
		return Newest
	}
	return v
}

// Compat is the range of Django versions whose data a reader accepts. The
// zero Compat accepts what any version from Oldest to Newest wrote: legacy
// and new formats, sha1 and sha256 signatures, fallback keys. Strict(v)
// accepts exactly what Django v accepts.
type Compat struct {
	Min, Max Version // inclusive; zero values mean Oldest and Newest
}

// Strict returns the Compat of a single Django version.
func Strict(v Version) Compat { return Compat{Min: v, Max: v} }

func (c Compat) bounds() (lo, hi Version) {
	lo, hi = c.Min, c.Max
	if lo.IsZero() {
		lo = Oldest
	}
	if hi.IsZero() {
		hi = Newest
	}
	return lo, hi
}

// includes reports whether some version in [from, to) is in the range.
func (c Compat) includes(from, to Version) bool {
	lo, hi := c.bounds()
	return lo.Less(to) && !hi.Less(from)
}

var forever = Version{1 << 30, 0, 0}

// AcceptsLegacy reports whether the pre-3.1 session format
// (base64(sha1hex ":" data)) is read: Django ≤ 3.2.
func (c Compat) AcceptsLegacy() bool { return c.includes(Oldest, v4_0) }

// AcceptsNewFormat reports whether signing.dumps-style session data is read: Django ≥ 3.1.
func (c Compat) AcceptsNewFormat() bool { return c.includes(v3_1, forever) }

// AcceptsSHA1 reports whether sha1 signatures are accepted beside the
// configured algorithm: Django ≤ 3.2 (always sha1 before 3.1, and as a
// fallback in 3.1 and 3.2 whatever DEFAULT_HASHING_ALGORITHM says).
func (c Compat) AcceptsSHA1() bool { return c.includes(Oldest, v4_0) }

// AcceptsOtherAlgorithms reports whether a signature algorithm other than
// sha1 can verify at all: Django ≥ 3.1 (older Signers are sha1 only).
func (c Compat) AcceptsOtherAlgorithms() bool { return c.includes(v3_1, forever) }

// AcceptsFallbackKeys reports whether SECRET_KEY_FALLBACKS are tried: Django ≥ 4.1.
func (c Compat) AcceptsFallbackKeys() bool { return c.includes(v4_1, forever) }

// String describes the range.
func (c Compat) String() string {
	lo, hi := c.bounds()
	if lo == hi {
		return "Django " + lo.String()
	}
	return "Django " + lo.String() + "–" + hi.String()
}

// SignerAlgorithms returns the algorithms a django.core.signing Signer
// created with the given algorithm (empty: the default) accepts across the
// range: the one it signs with first, then the others it verifies. Before
// Django 3.1 a Signer has no algorithm argument and is sha1 only; Django
// 3.1 and 3.2 always accept sha1 too.
func (c Compat) SignerAlgorithms(algorithm string) (primary string, legacy []string, err error) {
	if !c.AcceptsOtherAlgorithms() {
		if algorithm != "" && algorithm != "sha1" {
			return "", nil, fmt.Errorf("%w: the Signer of %v has no algorithm argument (sha1 only)", ErrConfig, c)
		}
		return "sha1", nil, nil
	}
	primary = algorithm
	if primary == "" {
		primary = "sha256"
	}
	if primary != "sha1" && c.AcceptsSHA1() {
		legacy = []string{"sha1"}
	}
	return primary, legacy, nil
}
