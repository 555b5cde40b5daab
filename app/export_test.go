package app

// RevokedLen exposes the size of the in-process revocation list to tests.
func RevokedLen(s *Service) int { return s.revoked.len() }

// CachedTokens exposes the number of cached access tokens to tests.
func CachedTokens(s *Service) int { return s.cache.len() }
