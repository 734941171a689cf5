package load

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// CheckLoopback returns an error unless rawURL is an absolute http or https
// URL whose host is a loopback address: localhost, 127.0.0.0/8 or ::1. The
// URL may have a path prefix but no query, fragment or user information.
func CheckLoopback(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("base URL %q: %v", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("base URL %q: scheme must be http or https", rawURL)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("base URL %q: must have no user information, query or fragment", rawURL)
	}
	if !loopbackHost(u.Hostname()) {
		return fmt.Errorf("base URL %q: host %q is not loopback: strata-load only targets localhost, 127.0.0.0/8 or ::1", rawURL, u.Hostname())
	}
	return nil
}

// loopbackHost reports whether host, a URL host without port or brackets,
// names a loopback address.
func loopbackHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	return loopbackAddr(host)
}

// loopbackAddr reports whether s is a literal loopback IP address.
func loopbackAddr(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.WithZone("").Unmap().IsLoopback()
}

// DialControl is a net.Dialer Control function that refuses to connect to
// anything but a loopback address. It backs up CheckLoopback: "localhost"
// could resolve elsewhere, and a misconfigured client could follow a
// redirect.
func DialControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if !loopbackAddr(host) {
		return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
	}
	return nil
}
