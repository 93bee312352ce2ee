package csrf

import (
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
)

// meta returns the request header that Django's request.META holds under
// key ("HTTP_X_CSRFTOKEN"), and whether there is one. As under WSGI, a
// header is found by its upper-cased name with "-" turned into "_";
// header names that contain "_" are ignored, as Django's development
// server and the common WSGI servers drop them (they would otherwise
// alias the "-" form). Repeated headers are joined with ",".
func meta(r *http.Request, key string) (string, bool) {
	name, ok := strings.CutPrefix(key, "HTTP_")
	if !ok {
		return "", false
	}
	var vals []string
	found := false
	for k, v := range r.Header {
		if strings.Contains(k, "_") || strings.ToUpper(strings.ReplaceAll(k, "-", "_")) != name {
			continue
		}
		found = true
		vals = append(vals, v...)
	}
	return strings.Join(vals, ","), found
}

// isSecure is HttpRequest.is_secure: SECURE_PROXY_SSL_HEADER when set and
// present (from Django 4.1 only the first comma-separated value counts),
// else whether the connection is TLS.
func (c *Checker) isSecure(r *http.Request) bool {
	if h := c.cfg.SecureProxySSLHeader; h[0] != "" {
		if v, ok := meta(r, h[0]); ok {
			if !c.target.Less(v4_1) {
				v, _, _ = strings.Cut(v, ",")
				v = pyStrip(v)
			}
			return v == h[1]
		}
	}
	return r.TLS != nil
}

func (c *Checker) scheme(r *http.Request) string {
	if c.isSecure(r) {
		return "https"
	}
	return "http"
}

var errDisallowedHost = errors.New("disallowed host")

// rawHost is HttpRequest._get_raw_host: X-Forwarded-Host under
// USE_X_FORWARDED_HOST, else the Host header.
func (c *Checker) rawHost(r *http.Request) string {
	if c.cfg.UseXForwardedHost {
		if h, ok := meta(r, "HTTP_X_FORWARDED_HOST"); ok {
			return h
		}
	}
	return r.Host
}

var hostValidation = regexp.MustCompile(`^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$`)

// host is HttpRequest.get_host: the raw host, if its domain is valid and
// matches ALLOWED_HOSTS (nil: "*").
func (c *Checker) host(r *http.Request) (string, error) {
	host := c.rawHost(r)
	m := hostValidation.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return "", errDisallowedHost
	}
	domain := strings.TrimSuffix(m[1], ".")
	if domain == "" {
		return "", errDisallowedHost
	}
	allowed := c.cfg.AllowedHosts
	if allowed == nil {
		allowed = []string{"*"}
	}
	for _, p := range allowed {
		if p == "*" || isSameDomain(domain, p) {
			return host, nil
		}
	}
	return "", errDisallowedHost
}

// port is HttpRequest.get_port: X-Forwarded-Port under
// USE_X_FORWARDED_PORT, else SERVER_PORT, which net/http does not have;
// it is taken as gunicorn sets it: the Host header's port, else 443 or 80
// by the request's scheme.
func (c *Checker) port(r *http.Request) string {
	if c.cfg.UseXForwardedPort {
		if p, ok := meta(r, "HTTP_X_FORWARDED_PORT"); ok {
			return p
		}
	}
	if _, p, err := net.SplitHostPort(r.Host); err == nil && p != "" {
		return p
	}
	if c.isSecure(r) {
		return "443"
	}
	return "80"
}

// cookie returns the named cookie as Django's parse_cookie reads the
// Cookie header: split on ";", name and value trimmed, a value in double
// quotes unquoted, the last of repeated names winning.
func cookie(r *http.Request, name string) (string, bool) {
	value, found := "", false
	for _, chunk := range strings.Split(strings.Join(r.Header.Values("Cookie"), "; "), ";") {
		k, v, ok := strings.Cut(chunk, "=")
		if !ok {
			k, v = "", chunk
		}
		k, v = pyStrip(k), pyStrip(v)
		if k == name {
			value, found = pyUnquote(v), true
		}
	}
	return value, found
}

// pyStrip is Python's str.strip() on a header value, which WSGI decodes
// as latin-1: one byte per character, and the whitespace characters of
// that range.
func pyStrip(s string) string {
	space := func(c byte) bool {
		return c == ' ' || ('\t' <= c && c <= '\r') || (0x1c <= c && c <= 0x1f) || c == 0x85 || c == 0xa0
	}
	for len(s) > 0 && space(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && space(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// pyUnquote is http.cookies._unquote.
func pyUnquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && '0' <= s[i+1] && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		if s[i+1] == '\n' { // "[\\]." does not match a newline
			b.WriteByte(s[i])
			continue
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

// postToken returns request.POST.get("csrfmiddlewaretoken", ""): the last
// value of the field in an application/x-www-form-urlencoded or
// multipart/form-data body. Like Django, a body that cannot be read gives
// "" (and the header is tried). The form stays parsed in r.PostForm for
// the handler.
func (c *Checker) postToken(r *http.Request) string {
	// Idempotent, and also parses urlencoded bodies (then returning
	// ErrNotMultipart, as it does for bodies that are not forms).
	_ = r.ParseMultipartForm(c.cfg.MaxMemory)
	if v := r.PostForm["csrfmiddlewaretoken"]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}
