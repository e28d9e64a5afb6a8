package rest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"time"
)

// NewHTTPClient builds the HTTP client of an API: TLS verification always
// on (TLS 1.2 or later), the certificates of caFile (if any) added to the
// system pool, redirects not followed (a redirect means the base URL is
// wrong, and following one could send the token elsewhere), and timeout per
// request. caName names the CA file in errors ("--ca-file").
func NewHTTPClient(caFile, caName string, timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 16
	if caFile != "" {
		pool, err := caPool(caFile, caName)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// caPool is the system pool plus the certificates of file.
func caPool(file, name string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s: cannot read it: %v", name, file, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s %s: no PEM certificate found in it: give the CA certificate (-----BEGIN CERTIFICATE-----)", name, file)
	}
	return pool, nil
}
