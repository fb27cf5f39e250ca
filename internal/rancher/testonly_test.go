// SPDX-License-Identifier: MPL-2.0

package rancher

import "net/http"

// IsUnauthorized reports whether err is a 401 answer: the access key or the
// secret key is wrong, or the key is not active. Only the tests need it.
func IsUnauthorized(err error) bool {
	return hasStatus(err, http.StatusUnauthorized)
}
