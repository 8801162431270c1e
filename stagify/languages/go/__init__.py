"""Go: what a Go build context and Dockerfile say, and how a Go image is split in two.

Knowledge kept here: go.mod and its ``go``/``toolchain`` lines, where the main
package is, vendoring, cgo, the flags of ``go build``, ``go run`` as a start
command, pre-module GOPATH builds, and the files a Go server reads at run time.

``calls`` reads and rewrites ``go`` command lines, ``facts`` holds what detection
finds, ``detector`` detects, ``language`` holds the planning hooks (loaded only when Go
is the language a conversion plans for).
"""
