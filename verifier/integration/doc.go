// Package integration holds the verifier's end-to-end tests against the
// rest of bpfhost: programs the verifier accepts run in checked mode without
// ever being caught, objects linked by the real loader (context accesses
// rewritten to the host layout) verify for every program type, and every
// helper a program type offers has a verifier prototype. It is apart from
// the verifier package because it needs the whole execution core.
package integration
