// Package e2e proves, over real HTTP on loopback, that the Django project
// in examples/django, the Go service in examples/goservice and the
// `djangosess serve` gateway share one login: real Django (3.2, 4.2 and
// 5.2) under gunicorn, real PostgreSQL and Redis, a real net/http client
// with a cookie jar going through Django's login form with its CSRF token.
//
// The package holds only tests. Each Django version gets its own
// PostgreSQL schema and Redis key prefix, removed at the end. Outside CI
// the test skips when Python, Django, gunicorn or a server is missing;
// under CI (CI=true) that is a failure.
package e2e
