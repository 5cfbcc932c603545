// Package auth issues the short-lived tokens riders and drivers present to the API gateway (auth-service).
package auth

import "time"

// TokenLifetime bounds what a stolen token is worth.
const TokenLifetime = 15 * time.Minute

// Expired reports whether a token issued at issuedAt is no longer valid at now.
func Expired(issuedAt, now time.Time) bool {
	return now.Sub(issuedAt) > TokenLifetime
}
