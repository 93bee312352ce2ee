// Package gateway is an auth gateway for reverse proxies: nginx
// auth_request, Traefik ForwardAuth, Caddy forward_auth. For each
// subrequest it reads Django's session cookie, loads the session from the
// configured store, verifies the logged-in user as django.contrib.auth
// does (the _auth_user_hash against the user's password hash), and answers
// 200 with X-Django-User-Id (and chosen session values as headers) or 401.
// It never changes a session: the check is read-only.
//
// The djangosess serve command runs it with a health endpoint, Prometheus
// metrics, structured logs and graceful shutdown.
package gateway
