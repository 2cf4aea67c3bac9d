// Package e2e holds mailcheck's end-to-end suite: the real mailcheck binary probing real unbound, Dovecot and
// Postfix servers in network namespaces. The tests carry the build tag "e2e" and need the world that
// e2e/run.sh builds (as root); run them with `make e2e`. See README.md in this directory.
package e2e
