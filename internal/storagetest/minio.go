package storagetest

import (
	"os"
	"testing"
)

// Environment variables that point tests at a running MinIO (or other S3-compatible store).
const (
	EnvS3Endpoint  = "CONTEST_TEST_S3_ENDPOINT"   // host:port, e.g. 127.0.0.1:9000
	EnvS3AccessKey = "CONTEST_TEST_S3_ACCESS_KEY" // e.g. minioadmin
	EnvS3SecretKey = "CONTEST_TEST_S3_SECRET_KEY" // e.g. minioadmin
	// EnvRequireAll set to "1" turns a skipped test for a missing service into a failure, so CI
	// cannot pass by quietly skipping the MinIO tests.
	EnvRequireAll = "CONTEST_TEST_REQUIRE_ALL"
)

// MinIOConfigFromEnv returns the MinIO to test against. When none is configured the test is
// skipped, or fails when CONTEST_TEST_REQUIRE_ALL=1.
func MinIOConfigFromEnv(tb testing.TB) (endpoint, access, secret string) {
	tb.Helper()
	endpoint = os.Getenv(EnvS3Endpoint)
	access = os.Getenv(EnvS3AccessKey)
	secret = os.Getenv(EnvS3SecretKey)
	if endpoint == "" {
		const help = EnvS3Endpoint + " is not set; start MinIO and set " + EnvS3Endpoint +
			" (host:port), " + EnvS3AccessKey + " and " + EnvS3SecretKey + " to run this test"
		if os.Getenv(EnvRequireAll) == "1" {
			tb.Fatal(help + " (" + EnvRequireAll + "=1 forbids skipping)")
		}
		tb.Skip(help)
	}
	if access == "" || secret == "" {
		tb.Fatalf("%s is set but %s or %s is empty", EnvS3Endpoint, EnvS3AccessKey, EnvS3SecretKey)
	}
	return endpoint, access, secret
}
