package s3

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"

	"github.com/minio/minio-go/v7"

	"github.com/jskx/contest/internal/contest"
)

// storageFullCodes are the error codes of an object store out of space.
var storageFullCodes = map[string]bool{"XMinioStorageFull": true, "InsufficientStorage": true, "XMinioAdminBucketQuotaExceeded": true}

// unavailableCodes are error codes, besides any 5xx answer, of a store that cannot serve the
// request now.
var unavailableCodes = map[string]bool{
	"SlowDown": true, "ServiceUnavailable": true, "RequestTimeout": true, "InternalError": true,
	"XMinioServerNotInitialized": true, "XMinioReadQuorum": true, "XMinioWriteQuorum": true,
}

// outage returns err as an EUnavailable error when it means the store does not answer now
// (refused or lost connections, timeouts, a 5xx answer after minio-go's retries) or is out of
// space, and err unchanged otherwise. A request cancelled by its client is not an outage.
func outage(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var e *contest.Error
	if errors.As(err, &e) {
		return err
	}
	var resp minio.ErrorResponse // wrapped by the caller's context, so not minio.ToErrorResponse
	errors.As(err, &resp)
	switch {
	case storageFullCodes[resp.Code], resp.StatusCode == http.StatusInsufficientStorage,
		errors.Is(err, syscall.ENOSPC):
		return contest.StorageFull(err)
	case unavailableCodes[resp.Code], resp.StatusCode >= 500:
		return contest.StorageUnavailable(err)
	case resp.Code != "":
		return err // the store answered: whatever it said is not an outage
	}
	var netErr net.Error
	// Not io.ErrUnexpectedEOF: a body shorter than announced is the sender's fault (see Put).
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return contest.StorageUnavailable(err)
	}
	return err
}
