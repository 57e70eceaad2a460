module github.com/cli/cli/v2

go 1.22.5

toolchain go1.22.6

require (
	github.com/AlecAivazis/survey/v2 v2.3.7
	github.com/rogpeppe/go-internal v1.13.1
	golang.org/x/term v0.25.0 // a comment that is not the indirect marker
)

require github.com/docker/cli v27.1.1+incompatible // indirect

replace github.com/rogpeppe/go-internal => github.com/cli/go-internal v0.0.0-20241024130215-fa3c22e38b9b
