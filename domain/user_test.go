package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
)

func TestCredentialsValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		cred domain.Credentials
		want error
	}{
		"fine":                {domain.Credentials{Username: "minsu", Password: "1229"}, nil},
		"Korean name":         {domain.Credentials{Username: "민수", Password: "x"}, nil},
		"NUL in the password": {domain.Credentials{Username: "minsu", Password: "a\x00b"}, nil},
		"no username":         {domain.Credentials{Password: "x"}, domain.ErrCredentialsMissing},
		"no password":         {domain.Credentials{Username: "minsu"}, domain.ErrCredentialsMissing},
		"NUL in the username": {domain.Credentials{Username: "min\x00su", Password: "x"}, domain.ErrInvalidRequest},
		"not UTF-8":           {domain.Credentials{Username: "\xff", Password: "x"}, domain.ErrInvalidRequest},
		"256 bytes":           {domain.Credentials{Username: strings.Repeat("u", 256), Password: "x"}, nil},
		"257 bytes":           {domain.Credentials{Username: strings.Repeat("u", 257), Password: "x"}, domain.ErrInvalidRequest},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.cred.Validate()
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.True(t, errors.Is(err, tc.want), "%v", err)
			}
		})
	}
}
