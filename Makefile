# Strata's everyday commands are `go run .` and `go test ./...` (README).
# This file holds the longer runs a scheduled job makes.

FUZZTIME ?= 60s

# fuzz runs every fuzz test for FUZZTIME each (go test -fuzz runs one
# target at a time), and prints the executions each reached.
.PHONY: fuzz
fuzz:
	@set -e; for spec in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
		dir=$$(dirname $$spec); \
		for name in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$spec | sed 's/^func //'); do \
			echo "== $$dir $$name ($(FUZZTIME))"; \
			go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$dir 2>&1 | grep -E 'execs|FAIL|^ok' | tail -n 2; \
		done; \
	done
