package app

// RevokedLen exposes the size of the in-process revocation list to tests.
func RevokedLen(s *Service) int { return s.revoked.len() }
