package csrf

import (
	"errors"
	"net/netip"
	"regexp"
	"strings"
)

// splitURL is Python's urllib.parse.SplitResult. Django parses the Origin,
// the Referer and CSRF_TRUSTED_ORIGINS with urlsplit (urlparse before 5.2),
// and its answers depend on that parser's leniency, so it is reproduced
// here as CPython 3.11 has it rather than approximated with net/url.
type splitURL struct {
	scheme, netloc, path, query, fragment string
}

var errInvalidURL = errors.New("invalid URL") // Python's ValueError

const schemeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."

// urlsplit is CPython 3.11's urllib.parse.urlsplit(url) with the default
// scheme "" and fragments allowed.
func urlsplit(url string) (splitURL, error) {
	var u splitURL
	// Leading C0 controls and spaces go; tabs and newlines anywhere.
	url = strings.TrimLeft(url, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	url = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(url)
	if i := strings.IndexByte(url, ':'); i > 0 && isASCIILetter(url[0]) {
		scheme := url[:i]
		if strings.Trim(scheme, schemeChars) == "" {
			u.scheme, url = strings.ToLower(scheme), url[i+1:]
		}
	}
	if strings.HasPrefix(url, "//") {
		end := len(url)
		for _, c := range "/?#" {
			if j := strings.IndexRune(url[2:], c); j >= 0 && j+2 < end {
				end = j + 2
			}
		}
		u.netloc, url = url[2:end], url[end:]
		open, closed := strings.Contains(u.netloc, "["), strings.Contains(u.netloc, "]")
		if open != closed {
			return u, errInvalidURL
		}
		if open && !bracketedNetlocOK(u.netloc) {
			return u, errInvalidURL
		}
	}
	url, u.fragment, _ = strings.Cut(url, "#")
	u.path, u.query, _ = strings.Cut(url, "?")
	return u, nil
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

var ipvFuture = regexp.MustCompile(`\Av[a-fA-F0-9]+\.[^\n]+\z`)

// bracketedNetlocOK is CPython's _check_bracketed_netloc and
// _check_bracketed_host.
func bracketedNetlocOK(netloc string) bool {
	hostPort := netloc[strings.LastIndexByte(netloc, '@')+1:]
	var host string
	if before, bracketed, ok := strings.Cut(hostPort, "["); ok {
		if before != "" {
			return false
		}
		var port string
		host, port, _ = strings.Cut(bracketed, "]")
		if port != "" && !strings.HasPrefix(port, ":") {
			return false
		}
	} else {
		host, _, _ = strings.Cut(hostPort, ":")
	}
	if strings.HasPrefix(host, "v") {
		return ipvFuture.MatchString(host)
	}
	// ipaddress.ip_address: an IPv6 address (an IPv4 one is refused in
	// brackets).
	a, err := netip.ParseAddr(host)
	return err == nil && !a.Is4()
}

// geturl is SplitResult.geturl (urlunsplit), or with params
// ParseResult.geturl (urlunparse), which drops the ";" of an empty
// parameter list in the last path segment.
func (u splitURL) geturl(params bool) string {
	path := u.path
	if params && u.scheme == "https" {
		i := -1
		if slash := strings.LastIndexByte(path, '/'); slash >= 0 {
			if j := strings.IndexByte(path[slash:], ';'); j >= 0 {
				i = slash + j
			}
		} else {
			i = strings.IndexByte(path, ';')
		}
		if i >= 0 && i == len(path)-1 {
			path = path[:i]
		}
	}
	var b strings.Builder
	if u.netloc != "" {
		if path != "" && path[0] != '/' {
			path = "/" + path
		}
		path = "//" + u.netloc + path
	}
	if u.scheme != "" {
		b.WriteString(u.scheme + ":")
	}
	b.WriteString(path)
	if u.query != "" {
		b.WriteString("?" + u.query)
	}
	if u.fragment != "" {
		b.WriteString("#" + u.fragment)
	}
	return b.String()
}

// isSameDomain is django.utils.http.is_same_domain: pattern (lowercased)
// equals host, or starts with "." and host is that domain or a subdomain
// of it. host is compared as given.
func isSameDomain(host, pattern string) bool {
	if pattern == "" {
		return false
	}
	pattern = strings.ToLower(pattern)
	return (pattern[0] == '.' && (strings.HasSuffix(host, pattern) || host == pattern[1:])) || pattern == host
}
