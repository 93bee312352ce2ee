module github.com/djangosess/djangosess

go 1.26.0

require (
	github.com/klauspost/compress v1.20.4
	github.com/pierrec/lz4/v4 v4.1.33
	github.com/ulikunitz/xz v0.5.17
	golang.org/x/crypto v0.59.0
)

require golang.org/x/sys v0.50.0 // indirect
