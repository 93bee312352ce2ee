package transfer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for DoctorSettings

	"github.com/djangosess/djangosess/djangosess/engine"
)

// Django's deployment check on SECRET_KEY
// (django/core/checks/security/base.py).
const (
	secretKeyMinLength = 50
	secretKeyMinUnique = 5
	secretKeyInsecure  = "django-insecure-"
)

// WeakSecretKey reports whether Django's check_secret_key (security.W009)
// or check_secret_key_fallbacks (security.W025) would flag key, and the
// rules it breaks. Characters are counted as Python counts those of a
// str: code points, an invalid UTF-8 byte counting as one (Python's
// surrogateescape). An empty key is weak, as Django reports it.
func WeakSecretKey(key []byte) (weak bool, reasons []string) {
	n := 0
	seen := map[rune]struct{}{}
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRune(key[i:])
		if r == utf8.RuneError && size == 1 {
			r = 0xDC00 + rune(key[i]) // surrogateescape
		}
		seen[r] = struct{}{}
		n++
		i += size
	}
	if n < secretKeyMinLength {
		reasons = append(reasons, fmt.Sprintf("shorter than %d characters", secretKeyMinLength))
	}
	if len(seen) < secretKeyMinUnique {
		reasons = append(reasons, fmt.Sprintf("fewer than %d distinct characters", secretKeyMinUnique))
	}
	if strings.HasPrefix(string(key), secretKeyInsecure) {
		reasons = append(reasons, fmt.Sprintf("starts with %q, which startproject writes", secretKeyInsecure))
	}
	return len(reasons) > 0, reasons
}

// CheckSecretKeys checks SECRET_KEY and its fallbacks as Django's
// deployment checks do: one finding for SECRET_KEY (W009), one warning
// per weak fallback (W025, Django 4.1+), and one ok for the fallbacks
// when none is weak. No key is ever shown.
func CheckSecretKeys(key []byte, fallbacks [][]byte) []Finding {
	const advice = "Generate a long random key (python -c 'from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())'), " +
		"put the current one first in SECRET_KEY_FALLBACKS so existing sessions stay valid, and drop the old one once they have expired (djangosess resign rewrites them sooner)."
	var out []Finding
	if len(key) == 0 {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityInfo,
			Message: "no SECRET_KEY given, so it was not checked",
			Advice:  "Give SECRET_KEY (on the command line: $DJANGO_SECRET_KEY or --secret-key-file) to check it."})
	} else if weak, why := WeakSecretKey(key); weak {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityWarning,
			Message: "SECRET_KEY fails Django's check (security.W009): it is " + strings.Join(why, ", "),
			Advice:  advice})
	} else {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityOK,
			Message: "SECRET_KEY passes Django's check (security.W009)"})
	}
	weakFallbacks := 0
	for i, fb := range fallbacks {
		if weak, why := WeakSecretKey(fb); weak {
			weakFallbacks++
			out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityWarning,
				Message: fmt.Sprintf("SECRET_KEY_FALLBACKS[%d] fails Django's check (security.W025): it is %s", i, strings.Join(why, ", ")),
				Advice:  "Sessions signed with a weak key can be forged: remove it from the fallbacks (its sessions end) or re-sign them first with djangosess resign."})
		}
	}
	if len(fallbacks) > 0 && weakFallbacks == 0 {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityOK,
			Message: fmt.Sprintf("the %d SECRET_KEY_FALLBACKS pass Django's check (security.W025)", len(fallbacks))})
	}
	return out
}

func checkSerializer(name, eng string) (Finding, error) {
	ser, err := engine.SerializerCodec(name)
	if err != nil {
		return Finding{}, err
	}
	if ser.Name() != "pickle" {
		return Finding{Check: CheckSerializer, Severity: SeverityOK, Message: "sessions are serialized with JSON"}, nil
	}
	risk := "whoever can write the session store, or learns SECRET_KEY, can run code in the application"
	if eng == engine.SignedCookies {
		risk = "with signed_cookies, whoever learns SECRET_KEY can run code in the application by sending a cookie"
	}
	return Finding{Check: CheckSerializer, Severity: SeverityWarning,
		Message: "SESSION_SERIALIZER is PickleSerializer (deprecated in Django 4.1, removed in 5.0): " + risk,
		Advice:  "Move to JSONSerializer (djangosess copy --to-serializer json --dry-run reports the sessions holding values JSON cannot represent)."}, nil
}
