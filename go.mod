module github.com/djangosess/djangosess

go 1.26
