package contest

import "context"

// An account's mobile number (手机号码) is optional: given at sign-up or in 账号设置, it is where
// the important notifications also go by SMS when SMS is configured. The stores keep it sealed
// with its mask beside it; the domain reads the number itself only to send an SMS.

// MobileStore keeps the accounts' mobile numbers.
type MobileStore interface {
	// SetUserMobile replaces the account's number ("" removes it).
	SetUserMobile(ctx context.Context, userID, mobile string) error
}

// validateOptionalMobile checks a mobile number that may be left empty.
func validateOptionalMobile(raw string) (string, *FieldError) {
	if Normalize(raw) == "" {
		return "", nil
	}
	return ValidateMobile(raw)
}

// SetMobile sets (or, with an empty raw, removes) the user's own mobile number and returns the
// account as it is now.
func (s *RegistrationService) SetMobile(ctx context.Context, u User, raw string) (User, error) {
	mobile, fe := validateOptionalMobile(raw)
	if fe != nil {
		var f Fields
		f.Add("mobile", fe.Code, fe.Message)
		return u, f.Err()
	}
	if err := s.mobiles.SetUserMobile(ctx, u.ID, mobile); err != nil {
		return u, err
	}
	u.MobileMasked = MaskMobile(mobile)
	return u, nil
}
