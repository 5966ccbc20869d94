// Package docs holds the user documentation of s1resolve: the Markdown files
// beside this one. It has no code; its test (examples_test.go) runs every
// example FORMATS.md and RULES.md show through the built command and
// compares what it prints and writes with what the documents say, so that
// the documentation stays true of the program.
package docs
